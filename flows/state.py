"""Conversation state per resident, in Redis (real or embedded), with an expiry.

State is small JSON; it expires after ``ttl_s`` of silence so an abandoned flow ends
politely and nothing lingers.  Callers load and save it under the worker's
per-resident lock, so no two events of one resident race on it.

Beside the state, a marker holding only the last-activity time (nothing personal) lives
longer, so a resident who comes back after the state expired is told so kindly instead of
being dropped into a fresh flow without a word.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as redis

PREFIX = "tsunagu:conv:"
SEEN_PREFIX = "tsunagu:conv-seen:"
SEEN_TTL_FACTOR = 7


class StateStore:
    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self._redis = client
        self._ttl_s = ttl_s

    @property
    def ttl_s(self) -> int:
        return self._ttl_s

    async def load(self, resident: str) -> dict[str, Any] | None:
        raw = await self._redis.get(PREFIX + resident)
        return json.loads(raw) if raw else None

    async def save(self, resident: str, state: dict[str, Any]) -> None:
        await self._redis.set(PREFIX + resident, json.dumps(state, ensure_ascii=False), ex=self._ttl_s)
        last = str(state.get("last", ""))
        await self._redis.set(SEEN_PREFIX + resident, last, ex=self._ttl_s * SEEN_TTL_FACTOR)

    async def drop(self, resident: str) -> None:
        await self._redis.delete(PREFIX + resident, SEEN_PREFIX + resident)

    async def lapsed(self, resident: str) -> bool:
        """A conversation was under way and its state has expired since."""
        if await self._redis.exists(PREFIX + resident):
            return False
        return bool(await self._redis.exists(SEEN_PREFIX + resident))
