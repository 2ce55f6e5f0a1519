"""handoff.db's engine without the pre-ping (a worker's): a connection the database dropped
fails one use as an infrastructure failure (the worker retries the event), and the next use
gets a fresh connection (real PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.failures import is_infrastructure
from handoff.db import make_async_engine
from tests.conftest import POSTGRES_URL

APP = "tsunagu-no-pre-ping-test"


async def test_a_dropped_connection_fails_once_then_the_pool_reconnects() -> None:
    separator = "&" if "?" in POSTGRES_URL else "?"
    engine = make_async_engine(f"{POSTGRES_URL}{separator}application_name={APP}", pre_ping=False)
    killer = make_async_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
        async with killer.connect() as connection:
            killed = await connection.scalar(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :app"
            ), {"app": APP})
        assert killed == 1  # the pooled connection, idle
        with pytest.raises(DBAPIError) as failure:
            async with engine.connect() as connection:
                await connection.scalar(text("SELECT 1"))
        assert is_infrastructure(failure.value)
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
        await killer.dispose()
