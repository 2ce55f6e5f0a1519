"""One way to get a Redis client, real or embedded.

Embedded defaults run the very same Redis commands (streams, consumer groups, Lua,
SET NX) against fakeredis in this process, so the dev setup exercises production code.
"""

from __future__ import annotations

from functools import lru_cache

import redis.asyncio as redis

from bot.config import Settings


@lru_cache
def _embedded_server():  # one in-process "server" shared by every client of this process
    import fakeredis

    return fakeredis.FakeServer()


def connect_redis(settings: Settings) -> redis.Redis:
    if settings.embedded_redis:
        import fakeredis

        return fakeredis.FakeAsyncRedis(server=_embedded_server())
    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
    )
