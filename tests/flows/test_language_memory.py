"""A language the resident picked is remembered across conversations (``flows.state``, on its
own keyed-hash key): a handoff, 「やめる」 or an expiry ends the conversation, not the choice.
A language only heard (detected) is not stored; 「わたしのデータを消す」 and a refused consent
forget the choice.
The same on the real Redis, with erasure: tests/bot/test_redis_erasure.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.catalogue import load_catalogue
from flows.outgoing import Text
from flows.state import LANGUAGE_TTL_S
from tests.flows.conftest import Chat
from tests.flows.test_catalogue_in_conversation import _not_english

EN = load_catalogue("en")
JA = load_catalogue("ja")
JAPANESE_DEBT = "借金が返せなくて困っています"


async def _ended(chat: Chat, how: str, clock) -> None:
    """The conversation under way ends as ``how`` says."""
    if how == "stop":
        await chat.say("stop")
        assert chat.texts() == EN.text("conversation.stopped")
    elif how == "expiry":
        clock.now += timedelta(days=2)  # the state's TTL is a day
    else:  # handoff: a booked callback
        for label in ("flows.common.who.self", "flows.debt.trouble.repay", "flows.debt.amount.under_50",
                      "flows.debt.income.working", "flows.common.skip", "consent.agree", "summary.send"):
            await chat.tap(EN.text(label))
        await chat.tap_first_slot()
        await chat.tap(EN.text("contact.line"))
        assert chat.texts().startswith("Thank you. We passed your consultation to the desk.")
        chat.conversation._desk.cases.clear()  # type: ignore[attr-defined]  # the case closed since


@pytest.mark.parametrize("how", ["stop", "expiry", "handoff"])
async def test_a_picked_language_outlives_the_conversation(chat, state, clock, how):
    await chat.say("English")
    await chat.say(JAPANESE_DEBT)
    assert EN.text("flows.debt.ack") in chat.texts()
    await _ended(chat, how, clock)
    assert await state.load(chat.resident) is None or how == "expiry"
    await chat.say(JAPANESE_DEBT)  # a new conversation, written in Japanese
    assert EN.text("flows.debt.ack") in chat.texts() and JA.text("flows.debt.ack") not in chat.texts()
    assert _not_english(chat.texts()) == []


async def test_the_welcome_after_blocking_is_in_the_picked_language(chat):
    await chat.say("English")
    await chat.say(JAPANESE_DEBT)
    await chat.conversation.forget(chat.resident)  # unfollow: the conversation goes, the choice stays
    out = await chat.conversation.welcome(chat.resident, returning=True)
    assert isinstance(out[0], Text) and out[0].text.startswith(EN.text("welcome").split("{")[0])
    assert _not_english(Chat(chat.conversation, last=out).texts()) == []


async def test_only_the_language_code_is_kept_and_only_for_a_while(chat, state, clock):
    await chat.say("English")
    await chat.say("stop")
    assert await state.load(chat.resident) is None  # the ended conversation leaves no state
    assert await state.lapsed(chat.resident) is False  # and is never taken for a lapsed one
    assert dict(state.languages) == {chat.resident: ("en", clock.now.timestamp() + LANGUAGE_TTL_S)}
    clock.now += timedelta(seconds=LANGUAGE_TTL_S)
    await chat.say(JAPANESE_DEBT)
    assert JA.text("flows.debt.ack") in chat.texts()


async def test_a_heard_language_is_not_stored(chat, state):
    await chat.say("I cannot repay my loans from a consumer finance company")
    await chat.say("stop")
    assert chat.texts() == EN.text("conversation.stopped")
    assert state.languages == {}
    await chat.say(JAPANESE_DEBT)
    assert JA.text("flows.debt.ack") in chat.texts()


async def test_deleting_my_data_forgets_the_picked_language(chat, state):
    await chat.say("English")
    await chat.say(JAPANESE_DEBT)
    await chat.say("delete my data")
    await chat.tap(EN.text("conversation.delete_yes"))
    assert chat.texts() == EN.text("conversation.deleted")
    assert state.languages == {} and await state.load(chat.resident) is None
    await chat.say(JAPANESE_DEBT)
    assert JA.text("flows.debt.ack") in chat.texts()


async def test_refusing_consent_forgets_the_picked_language(chat, state):
    await chat.say("English")
    await chat.say(JAPANESE_DEBT)
    for label in ("flows.common.who.self", "flows.debt.trouble.repay", "flows.debt.amount.under_50",
                  "flows.debt.income.working", "flows.common.skip"):
        await chat.tap(EN.text(label))
    assert state.languages[chat.resident][0] == "en"
    await chat.tap(EN.text("consent.refuse"))
    assert chat.texts().startswith(EN.text("consent.refused"))  # the answer is still in English
    assert state.languages == {} and await state.load(chat.resident) is None
    await chat.say(JAPANESE_DEBT)
    assert JA.text("flows.debt.ack") in chat.texts()


async def test_a_new_pick_replaces_the_remembered_one(chat, state):
    await chat.say("English")
    await chat.say("日本語")
    assert state.languages[chat.resident][0] == "ja"
    await chat.say("I cannot repay my loans from a consumer finance company")
    assert EN.text("flows.debt.ack") not in chat.texts()  # a pick is never overridden by detection


@pytest.mark.parametrize(("picked", "words", "answered"), [
    (None, "I want to die", "en"), (None, "죽고 싶어요", "ko"), ("한국어", "I want to die", "ko"), (None, "もう死にたい", "ja"),
])
async def test_the_lines_during_a_takeover_come_in_the_residents_language(chat, picked, words, answered):
    if picked:
        await chat.say(picked)
        await chat.say("stop")
    (lines,) = await chat.conversation.danger_during_takeover(chat.resident, words)
    catalogue = load_catalogue(answered)
    assert isinstance(lines, Text) and lines.text.startswith(catalogue.text("danger.guidance"))
    assert catalogue.language_of("danger.guidance") == answered


async def test_a_remembered_language_no_longer_answered_in_is_forgotten(chat, state):
    await state.remember_language(chat.resident, "xx")  # a language a later release dropped
    await chat.say(JAPANESE_DEBT)
    assert JA.text("flows.debt.ack") in chat.texts()
    assert state.languages == {}
