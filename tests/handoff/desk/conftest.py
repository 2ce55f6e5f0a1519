"""The conversation on the real desk (``handoff.desk.HandoffDesk`` on PostgreSQL) and the
real state store (Redis): what reaches the database, and the desk's contract with the
conversation that tests/flows drives on in-memory doubles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from flows.conversation import Conversation
from flows.state import StateStore
from handoff.db import make_async_engine, session_factory
from handoff.desk import HandoffDesk
from handoff.directory import load_directory
from nlu.pipeline import Understander, build_embedded_understander_sync
from tests.support.conversation import CATALOGUE, Chat, Clock


@pytest.fixture(scope="session")
def understander() -> Understander:
    return build_embedded_understander_sync()


@pytest.fixture
async def db_engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_async_engine(clean_database)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> async_sessionmaker:
    """The migrated PostgreSQL database (overrides tests/handoff's two-database fixture)."""
    return session_factory(db_engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_conversation(redis_client, sessions, understander, clock) -> Callable[..., Conversation]:
    def build(ward: str = "edogawa", ttl_s: int = 24 * 3600) -> Conversation:
        desk = HandoffDesk(directory=load_directory(ward), sessions=sessions, clock=clock)
        return Conversation(
            state=StateStore(redis_client, ttl_s), catalogue=CATALOGUE, understander=understander,
            desk=desk, clock=clock,
        )

    return build


@pytest.fixture
def conversation(make_conversation) -> Conversation:
    return make_conversation()


@pytest.fixture
def chat(conversation) -> Chat:
    return Chat(conversation)
