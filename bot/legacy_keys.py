"""Keys named by the LINE id, left by a release before keyed-hash names, renamed at start-up.

Before ``flows.redis_keys``, per-resident keys carried the conversation key itself
(``tsunagu:seq:user:U…``) and the outbox's due set held it as a member. A process of this
release renames what it finds (``RENAMENX``: a key the new release already wrote is kept, the
old one left to expire) before it takes events, so sequence numbers, conversation state and
waiting answers carry over. Locks and leases are not renamed: they lapse in seconds.

Old and new processes must not run side by side (their sequence counters would differ):
README "Deploying" says to scale web and workers to zero for this release.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis

from bot.logs import get_logger
from bot.outbox import DUE
from flows import redis_keys

log = get_logger("bot.legacy_keys")
RENAMED = (
    redis_keys.CONVERSATION, redis_keys.SEEN, redis_keys.SEQ, redis_keys.DONE, redis_keys.GROUP_NOTE,
    redis_keys.OUTBOX_QUEUE,
)
KINDS = ("user:", "group:", "room:", "anonymous")


async def rename_legacy_keys(client: redis.Redis) -> tuple[int, int]:
    """(keys renamed, old keys left because the new one exists); the due set's members
    become tags. Idempotent."""
    renamed = kept = 0
    for prefix in RENAMED:
        for kind in KINDS:
            async for raw in client.scan_iter(match=prefix + kind + "*", count=1000):
                key = _s(raw)
                if await client.renamenx(key, prefix + redis_keys.tag(key.removeprefix(prefix))):
                    renamed += 1
                else:
                    kept += 1
    members: Any = await client.zrange(DUE, 0, -1, withscores=True)
    for member, score in members:
        resident = _s(member)
        if not resident.startswith(redis_keys.TAG_PREFIX):
            pipe = client.pipeline(transaction=True)
            pipe.zadd(DUE, {redis_keys.tag(resident): score}, lt=True)  # added, or kept if sooner
            pipe.zrem(DUE, resident)
            await pipe.execute()
            renamed += 1
    if renamed or kept:
        log.info("legacy_keys.renamed", renamed=renamed, kept=kept)
    return renamed, kept


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
