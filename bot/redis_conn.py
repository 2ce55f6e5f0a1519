"""One way to get a Redis client, real or embedded.

Embedded defaults run the very same Redis commands (streams, consumer groups, Lua,
SET NX) against fakeredis in this process, so the dev setup exercises production code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import fakeredis
import redis.asyncio as redis
from redis.asyncio.connection import AbstractConnection
from redis.driver_info import DriverInfo
from redis.event import AsyncAfterConnectionReleasedEvent
from redis.exceptions import DataError
from redis.typing import EncodableT

from settings import RedisSettings

hiredis_pack_command: Callable[[tuple[Any, ...]], bytes] | None
try:
    from hiredis import pack_command as hiredis_pack_command
except ImportError:  # pragma: no cover - installed with redis[hiredis] (pyproject.toml)
    hiredis_pack_command = None

# A command this small is taken by the socket's buffers at once when nothing is waiting there.
_SMALL_COMMAND = 16 * 1024


class PromptSendConnection(redis.Connection):
    """redis-py's TCP connection, without a task per command to time out the send, and
    packing commands with hiredis (``pack_command``).

    With ``socket_timeout`` set, redis-py bounds every send with ``asyncio.wait_for``, which
    on Python 3.11 makes a task per command: about a fifth of a round trip's CPU
    (bench/profile_handling.py). A small command on a connected socket whose write buffer is
    empty cannot wait (the transport hands it to the kernel, or buffers it below the pause
    mark), so it is written directly; anything else, and every read, keeps the timeout."""

    async def send_packed_command(self, command: bytes | str | Iterable[bytes], check_health: bool = True) -> None:
        writer = self._writer
        if (
            not isinstance(command, list | bytes)
            or writer is None
            or not self.is_connected
            or writer.transport.is_closing()
            or writer.transport.get_write_buffer_size() > 0
            or sum(map(len, command) if isinstance(command, list) else (len(command),)) > _SMALL_COMMAND
        ):
            await super().send_packed_command(command, check_health)
            return
        if check_health:
            await self.check_health()  # type: ignore[no-untyped-call]  # with the timeouts, like any other read
        timeout, self.socket_timeout = self.socket_timeout, None
        try:
            await super().send_packed_command(command, check_health=False)
        finally:
            self.socket_timeout = timeout

    def pack_command(self, *args: EncodableT) -> list[bytes]:
        """hiredis's C packer, as redis-py's synchronous client uses it when hiredis is there
        (``HiredisRespSerializer``); its asyncio client packs in Python, argument by argument,
        about 0.2 ms of a worker's CPU per event (bench/profile_handling.py). The same bytes
        (tests/bot/test_redis_conn.py); a value of another type is refused as redis-py does."""
        encoder = self.encoder
        if hiredis_pack_command is None or encoder.encoding != "utf-8" or encoder.encoding_errors != "strict":
            return super().pack_command(*args)
        # A command name of several words ("CONFIG GET") is sent as separate arguments.
        head: Any = args[0]
        words: tuple[Any, ...] = args
        if isinstance(head, str):
            words = (*head.encode().split(), *args[1:])
        elif b" " in head:
            words = (*head.split(), *args[1:])
        try:
            return [hiredis_pack_command(words)]
        except TypeError as exc:
            raise DataError(exc) from exc


class QuietPool(redis.ConnectionPool):
    """redis-py's pool without the OpenTelemetry bookkeeping it does on every command.

    redis-py 8 lends a connection for each command and, on lending and on taking it back,
    checks its deprecated arguments and records five connection-count changes for metrics
    that are off unless OpenTelemetry is set up for redis-py, which the bot never does: about
    0.16 ms of a worker's CPU per event (bench/profile_handling.py). Lending and taking back
    are otherwise redis-py's own: the same lock, the same connection check before lending,
    the same reconnect and release event on return (tests/bot/test_redis_conn.py)."""

    async def get_connection(self) -> AbstractConnection:  # type: ignore[override]  # no deprecated args
        async with self._lock:
            connection: AbstractConnection = self.get_available_connection()  # type: ignore[no-untyped-call]
        try:
            await self.ensure_connection(connection)
        except BaseException:
            await self.release(connection)
            raise
        return connection

    async def release(self, connection: AbstractConnection) -> None:
        async with self._lock:
            self._in_use_connections.remove(connection)
            if connection.should_reconnect():  # type: ignore[no-untyped-call]
                await connection.disconnect()
            self._available_connections.append(connection)
        dispatcher: Any = self._event_dispatcher
        await dispatcher.dispatch_async(AsyncAfterConnectionReleasedEvent(connection))  # type: ignore[no-untyped-call]


# What QuietPool's two methods use of redis-py's pool: present in redis-py 8 (pyproject.toml
# pins <9). Should another release lack one, the pool is redis-py's own, slower but right.
_POOL_INTERNALS_METHODS = ("get_available_connection", "ensure_connection")
_POOL_INTERNALS_FIELDS = ("_lock", "_in_use_connections", "_available_connections", "_event_dispatcher")


def quiet_pool_fits(pool_class: type[redis.ConnectionPool] = redis.ConnectionPool) -> bool:
    """True when ``pool_class`` has every internal QuietPool relies on."""
    if not all(callable(getattr(pool_class, name, None)) for name in _POOL_INTERNALS_METHODS):
        return False
    probe = pool_class()
    return all(hasattr(probe, name) for name in _POOL_INTERNALS_FIELDS)


@lru_cache
def _pool_class() -> type[redis.ConnectionPool]:
    return QuietPool if quiet_pool_fits() else redis.ConnectionPool


@lru_cache
def _embedded_server() -> fakeredis.FakeServer:
    """One in-process "server" shared by every client of this process."""
    return fakeredis.FakeServer()


def connect_redis(settings: RedisSettings) -> redis.Redis:
    if settings.embedded:
        return fakeredis.FakeAsyncRedis(server=_embedded_server())
    # TCP without TLS gets the prompt sends; rediss:// and unix:// keep redis-py's own classes.
    prompt: dict[str, Any] = {"connection_class": PromptSendConnection} if settings.url.startswith("redis://") else {}
    # One DriverInfo for the pool: without it every new connection looks redis-py's version up
    # in the installed package metadata (importlib.metadata, ~1 ms of CPU each), which the
    # webhook paid whenever a burst grew its pool.
    pool = _pool_class().from_url(
        settings.url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30,
        driver_info=DriverInfo(), **prompt,
    )
    return redis.Redis.from_pool(pool)
