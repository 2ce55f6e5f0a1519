"""Durable acceptance of webhook events onto the Redis event stream.

One Lua script per event does, atomically: drop it if its ``webhookEventId`` was seen
(SET NX with expiry), give it the next sequence number of its resident, and append it
to the stream.  Atomicity matters: a sequence number without its stream entry would
stall that resident's queue forever, and a dedupe mark without the entry would lose
the event when LINE redelivers it.

Before that, ``screen`` sets aside events that are signed but unusable (not objects,
fields of the wrong type, older than the dedupe window): they are acknowledged so LINE
stops redelivering them, and never stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from bot.residents import conversation_key
from flows import redis_keys
from flows.limits import TEXT_MAX

STREAM = "tsunagu:events"
GROUP = "workers"
DEDUPE_PREFIX = "tsunagu:dedupe:"
# Sequence counters outlive any plausible backlog; refreshed on every event.
SEQ_TTL_S = 30 * 24 * 3600
# LINE's own limit on a text message; a longer text is cut to it (see ``screen``).
MAX_TEXT_CHARS = TEXT_MAX
# LINE and the server clocks may disagree a little; an event this far "ahead" is still fine.
CLOCK_SKEW_MS = 5 * 60 * 1000
# Fields the edge and the worker read before the SDK's models see the event: name -> type.
_EVENT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "type": str,
    "webhookEventId": str,
    "replyToken": str,
    "mode": str,
    "source": dict,
    "message": dict,
    "postback": dict,
    "deliveryContext": dict,
}
_SOURCE_FIELDS = ("type", "userId", "groupId", "roomId")

_ACCEPT_LUA = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) == false then
  return 0
end
local seq = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
redis.call('XADD', KEYS[3], '*', 'resident', ARGV[2], 'seq', seq, 'event', ARGV[3])
return seq
"""


class IntakeUnavailable(Exception):
    """The event store could not take the event; the webhook must not answer 200."""


@dataclass(frozen=True)
class Accepted:
    accepted: int
    duplicates: int
    ignored: int = 0


@dataclass(frozen=True)
class Screened:
    """The events worth storing, and why the others were set aside (reason -> count)."""

    events: list[dict[str, Any]]
    ignored: dict[str, int]
    cut: int = 0


def _problem(event: object, now_ms: int, max_age_ms: int) -> str | None:
    """Why a signed event cannot be stored, or None when it can."""
    if not isinstance(event, dict):
        return "not_an_object"
    for name, kind in _EVENT_FIELDS.items():
        if name in event and not isinstance(event[name], kind):
            return f"bad_{name}"
    if not isinstance(event.get("type"), str):
        return "bad_type"
    source = event.get("source") or {}
    if any(name in source and not isinstance(source[name], str) for name in _SOURCE_FIELDS):
        return "bad_source"
    text = (event.get("message") or {}).get("text")
    if text is not None and not isinstance(text, str):
        return "bad_text"
    timestamp = event.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return "bad_timestamp"
    if timestamp < now_ms - max_age_ms:
        # Its dedupe mark may have expired: storing it could answer the resident twice.
        return "too_old"
    if timestamp > now_ms + CLOCK_SKEW_MS:
        # It would outlive its own dedupe mark, so a replay could be taken again.
        return "from_the_future"
    return None


def screen(events: list[Any], *, now_ms: int, max_age_s: int) -> Screened:
    """Keep the events that can be stored safely; cut texts to LINE's 5,000 characters.

    A text over LINE's limit cannot come from a LINE client, yet it is signed, so it is
    LINE's: the resident's first 5,000 characters are kept (the danger detector still reads
    them) rather than silently dropping the message, and the cost of reading it is bounded.
    """
    kept: list[dict[str, Any]] = []
    ignored: dict[str, int] = {}
    cut = 0
    for event in events:
        reason = _problem(event, now_ms, max_age_s * 1000)
        if reason is not None:
            ignored[reason] = ignored.get(reason, 0) + 1
            continue
        message = event.get("message")
        if message is not None and len(message.get("text") or "") > MAX_TEXT_CHARS:
            event = {**event, "message": {**message, "text": message["text"][:MAX_TEXT_CHARS]}}
            cut += 1
        kept.append(event)
    return Screened(events=kept, ignored=ignored, cut=cut)


def event_id(event: dict[str, Any]) -> str:
    """LINE's ``webhookEventId``, or a content hash for the rare event without one."""
    if event.get("webhookEventId"):
        return str(event["webhookEventId"])
    raw = json.dumps(event, sort_keys=True, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


class EventIntake:
    def __init__(self, client: redis.Redis, dedupe_ttl_s: int) -> None:
        self._redis = client
        self._dedupe_ttl_s = dedupe_ttl_s
        self._accept = client.register_script(_ACCEPT_LUA)

    async def accept(self, events: list[dict[str, Any]]) -> Accepted:
        """Store every new event; raise ``IntakeUnavailable`` if any could not be stored.

        Events already stored before a failure stay stored; LINE's redelivery of the
        whole batch then finds them deduplicated and brings only the rest.
        """
        accepted = duplicates = 0
        for event in events:
            resident = conversation_key(event)
            try:
                seq = await self._accept(
                    keys=[DEDUPE_PREFIX + event_id(event), redis_keys.seq(resident), STREAM],
                    args=[
                        self._dedupe_ttl_s,
                        resident,
                        json.dumps(event, ensure_ascii=False),
                        SEQ_TTL_S,
                    ],
                )
            except (redis.RedisError, OSError) as exc:
                raise IntakeUnavailable(str(exc)) from exc
            if int(seq) == 0:
                duplicates += 1
            else:
                accepted += 1
        return Accepted(accepted=accepted, duplicates=duplicates)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (redis.RedisError, OSError):
            return False
