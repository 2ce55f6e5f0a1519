"""Workers that take events off the stream and handle them, in order per resident.

Several worker processes share one consumer group.  Order per resident comes from the
sequence number the intake gave each event: an event is handled only when its
resident's ``done`` counter says the previous one is finished, and only under that
resident's lock.  The same check makes redelivery harmless: an entry whose sequence
is already done is acknowledged without being handled again.  Entries left pending by
a worker that died are reclaimed with XAUTOCLAIM once idle for ``reclaim_idle_ms``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as redis
from redis.exceptions import LockError, ResponseError

from bot import metrics
from bot.intake import DONE_PREFIX, GROUP, SEQ_TTL_S, STREAM
from bot.logs import get_logger

EventHandler = Callable[[dict[str, Any]], Awaitable[None]]
LOCK_PREFIX = "tsunagu:lock:"
DEAD_LETTER_STREAM = "tsunagu:events:dead"
HEARTBEAT_PREFIX = "tsunagu:worker:"
HANDLE_ATTEMPTS = 3
log = get_logger("bot.worker")


def default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


async def ensure_group(client: redis.Redis) -> None:
    try:
        await client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class StreamWorker:
    def __init__(
        self,
        client: redis.Redis,
        handler: EventHandler,
        *,
        consumer: str | None = None,
        concurrency: int = 8,
        reclaim_idle_ms: int = 30_000,
        block_ms: int = 1_000,
        lock_lease_s: float = 15.0,
    ) -> None:
        self._redis = client
        self._handler = handler
        self.consumer = consumer or default_consumer_name()
        self._slots = asyncio.Semaphore(concurrency)
        self._reclaim_idle_ms = reclaim_idle_ms
        self._block_ms = block_ms
        self._lock_lease_s = lock_lease_s
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Consume until ``stop()``; in-flight events finish before this returns."""
        await ensure_group(self._redis)
        next_reclaim = next_beat = 0.0
        while not self._stopping.is_set():
            try:
                if time.monotonic() >= next_beat:
                    # Liveness for operators and benchmarks: which workers are consuming.
                    await self._redis.set(HEARTBEAT_PREFIX + self.consumer, int(time.time()), ex=30)
                    next_beat = time.monotonic() + 10
                if time.monotonic() >= next_reclaim:
                    await self._reclaim()
                    next_reclaim = time.monotonic() + max(self._reclaim_idle_ms / 4000, 0.05)
                await self._slots.acquire()
                self._slots.release()
                replies: Any = await self._redis.xreadgroup(
                    GROUP, self.consumer, {STREAM: ">"}, count=16, block=self._block_ms
                )
            except ResponseError as exc:
                if "NOGROUP" not in str(exc) and "UNBLOCKED" not in str(exc):
                    raise
                # Redis lost the group (restarted without persistence, flushed): recreate it.
                log.warning("worker.group_recreated")
                await ensure_group(self._redis)
                continue
            except (redis.RedisError, OSError) as exc:
                log.warning("worker.redis_unavailable", error=type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            for _stream, entries in replies or []:
                for entry_id, fields in entries:
                    await self._spawn(entry_id, fields)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self._redis.delete(HEARTBEAT_PREFIX + self.consumer)
        except (redis.RedisError, OSError):
            pass  # the key expires by itself

    def stop(self) -> None:
        self._stopping.set()

    async def _reclaim(self) -> None:
        start = "0-0"
        while True:
            result = await self._redis.xautoclaim(
                STREAM, GROUP, self.consumer, self._reclaim_idle_ms, start_id=start, count=32
            )
            next_start, entries = result[0], result[1]
            for entry_id, fields in entries:
                if fields is None:  # deleted while pending
                    await self._redis.xack(STREAM, GROUP, entry_id)
                    continue
                metrics.EVENTS_RECLAIMED.inc()
                log.info("worker.reclaimed", entry=_s(entry_id))
                await self._spawn(entry_id, fields)
            if _s(next_start) == "0-0" or not entries:
                return
            start = next_start

    async def _spawn(self, entry_id: Any, fields: dict[Any, Any]) -> None:
        await self._slots.acquire()
        task = asyncio.create_task(self._process(entry_id, fields))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    async def _process(self, entry_id: Any, fields: dict[Any, Any]) -> None:
        resident = _field(fields, "resident")
        seq = int(_field(fields, "seq"))
        event = json.loads(_field(fields, "event"))
        done_key = DONE_PREFIX + resident
        delay = 0.005
        # Give up waiting after a while: the entry stays pending and is reclaimed later.
        deadline = time.monotonic() + max(self._reclaim_idle_ms / 1000 * 3, 5)
        while time.monotonic() < deadline:
            try:
                async with self._redis.lock(
                    LOCK_PREFIX + resident, timeout=self._lock_lease_s, blocking_timeout=5
                ) as lock:
                    done = int(await self._redis.get(done_key) or 0)
                    if seq <= done:
                        await self._ack(entry_id)
                        return
                    if seq == done + 1:
                        await self._handle_holding(lock, event)
                        pipe = self._redis.pipeline(transaction=True)
                        pipe.set(done_key, seq, ex=SEQ_TTL_S)
                        pipe.xack(STREAM, GROUP, entry_id)
                        pipe.xdel(STREAM, entry_id)
                        await pipe.execute()
                        return
            except LockError:
                pass
            except (redis.RedisError, OSError) as exc:
                log.warning("worker.redis_unavailable", error=type(exc).__name__)
            # An earlier event of this resident is still being handled (or reclaimed).
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)
        log.warning("worker.order_wait_timeout", entry=_s(entry_id))

    async def _handle_holding(self, lock: Any, event: dict[str, Any]) -> None:
        """Handle while renewing the lock's short lease, so a live worker keeps it and a
        dead worker's lock frees itself within one lease."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self._lock_lease_s / 3)
                await lock.reacquire()

        renewer = asyncio.create_task(renew())
        try:
            await self._handle(event)
        finally:
            renewer.cancel()

    async def _handle(self, event: dict[str, Any]) -> None:
        """Handle with a few retries; an event that keeps failing goes to the dead-letter
        stream for staff to inspect, so it neither wedges the resident's queue nor is lost."""
        started = time.perf_counter()
        try:
            for attempt in range(1, HANDLE_ATTEMPTS + 1):
                try:
                    await self._handler(event)
                    metrics.EVENTS_PROCESSED.labels(event_type=str(event.get("type"))).inc()
                    return
                except Exception:
                    log.exception(
                        "worker.handler_failed", event_type=event.get("type"), attempt=attempt
                    )
                    if attempt < HANDLE_ATTEMPTS:
                        await asyncio.sleep(0.2 * attempt)
            metrics.EVENTS_FAILED.inc()
            await self._redis.xadd(DEAD_LETTER_STREAM, {"event": json.dumps(event)})
        finally:
            metrics.HANDLE_LATENCY.observe(time.perf_counter() - started)

    async def _ack(self, entry_id: Any) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.xack(STREAM, GROUP, entry_id)
        pipe.xdel(STREAM, entry_id)
        await pipe.execute()


def _field(fields: dict[Any, Any], name: str) -> str:
    """A stream entry field, whether the client decodes responses or not."""
    return _s(fields[name.encode()] if name.encode() in fields else fields[name])


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
