"""The embedded defaults (`make run`: in-process Redis, SQLite, in-process worker) run the
same outbox path as production: the commit script, the deliverer, the reclaim loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from handoff import effects, staff_models  # noqa: F401  (every table)
from handoff.db import make_sync_engine
from handoff.models import Base
from tests.bot.conftest import RunningBot
from tests.bot.test_flows_e2e import Resident
from tests.conftest import make_settings
from tests.support.conversation import t
from tests.support.servers import serve


@pytest.fixture
async def embedded(fake_line, tmp_path: Path) -> AsyncIterator[RunningBot]:
    fake, fake_url = fake_line
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'tsunagu.db'}"
    schema = make_sync_engine(database_url)
    Base.metadata.create_all(schema)
    schema.dispose()
    app = create_app(make_settings(redis_url="memory://", database_url=database_url, line_api_base_url=fake_url))
    async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
        yield RunningBot(url=url, http=http, fake=fake)


async def test_embedded_defaults_answer_once_and_keep_the_conversation(embedded: RunningBot):
    resident = Resident(embedded)
    await resident.say("借金が返せなくて困っています")
    assert t("flows.debt.ack") in resident.texts()
    await resident.say("もう死にたい")
    assert "0120-279-338" in resident.texts()
    await resident.tap(t("danger.offer_no"))
    assert resident.texts() == t("danger.declined")
    assert [d.kind for d in embedded.fake.deliveries] == ["reply"] * 3
