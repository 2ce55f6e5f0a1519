"""Housekeeping beside the workers: delivery records into the case history, staff sends
that never reached the outbox, the dead-letter and outbox gauges, old effect results.

Runs in every process (web and workers); each step is idempotent, so several at once do no
harm. Nothing here is on a resident's path: it may wait for the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.deadletters import DeadLetters
from bot.delivery import DangerAlert
from bot.leases import Lease
from bot.logs import get_logger
from bot.outbox import PREFIX, Outbox, OutboxMessage
from bot.staff_push import StaffSender, reconcile
from handoff import crypto, deliveries, effects, events

log = get_logger("bot.maintenance")
EVERY_S = 2.0
RECONCILE_EVERY_S = 10.0
PURGE_EVERY_S = 3600.0
# Records per transaction, and transactions per round (every EVERY_S): up to 4,000 rows a
# round, far above the busiest peak's statistics rows (bench.latency at 200 events/s).
RECORD_BATCH = 200
RECORD_BATCHES = 20


class Maintenance:
    def __init__(
        self, *, client: redis.Redis, outbox: Outbox, dead_letters: DeadLetters,
        sessions: async_sessionmaker[AsyncSession], sender: StaffSender, notice: Callable[[str, str], str],
        alert: DangerAlert, keep_effects_s: float,
    ) -> None:
        self._alert = alert
        self._redis = client
        self._outbox = outbox
        self._dead = dead_letters
        self._sessions = sessions
        self._sender = sender
        self._notice = notice
        self._keep_effects_s = keep_effects_s
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        next_reconcile = next_purge = 0.0
        while not self._stopping.is_set():
            for name, step in (("gauges", self.refresh_gauges), ("records", self.apply_records)):
                await self._guarded(name, step)
            if time.monotonic() >= next_reconcile:
                await self._guarded("reconcile", self.reconcile)
                next_reconcile = time.monotonic() + RECONCILE_EVERY_S
            if time.monotonic() >= next_purge:
                await self._guarded("purge", self.purge)
                next_purge = time.monotonic() + PURGE_EVERY_S
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=EVERY_S)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def _guarded(self, name: str, step: Callable[[], Any]) -> None:
        try:
            await step()
        except Exception as exc:  # noqa: BLE001 - a store is away: the next round retries
            log.warning("maintenance.step_failed", step=name, error=type(exc).__name__)

    async def refresh_gauges(self) -> None:
        metrics.DEAD_LETTERS.set(await self._dead.count())
        metrics.OUTBOX_WAITING.set(await self._outbox.pending())

    async def apply_records(self) -> int:
        """Write how deliveries ended into the case history, and the statistics rows turns
        left, into the database (one process at a time; batches until none are left)."""
        lease = Lease(self._redis, PREFIX + "records-lease", 30)
        if not await lease.acquire():
            return 0
        applied = 0
        try:
            for _batch in range(RECORD_BATCHES):
                records = await self._outbox.records(RECORD_BATCH)
                if not records:
                    break
                async with self._sessions() as session, session.begin():
                    # A turn's statistics rows all at once, each once by its effect key.
                    await events.insert_records(session, [r for r in records if r.get("type") == "event"])
                    for record in records:
                        await self._apply(session, record)
                await self._outbox.drop_records(len(records))
                applied += len(records)
            return applied
        finally:
            await lease.release()

    async def _apply(self, session: AsyncSession, record: dict[str, Any]) -> None:
        if record.get("type") == "alert":  # idempotent per message (handoff.alerts)
            await self._alert(OutboxMessage.from_fields(record["message"]))
        elif record.get("type") == "receipt":
            await deliveries.mark(session, int(record["entry"]), str(record["status"]))
        elif record.get("type") == "undelivered":

            async def note() -> int | None:
                return await deliveries.note_undelivered(
                    session, line_user_id=crypto.decrypt(record["to"]), dead_letter=record["letter"],
                    reason=record["reason"], kind=record["kind"],
                )

            await effects.once(session, f"undelivered:{record['letter']}", note)

    async def reconcile(self, *, older_than_s: float = 30.0) -> int:
        """Staff entries pending for ``older_than_s`` whose message the outbox never got."""
        return await reconcile(
            self._sessions, self._sender, self._outbox, self._notice,
            older_than_s=older_than_s, newer_than_s=self._outbox.useful_s,
        )

    async def purge(self) -> None:
        async with self._sessions() as session, session.begin():
            await effects.purge(session, older_than=timedelta(seconds=self._keep_effects_s))
