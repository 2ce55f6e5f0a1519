"""What Redis must lose when a resident erases what they gave, or refuses consent.

The database side is ``handoff.cases.erase_resident``; the conversation state is reset by the
turn itself. Beside those, Redis may hold the resident's dead letters (their words and LINE
id, encrypted, kept for staff for ``DEAD_LETTER_TTL_S``), and the append-only file on disk
still holds every earlier write of their words until it is rewritten. The turn that forgets
(``flows.turn.Turn.forget``) commits ``forget_writes`` with its answer: the dead letters go in
the same transaction, and the AOF compactor (``bot.aof``) is asked to rewrite soon.

Key names need nothing here: they carry a keyed hash, never the LINE id
(``flows.redis_keys``), and sequence counters must stay (they order events still queued).
The language a resident picked (``flows.state``, a code alone) is forgotten by the erasing
turn itself (``Conversation._save``), and so is it by a refused consent (``flows.phases.consent``).
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis

from bot.aof import REWRITE_WANTED
from bot.deadletters import INDEX
from bot.deadletters import PREFIX as DEAD_PREFIX


async def forget_writes(client: redis.Redis, resident_hash: str) -> list[list[str]]:
    """The commands that remove the resident's dead letters (matched by their log
    pseudonym, ``Dispatcher.hash_of``) and ask for the AOF rewrite."""
    ids = [_s(letter_id) for letter_id in await client.zrange(INDEX, 0, -1)]
    pipe = client.pipeline(transaction=False)
    for letter_id in ids:
        pipe.hget(DEAD_PREFIX + letter_id, "resident_hash")
    owners = await pipe.execute() if ids else []
    writes: list[list[str]] = []
    for letter_id, owner in zip(ids, owners, strict=True):
        if owner is not None and _s(owner) == resident_hash:
            writes += [["DEL", DEAD_PREFIX + letter_id], ["ZREM", INDEX, letter_id]]
    writes.append(["SET", REWRITE_WANTED, "1"])
    return writes


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
