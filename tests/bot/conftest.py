"""A running bot (web + in-process worker) on loopback, against real Redis and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bot.app import create_app
from bot.dev.line_api import FakeLineApi
from tests.conftest import make_settings
from tests.support.browser import launch
from tests.support.line import webhook_body, webhook_headers
from tests.support.servers import serve


@dataclass
class RunningBot:
    url: str
    http: httpx.AsyncClient
    fake: FakeLineApi

    async def post(self, *events: dict, signature: str | None = "sign") -> httpx.Response:
        body = webhook_body(*events)
        return await self.http.post(f"{self.url}/callback", content=body, headers=webhook_headers(body, signature))


@pytest.fixture
async def bot(redis_client, fake_line, clean_database) -> AsyncIterator[RunningBot]:
    fake, fake_url = fake_line
    app = create_app(make_settings(line_api_base_url=fake_url))
    async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
        yield RunningBot(url=url, http=http, fake=fake)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    """Debian's headless Chromium, one per test module."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await launch(p)
        yield launched
        await launched.close()
