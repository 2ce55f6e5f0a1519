"""The outbox: every message to a resident, stored before any attempt to send it.

An answer is written here in the same Redis transaction (one Lua script) as the
conversation state it belongs to, the resident's done-sequence and the stream
acknowledgement (``Commit``), so an event is either not handled at all or handled with
its answer waiting here. Staff messages, takeover notices and reminders come in the same
way (``enqueue``). ``bot.delivery`` then sends from here.

Layout (all under ``tsunagu:ob:``):
- ``msg:<id>``: a hash per message (``OutboxMessage``);
- ``q:<tag>``: the resident's message ids, oldest first (delivered in this order);
- ``due``: a sorted set of residents' tags by the time their first message is next tried;
- ``known:<id>``: "this message was enqueued" (expires), making every enqueue idempotent;
- ``lease:<tag>``: the one deliverer working on that resident (``bot.leases``);
- ``records``: how deliveries ended, for the database (staff receipts, undelivered notes).

``<tag>`` is the keyed hash of the resident (``flows.redis_keys``): every method takes a
conversation key or a tag alike, so the due set never names a resident.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import redis.asyncio as redis

from bot.leases import Lease
from bot.outbox_lua import (
    ACQUIRE_AND_HEAD_LUA,
    COMMIT_AND_TAKE_LUA,
    COMMIT_LUA,
    FINISH_DELIVERED_LUA,
    FINISH_LUA,
    HEAD_LUA,
    WAKE_LUA,
)
from flows import redis_keys
from flows.limits import MESSAGES_PER_CALL

PREFIX = "tsunagu:ob:"
DUE = PREFIX + "due"
RECORDS = PREFIX + "records"
_RETRY_NAMESPACE = uuid.UUID("6f1c7d1e-8a51-4f7b-9d2e-3c1b1f0a7e55")

LINE_FAILING = PREFIX + "line-failing"
LINE_BACK = PREFIX + "line-back"


def retry_key(message_id: str, part: int) -> str:
    """The X-Line-Retry-Key of one part of one outbox message: the same across retries,
    workers and restarts, and never the same for two messages (ids are unique)."""
    return str(uuid.uuid5(_RETRY_NAMESPACE, f"outbox:{message_id}:{part}"))


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class OutboxMessage:
    id: str
    resident: str  # conversation key: the unit of ordering
    to: str  # LINE chat id for push
    parts: list[list[dict[str, Any]]]  # rendered LINE messages, at most five per part
    kind: str = "answer"  # answer, last_resort, staff, takeover, handback, reminder
    reply_token: str = ""
    event_ms: int = 0  # the LINE event's timestamp: how old the reply token is
    created_ms: int = field(default_factory=now_ms)
    useful_until_ms: int = 0
    danger: bool = False  # a danger answer: staff are alerted if it cannot go out
    alert: str = ""  # encrypted words and danger kinds for that alert
    receipt: str = ""  # case entry to mark delivered / failed (staff messages)
    # progress, written as delivery goes
    done_parts: int = 0
    reply: str = ""  # "", "attempting" (outcome unknown), "refused" (push instead)
    attempts: int = 0
    next_ms: int = 0  # not tried again before this (backoff)
    alerted: bool = False
    last_error: str = ""

    def fields(self) -> dict[str, str]:
        # Field by field, not ``asdict``: that deep-copies every rendered message only for
        # it to be dumped to JSON here (a measurable share of the commit, bench/profile_handling.py).
        values = {name: _text(getattr(self, name)) for name in _FIELD_NAMES}
        values["parts"] = json.dumps(self.parts, ensure_ascii=False)
        return values

    @classmethod
    def from_fields(cls, raw: dict[Any, Any]) -> OutboxMessage:
        got = {_s(k): _s(v) for k, v in raw.items()}
        values: dict[str, Any] = {k: v for k, v in got.items() if k in cls.__dataclass_fields__}
        values["parts"] = json.loads(got.get("parts", "[]"))
        for name in ("event_ms", "created_ms", "useful_until_ms", "done_parts", "attempts", "next_ms"):
            values[name] = int(got.get(name, "0") or 0)
        for name in ("danger", "alerted"):
            values[name] = got.get(name) == "1"
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in fields(OutboxMessage) if f.name != "parts")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def split_parts(messages: Sequence[dict[str, Any]], per_call: int = MESSAGES_PER_CALL) -> list[list[dict[str, Any]]]:
    return [list(messages[i : i + per_call]) for i in range(0, len(messages), per_call)]


@dataclass
class Commit:
    """What one atomic step writes: an optional message, raw writes, and for a stream
    event the fence, done-sequence and acknowledgement."""

    message: OutboxMessage | None = None
    writes: list[list[str]] = field(default_factory=list)
    lock_key: str = ""
    lock_token: str = ""
    done_key: str = ""
    seq: int = 0
    stream: str = ""
    group: str = ""
    entry: str = ""
    seq_ttl_s: int = 0
    release_lock: bool = False  # delete the lock once written (it was checked first)
    # A deliverer's lease to take after the commit, in the same transaction (``Outbox.commit``),
    # and the message's resident's head read with it when it was taken (None: read it again).
    deliver_lease: Lease | None = None
    head: tuple[OutboxMessage | None, int] | None = None


class Outbox:
    def __init__(self, client: redis.Redis, *, known_ttl_s: int, useful_s: float) -> None:
        self._redis = client
        self._known_ttl_s = known_ttl_s
        self.useful_s = useful_s
        self._commit = client.register_script(COMMIT_LUA)
        self._finish = client.register_script(FINISH_LUA)
        self._wake = client.register_script(WAKE_LUA)
        self._head = client.register_script(HEAD_LUA)
        self._commit_and_take = client.register_script(COMMIT_AND_TAKE_LUA)
        self._acquire_and_head = client.register_script(ACQUIRE_AND_HEAD_LUA)
        self._finish_delivered = client.register_script(FINISH_DELIVERED_LUA)

    async def commit(self, commit: Commit) -> int:
        """1: written; 2: written, but the message had been enqueued before (kept as it
        was); 0: the event was done already (acknowledged, nothing written); -1: the lock
        was lost (nothing written: the lock's new holder handles the event).

        With ``commit.deliver_lease``, that deliverer's lease is then taken and, if it was,
        the resident's head read (``acquire_and_head``) in the same transaction, into
        ``commit.head``: the worker delivers right after committing, a round trip fewer."""
        lease = commit.deliver_lease
        if lease is None or commit.message is None:
            return int(await self._commit(args=[self._commit_args(commit)]))
        resident = commit.message.resident
        # One script (EVALSHA): the commit, the lease, the head; not a transaction of five
        # commands (bench/profile_handling.py).
        try:
            reply: Any = await self._commit_and_take(
                keys=[lease.key, redis_keys.outbox_queue(resident), LINE_BACK],
                args=[self._commit_args(commit), lease.token, lease.lease_ms, PREFIX + "msg:"],
            )
        except redis.ResponseError:
            lease.acquired(True)  # a script that failed after taking it: give it back
            try:
                await lease.release()
            except (redis.RedisError, OSError):
                pass  # it lapses on its own
            raise
        result, head = int(reply[0]), reply[2:]
        if lease.acquired(int(reply[1])):
            if result == 1 and len(head) > 1 and _s(head[1]) == commit.message.id:
                commit.head = commit.message, int(head[0])  # just written as it is: not parsed back
            else:
                commit.head = await self._head_found(resident, head)
        return result

    def _commit_args(self, commit: Commit) -> str:
        message = commit.message
        if message is not None and not message.useful_until_ms:
            message.useful_until_ms = message.created_ms + int(self.useful_s * 1000)
        args = {
            "prefix": PREFIX,
            "lock_key": commit.lock_key,
            "lock_token": commit.lock_token,
            "release": commit.release_lock,
            "done_key": commit.done_key,
            "seq": str(commit.seq),
            "seq_ttl": str(commit.seq_ttl_s),
            "stream": commit.stream,
            "group": commit.group,
            "entry": commit.entry,
            "msg_id": message.id if message else "",
            "resident": redis_keys.tag(message.resident) if message else "",
            "msg_fields": [x for kv in (message.fields().items() if message else ()) for x in kv],
            "known_ttl": str(self._known_ttl_s),
            "now_ms": str(now_ms()),
            "writes": commit.writes,
        }
        return json.dumps(args, ensure_ascii=False)

    async def enqueue(self, message: OutboxMessage, writes: list[list[str]] | None = None) -> bool:
        """Store a message (and ``writes``, atomically); False if it was enqueued before."""
        return await self.commit(Commit(message=message, writes=writes or [])) == 1

    async def known(self, message_id: str) -> bool:
        return bool(await self._redis.exists(PREFIX + "known:" + message_id))

    async def head(self, resident: str) -> OutboxMessage | None:
        """The resident's oldest undelivered message (a vanished one is skipped)."""
        return (await self.head_and_line_back(resident))[0]

    async def head_and_line_back(self, resident: str) -> tuple[OutboxMessage | None, int]:
        """``head`` and ``line_back_count`` read together (one round trip per message)."""
        while True:
            reply: Any = await self._head(keys=[redis_keys.outbox_queue(resident), LINE_BACK], args=[PREFIX + "msg:"])
            if (found := await self._head_found(resident, reply)) is not None:
                return found

    async def acquire_and_head(
        self, lease: Lease, resident: str
    ) -> tuple[bool, tuple[OutboxMessage | None, int] | None]:
        """The deliverer's ``lease`` taken and, if it was, ``head_and_line_back`` read in the
        same transaction (one round trip); None for the head if it has to be read again."""
        reply: Any = await self._acquire_and_head(
            keys=[lease.key, redis_keys.outbox_queue(resident), LINE_BACK],
            args=[lease.token, lease.lease_ms, PREFIX + "msg:"],
        )
        if not lease.acquired(int(reply[0])):
            return False, None
        return True, await self._head_found(resident, reply[1:])

    async def _head_found(self, resident: str, reply: Any) -> tuple[OutboxMessage | None, int] | None:
        """The head script's reply read; None if the head message had vanished (it is
        taken off the queue: read again)."""
        back = int(reply[0])
        if len(reply) == 1:
            return None, back
        first, flat = _s(reply[1]), reply[2]
        if flat:
            return OutboxMessage.from_fields(dict(zip(flat[::2], flat[1::2], strict=True))), back
        await self.finish(resident, first)
        return None

    async def queued(self, resident: str) -> list[OutboxMessage]:
        ids = await self._redis.lrange(redis_keys.outbox_queue(resident), 0, -1)
        found = []
        for message_id in ids:
            raw = await self._redis.hgetall(PREFIX + "msg:" + _s(message_id))
            if raw:
                found.append(OutboxMessage.from_fields(raw))
        return found

    async def update(self, message: OutboxMessage, **changes: Any) -> None:
        """Record progress durably (before a call whose outcome must survive a crash)."""
        for name, value in changes.items():
            setattr(message, name, value)
        await self._redis.hset(PREFIX + "msg:" + message.id, mapping={k: _text(v) for k, v in changes.items()})

    async def finish(self, resident: str, message_id: str, writes: list[list[str]] | None = None) -> int:
        """Take the message off the queue (with ``writes``); how many are left."""
        return int(await self._finish(
            keys=[redis_keys.outbox_queue(resident), PREFIX + "msg:" + message_id, DUE],
            args=[message_id, redis_keys.tag(resident), json.dumps(writes or [], ensure_ascii=False)],
        ))

    async def finish_delivered(
        self, message: OutboxMessage, writes: list[list[str]] | None = None, lease: Lease | None = None
    ) -> tuple[int, int]:
        """A delivered message's last steps in one round trip, in the order they were done
        one by one: its progress, clearing the note that LINE was failing, ``finish``, and
        releasing the deliverer's ``lease`` if nothing is left in the queue.
        Returns (messages left in the queue, residents woken because LINE is back)."""
        # One script (EVALSHA), not a pipeline of four commands (bench/profile_handling.py).
        # The progress (``done_parts``) is not written: the same script deletes the message.
        left, was_failing, released = await self._finish_delivered(
            keys=[redis_keys.outbox_queue(message.resident), PREFIX + "msg:" + message.id, DUE, LINE_FAILING,
                  lease.key if lease is not None else LINE_FAILING],
            args=[message.id, redis_keys.tag(message.resident), json.dumps(writes or [], ensure_ascii=False),
                  lease.token if lease is not None else ""],
        )
        if lease is not None and int(released):
            lease.released_elsewhere()
        message.done_parts = len(message.parts)
        return int(left), await self._line_back_after_clearing() if int(was_failing) else 0

    # ---- what delivery leaves for the database (receipts, notes), drained by maintenance --

    @staticmethod
    def record_write(record: dict[str, Any]) -> list[str]:
        return ["RPUSH", RECORDS, json.dumps(record, ensure_ascii=False)]

    async def records(self, limit: int = 50) -> list[dict[str, Any]]:
        return [json.loads(r) for r in await self._redis.lrange(RECORDS, 0, limit - 1)]

    async def drop_records(self, count: int) -> None:
        await self._redis.ltrim(RECORDS, count, -1)

    async def schedule(self, resident: str, at_ms: int) -> None:
        await self._redis.zadd(DUE, {redis_keys.tag(resident): at_ms})

    async def line_failing(self) -> None:
        """Note that LINE failed transiently (kept a while: then nothing needs waking)."""
        await self._redis.set(LINE_FAILING, "1", ex=24 * 3600)

    async def line_back(self) -> int:
        """LINE delivered again after failing: wake every backed-off resident (once: only
        the process that clears the note does it); how many were woken."""
        if not await self._redis.delete(LINE_FAILING):
            return 0
        return await self._line_back_after_clearing()

    async def _line_back_after_clearing(self) -> int:
        await self._redis.incr(LINE_BACK)
        return int(await self._wake(keys=[DUE], args=[now_ms(), PREFIX]))

    async def line_back_count(self) -> int:
        """How often LINE came back: changed during a failed call means the failure is
        already over (and the wake missed that message)."""
        return int(await self._redis.get(LINE_BACK) or 0)

    async def due(self, *, limit: int = 32) -> list[str]:
        found = await self._redis.zrangebyscore(DUE, "-inf", now_ms(), start=0, num=limit)
        return [_s(r) for r in found]

    async def pending(self) -> int:
        """Residents with something waiting (a gauge for operators)."""
        return int(await self._redis.zcard(DUE))

    def lease_key(self, resident: str) -> str:
        return redis_keys.outbox_lease(resident)
