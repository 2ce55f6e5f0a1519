"""Whole conversations through /callback: signed events in, the fake Messaging API out,
the handoff in PostgreSQL.  The same scripts as tests/flows, end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from bot.app import create_app
from flows import redis_keys
from flows.notices import load_consent
from handoff.db import make_async_engine, session_factory
from handoff.directory import load_directory
from handoff.models import Handoff
from tests.bot.conftest import RunningBot
from tests.conftest import make_settings
from tests.support.conversation import SCRIPTS, t
from tests.support.line import postback_event, text_event, user_id
from tests.support.servers import serve
from tests.support.waiting import wait_until

EDOGAWA = load_directory("edogawa")


def _actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = [item["action"] for item in (message.get("quickReply") or {}).get("items", [])]
    footer = ((message.get("contents") or {}).get("footer") or {}).get("contents", [])
    return found + [button["action"] for button in footer]


class Resident:
    """One LINE user talking to the running bot; every step waits for the bot's answer."""

    def __init__(self, bot: RunningBot) -> None:
        self.bot = bot
        self.user = user_id()
        self.seen = 0
        self.last: list[dict[str, Any]] = []

    async def _send(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        response = await self.bot.post(event)
        assert response.status_code == 200
        await wait_until(lambda: self.bot.fake.messages_for(self.user, after=self.seen))
        deliveries = self.bot.fake.messages_for(self.user, after=self.seen)
        self.seen = deliveries[-1].seq
        self.last = [m for d in deliveries for m in d.messages]
        assert self.bot.fake.rejected == []
        return self.last

    async def say(self, words: str) -> list[dict[str, Any]]:
        token = self.bot.fake.issue_reply_token(self.user)
        return await self._send(text_event(self.user, words, reply_token=token))

    async def tap(self, label: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        actions = [a for m in self.last for a in _actions(m)]
        action = next((a for a in actions if a.get("label") == label), None)
        assert action is not None, f"no {label!r} in {[a.get('label') for a in actions]}"
        if action["type"] == "message":
            return await self.say(action["text"])
        token = self.bot.fake.issue_reply_token(self.user)
        return await self._send(postback_event(self.user, action["data"], params=params, reply_token=token))

    async def tap_first_slot(self) -> list[dict[str, Any]]:
        actions = [a for m in self.last for a in _actions(m)]
        slot = next(a for a in actions if a.get("data", "").startswith("a=slot"))
        return await self.tap(slot["label"])

    def texts(self) -> str:
        return "\n".join(m.get("text") or m.get("altText", "") for m in self.last)


async def _answer(resident: Resident, moves) -> None:
    for kind, value in moves:
        await (resident.tap(value) if kind == "tap" else resident.say(value))


async def _handoffs(url: str) -> list[Handoff]:
    engine = make_async_engine(url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.scalars(select(Handoff))).all())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("flow", sorted(SCRIPTS))
async def test_each_flow_end_to_end(bot, clean_database, flow):
    first, moves, centre_code = SCRIPTS[flow]
    resident = Resident(bot)
    await resident.say(first)
    assert t(f"flows.{flow}.ack") in resident.texts()
    await _answer(resident, moves)
    centre = EDOGAWA.centre(centre_code)
    assert load_consent().text(centre.name) in resident.texts()
    await resident.tap(t("consent.agree"))
    assert resident.last[0]["type"] == "flex"
    await resident.tap(t("summary.send"))
    await resident.tap_first_slot()
    await resident.tap(t("contact.phone"))
    await resident.say("080-1111-2222")
    (handoff,) = await _handoffs(clean_database)
    assert handoff.primary_centre == centre_code
    assert handoff.case_number in resident.texts()
    assert handoff.phone == "08011112222" and handoff.callback_slot is not None
    engine = make_async_engine(clean_database)
    async with engine.connect() as connection:
        stored = (await connection.execute(text("SELECT phone, summary FROM handoffs"))).one()
    await engine.dispose()
    assert "08011112222" not in stored.phone and moves[-1][1] not in stored.summary


async def test_danger_first_message_end_to_end(bot, clean_database):
    resident = Resident(bot)
    await resident.say("もう死にたい")
    assert "110" in resident.texts() and "0120-279-338" in resident.texts()
    assert resident.last[-1]["text"] == t("danger.offer")
    await resident.tap(t("danger.offer_yes"))
    await resident.tap(t("consent.agree"))
    await resident.tap(t("contact.line"))
    (handoff,) = await _handoffs(clean_database)
    assert handoff.urgency == "urgent"


async def test_danger_mid_flow_end_to_end(bot, clean_database):
    resident = Resident(bot)
    await resident.say("アパートの入居を断られました")
    await resident.tap(t("flows.housing_refusal.situation.refused"))
    await resident.say("死にたい")
    assert "0120-279-338" in resident.texts()
    assert t("flows.housing_refusal.reason.ask") not in resident.texts()


async def test_refused_consent_keeps_nothing_end_to_end(bot, clean_database, redis_client):
    first, moves, centre_code = SCRIPTS["debt"]
    resident = Resident(bot)
    await resident.say(first)
    await _answer(resident, moves)
    await resident.tap(t("consent.refuse"))
    assert EDOGAWA.centre(centre_code).shown("phone") in resident.texts()
    assert await _handoffs(clean_database) == []
    assert not await redis_client.exists(redis_keys.conversation(f"user:{resident.user}"))


async def test_fix_end_to_end(bot, clean_database):
    first, moves, _ = SCRIPTS["hikikomori"]
    resident = Resident(bot)
    await resident.say(first)
    await _answer(resident, moves)
    await resident.tap(t("consent.agree"))
    await resident.tap(t("summary.fix"))
    await resident.tap(t("flows.hikikomori.age.label"))
    await resident.say("41歳")
    card = resident.last[0]
    assert card["type"] == "flex" and "41歳" in str(card["contents"]["body"])


async def test_several_situations_end_to_end(bot, clean_database):
    resident = Resident(bot)
    await resident.say("借金があって、息子がひきこもりです")
    await _answer(resident, [("say", "35歳"), ("say", "5年"), ("tap", t("flows.hikikomori.wish.listen"))])
    await resident.tap(t("consent.agree"))
    await resident.tap(t("summary.send"))
    await resident.tap_first_slot()
    await resident.tap(t("contact.line"))
    (handoff,) = await _handoffs(clean_database)
    assert handoff.multi_agency and handoff.primary_centre == EDOGAWA.rules.coordinator
    assert set(handoff.centre_codes) >= {"hikikomori", "kurashigoto"}


@pytest.fixture
async def nerima_bot(redis_client, fake_line, clean_database) -> AsyncIterator[RunningBot]:
    fake, fake_url = fake_line
    app = create_app(make_settings(line_api_base_url=fake_url, ward="nerima"))
    async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
        yield RunningBot(url=url, http=http, fake=fake)


async def test_ward_setting_changes_the_centres_end_to_end(nerima_bot, clean_database):
    nerima = load_directory("nerima")
    first, moves, _ = SCRIPTS["hikikomori"]
    resident = Resident(nerima_bot)
    await resident.say(first)
    await _answer(resident, moves)
    code = nerima.rules.situations["hikikomori"].centres[0]
    assert nerima.centre(code).name in resident.texts()
    await resident.tap(t("consent.agree"))
    await resident.tap(t("summary.send"))
    await resident.tap_first_slot()
    await resident.tap(t("contact.line"))
    (handoff,) = await _handoffs(clean_database)
    assert handoff.ward == "nerima" and handoff.primary_centre == code


async def test_unknown_button_is_answered_kindly(bot, clean_database):
    resident = Resident(bot)
    await resident._send(postback_event(resident.user, "action=buyItem&itemId=123123&color=red",
                                        reply_token=bot.fake.issue_reply_token(resident.user)))
    assert resident.last[0]["text"] == t("conversation.unclear_button")
    assert resident.last[1]["text"] == t("conversation.choose")


