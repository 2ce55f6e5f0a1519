"""One way to get a Redis client, real or embedded.

Embedded defaults run the very same Redis commands (streams, consumer groups, Lua,
SET NX) against fakeredis in this process, so the dev setup exercises production code.
"""

from __future__ import annotations

from functools import lru_cache

import fakeredis
import redis.asyncio as redis

from settings import RedisSettings


@lru_cache
def _embedded_server() -> fakeredis.FakeServer:
    """One in-process "server" shared by every client of this process."""
    return fakeredis.FakeServer()


def connect_redis(settings: RedisSettings) -> redis.Redis:
    if settings.embedded:
        return fakeredis.FakeAsyncRedis(server=_embedded_server())
    return redis.Redis.from_url(settings.url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)
