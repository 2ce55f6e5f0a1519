"""A danger message reaches the case staff read: its kind and the resident's words, stored
only once the resident consents; a resident with an open case gets that case flagged."""

from __future__ import annotations

from sqlalchemy import func, select

from handoff.models import Handoff
from handoff.staff_models import CaseEntry
from tests.support.conversation import t


async def _danger_entries(sessions) -> list[CaseEntry]:
    async with sessions() as session:
        return list((await session.scalars(select(CaseEntry).where(CaseEntry.kind == "danger"))).all())


async def test_the_urgent_case_carries_the_danger_kind_and_words(chat, sessions):
    await chat.say("もう死にたい")
    assert await _danger_entries(sessions) == []  # nothing kept before consent
    await chat.tap(t("danger.offer_yes"))
    await chat.tap(t("consent.agree"))
    await chat.tap(t("contact.line"))
    async with sessions() as session:
        case = (await session.scalars(select(Handoff))).one()
    (entry,) = await _danger_entries(sessions)
    assert entry.handoff_id == case.id and entry.body == "もう死にたい"
    assert entry.meta == {"source": "conversation", "kinds": ["suicidal"]}
    assert case.situations == ["crisis"] and case.urgency == "urgent" and case.flow == "urgent"


async def test_refusing_consent_keeps_no_words(chat, sessions):
    await chat.say("もう死にたい")
    await chat.tap(t("danger.offer_yes"))
    await chat.tap(t("consent.refuse"))
    assert await _danger_entries(sessions) == []


async def test_danger_from_a_resident_with_an_open_case_flags_it_instead_of_a_new_one(chat, sessions):
    await chat.say("借金が返せなくて困っています")
    await chat.tap(t("flows.common.who.self"))
    for _ in range(6):  # answer whatever the debt flow asks until the summary card
        if any(b.label == t("summary.send") for b in chat.buttons()):
            break
        if t("consent.agree") in [b.label for b in chat.buttons()]:
            await chat.tap(t("consent.agree"))
            continue
        buttons = chat.buttons()
        await (chat.tap(buttons[0].label) if buttons else chat.say("わかりません"))
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    async with sessions() as session:
        first = (await session.scalars(select(Handoff))).one()
    assert first.urgency == "normal"

    await chat.say("もう消えてしまいたい")
    await chat.tap(t("danger.offer_yes"))
    await chat.tap(t("consent.agree"))
    await chat.tap(t("contact.line"))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Handoff)) == 1
        case = await session.get(Handoff, first.id)
    (entry,) = await _danger_entries(sessions)
    assert case is not None and case.urgency == "urgent"
    assert entry.handoff_id == first.id and entry.body == "もう消えてしまいたい"
    assert first.case_number in chat.texts()
