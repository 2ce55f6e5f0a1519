"""flows.state in a turn reads the state and the activity marker in one go, with the same
answers as outside a turn (real Redis)."""

from __future__ import annotations

import redis.asyncio as redis

from flows import redis_keys
from flows.state import LANGUAGE_TTL_S, StateStore
from flows.turn import Turn, reading_ahead


async def _answers(store: StateStore, resident: str) -> tuple[object, bool]:
    return await store.load(resident), await store.lapsed(resident)


async def test_a_turn_tells_fresh_active_and_lapsed_residents_apart(redis_client: redis.Redis) -> None:
    store = StateStore(redis_client, ttl_s=60)
    await store.save("user:Uactive", {"phase": "flow", "last": 1})
    await store.save("user:Ulapsed", {"phase": "flow", "last": 1})
    await redis_client.delete(redis_keys.conversation("user:Ulapsed"))  # the state expired, the marker lives on
    expected = {
        "user:Ufresh": (None, False),
        "user:Uactive": ({"phase": "flow", "last": 1}, False),
        "user:Ulapsed": (None, True),
    }
    for resident, answer in expected.items():
        assert await _answers(store, resident) == answer
        with Turn.open(f"event-{resident}") as turn:
            assert await _answers(store, resident) == answer
            assert resident in turn.stored
        # The same answers from what the worker read ahead with the resident's lease.
        keys = [redis_keys.conversation(resident), redis_keys.seen(resident), redis_keys.language(resident)]
        with reading_ahead({key: await redis_client.get(key) for key in keys}), Turn.open(f"ahead-{resident}") as turn:
            assert await _answers(store, resident) == answer
            assert resident in turn.stored


async def test_a_turn_reads_what_was_read_ahead_not_redis_again(redis_client: redis.Redis) -> None:
    store = StateStore(redis_client, ttl_s=60)
    await store.save("user:Uahead", {"phase": "flow", "last": 2})
    ahead = {redis_keys.conversation("user:Uahead"): b'{"phase": "ask", "last": 1}',
             redis_keys.seen("user:Uahead"): b"1", redis_keys.language("user:Uahead"): b"vi"}
    with reading_ahead(ahead), Turn.open("event-ahead") as turn:
        assert await store.load("user:Uahead") == {"phase": "ask", "last": 1}
        assert turn.languages == {"user:Uahead": "vi"}  # the picked language came with it
    with Turn.open("event-after"):  # outside the block nothing is read ahead
        assert await store.load("user:Uahead") == {"phase": "flow", "last": 2}


async def test_a_turn_sees_its_own_unsaved_writes(redis_client: redis.Redis) -> None:
    store = StateStore(redis_client, ttl_s=60)
    with Turn.open("event-1") as turn:
        assert await store.load("user:Unew") is None
        await store.save("user:Unew", {"phase": "choose"})
        assert await store.load("user:Unew") == {"phase": "choose"}
        assert turn.states["user:Unew"] == {"phase": "choose"}
    assert await redis_client.get(redis_keys.conversation("user:Unew")) is None  # the worker commits it


async def test_the_picked_language_is_read_with_the_state_and_kept_apart(redis_client: redis.Redis) -> None:
    store = StateStore(redis_client, ttl_s=60)
    await store.remember_language("user:Upicked", "en")
    key = redis_keys.language("user:Upicked")
    assert "Upicked" not in key and key.startswith(redis_keys.LANGUAGE + redis_keys.TAG_PREFIX)
    assert await redis_client.get(key) in ("en", b"en")  # the code alone
    assert 0 < await redis_client.ttl(key) <= LANGUAGE_TTL_S
    with Turn.open("event-picked") as turn:
        assert await store.load("user:Upicked") is None
        assert turn.languages == {"user:Upicked": "en"}  # in the same round trip as the state
        assert await store.language("user:Upicked") == "en"
        await store.remember_language("user:Upicked", None)
        assert await store.language("user:Upicked") is None
    assert turn.writes == [["DEL", key]]
    assert await redis_client.get(key) in ("en", b"en")  # the worker commits it
