"""The conversation's state store (``flows.ports.States``), held on the real Redis store
(``flows.state.StateStore``) and on the in-memory double tests/flows uses: a saved state
loads back, a drop forgets it and its marker, an expired state is noticed as lapsed, and
inside a turn nothing is written until the worker commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from flows.ports import States
from flows.state import StateStore
from flows.turn import Turn
from tests.support.conversation import Clock
from tests.support.memory import MemoryStateStore

RESIDENT = "user:U" + "e" * 32


Expire = Callable[[], Awaitable[None]]


@pytest.fixture(params=["redis", "memory"])
def kept(request: pytest.FixtureRequest) -> tuple[States, Expire]:
    """A store, and what its expiry does: the state goes, the last-seen marker stays."""
    if request.param == "memory":
        memory = MemoryStateStore(3600, Clock())

        async def forget() -> None:
            memory.expire(RESIDENT)

        return memory, forget
    client = request.getfixturevalue("redis_client")
    real = StateStore(client, 3600)

    async def expire() -> None:
        await client.delete(real.save_commands(RESIDENT, {"last": 1})[0][1])  # the state's own key

    return real, expire


@pytest.fixture
def store(kept: tuple[States, Expire]) -> States:
    return kept[0]


async def test_a_saved_state_loads_back_and_a_drop_forgets_it(store: States):
    assert await store.load(RESIDENT) is None and not await store.lapsed(RESIDENT)
    state = {"phase": "ask", "answers": {"amount": "200万円"}, "last": 1.5}
    await store.save(RESIDENT, state)
    assert await store.load(RESIDENT) == state
    state["phase"] = "changed after saving"
    assert (await store.load(RESIDENT) or {})["phase"] == "ask"
    await store.drop(RESIDENT)
    assert await store.load(RESIDENT) is None and not await store.lapsed(RESIDENT)


async def test_an_expired_state_is_noticed_as_lapsed(kept: tuple[States, Expire]):
    store, expire = kept
    await store.save(RESIDENT, {"phase": "ask", "last": 1.0})
    assert not await store.lapsed(RESIDENT)
    await expire()
    assert await store.load(RESIDENT) is None and await store.lapsed(RESIDENT)


async def test_inside_a_turn_saves_wait_for_the_commit(store: States):
    with Turn.open("event-1") as turn:
        await store.save(RESIDENT, {"phase": "consent", "last": 2.0})
        assert await store.load(RESIDENT) == {"phase": "consent", "last": 2.0}
    assert turn.states == {RESIDENT: {"phase": "consent", "last": 2.0}}
    assert await store.load(RESIDENT) is None


async def test_a_picked_language_outlives_the_state_until_forgotten(store: States):
    assert await store.language(RESIDENT) is None
    await store.remember_language(RESIDENT, "en")
    await store.save(RESIDENT, {"phase": "ask", "last": 1.0})
    await store.drop(RESIDENT)  # the conversation ends; the choice stays
    assert await store.language(RESIDENT) == "en"
    await store.remember_language(RESIDENT, None)
    assert await store.language(RESIDENT) is None


async def test_inside_a_turn_a_picked_language_waits_for_the_commit(store: States):
    with Turn.open("event-2") as turn:
        await store.remember_language(RESIDENT, "ko")
        assert await store.language(RESIDENT) == "ko"
    assert turn.languages == {RESIDENT: "ko"}
    assert await store.language(RESIDENT) is None
