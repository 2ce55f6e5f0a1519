"""An in-process conversation on real Redis and PostgreSQL, the real NLU, a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from flows.catalogue import load_catalogue
from flows.conversation import Conversation
from flows.desk import HandoffDesk
from flows.outgoing import Button, Card, Outgoing, Text
from flows.state import StateStore
from handoff import crypto
from handoff.db import make_async_engine, session_factory
from handoff.directory import load_directory
from handoff.slots import TOKYO
from nlu.pipeline import Understander, build_embedded_understander_sync
from tests.conftest import make_settings

# A Wednesday morning, inside every centre's staffed hours.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TOKYO)
CATALOGUE = load_catalogue()


@pytest.fixture(scope="session")
def understander() -> Understander:
    return build_embedded_understander_sync()


@pytest.fixture(autouse=True)
def encryption_key() -> str:
    key = make_settings().security.encryption_key.get_secret_value()
    crypto.configure(key)
    return key


@pytest.fixture
async def db_engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_async_engine(clean_database)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> async_sessionmaker:
    return session_factory(db_engine)


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_conversation(redis_client, sessions, understander, clock) -> Callable[..., Conversation]:
    def build(ward: str = "edogawa", ttl_s: int = 24 * 3600) -> Conversation:
        desk = HandoffDesk(directory=load_directory(ward), sessions=sessions, clock=clock)
        return Conversation(
            state=StateStore(redis_client, ttl_s),
            catalogue=CATALOGUE,
            understander=understander,
            desk=desk,
            clock=clock,
        )

    return build


@pytest.fixture
def conversation(make_conversation) -> Conversation:
    return make_conversation()


@dataclass
class Chat:
    """A resident scripted against the conversation: say things, tap buttons by label."""

    conversation: Conversation
    resident: str = "user:Utest0000000000000000000000000001"
    last: list[Outgoing] = field(default_factory=list)
    chosen: str = ""  # the language the resident types to be answered in, if any

    async def say(self, text: str) -> list[Outgoing]:
        self.last = await self.conversation.on_text(self.resident, text)
        return self.last

    def buttons(self) -> list[Button]:
        found: list[Button] = []
        for message in self.last:
            found += list(message.quick_replies)
            if isinstance(message, Card):
                found += list(message.buttons)
        return found

    def button(self, label: str) -> Button:
        for button in self.buttons():
            if button.label == label:
                return button
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons()]}")

    async def tap(self, label: str, params: dict[str, Any] | None = None) -> list[Outgoing]:
        button = self.button(label)
        if button.data is None:
            return await self.say(button.text or button.label)
        self.last = await self.conversation.on_postback(self.resident, button.data, params)
        return self.last

    async def tap_first_slot(self) -> list[Outgoing]:
        slot = next(b for b in self.buttons() if b.data and b.data.startswith("a=slot"))
        self.last = await self.conversation.on_postback(self.resident, slot.data or "", None)
        return self.last

    async def pick_date(self, day: date) -> list[Outgoing]:
        picker = next(b for b in self.buttons() if b.pick == "date")
        self.last = await self.conversation.on_postback(self.resident, picker.data or "", {"date": day.isoformat()})
        return self.last

    def texts(self) -> str:
        parts = []
        for message in self.last:
            if isinstance(message, Text):
                parts.append(message.text)
            else:
                parts.append(message.title + "\n" + "\n".join(f"{k}: {v}" for k, v in message.rows))
        return "\n".join(parts)

    def card(self) -> Card:
        cards = [m for m in self.last if isinstance(m, Card)]
        assert cards, self.texts()
        return cards[-1]


@pytest.fixture
def chat(conversation) -> Chat:
    return Chat(conversation)


def t(key: str, **values: Any) -> str:
    return CATALOGUE.text(key, **values)
