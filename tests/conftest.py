"""Fixtures shared by every test package: real Redis, real databases, loopback servers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from bot.config import Settings
from bot.dev.line_api import FakeLineApi, build_app
from tests.support.line import ACCESS_TOKEN, SECRET
from tests.support.servers import serve

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
async def redis_client() -> AsyncIterator[redis.Redis]:
    """A clean real Redis database for one test."""
    client = redis.Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def fake_line() -> AsyncIterator[tuple[FakeLineApi, str]]:
    """The strict local Messaging API, served on a loopback port."""
    fake = FakeLineApi(ACCESS_TOKEN)
    async with serve(build_app(fake)) as url:
        yield fake, url


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "line_channel_secret": SECRET,
        "line_channel_access_token": ACCESS_TOKEN,
        "redis_url": REDIS_URL,
        "database_url": POSTGRES_URL,
        "log_hash_key": "test-hash-key",
        "encryption_key": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE=",
        "reclaim_idle_ms": 2000,
        "worker_block_ms": 100,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
