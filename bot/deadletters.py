"""Dead letters: what could not be handled or delivered, kept for staff, never silent.

Two kinds: an ``event`` whose handling kept failing for a reason that is not the
infrastructure's (a bug), and a ``delivery`` LINE refused for good (blocked, bad request)
or that stayed undeliverable past ``delivery_useful_s``. Each is counted (``/metrics``),
listed and replayed (``python -m bot dead-letters``), and expires after
``dead_letter_ttl_s``. What it holds of the resident (their words, their LINE id) is
encrypted with ``handoff.crypto``; only codes stay readable.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from bot import metrics
from bot.intake import SEQ_TTL_S, STREAM
from bot.outbox import Outbox, OutboxMessage, now_ms
from bot.residents import conversation_key
from flows import redis_keys
from handoff import crypto

PREFIX = "tsunagu:dead:"
REPLAY_FIELD = "tsunaguReplay"  # added to a replayed event (not a LINE field)
INDEX = "tsunagu:dead-index"

# Put a dead event back on the stream as its resident's next event.
_REPLAY_EVENT_LUA = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
redis.call('XADD', KEYS[2], '*', 'resident', ARGV[1], 'seq', seq, 'event', ARGV[2])
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[4])
return seq
"""


@dataclass
class DeadLetter:
    id: str
    kind: str  # "event" or "delivery"
    reason: str  # a short code: handler_error, line_403, line_400, expired, ...
    created_ms: int
    resident_hash: str
    payload: dict[str, Any]  # the event, or the outbox message (decrypted)
    attempts: int = 0
    detail: str = ""  # the error's type or LINE's message: no personal data

    def summary(self) -> dict[str, Any]:
        """What ``dead-letters list`` shows: codes and times, no personal data."""
        return {
            "id": self.id, "kind": self.kind, "reason": self.reason, "attempts": self.attempts,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_ms / 1000)),
            "resident": self.resident_hash, "detail": self.detail,
            "event_type": self.payload.get("type") if self.kind == "event" else self.payload.get("kind"),
        }


class DeadLetters:
    def __init__(self, client: redis.Redis, *, ttl_s: int, outbox: Outbox) -> None:
        self._redis = client
        self._ttl_s = ttl_s
        self._outbox = outbox
        self._replay_event = client.register_script(_REPLAY_EVENT_LUA)

    def writes(self, letter: DeadLetter) -> list[list[str]]:
        """The Redis commands that store ``letter``, for a commit that also removes what
        it replaces (the stream entry, the queued message): both happen or neither."""
        key = PREFIX + letter.id
        return [
            ["HSET", key, "kind", letter.kind, "reason", letter.reason, "created_ms", str(letter.created_ms),
             "resident_hash", letter.resident_hash, "attempts", str(letter.attempts), "detail", letter.detail[:300],
             "payload", crypto.encrypt(json.dumps(letter.payload, ensure_ascii=False))],
            ["EXPIRE", key, str(self._ttl_s)],
            ["ZADD", INDEX, str(letter.created_ms), letter.id],
        ]

    @staticmethod
    def made(letter: DeadLetter) -> None:
        metrics.DEAD_LETTERS_MADE.labels(kind=letter.kind, reason=letter.reason).inc()

    async def add(self, letter: DeadLetter) -> None:
        pipe = self._redis.pipeline(transaction=True)
        for command in self.writes(letter):
            pipe.execute_command(*command)
        await pipe.execute()
        self.made(letter)

    async def count(self) -> int:
        """How many exist (expired ones are dropped from the index first)."""
        await self._redis.zremrangebyscore(INDEX, "-inf", now_ms() - self._ttl_s * 1000)
        return int(await self._redis.zcard(INDEX))

    async def get(self, letter_id: str) -> DeadLetter | None:
        raw = await self._redis.hgetall(PREFIX + letter_id)
        if not raw:
            return None
        got = {_s(k): _s(v) for k, v in raw.items()}
        return DeadLetter(
            id=letter_id, kind=got["kind"], reason=got["reason"], created_ms=int(got["created_ms"]),
            resident_hash=got.get("resident_hash", ""), attempts=int(got.get("attempts", "0")),
            detail=got.get("detail", ""), payload=json.loads(crypto.decrypt(got["payload"])),
        )

    async def all(self) -> list[DeadLetter]:
        letters = []
        for letter_id in await self._redis.zrange(INDEX, 0, -1):
            letter = await self.get(_s(letter_id))
            if letter is None:
                await self._redis.zrem(INDEX, _s(letter_id))
            else:
                letters.append(letter)
        return letters

    async def replay(self, letter_id: str) -> str:
        """Handle the event again, or send the message again; what was done, as a code."""
        letter = await self.get(letter_id)
        if letter is None:
            raise LookupError(letter_id)
        if letter.kind == "event":
            # Marked, so its answer gets an outbox entry of its own (a last-resort answer may
            # have used the event's); its database effects stay keyed on the event.
            event = {**letter.payload, REPLAY_FIELD: uuid.uuid4().hex[:8]}
            resident = conversation_key(event)
            await self._replay_event(
                keys=[redis_keys.seq(resident), STREAM, PREFIX + letter_id, INDEX],
                args=[resident, json.dumps(event, ensure_ascii=False), SEQ_TTL_S, letter_id],
            )
            return "event_requeued"
        message = OutboxMessage.from_fields({k: str(v) for k, v in letter.payload.items()})
        # A new message (new retry keys: LINE refused the old ones), sent by push.
        again = OutboxMessage(
            id=f"{message.id}:replay:{uuid.uuid4().hex[:8]}", resident=message.resident, to=message.to,
            parts=message.parts[message.done_parts:], kind=message.kind, danger=message.danger,
            receipt=message.receipt,
        )
        await self._outbox.enqueue(again, writes=[["DEL", PREFIX + letter_id], ["ZREM", INDEX, letter_id]])
        return "message_requeued"


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
