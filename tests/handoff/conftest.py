"""Handoff fixtures: the schema on real PostgreSQL and on SQLite, the test encryption key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from handoff import crypto
from handoff.db import make_async_engine, session_factory
from handoff.models import Base
from handoff.slots import TOKYO
from tests.conftest import POSTGRES_URL, make_settings

# A Friday in the week before the year-end closure; 28 days ahead reaches 成人の日 2027-01-11.
NOW = datetime(2026, 12, 25, 10, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def encryption_key() -> str:
    key = make_settings().security.encryption_key.get_secret_value()
    crypto.configure(key)
    return key


async def _fresh_schema(url: str) -> AsyncEngine:
    engine = make_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    return engine


@pytest.fixture
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    engine = await _fresh_schema(POSTGRES_URL)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
async def engine(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[AsyncEngine]:
    """The same behaviour must hold on both databases the app supports."""
    url = (
        POSTGRES_URL
        if request.param == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    )
    engine = await _fresh_schema(url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker:
    return session_factory(engine)


@pytest.fixture
def pg_sessions(pg_engine: AsyncEngine) -> async_sessionmaker:
    return session_factory(pg_engine)
