"""KEDA scales the workers on the length of the event stream: that number is the backlog.

The ScaledObject must read the stream the intake writes, through the Redis the bot uses;
and on a real Redis, with the real intake and worker, the stream's length counts every
accepted event not yet finished and falls to zero once they are, while the consumer
group's lag (the other metric KEDA offers) goes unknown as soon as workers finish events
out of order, which KEDA would read as no backlog at all.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as redis

from bot.intake import GROUP, STREAM, EventIntake
from bot.worker import StreamWorker, ensure_group
from tests.ops.manifests import DEPLOY, documents, find, render
from tests.support.waiting import wait_until

APP = render("app")
SCALED = find(APP, "ScaledObject", "tsunagu-worker")
(TRIGGER,) = SCALED["spec"]["triggers"]
# The redis-streams trigger's parameters, as KEDA documents them (keda.sh, "Redis Streams").
KEDA_REDIS_STREAMS_PARAMETERS = {
    "address", "host", "port", "addressFromEnv", "hostFromEnv", "portFromEnv",
    "usernameFromEnv", "passwordFromEnv", "stream", "consumerGroup", "pendingEntriesCount",
    "streamLength", "lagCount", "activationLagCount", "enableTLS", "unsafeSsl", "databaseIndex",
}


def test_the_trigger_reads_the_length_of_the_stream_the_intake_writes() -> None:
    metadata = TRIGGER["metadata"]
    assert TRIGGER["type"] == "redis-streams"
    assert set(metadata) <= KEDA_REDIS_STREAMS_PARAMETERS
    assert metadata["stream"] == STREAM
    # Without consumerGroup KEDA measures XLEN (with one it would read the pending list or lag).
    assert "consumerGroup" not in metadata and int(metadata["streamLength"]) > 0
    assert SCALED["spec"]["scaleTargetRef"]["name"] == "tsunagu-worker"
    # Workers also send callback reminders: never scale them to zero.
    assert SCALED["spec"]["minReplicaCount"] >= 1


def test_keda_reads_the_redis_the_bot_writes_to() -> None:
    secret = documents(DEPLOY / "secret.example.yaml")[0]["stringData"]
    bot_redis = urlsplit(secret["REDIS_URL"])
    metadata = TRIGGER["metadata"]
    host, port = metadata["address"].rsplit(":", 1)
    assert (host, int(port)) == (bot_redis.hostname, bot_redis.port)
    assert int(metadata["databaseIndex"]) == int(bot_redis.path.lstrip("/") or 0)
    assert (metadata["enableTLS"] == "true") == (bot_redis.scheme == "rediss")
    assert TRIGGER["authenticationRef"]["name"] == "tsunagu-redis"


def _text_event(resident: str) -> dict[str, Any]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1_700_000_000_000,
        "webhookEventId": uuid.uuid4().hex,
        "source": {"type": "user", "userId": resident},
        "replyToken": uuid.uuid4().hex,
        "message": {"type": "text", "id": uuid.uuid4().hex, "text": "こんにちは"},
    }


async def test_the_stream_length_is_the_backlog_and_empties_when_handled(
    redis_client: redis.Redis,
) -> None:
    intake = EventIntake(redis_client, dedupe_ttl_s=60)
    residents = [f"U{index:032x}" for index in range(5)]
    events = [_text_event(residents[index % 5]) for index in range(20)]
    await intake.accept(events)
    assert await redis_client.xlen(STREAM) == len(events)  # what KEDA sees before any worker

    handled: list[str] = []

    async def handle(event: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)
        handled.append(event["webhookEventId"])

    worker = StreamWorker(redis_client, handle, consumer="scaling-test", block_ms=50)
    running = asyncio.create_task(worker.run())
    try:
        await wait_until(lambda: len(handled) == len(events))
    finally:
        worker.stop()
        await running  # returns once every event in hand is acknowledged
    assert sorted(handled) == sorted(event["webhookEventId"] for event in events)
    assert await redis_client.xlen(STREAM) == 0


async def test_the_group_lag_goes_unknown_while_the_length_stays_exact(
    redis_client: redis.Redis,
) -> None:
    """What a worker does with entries (XREADGROUP, then XACK + XDEL each as it finishes,
    not in order) leaves Redis unable to tell the lag; XLEN still counts what is left."""
    await ensure_group(redis_client)
    intake = EventIntake(redis_client, dedupe_ttl_s=60)
    await intake.accept([_text_event(f"U{index:032x}") for index in range(40)])
    reply: Any = await redis_client.xreadgroup(GROUP, "c1", {STREAM: ">"}, count=16)
    delivered = [entry_id for entry_id, _fields in reply[0][1]]
    last = delivered[-1]  # the last one read finishes first
    await redis_client.xack(STREAM, GROUP, last)
    await redis_client.xdel(STREAM, last)
    (group,) = await redis_client.xinfo_groups(STREAM)
    assert group["lag"] is None  # KEDA's lagCount would read 0 here, with 39 events to do
    assert await redis_client.xlen(STREAM) == 39
