"""Workers that take events off the stream and handle them, once, in order per resident.

Several worker processes share one consumer group. Order per resident comes from the
sequence number the intake gave each event: an event is handled only when its resident's
``done`` counter says the previous one is finished, and only under that resident's lease
(``bot.leases``). Handling computes the new state and the answer without writing them;
one Lua script (``bot.outbox.Commit``) then writes the state, the answer's outbox entry,
``done`` and the stream acknowledgement together, fenced by the lease (and releases it). An event handled
again after a crash therefore finds either nothing done (and does it, its database
effects returning their recorded results) or everything done (and is only acknowledged).

Failures: a store that refuses or hangs leaves the event pending for as long as it takes;
a bug is retried ``handle_attempts`` times, then the event becomes a dead letter; a danger
message whose handling fails gets the emergency lines at once (``last_resort``).

Reclaim never starves: heartbeats and reclaim run in their own tasks, an entry waiting for
its resident's earlier event holds no handling slot, and a dead worker (no heartbeat, idle
as long) has its pending entries claimed at once. XAUTOCLAIM of long-idle entries is the
fallback for a worker that is alive but stuck.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis
from redis.exceptions import ResponseError

from bot import metrics
from bot.deadletters import DeadLetter, DeadLetters
from bot.delivery import FAST_PATH_WAIT_S, Deliverer, Taken
from bot.failures import is_infrastructure
from bot.intake import GROUP, SEQ_TTL_S, STREAM, event_id
from bot.leases import Lease
from bot.logs import get_logger
from bot.outbox import Commit, Outbox, OutboxMessage
from bot.reclaim import HEARTBEAT_PREFIX, Reclaiming, _s
from flows import redis_keys
from flows.turn import reading_ahead

ATTEMPTS = "tsunagu:attempts"  # entry id -> failed handlings that were bugs
FAILING_SINCE = "tsunagu:failing-since"  # entry id -> ms of the first failure
log = get_logger("bot.worker")


@dataclass
class Handled:
    """What handling one event decided: its answer (or none) and the state writes."""

    message: OutboxMessage | None = None
    writes: list[list[str]] = field(default_factory=list)


EventHandler = Callable[[dict[str, Any]], Awaitable[Handled | None]]
LastResort = Callable[[dict[str, Any]], Handled | None]
Deliver = Callable[[str], Awaitable[Any]]  # deliver a resident's outbox now (the fast path)


def default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


async def ensure_group(client: redis.Redis) -> None:
    try:
        await client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class StreamWorker(Reclaiming):
    def __init__(
        self,
        client: redis.Redis,
        handler: EventHandler,
        *,
        consumer: str | None = None,
        concurrency: int = 8,
        reclaim_idle_ms: int = 60_000,
        block_ms: int = 1_000,
        lock_lease_s: float = 3.0,
        heartbeat_s: float = 3.0,
        handle_timeout_s: float = 30.0,
        attempts: int = 3,
        danger_fallback_after_s: float = 10.0,
        outbox: Outbox | None = None,
        dead_letters: DeadLetters | None = None,
        deliver: Deliver | None = None,
        last_resort: LastResort | None = None,
        hash_of: Callable[[str], str] = lambda resident: "",
        read_ahead: Callable[[str], list[str]] = lambda resident: [],
        delivery: Deliverer | None = None,
    ) -> None:
        self._redis = client
        self._handler = handler
        self.consumer = consumer or default_consumer_name()
        self._slots = asyncio.Semaphore(concurrency)
        self._max_in_flight = concurrency * 16
        self._reclaim_idle_ms = reclaim_idle_ms
        self._block_ms = block_ms
        self._lock_lease_s = lock_lease_s
        self._heartbeat_ms = int(heartbeat_s * 1000)
        self._handle_timeout_s = handle_timeout_s
        self._attempts = attempts
        self._danger_fallback_ms = int(danger_fallback_after_s * 1000)
        self._outbox = outbox or Outbox(client, known_ttl_s=7 * 24 * 3600, useful_s=6 * 3600)
        self._dead = dead_letters or DeadLetters(client, ttl_s=30 * 24 * 3600, outbox=self._outbox)
        self._deliver = deliver
        self._last_resort = last_resort
        self._hash_of = hash_of
        self._read_ahead = read_ahead
        # The fast path with the deliverer's lease taken in the commit's round trip (else
        # ``deliver`` after the commit): entry -> what the commit took, for ``_process``.
        self._delivery = delivery
        self._taken: dict[str, Taken] = {}
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        # resident -> set when this process commits one of their events: a later event of
        # theirs waiting here goes on at once instead of polling ``done`` (the poll stays,
        # for an earlier event handled by another worker).
        self._committed: dict[str, asyncio.Event] = {}
        self._room = asyncio.Event()
        self._stopping = asyncio.Event()

    # ---- the loops ------------------------------------------------------------------------

    async def run(self) -> None:
        """Consume until ``stop()``; events being handled finish before this returns."""
        while not self._stopping.is_set():
            try:
                await ensure_group(self._redis)
                break
            except (redis.RedisError, OSError) as exc:  # Redis not up yet: it will be
                log.warning("worker.redis_unavailable", error=type(exc).__name__)
                await self._wait(self._stopping, 0.5)
        helpers = [asyncio.create_task(self._heartbeats()), asyncio.create_task(self._reclaims())]
        while not self._stopping.is_set():
            if len(self._in_flight) >= self._max_in_flight:
                self._room.clear()
                await self._wait(self._room, 0.1)
                continue
            try:
                replies: Any = await self._redis.xreadgroup(
                    GROUP, self.consumer, {STREAM: ">"}, count=16, block=self._block_ms
                )
            except ResponseError as exc:
                if "NOGROUP" not in str(exc) and "UNBLOCKED" not in str(exc):
                    raise
                # Redis lost the group (restarted without persistence, flushed): recreate it.
                log.warning("worker.group_recreated")
                await self._guard(ensure_group(self._redis))
                continue
            except (redis.RedisError, OSError) as exc:
                log.warning("worker.redis_unavailable", error=type(exc).__name__)
                await self._wait(self._stopping, 0.5)
                continue
            for _stream, entries in replies or []:
                for entry_id, fields in entries:
                    self._spawn(entry_id, fields)
        # The helpers see the stop themselves (no cancel: a cancellation that meets a Redis
        # timeout can be lost on Python 3.11, and the helper would never end).
        await asyncio.gather(*helpers, *self._in_flight.values(), return_exceptions=True)
        await self._guard(self._redis.delete(HEARTBEAT_PREFIX + self.consumer))

    def stop(self) -> None:
        self._stopping.set()

    async def _heartbeats(self) -> None:
        """Liveness, in its own task so nothing the worker waits on can delay it."""
        while not self._stopping.is_set():
            await self._guard(self._redis.set(HEARTBEAT_PREFIX + self.consumer, int(time.time()), px=self._heartbeat_ms))
            await self._wait(self._stopping, self._heartbeat_ms / 3000)

    async def _reclaims(self) -> None:
        next_autoclaim = time.monotonic() + self._reclaim_idle_ms / 4000
        while not self._stopping.is_set():
            await self._wait(self._stopping, min(self._heartbeat_ms / 5000, 1.0))
            await self._guard(self._claim_from_the_dead())
            await self._guard(self._resume_own())
            if time.monotonic() >= next_autoclaim:
                await self._guard(self._autoclaim())
                next_autoclaim = time.monotonic() + self._reclaim_idle_ms / 4000

    def _spawn(self, entry_id: Any, fields: dict[Any, Any] | None) -> None:
        entry = _s(entry_id)
        if fields is None or entry in self._in_flight:
            return
        task = asyncio.create_task(self._process(entry, fields))
        self._in_flight[entry] = task

        def finished(_task: asyncio.Task[None]) -> None:
            self._in_flight.pop(entry, None)
            self._room.set()

        task.add_done_callback(finished)

    # ---- one entry -------------------------------------------------------------------------

    async def _process(self, entry: str, fields: dict[Any, Any]) -> None:
        resident = _field(fields, "resident")
        seq = int(_field(fields, "seq"))
        event = json.loads(_field(fields, "event"))
        delay = 0.005
        failures = 0
        ahead = self._read_ahead(resident)
        while not self._stopping.is_set():
            try:
                lease = Lease(self._redis, redis_keys.lock(resident), self._lock_lease_s)
                taken = None
                outcome = ""
                try:
                    # The handling slot first, then the resident's lease: an event queued for
                    # a slot holds no lease (no renewals while it waits, and nobody else kept
                    # waiting on it); one that finds it is not its turn gives the slot back.
                    async with self._slots:
                        acquired, done, values = await lease.acquire_in_turn_reading(
                            redis_keys.done(resident), seq, ahead)
                        if acquired:
                            with reading_ahead(values):
                                outcome = await self._handle_holding(entry, resident, seq, event, lease)
                    if seq <= done:
                        await self._ack(entry)
                        self._wake_waiting(resident)
                        return
                    if outcome == "committed":
                        self._wake_waiting(resident)
                finally:
                    # The fast path, whatever the commit said (the lease it took is
                    # released there); the loop retries.
                    if (taken := self._taken.pop(entry, None)) is not None and self._delivery is not None:
                        await self._delivery.deliver_taken(taken)
                if outcome == "committed":
                    if taken is None and self._delivery is not None:
                        await self._delivery.deliver(resident, wait_s=FAST_PATH_WAIT_S)
                    elif taken is None and self._deliver is not None:
                        await self._deliver(resident)
                    return
                if outcome == "failed":
                    failures += 1
                    await self._wait(self._stopping, _backoff(failures))
                    continue
            except (redis.RedisError, OSError) as exc:
                failures += 1
                log.warning("worker.redis_unavailable", error=type(exc).__name__)
                await self._wait(self._stopping, _backoff(failures))
                continue
            # An earlier event of this resident is not done yet (or its lease is held).
            await self._wait(self._committed.setdefault(resident, asyncio.Event()), delay)
            delay = min(delay * 2, 0.25)

    def _wake_waiting(self, resident: str) -> None:
        if (waiting := self._committed.pop(resident, None)) is not None:
            waiting.set()

    async def _handle_holding(self, entry: str, resident: str, seq: int, event: dict[str, Any], lease: Lease) -> str:
        """Handle and commit under the resident's lease, taken in turn (``_process``):
        committed, busy or failed. The commit releases the lease; any other end here does."""
        try:
            async with lease.renewed():
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(self._handle_timeout_s):
                        handled = await self._handler(event) or Handled()
                except Exception as exc:  # noqa: BLE001 - sorted by cause in _failed
                    return await self._failed(entry, resident, seq, event, exc, lease)
                finally:
                    metrics.HANDLE_LATENCY.observe(time.perf_counter() - started)
                if await self._commit(entry, resident, seq, handled, lease) < 0:
                    log.warning("worker.lease_lost", entry=entry)
                    return "busy"
                metrics.EVENTS_PROCESSED.labels(event_type=str(event.get("type"))).inc()
                return "committed"
        finally:
            await self._guard(lease.release())

    async def _commit(self, entry: str, resident: str, seq: int, handled: Handled, lease: Lease) -> int:
        writes = [*handled.writes, ["HDEL", ATTEMPTS, entry], ["HDEL", FAILING_SINCE, entry]]
        commit = Commit(
            message=handled.message, writes=writes, lock_key=lease.key, lock_token=lease.token,
            done_key=redis_keys.done(resident), seq=seq, stream=STREAM, group=GROUP, entry=entry,
            seq_ttl_s=SEQ_TTL_S, release_lock=True,
        )
        if self._delivery is not None and handled.message is not None:
            result, taken = await self._delivery.commit_and_take(commit, resident)
            if taken is not None:
                self._taken[entry] = taken
        else:
            result = await self._outbox.commit(commit)
        if result >= 0:
            lease.released_elsewhere()
        return result

    async def _failed(
        self, entry: str, resident: str, seq: int, event: dict[str, Any], exc: BaseException, lease: Lease
    ) -> str:
        infrastructure = is_infrastructure(exc)
        metrics.EVENTS_FAILED.labels(cause="infrastructure" if infrastructure else "bug").inc()
        if infrastructure:
            log.warning("worker.store_unavailable", error=type(exc).__name__, event_type=event.get("type"))
        else:
            log.exception("worker.handler_failed", event_type=event.get("type"), exc_info=exc)
        await self._redis.hsetnx(FAILING_SINCE, entry, int(time.time() * 1000))
        attempts = 0 if infrastructure else int(await self._redis.hincrby(ATTEMPTS, entry, 1))
        since = int(await self._redis.hget(FAILING_SINCE, entry) or 0)
        if self._last_resort is not None and (
            not infrastructure or time.time() * 1000 - since >= self._danger_fallback_ms
        ):
            handled = self._last_resort(event)
            if handled is not None:  # a danger message: its emergency lines, and staff told
                metrics.LAST_RESORT_ANSWERS.inc()
                log.error("worker.last_resort_answer", resident=self._hash_of(resident))
                letter = None if infrastructure else self._letter(resident, event, exc, attempts, "answered_by_last_resort")
                return await self._commit_dead(entry, resident, seq, handled, lease, letter)
        if infrastructure or attempts < self._attempts:
            return "failed"
        letter = self._letter(resident, event, exc, attempts, "handler_error")
        return await self._commit_dead(entry, resident, seq, Handled(), lease, letter)

    def _letter(
        self, resident: str, event: dict[str, Any], exc: BaseException, attempts: int, reason: str
    ) -> DeadLetter:
        return DeadLetter(
            id=f"event:{event_id(event)}", kind="event", reason=reason, created_ms=int(time.time() * 1000),
            resident_hash=self._hash_of(resident), payload=event, attempts=attempts, detail=type(exc).__name__,
        )

    async def _commit_dead(
        self, entry: str, resident: str, seq: int, handled: Handled, lease: Lease, letter: DeadLetter | None
    ) -> str:
        """Commit the event as done with its dead letter (and last-resort answer, if any)."""
        if letter is not None:
            handled.writes += self._dead.writes(letter)
        if await self._commit(entry, resident, seq, handled, lease) < 0:
            return "busy"
        if letter is not None:
            self._dead.made(letter)
            log.error("worker.dead_letter", reason=letter.reason, resident=letter.resident_hash)
        return "committed"

    async def _ack(self, entry: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.xack(STREAM, GROUP, entry)
        pipe.xdel(STREAM, entry)
        await pipe.execute()

    @staticmethod
    async def _wait(event: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(event.wait(), timeout=seconds)
        except TimeoutError:
            pass

    @staticmethod
    async def _guard(call: Awaitable[Any]) -> None:
        """Best effort: Redis may be away for a moment; the next round tries again."""
        try:
            await call
        except (redis.RedisError, OSError) as exc:
            log.warning("worker.redis_unavailable", error=type(exc).__name__)


def _backoff(failures: int) -> float:
    return float(min(0.25 * 2 ** min(failures - 1, 5), 5.0) * random.uniform(0.5, 1.0))


def _field(fields: dict[Any, Any], name: str) -> str:
    """A stream entry field, whether the client decodes responses or not."""
    return _s(fields[name.encode()] if name.encode() in fields else fields[name])
