"""Scripted conversations with the in-process core: every flow from the first message to a
stored handoff, danger first, consent, 直す, commands, expiry and returning residents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from flows.notices import load_consent
from flows.outgoing import Text
from handoff import redis_keys
from handoff.directory import load_directory
from handoff.models import EventLog, Handoff, HandoffMessage
from tests.flows.conftest import NOW, Chat, t

EDOGAWA = load_directory("edogawa")

# (first message, the resident's moves, the centre code that must take the case)
# A move is ("tap", label) or ("say", text).
SCRIPTS = {
    "debt": (
        "消費者金融の借金が返せません",
        [("tap", t("flows.common.who.self")), ("say", "返済が大変です"), ("say", "200万円くらい"),
         ("tap", t("flows.debt.income.working")), ("say", "小岩")],
        "kurashigoto",
    ),
    "family_8050": (
        "80代の母と50代の息子がずっと家にいて心配",
        [("tap", t("flows.family_8050.relation.parent")), ("say", "15年"), ("say", "葛西")],
        "nagomi",
    ),
    "double_care": (
        "母の介護と子育てで毎日くたくたです",
        # 母 in the message answers 介護している方 (pre-filled, skipped).
        [("tap", t("flows.double_care.care_cert.applying")),
         ("say", "3歳"), ("tap", t("flows.double_care.hardest.time")), ("tap", t("flows.common.skip"))],
        "nagomi",
    ),
    "hikikomori": (
        "息子が10年ひきこもっています",
        [("say", "32歳"), ("tap", t("flows.hikikomori.wish.listen"))],
        "hikikomori",
    ),
    "housing_refusal": (
        "アパートの入居を断られました",
        [("tap", t("flows.housing_refusal.situation.refused")), ("tap", t("flows.housing_refusal.household.alone")),
         ("tap", t("flows.housing_refusal.reason.guarantor")), ("tap", t("flows.housing_refusal.deadline.within_3m")),
         ("say", "船堀")],
        "nagomi",
    ),
    "general": (
        "ひとり暮らしで話し相手がいなくて、毎日さびしいです",
        [("tap", t("flows.general.topic.work")), ("say", "仕事が見つからなくて困っています"), ("say", "平井")],
        "nagomi",
    ),
}


async def _answer(chat: Chat, moves) -> None:
    for kind, value in moves:
        if kind == "tap":
            await chat.tap(value)
        else:
            await chat.say(value)


async def _to_summary(chat: Chat, flow: str) -> None:
    first, moves, _ = SCRIPTS[flow]
    await chat.say(first)
    await _answer(chat, moves)
    assert t("consent.intro") in chat.texts(), chat.texts()
    await chat.tap(t("consent.agree"))


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
    assert await redis_client.get(redis_keys.conversation(chat.resident)) is None


def load_flow_ack(flow: str) -> str:
    return t(f"flows.{flow}.ack")


async def test_facts_from_the_first_message_skip_their_questions(chat):
    await chat.say("80代の母と50代の息子がずっと家にいて心配")
    await chat.tap(t("flows.family_8050.relation.parent"))
    # parent_age and child_age were in the message: next is the duration.
    assert t("flows.family_8050.duration.ask") in chat.texts()
    await chat.say("15年")
    await chat.say("葛西")
    await chat.tap(t("consent.agree"))
    rows = dict(chat.card().rows)
    assert rows[t("flows.family_8050.parent_age.label")] == "80代"
    assert rows[t("flows.family_8050.child_age.label")] == "50代"
    assert rows[t("flows.family_8050.duration.label")] == "15年"


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


async def test_danger_mid_flow_stops_the_flow(chat, redis_client):
    await chat.say("消費者金融の借金が返せません")
    await chat.tap(t("flows.common.who.self"))
    await chat.say("もう消えてしまいたい")  # typed as the answer to 困っていること
    assert "0120-279-338" in chat.texts()
    assert t("flows.debt.amount.ask") not in chat.texts()
    await chat.tap(t("danger.offer_no"))
    assert chat.texts() == t("danger.declined")
    # The flow is over; a later case would still be urgent.
    await chat.say("こんにちは")
    assert chat.texts() == t("conversation.choose")


async def test_refusing_consent_keeps_nothing_personal(chat, sessions, redis_client):
    await _to_summary_until_consent(chat)
    await chat.tap(t("consent.refuse"))
    centre = EDOGAWA.centre("kurashigoto")
    body = chat.texts()
    assert centre.name in body and centre.shown("phone") in body and centre.shown("hours") in body
    assert await redis_client.get(redis_keys.conversation(chat.resident)) is None
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Handoff)) == 0
        outcomes = set((await session.scalars(select(EventLog.outcome))).all())
    assert "consent_refused" in outcomes


async def _to_summary_until_consent(chat: Chat) -> None:
    first, moves, _ = SCRIPTS["debt"]
    await chat.say(first)
    await _answer(chat, moves)


async def test_fix_changes_one_answer_and_returns_to_the_summary(chat):
    await _to_summary(chat, "debt")
    label = t("flows.debt.amount.label")
    assert dict(chat.card().rows)[label] == "200万円"
    await chat.tap(t("summary.fix"))
    assert {b.label for b in chat.buttons()} >= {label, t("flows.common.area.label")}
    await chat.tap(label)
    assert t("flows.debt.amount.ask") in chat.texts()
    await chat.say("350万円")
    rows = dict(chat.card().rows)
    assert rows[label] == "350万円"
    assert rows[t("flows.common.area.label")] == "小岩"  # the other answers stay


async def test_several_situations_go_to_the_multi_agency_coordinator(chat):
    await chat.say("借金があって、息子がひきこもりです")
    await chat.say("35歳")  # hikikomori flow leads (the primary intent); 'who' was pre-filled
    await chat.say("5年")
    await chat.tap(t("flows.hikikomori.wish.listen"))
    coordinator = EDOGAWA.centre(EDOGAWA.rules.coordinator)
    assert t("route.multi_agency", centre=coordinator.name, centres="、".join(
        [EDOGAWA.centre("hikikomori").name, EDOGAWA.centre("kurashigoto").name]
    )) in chat.texts()


async def test_switching_the_ward_changes_the_centres(make_conversation):
    nerima = load_directory("nerima")
    chat = Chat(make_conversation(ward="nerima"))
    await _to_summary_until_consent(chat)
    taking = nerima.centre(nerima.rules.situations["debt"].centres[0])
    assert taking.name in chat.texts()
    assert EDOGAWA.centre("kurashigoto").name not in chat.texts()


async def test_nonsense_gets_a_kind_reask_of_the_same_question(chat):
    await chat.say("消費者金融の借金が返せません")
    await chat.say("？？？")
    assert chat.texts().startswith(t("flows.common.reask"))
    assert t("flows.common.who.ask") in chat.texts()
    await chat.tap(t("flows.common.who.self"))
    await chat.say("返済が大変")
    await chat.say("たくさん")  # not an amount, not an option
    assert t("flows.debt.amount.ask") in chat.texts() and t("flows.common.reask") in chat.texts()


async def test_back_stop_and_restart(chat, redis_client):
    await chat.say("消費者金融の借金が返せません")
    await chat.tap(t("flows.common.who.self"))
    await chat.tap(t("flows.common.back"))
    assert t("flows.common.who.ask") in chat.texts()
    await chat.say("最初から")
    assert t("conversation.restarted") in chat.texts() and t("conversation.choose") in chat.texts()
    await chat.tap(t("conversation.choice.hikikomori"))
    assert t("flows.hikikomori.ack") in chat.texts()
    await chat.say("やめる")
    assert chat.texts() == t("conversation.stopped")
    assert await redis_client.get(redis_keys.conversation(chat.resident)) is None


async def test_a_command_word_inside_an_answer_is_an_answer(chat):
    await chat.say("ひとり暮らしで話し相手がいなくて、毎日さびしいです")
    await chat.tap(t("flows.general.topic.work"))
    await chat.say("仕事をやめることになりそう")
    assert t("flows.common.area.ask") in chat.texts()


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


async def test_delete_declined_keeps_the_flow(chat):
    await chat.say("消費者金融の借金が返せません")
    await chat.say("わたしのデータを消す")
    await chat.tap(t("conversation.delete_no"))
    assert t("conversation.nothing_deleted") in chat.texts() and t("flows.common.who.ask") in chat.texts()


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


async def test_abandoned_flow_expires_politely(chat, clock):
    await chat.say("消費者金融の借金が返せません")
    clock.now = NOW + timedelta(days=1, minutes=1)
    await chat.say("こんにちは")
    assert chat.texts().startswith(t("conversation.expired"))
    assert t("conversation.choose") in chat.texts()


async def test_lapsed_state_in_redis_is_noticed(chat, redis_client):
    await chat.say("消費者金融の借金が返せません")
    await redis_client.delete(redis_keys.conversation(chat.resident))  # as Redis expiry would
    await chat.say("こんにちは")
    assert chat.texts().startswith(t("conversation.expired"))


async def test_unknown_and_stale_buttons_get_where_we_are(chat):
    await chat.say("消費者金融の借金が返せません")
    replies = await chat.conversation.on_postback(chat.resident, "action=buyItem&itemId=123123", None)
    assert replies[0].text == t("conversation.unclear_button")
    assert t("flows.common.who.ask") in replies[1].text
    replies = await chat.conversation.on_postback(chat.resident, "a=answer&s=amount&v=under_50", None)
    assert replies[0].text == t("conversation.stale_button")


async def test_date_picker_offers_that_days_slots(chat):
    await _to_summary(chat, "debt")
    await chat.tap(t("summary.send"))
    picker = next(b for b in chat.buttons() if b.pick == "date")
    assert picker.min and picker.max and picker.min < picker.max
    await chat.pick_date(NOW.date() + timedelta(days=6))  # the next Tuesday
    slot_buttons = [b for b in chat.buttons() if b.data and b.data.startswith("a=slot")]
    assert slot_buttons and all("12/8" in b.label for b in slot_buttons)
    await chat.pick_date(NOW.date() + timedelta(days=3))  # a Saturday: closed
    assert chat.texts() == t("slot.none_that_day")


async def test_outside_staffed_hours_says_when_a_person_will_act(chat, clock):
    clock.now = NOW.replace(hour=21)
    await chat.say("もう死にたい")
    await chat.tap(t("danger.offer_yes"))
    await chat.tap(t("consent.agree"))
    await chat.tap(t("contact.line"))
    assert t("confirmed.off_hours", when="12月3日（木）8時30分ごろ") in chat.texts()




async def test_greeting_and_out_of_scope(chat):
    await chat.say("こんにちは")
    assert chat.texts() == t("conversation.choose")
    assert [b.label for b in chat.buttons()][0] == t("conversation.choice.debt")
    await chat.say("明日の天気は？")
    assert chat.texts() == t("conversation.out_of_scope", ward_name=EDOGAWA.ward_name)
    await chat.tap(t("conversation.consult_anyway"))
    assert chat.texts() == t("conversation.choose")


async def test_asking_for_a_person_mid_flow_can_skip_to_consent(chat):
    await chat.say("消費者金融の借金が返せません")
    await chat.say("人と話したい")
    assert t("conversation.human") in chat.texts()
    await chat.tap(t("conversation.skip_to_consent"))
    assert t("consent.intro") in chat.texts()


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


async def test_returning_resident_who_unblocks_sees_the_case(chat):
    await _to_summary(chat, "hikikomori")
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    replies = await chat.conversation.welcome(chat.resident, returning=True)
    assert t("returning.statuses.new") in replies[0].text
