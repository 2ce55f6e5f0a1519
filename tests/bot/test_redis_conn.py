"""bot.redis_conn on the real Redis: commands sent without a task per send still go through,
and a Redis that stops answering still times out (the read keeps its timeout)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
import redis.asyncio as redis
from redis.exceptions import DataError

from bot.redis_conn import PromptSendConnection, QuietPool, connect_redis, quiet_pool_fits
from settings import RedisSettings
from tests.support.proxy import faulty_proxy


def _target() -> tuple[str, int, str]:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    host_port, _, db = url.removeprefix("redis://").partition("/")
    host, _, port = host_port.partition(":")
    return host, int(port or 6379), db or "0"


async def test_commands_and_pipelines_go_through_the_prompt_send_connection() -> None:
    host, port, db = _target()
    client = connect_redis(RedisSettings.model_validate({"REDIS_URL": f"redis://{host}:{port}/{db}"}))
    try:
        assert client.connection_pool.connection_class is PromptSendConnection
        await client.set("tsunagu:test:prompt", "1")
        pipe = client.pipeline(transaction=True)
        pipe.incr("tsunagu:test:prompt")
        pipe.get("tsunagu:test:prompt")
        assert await pipe.execute() == [2, b"2"]
        assert await client.get("tsunagu:test:prompt") == b"2"
        big = "x" * 100_000  # above the size sent without a bound: the usual path
        await client.set("tsunagu:test:prompt-big", big)
        assert await client.strlen("tsunagu:test:prompt-big") == len(big)
        await client.delete("tsunagu:test:prompt", "tsunagu:test:prompt-big")
    finally:
        await client.aclose()


async def test_a_redis_that_stops_answering_still_times_out() -> None:
    host, port, db = _target()
    async with faulty_proxy(host, port) as proxy:
        client = redis.Redis.from_url(f"redis://127.0.0.1:{proxy.port}/{db}", socket_timeout=0.5,
                                      socket_connect_timeout=2, connection_class=PromptSendConnection)
        try:
            await client.ping()  # connected: later sends take the prompt path
            await proxy.hang()
            started = time.monotonic()
            with pytest.raises(redis.TimeoutError):
                await client.get("tsunagu:test:prompt-hang")
            assert time.monotonic() - started < 5
        finally:
            await proxy.forward()
            await asyncio.wait_for(client.aclose(), 5)


@pytest.mark.parametrize(
    "args",
    [
        ("SET", "tsunagu:k", "v"),
        ("EVALSHA", "a" * 40, 3, "k1", "k2", "k3", 1.5, -2, 10**20, 0.1, 1e300, "日本語", b"\x00\xff"),
        ("CONFIG GET", "maxmemory"),
        (b"CLIENT SETNAME", b"tsunagu"),
        ("XADD", "tsunagu:s", "*", "f", memoryview(b"abc")),
        ("SET", "tsunagu:big", "x" * 100_000),
    ],
)
def test_commands_are_packed_to_the_same_bytes_as_redis_py_packs_them(args: tuple[object, ...]) -> None:
    ours = b"".join(bytes(chunk) for chunk in PromptSendConnection().pack_command(*args))  # type: ignore[arg-type]
    theirs = b"".join(bytes(chunk) for chunk in redis.Connection().pack_command(*args))  # type: ignore[arg-type]
    assert ours == theirs


@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}])
def test_a_value_redis_py_refuses_is_refused(value: object) -> None:
    with pytest.raises(DataError):
        redis.Connection().pack_command("SET", "tsunagu:k", value)  # type: ignore[arg-type]
    with pytest.raises(DataError):
        PromptSendConnection().pack_command("SET", "tsunagu:k", value)  # type: ignore[arg-type]


def test_the_quiet_pool_is_used_only_where_redis_py_has_what_it_overrides() -> None:
    assert quiet_pool_fits()

    class WithoutDispatcher(redis.ConnectionPool):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__()
            del self._event_dispatcher

    class WithoutLending(redis.ConnectionPool):
        get_available_connection = None  # type: ignore[assignment]

    assert not quiet_pool_fits(WithoutDispatcher)
    assert not quiet_pool_fits(WithoutLending)


async def test_the_pool_lends_and_takes_back_connections_as_redis_py_does() -> None:
    host, port, db = _target()
    client = connect_redis(RedisSettings.model_validate({"REDIS_URL": f"redis://{host}:{port}/{db}"}))
    pool = client.connection_pool
    try:
        assert isinstance(pool, QuietPool)
        await asyncio.gather(*(client.incr("tsunagu:test:pool") for _ in range(20)))
        assert int(await client.get("tsunagu:test:pool") or 0) == 20
        assert not pool._in_use_connections and pool._available_connections
        lent = await pool.get_connection()
        await pool.release(lent)
        assert pool._available_connections[-1] is lent and not pool._in_use_connections
        await client.delete("tsunagu:test:pool")
    finally:
        await client.aclose()


async def test_a_connection_that_cannot_connect_goes_back_to_the_pool() -> None:
    pool = QuietPool.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    client = redis.Redis.from_pool(pool)
    try:
        with pytest.raises(redis.ConnectionError):
            await client.ping()
        assert not pool._in_use_connections and len(pool._available_connections) == 1
    finally:
        await client.aclose()
