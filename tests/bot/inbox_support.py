"""Shared pieces of the staff inbox tests: the running bot with its inbox, users, cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import redis.asyncio as redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.app import create_app
from bot.dev.line_api import FakeLineApi, build_app
from handoff import crypto
from handoff.auth import create_user
from handoff.cases import Consent, create_handoff
from handoff.db import make_async_engine, session_factory
from handoff.directory import load_directory
from handoff.models import Base, Handoff
from handoff.routing import route
from tests.conftest import POSTGRES_URL, REDIS_URL, make_settings
from tests.support.line import ACCESS_TOKEN, sign, user_id, webhook_body
from tests.support.servers import serve

EDOGAWA = load_directory("edogawa")
PASSWORD = "a-long-staff-password"


@dataclass
class Inbox:
    """The bot (webhook + worker + staff pages) on loopback, with its database."""

    url: str
    fake: FakeLineApi
    engine: AsyncEngine
    sessions: async_sessionmaker
    redis: redis.Redis
    app: Any = None  # the running FastAPI app (its staff services are app.state.staff)
    services: Any = None  # bot.services.Services of the running app

    async def add_user(self, email: str, role: str, centres: list[str], name: str | None = None) -> int:
        async with self.sessions() as session, session.begin():
            user = await create_user(session, email=email, password=PASSWORD, role=role,
                                     centre_codes=centres, display_name=name)
            return user.id

    async def add_case(
        self, situations: list[str], *, summary: str = "家賃を3か月滞納しています。", urgent: bool = False,
        line_user: str | None = None, phone: str | None = "090-1234-5678", answers: dict[str, Any] | None = None,
        language: str = "ja",
    ) -> Handoff:
        chosen = route(EDOGAWA, situations=situations, facts={}, urgent=urgent)
        async with self.sessions() as session, session.begin():
            return await create_handoff(
                session, route=chosen, situations=situations, summary=summary,
                answers=answers or {"flow": situations[0], "いつから": "3か月前から"},
                consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
                contact_method="phone" if phone else "line", line_user_id=line_user or user_id(), phone=phone,
                language=language,
            )

    async def resident_says(self, user: str, words: str) -> httpx.Response:
        from tests.support.line import text_event

        body = webhook_body(text_event(user, words, reply_token=self.fake.issue_reply_token(user)))
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.post(f"{self.url}/callback", content=body,
                                   headers={"Content-Type": "application/json", "X-Line-Signature": sign(body)})

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as connection:
            return (await connection.execute(text(sql), params)).scalar()


async def empty_tables(engine: AsyncEngine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@asynccontextmanager
async def running_inbox(**overrides: Any) -> AsyncIterator[Inbox]:
    client = redis.Redis.from_url(REDIS_URL)
    await client.flushdb()
    settings = make_settings(staff_cookie_secure=False, **overrides)
    crypto.configure(settings.security.encryption_key.get_secret_value())
    engine = make_async_engine(POSTGRES_URL)
    await empty_tables(engine)
    fake = FakeLineApi(ACCESS_TOKEN)
    try:
        async with serve(build_app(fake)) as fake_url:
            app = create_app(settings.model_copy(update={"line": settings.line.model_copy(update={"api_base_url": fake_url})}))
            async with serve(app) as url:
                yield Inbox(url=url, fake=fake, engine=engine, sessions=session_factory(engine), redis=client,
                            app=app, services=app.state.services)
    finally:
        await engine.dispose()
        await client.flushdb()
        await client.aclose()


async def api_login(http: httpx.AsyncClient, url: str, email: str) -> str:
    response = await http.post(f"{url}/api/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])
