"""Durable acceptance of webhook events onto the Redis event stream.

One Lua script per event does, atomically: drop it if its ``webhookEventId`` was seen
(SET NX with expiry), give it the next sequence number of its resident, and append it
to the stream.  Atomicity matters: a sequence number without its stream entry would
stall that resident's queue forever, and a dedupe mark without the entry would lose
the event when LINE redelivers it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from bot.residents import conversation_key

STREAM = "tsunagu:events"
GROUP = "workers"
SEQ_PREFIX = "tsunagu:seq:"
DONE_PREFIX = "tsunagu:done:"
DEDUPE_PREFIX = "tsunagu:dedupe:"
# Sequence counters outlive any plausible backlog; refreshed on every event.
SEQ_TTL_S = 30 * 24 * 3600

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
                    keys=[DEDUPE_PREFIX + event_id(event), SEQ_PREFIX + resident, STREAM],
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
