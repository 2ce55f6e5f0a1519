"""A resident answered in the language they wrote in, to a case stored by the real desk
(PostgreSQL) and state store (Redis): English from the first message to a booked callback
with the Japanese summary staff read, やさしい日本語 for a kana-only writer to the end."""

from __future__ import annotations

import re

from sqlalchemy import select

from flows import kanji
from flows.catalogue import load_catalogue, load_languages
from handoff.models import EventLog, Handoff
from tests.flows.test_catalogue_in_conversation import _not_english, _read
from tests.support.conversation import Chat

EN = load_catalogue("en")
EASY = load_catalogue("ja-easy")
JA = load_catalogue("ja")
ENGLISH_DEBT = "I cannot repay my loans from a consumer finance company"


async def _book(chat: Chat, language: str, first: str) -> list[str]:
    """Write ``first``, then tap through whatever the flow asks (first option, or skip)
    to a booked LINE callback; everything the resident was shown, in order."""
    t = load_catalogue(language)
    await chat.say(first)
    seen = _read(chat)
    for _ in range(12):
        labels = [b.label for b in chat.buttons()]
        if t.text("summary.send") in labels:
            break
        if t.text("consent.agree") in labels:
            await chat.tap(t.text("consent.agree"))
        elif t.text("flows.common.skip") in labels:
            await chat.tap(t.text("flows.common.skip"))
        else:
            answers = [b for b in chat.buttons() if (b.data or "").startswith("a=answer")]
            assert answers, chat.texts()
            await chat.tap(answers[0].label)
        seen += _read(chat)
    await chat.tap(t.text("summary.send"))
    seen += _read(chat)
    await chat.tap_first_slot()
    seen += _read(chat)
    await chat.tap(t.text("contact.line"))
    return seen + _read(chat)


async def _case(sessions) -> Handoff:
    async with sessions() as session:
        return (await session.scalars(select(Handoff))).one()



async def test_an_english_writer_is_answered_in_english_to_a_booked_callback(chat, sessions):
    seen = await _book(chat, "en", ENGLISH_DEBT)
    assert seen[0] == EN.text("flows.debt.ack")
    assert any(EN.text("consent.intro") in s for s in seen)
    assert seen[-1].startswith("Thank you. We passed your consultation to the desk.")
    assert {s: _not_english(s) for s in seen if _not_english(s)} == {}

    case = await _case(sessions)
    assert (case.language, case.interpreter_needed) == ("en", True)
    async with sessions() as session:  # statistics count residents by language
        started = (await session.scalars(select(EventLog.language).where(EventLog.kind == "start"))).all()
    assert started == ["en"]
    # Staff read Japanese: labels and tapped choices in Japanese, the resident's words as written.
    assert case.summary is not None and case.answers is not None
    assert case.summary.startswith(JA.text("summary.situation") + ": " + JA.text("flows.debt.title"))
    assert f"{JA.text('summary.said')}: {ENGLISH_DEBT}" in case.summary
    assert JA.text("flows.common.who.label") in case.answers
    assert case.answers[JA.text("flows.common.who.label")] == JA.text("flows.common.who.self")


async def test_a_kana_only_writer_is_answered_in_easy_japanese_to_the_end(chat, sessions):
    seen = await _book(chat, "ja-easy", "しゃっきんが かえせません。まいつき くるしいです")
    assert seen[0] == EASY.text("flows.debt.ack")
    assert re.search(r"\d+がつ \d+にち（\w+ようび） \d+:\d\d ごろ", seen[-1]), seen[-1]
    nouns = load_languages()["ja-easy"].proper_nouns  # the centres' names counted: they are kana now
    for shown in seen:
        kanji_count, kana_count = kanji.count(shown, nouns)
        assert kanji_count <= kanji.LIMIT * (kanji_count + kana_count), shown
    case = await _case(sessions)
    assert (case.language, case.interpreter_needed) == ("ja-easy", False)
