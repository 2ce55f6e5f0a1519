"""Delivery from the outbox: in order per resident, once, for as long as it is useful.

One deliverer at a time works on a resident (a short renewed lease, so a dead one's lapses),
taking the oldest message first: a later answer never overtakes an earlier one. The worker
delivers right after its commit (the fast path); a loop in every worker retries the rest.

Per part: the reply token while the event is young (``reply_token_window_s``), otherwise a
push whose X-Line-Retry-Key is unique to that part (409 = it went out before). Before a
reply, "attempting" is written durably; if the outcome is then unknown (a timeout, a
reset, a 5xx, a worker killed mid-call) the reply is tried again with the same token
while it is young: 200 means the first had not gone, "Invalid reply token" means it had.
Once the token is too old to tell, the part is pushed: a duplicate is judged better than
silence, for every answer (README: Guarantees). Transient failures back off (capped,
jittered, Retry-After honoured) until ``delivery_useful_s``; permanent ones and answers
past that become dead letters. A danger answer not delivered within
``danger_alert_after_s`` alerts staff, and still goes out as soon as LINE is back.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as redis

from bot import metrics
from bot.deadletters import DeadLetter, DeadLetters
from bot.leases import Lease
from bot.logs import get_logger
from bot.messenger import DELIVERED, PERMANENT, TOKEN_REFUSED, TRANSIENT, CallResult, Messenger
from bot.outbox import Commit, Outbox, OutboxMessage, now_ms, retry_key
from handoff import crypto

log = get_logger("bot.delivery")
DangerAlert = Callable[[OutboxMessage], Awaitable[None]]
# Right after a commit, wait this long for a busy deliverer of the same resident (it is
# sending the resident's earlier message) rather than leave the new one to the loop.
FAST_PATH_WAIT_S = 2.0
# What an alert needs of its message (kept in a record when the database is away).
ALERT_FIELDS = ("id", "resident", "to", "kind", "created_ms", "alert", "danger")


@dataclass(frozen=True)
class Taken:
    """A resident's delivery lease taken with the worker's commit, and their head message
    read with it (None: read it again)."""

    resident: str
    lease: Lease
    head: tuple[OutboxMessage | None, int] | None


@dataclass(frozen=True)
class DeliverySettings:
    reply_window_s: float = 50.0
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 10.0
    lease_s: float = 5.0
    alert_after_s: float = 5.0
    poll_s: float = 0.2
    concurrency: int = 16


class Deliverer:
    def __init__(
        self, *, client: redis.Redis, outbox: Outbox, messenger: Messenger, dead_letters: DeadLetters,
        alert: DangerAlert, settings: DeliverySettings, hash_of: Callable[[str], str],
    ) -> None:
        self._redis = client
        self._outbox = outbox
        self._messenger = messenger
        self._dead = dead_letters
        self._alert = alert
        self._s = settings
        self._hash_of = hash_of
        self._busy: set[str] = set()
        self._stopping = asyncio.Event()

    # ---- the loop --------------------------------------------------------------------------

    async def run(self) -> None:
        """Deliver whatever falls due until ``stop()``."""
        slots = asyncio.Semaphore(self._s.concurrency)
        tasks: set[asyncio.Task[bool]] = set()
        while not self._stopping.is_set():
            try:
                for resident in await self._outbox.due(limit=self._s.concurrency * 2):
                    if resident in self._busy:
                        continue
                    await slots.acquire()
                    task = asyncio.create_task(self.deliver(resident))
                    tasks.add(task)

                    def finished(done: asyncio.Task[bool]) -> None:
                        tasks.discard(done)
                        slots.release()

                    task.add_done_callback(finished)
            except (redis.RedisError, OSError) as exc:
                log.warning("delivery.redis_unavailable", error=type(exc).__name__)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._s.poll_s)
            except TimeoutError:
                pass
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        self._stopping.set()

    # ---- one resident ------------------------------------------------------------------------

    async def deliver(self, resident: str, *, wait_s: float = 0.0) -> bool:
        """Deliver the resident's queue in order; True when nothing is left waiting. If
        another deliverer holds the resident, wait up to ``wait_s`` for it (the fast path
        after a commit), else leave it to that one. Never raises for LINE's or Redis's sake."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while resident in self._busy:
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(0.01)
        self._busy.add(resident)
        lease = Lease(self._redis, self._outbox.lease_key(resident), self._s.lease_s)
        try:
            while not (taken := await self._outbox.acquire_and_head(lease, resident))[0]:
                if asyncio.get_running_loop().time() >= deadline:
                    return False
                await asyncio.sleep(0.02)
            try:
                async with lease.renewed():
                    return await self._drain(resident, lease, taken[1])
            finally:
                await lease.release()
        except (redis.RedisError, OSError) as exc:
            log.warning("delivery.redis_unavailable", error=type(exc).__name__)
            return False
        finally:
            self._busy.discard(resident)

    async def commit_and_take(self, commit: Commit, resident: str) -> tuple[int, Taken | None]:
        """The worker's commit (``Outbox.commit``) with this deliverer's lease on the resident
        taken and their head read in the same round trip, unless a deliverer here is already
        at it. A ``Taken`` returned must go to ``deliver_taken``, whatever the commit said."""
        if resident in self._busy or commit.message is None or commit.message.resident != resident:
            return await self._outbox.commit(commit), None
        self._busy.add(resident)
        lease = commit.deliver_lease = Lease(self._redis, self._outbox.lease_key(resident), self._s.lease_s)
        try:
            result = await self._outbox.commit(commit)
        except BaseException:
            self._busy.discard(resident)
            raise
        if not lease.held:
            self._busy.discard(resident)
            return result, None
        return result, Taken(resident, lease, commit.head)

    async def deliver_taken(self, taken: Taken) -> bool:
        """``deliver`` with the lease ``commit_and_take`` took (and released here)."""
        try:
            try:
                async with taken.lease.renewed():
                    return await self._drain(taken.resident, taken.lease, taken.head)
            finally:
                await taken.lease.release()
        except (redis.RedisError, OSError) as exc:
            log.warning("delivery.redis_unavailable", error=type(exc).__name__)
            return False
        finally:
            self._busy.discard(taken.resident)

    async def _drain(
        self, resident: str, lease: Lease, head: tuple[OutboxMessage | None, int] | None = None
    ) -> bool:
        """Deliver the queue under ``lease``; ``head``: its head, read with the lease taken."""
        while not lease.lost:
            message, back_before = head or await self._outbox.head_and_line_back(resident)
            head = None
            if message is None:
                return True
            if message.next_ms > now_ms():
                await self._outbox.schedule(resident, await self._next_visit(resident, message.next_ms))
                return False
            if message.danger and not message.alerted and now_ms() >= self._alert_at(message):
                await self._raise_alert(message)
            if now_ms() > message.useful_until_ms:
                result = CallResult(TRANSIENT, detail="no longer useful")
                reason = "expired"
            else:
                result = await self._send(message)
                reason = f"line_{result.status or 0}"
                if result.verdict == DELIVERED:
                    if await self._delivered(message, lease) == 0:
                        return True  # the queue is empty: no need to look again
                    continue
                if result.verdict == TRANSIENT:
                    soon = await self._outbox.line_back_count() != back_before
                    await self._retry_later(message, result, soon=soon)
                    return False
            if message.danger and not message.alerted:
                await self._raise_alert(message)
            await self._bury(message, reason, result)
        return False

    async def _send(self, message: OutboxMessage) -> CallResult:
        for index in range(message.done_parts, len(message.parts)):
            result = await self._send_part(message, index)
            if result.verdict != DELIVERED:
                return result
            if index + 1 < len(message.parts):  # the last part's progress goes with finishing
                await self._outbox.update(message, done_parts=index + 1)
        return CallResult(DELIVERED)

    async def _send_part(self, message: OutboxMessage, index: int) -> CallResult:
        part = message.parts[index]
        if index == 0 and message.reply_token and message.reply != "refused":
            young = now_ms() - (message.event_ms or message.created_ms) < self._s.reply_window_s * 1000
            if message.reply == "attempting" and not young:
                # The earlier reply's fate can no longer be learnt: push (see module doc).
                log.warning("delivery.reply_unknown_pushed", kind=message.kind, resident=self._hash_of(message.resident))
            elif young:
                return await self._reply(message, part)
            await self._outbox.update(message, reply="refused")
        if not message.to:
            return CallResult(PERMANENT, 0, detail="no recipient for push")
        result = await self._messenger.push(message.to, part, retry_key(message.id, index))
        if result.verdict == DELIVERED:
            metrics.DELIVERIES.labels(how="push" if result.status != 409 else "push_409").inc()
        return result

    async def _reply(self, message: OutboxMessage, part: list[dict[str, object]]) -> CallResult:
        earlier_unknown = message.reply == "attempting"
        if not earlier_unknown:
            await self._outbox.update(message, reply="attempting")  # durable before the call
        result = await self._messenger.reply(message.reply_token, part)
        if result.verdict == DELIVERED:
            metrics.DELIVERIES.labels(how="reply").inc()
            return result
        if result.verdict == TOKEN_REFUSED:
            if earlier_unknown:
                # The young token was used: by the earlier attempt, which therefore went out.
                metrics.DELIVERIES.labels(how="reply_resolved").inc()
                return CallResult(DELIVERED, result.status, detail="earlier reply went out")
            await self._outbox.update(message, reply="refused")
            return await self._send_part(message, 0)
        if result.verdict == TRANSIENT and result.reached is False and not earlier_unknown:
            await self._outbox.update(message, reply="")  # it never reached LINE
        return result

    # ---- outcomes ---------------------------------------------------------------------------

    async def _delivered(self, message: OutboxMessage, lease: Lease | None = None) -> int:
        """Finish a delivered message (and wake others if LINE had been failing, as any
        process may have seen); how many messages the resident still has queued."""
        writes = []
        if message.receipt:
            writes.append(Outbox.record_write({"type": "receipt", "entry": message.receipt, "status": "delivered"}))
        left, woken = await self._outbox.finish_delivered(message, writes, lease)
        if woken:
            log.info("delivery.line_back", woken=woken)
        metrics.DELIVERY_LATENCY.observe(max(now_ms() - (message.event_ms or message.created_ms), 0) / 1000)
        log.info("delivery.delivered", kind=message.kind, attempts=message.attempts, resident=self._hash_of(message.resident))
        return left

    async def _retry_later(self, message: OutboxMessage, result: CallResult, *, soon: bool = False) -> None:
        """Back off (capped, jittered, at least Retry-After); ``soon``: LINE came back while
        this call failed, so try again after the shortest delay."""
        if result.status != 429 and result.detail != "no longer useful":  # LINE itself is failing
            await self._outbox.line_failing()
        attempts = message.attempts + 1
        backoff = self._s.backoff_base_s if soon else self._s.backoff_base_s * 2 ** (attempts - 1)
        delay = min(self._s.backoff_cap_s, backoff) * random.uniform(0.5, 1.0)
        if result.retry_after_s is not None:
            delay = max(delay, result.retry_after_s)
        next_ms = now_ms() + int(delay * 1000)
        await self._outbox.update(message, attempts=attempts, next_ms=next_ms,
                                  last_error=f"{result.status or ''} {result.detail}"[:200])
        metrics.DELIVERY_RETRIES.labels(status=str(result.status or result.detail or "error")).inc()
        log.info("delivery.retry", status=result.status, error=result.detail[:80], attempts=attempts,
                 resident=self._hash_of(message.resident))
        await self._outbox.schedule(message.resident, await self._next_visit(message.resident, next_ms))

    async def _next_visit(self, resident: str, next_ms: int) -> int:
        """The head's next try, or sooner if a queued danger answer must alert staff first."""
        at = next_ms
        for queued in await self._outbox.queued(resident):
            if queued.danger and not queued.alerted:
                if now_ms() >= self._alert_at(queued):
                    await self._raise_alert(queued)
                else:
                    at = min(at, self._alert_at(queued))
        return at

    async def _bury(self, message: OutboxMessage, reason: str, result: CallResult) -> None:
        """A dead letter, atomically with leaving the queue, and a note for staff."""
        letter = DeadLetter(
            id=f"delivery:{message.id}", kind="delivery", reason=reason, created_ms=now_ms(),
            resident_hash=self._hash_of(message.resident), payload=message.fields(),
            attempts=message.attempts + 1, detail=result.detail,
        )
        writes = self._dead.writes(letter)
        if message.receipt:
            writes.append(Outbox.record_write({"type": "receipt", "entry": message.receipt, "status": "failed"}))
        elif message.to.startswith("U"):
            writes.append(Outbox.record_write({
                "type": "undelivered", "to": crypto.encrypt(message.to), "letter": letter.id,
                "reason": reason, "kind": message.kind,
            }))
        await self._outbox.finish(message.resident, message.id, writes)
        self._dead.made(letter)
        log.error("delivery.dead_letter", reason=reason, kind=message.kind, resident=self._hash_of(message.resident))

    def _alert_at(self, message: OutboxMessage) -> int:
        if message.kind == "last_resort":  # the message could not be handled: tell staff now
            return message.created_ms
        return message.created_ms + int(self._s.alert_after_s * 1000)

    async def _raise_alert(self, message: OutboxMessage) -> None:
        """Alert staff now; if the database is away, leave the alert as a record that
        maintenance raises once it is back (the resident's answer does not wait for it)."""
        try:
            await self._alert(message)
            metrics.DANGER_ALERTS.inc()
            log.warning("delivery.danger_alerted", resident=self._hash_of(message.resident))
        except Exception as exc:  # noqa: BLE001 - any failure: the record makes sure it happens
            log.error("delivery.alert_deferred", error=type(exc).__name__, resident=self._hash_of(message.resident))
            await self._redis.execute_command(*Outbox.record_write(  # type: ignore[no-untyped-call]
                {"type": "alert", "message": {k: v for k, v in message.fields().items() if k in ALERT_FIELDS}}
            ))
        await self._outbox.update(message, alerted=True)
