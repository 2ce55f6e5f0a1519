"""How a worker takes over stream entries nobody is handling: those of a dead worker (no
heartbeat), its own that no task holds, and any idle too long (``bot.worker``)."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as redis

from bot import metrics
from bot.intake import GROUP, STREAM
from bot.logs import get_logger

HEARTBEAT_PREFIX = "tsunagu:worker:"
log = get_logger("bot.worker")


class Reclaiming:
    """The reclaim half of ``bot.worker.StreamWorker``, which sets these and spawns."""

    _redis: redis.Redis
    consumer: str
    _heartbeat_ms: int
    _reclaim_idle_ms: int
    _in_flight: dict[str, asyncio.Task[None]]

    def _spawn(self, entry_id: Any, fields: dict[Any, Any] | None) -> None:
        raise NotImplementedError

    async def _claim_from_the_dead(self) -> None:
        for consumer in await self._redis.xinfo_consumers(STREAM, GROUP):
            name = _s(consumer["name"])
            if name == self.consumer or int(consumer.get("idle", 0)) < self._heartbeat_ms:
                continue
            if await self._redis.exists(HEARTBEAT_PREFIX + name):
                continue
            if int(consumer["pending"]) == 0:
                await self._redis.xgroup_delconsumer(STREAM, GROUP, name)  # gone for good
                continue
            pending = await self._redis.xpending_range(STREAM, GROUP, "-", "+", 256, consumername=name)
            ids: list[Any] = [p["message_id"] for p in pending]
            # min idle: of two survivors claiming at once, only the first gets each entry.
            claimed: Any = await self._redis.xclaim(STREAM, GROUP, self.consumer, self._heartbeat_ms, ids)
            for entry_id, fields in claimed:
                metrics.EVENTS_RECLAIMED.inc()
                log.info("worker.reclaimed_from_dead", entry=_s(entry_id))
                self._spawn(entry_id, fields)

    async def _resume_own(self) -> None:
        """Entries pending here that no task holds (a task gave up, e.g. at stop)."""
        for pending in await self._redis.xpending_range(STREAM, GROUP, "-", "+", 256, consumername=self.consumer):
            entry = _s(pending["message_id"])
            if entry in self._in_flight or int(pending["time_since_delivered"]) < 1000:
                continue
            claimed: Any = await self._redis.xclaim(STREAM, GROUP, self.consumer, 1000, [entry])
            for entry_id, fields in claimed:
                self._spawn(entry_id, fields)

    async def _autoclaim(self) -> None:
        start = "0-0"
        while True:
            result = await self._redis.xautoclaim(
                STREAM, GROUP, self.consumer, self._reclaim_idle_ms, start_id=start, count=32
            )
            next_start, entries = result[0], result[1]
            for entry_id, fields in entries:
                metrics.EVENTS_RECLAIMED.inc()
                log.info("worker.reclaimed_idle", entry=_s(entry_id))
                self._spawn(entry_id, fields)
            if _s(next_start) == "0-0" or not entries:
                return
            start = next_start


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
