"""An in-process conversation on the in-memory desk and state store (tests/support/memory),
the real NLU and a fixed clock: no PostgreSQL, no Redis.

The root conftest migrates PostgreSQL for every session; this package overrides that with a
guard, so a test here that reached for the database would fail instead of quietly using it
(``make test`` also runs this package with TEST_DATABASE_URL pointing nowhere). What the
conversation stores through the real desk is tested in tests/handoff/desk.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flows.conversation import Conversation
from flows.phases.declared import ANYTIME, TABLE
from flows.phases.state import ConversationState
from flows.phases.table import Phase, may_move
from handoff import crypto
from handoff.directory import load_directory
from nlu.pipeline import Understander, build_embedded_understander_sync
from tests.conftest import make_settings
from tests.support.conversation import CATALOGUE, NOW, Chat, Clock, t
from tests.support.memory import MemoryDesk, MemoryStateStore

__all__ = ["CATALOGUE", "NOW", "Chat", "Clock", "t"]  # tests.flows.conftest.t is imported elsewhere


class DeclaredMovesOnly(MemoryStateStore):
    """The in-memory store, refusing a save that moves the resident to a phase their phase
    does not declare (flows.phases.table.may_move): every conversation test here also checks
    the phase table against what the phases really do."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.moves: list[tuple[Phase, Phase]] = []

    @staticmethod
    def _phase(raw: dict | None) -> Phase | None:
        read = ConversationState.from_json(raw) if raw else ConversationState()
        return read.phase if read else None

    async def save(self, resident: str, state: dict) -> None:
        before, after = self._phase(await self.load(resident)), self._phase(state)
        if before is not None and after is not None:
            assert may_move(TABLE, ANYTIME, before, after), f"undeclared move {before} -> {after}"
            self.moves.append((before, after))
        await super().save(resident, state)


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> str:
    """No database for the conversation core's tests (overrides the root fixture)."""
    return "no database in tests/flows"


@pytest.fixture
def clean_database() -> str:
    raise AssertionError("tests/flows run without PostgreSQL: put database tests in tests/handoff/desk")


@pytest.fixture
def redis_client() -> None:
    raise AssertionError("tests/flows run without Redis: use the in-memory state store (state fixture)")


@pytest.fixture(scope="session")
def understander() -> Understander:
    return build_embedded_understander_sync()


@pytest.fixture(autouse=True)
def encryption_key() -> str:
    key = make_settings().security.encryption_key.get_secret_value()
    crypto.configure(key)
    return key


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> MemoryStateStore:
    return DeclaredMovesOnly(24 * 3600, clock)


@pytest.fixture
def desk(clock: Clock) -> MemoryDesk:
    return MemoryDesk(load_directory("edogawa"), clock)


@pytest.fixture
def make_conversation(understander, clock, desk, state) -> Callable[..., Conversation]:
    def build(ward: str = "edogawa", ttl_s: int | None = None) -> Conversation:
        return Conversation(
            state=state if ttl_s is None else DeclaredMovesOnly(ttl_s, clock),
            catalogue=CATALOGUE,
            understander=understander,
            desk=desk if ward == "edogawa" else MemoryDesk(load_directory(ward), clock),
            clock=clock,
        )

    return build


@pytest.fixture
def conversation(make_conversation) -> Conversation:
    return make_conversation()


@pytest.fixture
def chat(conversation) -> Chat:
    return Chat(conversation)
