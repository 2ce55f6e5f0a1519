"""The conversation on the real desk and state store: each flow to a stored, encrypted case,
danger, refusal, erasure, returning residents and a slot taken meanwhile, as PostgreSQL and
Redis hold them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from flows.notices import load_consent
from flows.outgoing import Text
from flows.redis_keys import conversation as conversation_key
from handoff.directory import load_directory
from handoff.models import EventLog, Handoff, HandoffMessage
from tests.support.conversation import NOW, SCRIPTS, Chat, t
from tests.support.conversation import answer as _answer
from tests.support.conversation import to_summary as _to_summary

EDOGAWA = load_directory("edogawa")


async def _to_summary_until_consent(chat: Chat) -> None:
    first, moves, _ = SCRIPTS["debt"]
    await chat.say(first)
    await _answer(chat, moves)


@pytest.mark.parametrize("flow", sorted(SCRIPTS))
async def test_each_flow_reaches_a_stored_encrypted_handoff(chat, sessions, redis_client, flow):
    first, moves, centre_code = SCRIPTS[flow]
    replies = await chat.say(first)
    ack = load_flow_ack(flow)
    assert isinstance(replies[0], Text) and replies[0].text == ack
    await _answer(chat, moves)
    centre = EDOGAWA.centre(centre_code)
    assert centre.name in chat.texts()  # the consent names the centre
    assert load_consent().text(centre.name) in chat.texts()
    await chat.tap(t("consent.agree"))
    card = chat.card()
    assert dict(card.rows)[t("summary.centre")].startswith(centre.name)
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    chosen_label = chat.last[0].text if chat.last else ""
    assert chosen_label == t("contact.ask")
    await chat.tap(t("contact.phone"))
    await chat.say("090-1234-5678")
    confirmation = chat.texts()
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
        raw = (await session.execute(text("SELECT summary, phone, answers FROM handoffs"))).one()
    assert handoff.primary_centre == centre_code
    assert handoff.case_number in confirmation and centre.name in confirmation
    assert handoff.phone == "09012345678" and handoff.contact_method == "phone"
    assert handoff.consent_text_version == load_consent().version
    assert handoff.consented_at == NOW
    assert handoff.callback_slot is not None and handoff.urgency == "normal"
    for label, value in dict(card.rows).items():
        if label != t("summary.centre"):
            assert value in handoff.summary
    # Encrypted at rest: the stored columns hold no plain text of the answers.
    assert "09012345678" not in raw.phone
    assert moves[-1][1] not in raw.summary and moves[-1][1] not in raw.answers
    # The transient state is gone once the case is in the database.
    assert await redis_client.get(conversation_key(chat.resident)) is None


def load_flow_ack(flow: str) -> str:
    return t(f"flows.{flow}.ack")


async def test_danger_in_the_first_message_comes_before_any_question(chat, sessions):
    replies = await chat.say("もう死にたい")
    body = chat.texts()
    assert "110" in body and "119" in body and "0120-279-338" in body
    assert all(t(f"flows.{f}.ack") not in body for f in SCRIPTS)
    assert isinstance(replies[-1], Text) and replies[-1].text == t("danger.offer")
    await chat.tap(t("danger.offer_yes"))
    assert t("consent.intro") in chat.texts()
    await chat.tap(t("consent.agree"))
    await chat.tap(t("contact.line"))
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
        danger_events = await session.scalar(
            select(func.count()).select_from(EventLog).where(EventLog.outcome == "danger")
        )
    assert handoff.urgency == "urgent" and handoff.primary_centre == EDOGAWA.rules.crisis
    assert handoff.callback_slot is None
    assert handoff.line_user_id == chat.resident.removeprefix("user:")
    assert t("confirmed.asap") in chat.texts()
    assert danger_events == 1


async def test_refusing_consent_keeps_nothing_personal(chat, sessions, redis_client):
    await _to_summary_until_consent(chat)
    await chat.tap(t("consent.refuse"))
    centre = EDOGAWA.centre("kurashigoto")
    body = chat.texts()
    assert centre.name in body and centre.shown("phone") in body and centre.shown("hours") in body
    assert await redis_client.get(conversation_key(chat.resident)) is None
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Handoff)) == 0
        outcomes = set((await session.scalars(select(EventLog.outcome))).all())
    assert "consent_refused" in outcomes


async def test_delete_my_data_erases_open_cases_after_confirming(chat, sessions):
    await _to_summary(chat, "hikikomori")
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    await chat.say("わたしのデータを消す")
    assert chat.texts() == t("conversation.confirm_delete")
    await chat.tap(t("conversation.delete_yes"))
    assert chat.texts() == t("conversation.deleted")
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
    assert handoff.status == "erased" and handoff.summary is None and handoff.line_user_id is None
    assert handoff.callback_slot is None


async def test_returning_resident_sees_the_open_case_and_can_add_to_it(chat, sessions):
    await _to_summary(chat, "hikikomori")
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    await chat.say("電話の時間を少し遅くしてほしいです")
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
    assert handoff.case_number in chat.texts() and t("returning.statuses.new") in chat.texts()
    await chat.tap(t("returning.add"))
    assert chat.texts() == t("returning.added")
    async with sessions() as session:
        bodies = (await session.scalars(select(HandoffMessage.body))).all()
    assert bodies == ["電話の時間を少し遅くしてほしいです"]


async def test_a_slot_taken_meanwhile_offers_others(chat, sessions):
    from handoff.slots import book

    await _to_summary(chat, "debt")
    await chat.tap(t("summary.send"))
    slot = next(b for b in chat.buttons() if b.data and b.data.startswith("a=slot"))
    await chat.tap(slot.label)
    centre = EDOGAWA.centre("kurashigoto")
    taken_start = None
    async with sessions() as session, session.begin():
        for _ in range(centre.capacity):  # someone else fills the slot
            from datetime import UTC, datetime

            value = slot.data.split("v=")[1]
            taken_start = datetime.strptime(value, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
            await book(session, centre, start=taken_start, now=NOW)
    await chat.tap(t("contact.line"))
    assert chat.texts() == t("slot.taken")
    assert slot.label not in [b.label for b in chat.buttons()]
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
    assert handoff.callback_slot != taken_start

