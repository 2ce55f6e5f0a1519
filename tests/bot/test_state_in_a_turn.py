"""flows.state in a turn reads the state and the activity marker in one go, with the same
answers as outside a turn (real Redis)."""

from __future__ import annotations

import redis.asyncio as redis

from flows import redis_keys
from flows.state import LANGUAGE_TTL_S, StateStore
from flows.turn import Turn


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
