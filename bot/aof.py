"""Compaction of Redis's append-only file, so words erased in Redis also leave the disk.

Redis runs with ``appendonly yes`` and ``appendfsync always`` (deploy/redis): every write is
on disk before Redis answers, including a resident's words in the event stream, the
conversation state and the outbox. Deleting a key does not remove those earlier writes from
the file; ``BGREWRITEAOF`` does, by writing the data as it is now and dropping the old file.

``AofCompactor.step`` runs every ``CHECK_EVERY_S`` in every process (``bot.services``), and
starts a rewrite when one was asked for by an erasure or a refused consent
(``REWRITE_WANTED``, set in the same commit as the erasure's answer: ``bot.erasure``), or
when ``AOF_REWRITE_EVERY_S`` has passed since the last one. A lease makes one process do it
per round. Redis's own growth trigger (``auto-aof-rewrite-percentage``) stays on beside it.
"""

from __future__ import annotations

import time
from typing import Any

import redis.asyncio as redis

from bot.logs import get_logger

log = get_logger("bot.aof")
REWRITE_WANTED = "tsunagu:aof:rewrite-wanted"  # an erasure happened since the last rewrite
LAST_REWRITE = "tsunagu:aof:last-rewrite-ms"
LEASE = "tsunagu:aof:lease"
CHECK_EVERY_S = 30.0
# Processes that look in the same moment: one starts the rewrite, the others find the lease
# (or the rewrite running); short, so an erasure just after waits little.
LEASE_S = 5.0


class AofCompactor:
    def __init__(self, client: redis.Redis, *, every_s: float, lease_s: float = LEASE_S) -> None:
        self._redis = client
        self._every_ms = int(every_s * 1000)
        self._lease_ms = max(int(lease_s * 1000), 100)

    async def step(self) -> str:
        """One look: ``off`` (no AOF), ``busy`` (a rewrite runs, or another process looks),
        ``not_due`` or ``started``."""
        info: dict[str, Any] = await self._redis.info("persistence")
        if not int(info.get("aof_enabled", 0)):
            return "off"
        if int(info.get("aof_rewrite_in_progress", 0)) or int(info.get("aof_rewrite_scheduled", 0)):
            return "busy"
        now = int(time.time() * 1000)
        wanted = bool(await self._redis.exists(REWRITE_WANTED))
        last = int(await self._redis.get(LAST_REWRITE) or 0)
        if not wanted and now - last < self._every_ms:
            return "not_due"
        if not await self._redis.set(LEASE, "1", nx=True, px=self._lease_ms):
            return "busy"
        # Taken before the fork: an erasure committed after this is asked for again.
        await self._redis.delete(REWRITE_WANTED)
        try:
            await self._redis.bgrewriteaof()
        except redis.ResponseError:
            if wanted:
                await self._redis.set(REWRITE_WANTED, "1")  # not done: ask again next round
            raise
        await self._redis.set(LAST_REWRITE, now)
        log.info("aof.rewrite_started", reason="erasure" if wanted else "schedule")
        return "started"
