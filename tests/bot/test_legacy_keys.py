"""Keys an older release named by the LINE id are renamed to keyed-hash names at start-up,
so a resident's sequence numbers, conversation and waiting answers carry over."""

from __future__ import annotations

from bot.legacy_keys import rename_legacy_keys
from bot.outbox import DUE
from flows import redis_keys
from tests.support.line import user_id


async def test_old_key_names_are_renamed_once_and_the_new_ones_win(redis_client):
    resident, other = f"user:{user_id()}", f"user:{user_id()}"
    await redis_client.set(f"tsunagu:seq:{resident}", 7)
    await redis_client.set(f"tsunagu:done:{resident}", 6)
    await redis_client.set(f"tsunagu:conv:{resident}", '{"phase": "ask"}')
    await redis_client.rpush(f"tsunagu:ob:q:{resident}", "m1")
    await redis_client.zadd(DUE, {resident: 100})
    await redis_client.set(f"tsunagu:done:{other}", 3)
    await redis_client.set(redis_keys.done(other), 9)  # written by the new release already

    assert await rename_legacy_keys(redis_client) == (5, 1)
    assert await redis_client.get(redis_keys.seq(resident)) == b"7"
    assert await redis_client.get(redis_keys.done(resident)) == b"6"
    assert await redis_client.get(redis_keys.conversation(resident)) == b'{"phase": "ask"}'
    assert await redis_client.lrange(redis_keys.outbox_queue(resident), 0, -1) == [b"m1"]
    assert await redis_client.zrange(DUE, 0, -1, withscores=True) == [(redis_keys.tag(resident).encode(), 100.0)]
    assert await redis_client.get(redis_keys.done(other)) == b"9"
    assert await rename_legacy_keys(redis_client) == (0, 1)  # the old one is left to expire
    assert not [key async for key in redis_client.scan_iter(match=f"*{resident}*")]
