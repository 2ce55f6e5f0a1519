"""Fixtures shared by every test package: real Redis, real databases, loopback servers."""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from bot.dev.line_api import FakeLineApi, build_app
from settings import REPO_ROOT, Settings
from tests.support.line import ACCESS_TOKEN, SECRET
from tests.support.servers import serve

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The key every test app encrypts personal data with (make_settings).
ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE="


@pytest.fixture(scope="session", autouse=True)
def trained_nlu_model() -> None:
    """Train (or load) the embedded NLU model once, before any test starts a server: a fresh
    clone has no cache, and training on two cores takes longer than the 30 s a test server is
    given to start (tests/support/servers.py), so the first app to need it would time out."""
    from nlu.model import load_or_train

    load_or_train()


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> str:
    """Bring the test PostgreSQL database to the latest schema once per run, through the
    same Alembic migrations production uses."""
    from alembic import command
    from alembic.config import Config

    from handoff import crypto

    # A data migration may re-encrypt rows that earlier runs left, written with the tests' key.
    crypto.configure(ENCRYPTION_KEY)
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.cmd_opts = argparse.Namespace(x=[f"url={POSTGRES_URL}"])
    command.upgrade(config, "head")
    return POSTGRES_URL


@pytest.fixture(scope="session", autouse=True)
def redis_key_names() -> None:
    """Name Redis keys in this process as every test app (and its worker processes) does."""
    from flows import redis_keys

    redis_keys.configure(make_settings().security.redis_key_name_secret())


@pytest.fixture
async def redis_client() -> AsyncIterator[redis.Redis]:
    """A clean real Redis database for one test."""
    client = redis.Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def clean_database(migrated_database: str) -> AsyncIterator[str]:
    """The migrated test PostgreSQL database with every table emptied; yields its URL."""
    from sqlalchemy import text

    from handoff.db import make_async_engine
    from handoff.models import Base

    engine = make_async_engine(migrated_database)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        # The audit log refuses TRUNCATE by trigger (append-only in production); a test
        # database starts empty all the same, with triggers off for this one statement.
        await connection.execute(text("SET LOCAL session_replication_role = replica"))
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield migrated_database


@pytest.fixture
async def fake_line() -> AsyncIterator[tuple[FakeLineApi, str]]:
    """The strict local Messaging API, served on a loopback port."""
    fake = FakeLineApi(ACCESS_TOKEN)
    async with serve(build_app(fake)) as url:
        yield fake, url


def make_settings(**overrides: object) -> Settings:
    """Settings for a test app; ``overrides`` by variable name (``line_api_base_url=...``
    sets LINE_API_BASE_URL, settings.line.api_base_url)."""
    values: dict[str, object] = {
        "line_channel_secret": SECRET,
        "line_channel_access_token": ACCESS_TOKEN,
        "redis_url": REDIS_URL,
        "database_url": POSTGRES_URL,
        "log_hash_key": "test-hash-key",
        "encryption_key": ENCRYPTION_KEY,
        "reclaim_idle_ms": 2000,
        "worker_block_ms": 100,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings.from_variables(values)
