"""Conversation state per resident, in Redis (real or embedded), with an expiry.

State is small JSON; it expires after ``ttl_s`` of silence so an abandoned flow ends
politely and nothing lingers.  Callers load and save it under the worker's
per-resident lock, so no two events of one resident race on it.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as redis

PREFIX = "tsunagu:conv:"


class StateStore:
    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self._redis = client
        self._ttl_s = ttl_s

    async def load(self, resident: str) -> dict[str, Any] | None:
        raw = await self._redis.get(PREFIX + resident)
        return json.loads(raw) if raw else None

    async def save(self, resident: str, state: dict[str, Any]) -> None:
        await self._redis.set(PREFIX + resident, json.dumps(state, ensure_ascii=False), ex=self._ttl_s)

    async def drop(self, resident: str) -> None:
        await self._redis.delete(PREFIX + resident)
