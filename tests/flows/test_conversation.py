"""The conversation core on the in-memory desk and state store: every flow to a case, danger
first, consent, 直す, commands, expiry and returning residents. What reaches PostgreSQL is
tested on the real desk in tests/handoff/desk/test_conversation_cases.py."""

from __future__ import annotations

from datetime import timedelta

from handoff.directory import load_directory
from tests.flows.conftest import NOW, Chat, t
from tests.support.conversation import SCRIPTS
from tests.support.conversation import answer as _answer
from tests.support.conversation import to_summary as _to_summary

EDOGAWA = load_directory("edogawa")

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


async def test_danger_mid_flow_stops_the_flow(chat):
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


async def test_declining_the_urgent_offer_leaves_the_topics_a_tap_away(chat):
    await chat.say("もう消えてしまいたい")
    await chat.tap(t("danger.offer_no"))
    assert chat.texts() == t("danger.declined")
    await chat.tap(t("conversation.choice.debt"))  # no need to write the message again
    assert t("flows.common.who.ask") in chat.texts()
    assert "0120-279-338" not in chat.texts()


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


async def test_back_stop_and_restart(chat, state):
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
    assert state.peek(chat.resident) is None


async def test_a_command_word_inside_an_answer_is_an_answer(chat):
    await chat.say("ひとり暮らしで話し相手がいなくて、毎日さびしいです")
    await chat.tap(t("flows.general.topic.work"))
    await chat.say("仕事をやめることになりそう")
    assert t("flows.common.area.ask") in chat.texts()


async def test_delete_declined_keeps_the_flow(chat):
    await chat.say("消費者金融の借金が返せません")
    await chat.say("わたしのデータを消す")
    await chat.tap(t("conversation.delete_no"))
    assert t("conversation.nothing_deleted") in chat.texts() and t("flows.common.who.ask") in chat.texts()


async def test_abandoned_flow_expires_politely(chat, clock):
    await chat.say("消費者金融の借金が返せません")
    clock.now = NOW + timedelta(days=1, minutes=1)
    await chat.say("こんにちは")
    assert chat.texts().startswith(t("conversation.expired"))
    assert t("conversation.choose") in chat.texts()


async def test_lapsed_state_is_noticed(chat, state):
    await chat.say("消費者金融の借金が返せません")
    state.expire(chat.resident)  # as the store's expiry would
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


async def test_returning_resident_who_unblocks_sees_the_case(chat):
    await _to_summary(chat, "hikikomori")
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    replies = await chat.conversation.welcome(chat.resident, returning=True)
    assert t("returning.statuses.new") in replies[0].text
