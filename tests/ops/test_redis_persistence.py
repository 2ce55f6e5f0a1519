"""The Redis settings we ship keep an accepted event through a kill -9 of Redis.

Both shipped configurations, deploy/redis's redis.conf and docker-compose's command line,
are run on a private redis-server (never the shared one): the intake accepts an event,
Redis is killed without warning and started again on the same directory, and the event
and its deduplication mark are still there.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis
import yaml

from bot.intake import DEDUPE_PREFIX, STREAM, EventIntake
from tests.ops.manifests import DEPLOY, ROOT, documents, find
from tests.ops.test_worker_scaling import _text_event

PASSWORD = "test-only-password"


def _redis_conf_command(data_dir: Path) -> list[str]:
    config = find(documents(DEPLOY / "redis" / "redis.yaml"), "ConfigMap", "tsunagu-redis-config")
    shipped = config["data"]["redis.conf"]
    assert "\ndir /data\n" in shipped  # the volume; Redis must start in it, so point it here
    conf = data_dir.parent / "redis.conf"
    conf.write_text(shipped.replace("\ndir /data\n", f"\ndir {data_dir}\n"))
    return ["redis-server", str(conf)]


def _compose_command(data_dir: Path) -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return list(compose["services"]["redis"]["command"])


@pytest.fixture(params=[_redis_conf_command, _compose_command], ids=["deploy/redis", "docker-compose"])
def redis_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[list[str], int]]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Only where it listens and writes differs from what we ship.
    command = request.param(data_dir) + [
        "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
        "--requirepass", PASSWORD, "--daemonize", "no",
    ]
    yield command, port


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _connect(server: subprocess.Popen[bytes], port: int) -> redis.Redis:
    client = redis.Redis(
        host="127.0.0.1", port=port, password=PASSWORD, decode_responses=True, socket_timeout=10
    )
    for _ in range(250):  # until it listens and has loaded the append-only file
        assert server.poll() is None, "redis-server refused the configuration"
        try:
            if await client.ping():
                return client
        except (redis.ConnectionError, redis.BusyLoadingError):
            pass
        await _pause()
    raise AssertionError("redis-server did not start")


async def _pause() -> None:
    await asyncio.sleep(0.02)


async def test_an_accepted_event_survives_a_kill_of_redis(redis_server: tuple[list[str], int]) -> None:
    command, port = redis_server
    server = _start(command)
    try:
        client = await _connect(server, port)
        settings = await client.config_get("*")
        assert settings["appendonly"] == "yes"
        assert settings["appendfsync"] == "always"
        assert settings["maxmemory-policy"] == "noeviction"
        event = _text_event("U" + "1" * 32)
        accepted = await EventIntake(client, dedupe_ttl_s=3600).accept([event])
        assert accepted.accepted == 1
        await client.aclose()
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    server = _start(command)
    try:
        client = await _connect(server, port)
        entries: Any = await client.xrange(STREAM)
        assert len(entries) == 1 and event["webhookEventId"] in entries[0][1]["event"]
        assert await client.exists(DEDUPE_PREFIX + event["webhookEventId"]) == 1
        # LINE's redelivery of the same event is still recognised after the restart.
        again = await EventIntake(client, dedupe_ttl_s=3600).accept([event])
        assert (again.accepted, again.duplicates) == (0, 1)
        await client.aclose()
    finally:
        server.terminate()
        server.wait()
