"""The English and やさしい日本語 catalogues driven through the real conversation core
(the in-memory desk and state store, the real NLU): a resident who asked for a language (typed its name)
reads every sentence in it, from the first answer to a booked callback, even when they then
write in standard Japanese (a chosen language is never overridden by detection).
tests/flows/test_languages.py covers residents who simply write in their language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from flows import kanji
from flows.catalogue import load_catalogue, load_languages
from flows.conversation import Conversation
from flows.outgoing import Card, Text
from tests.flows.conftest import Chat

# Any Japanese script, punctuation and full-width forms included: the ward's and its centres'
# names, hours and notes reach an English reader in English too (data/centres), so none is allowed.
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture
def resident_in(desk, state, understander, clock) -> Callable[[str], Chat]:
    def build(language: str) -> Chat:
        return Chat(Conversation(
            state=state, catalogue=load_catalogue(),
            understander=understander, desk=desk, clock=clock,
        ), chosen=load_languages()[language].name)

    return build


FIRST_MESSAGE = "消費者金融の借金が返せません"


def _read(chat: Chat) -> list[str]:
    """Everything on screen: texts, card titles and rows, button labels (not what was typed)."""
    shown = []
    for message in chat.last:
        if isinstance(message, Text):
            shown.append(message.text)
        elif isinstance(message, Card):
            shown += [message.title, message.note or ""]
            shown += [f"{label}: {value}" for label, value in message.rows if value != FIRST_MESSAGE]
        shown += [b.label for b in message.quick_replies]
        if isinstance(message, Card):
            shown += [b.label for b in message.buttons]
    return shown


async def _debt_case_by_buttons(chat: Chat, t: Callable[[str], str]) -> list[str]:
    await chat.say(chat.chosen)
    await chat.say(FIRST_MESSAGE)
    seen = _read(chat)
    for label in ("flows.common.who.self", "flows.debt.trouble.repay", "flows.debt.amount.under_50",
                  "flows.debt.income.working", "flows.common.skip", "consent.agree", "summary.send"):
        await chat.tap(t(label))
        seen += _read(chat)
    await chat.tap_first_slot()
    seen += _read(chat)
    await chat.tap(t("contact.line"))
    return seen + _read(chat)


def _not_english(text: str) -> list[str]:
    return JAPANESE.findall(text)


async def test_an_english_resident_reads_english_from_the_first_answer_to_a_booked_callback(resident_in):
    chat = resident_in("en")
    en = load_catalogue("en")
    seen = await _debt_case_by_buttons(chat, en.text)
    assert en.text("flows.debt.ack") in seen[0]
    assert any(en.text("consent.intro") in s for s in seen)
    confirmed = seen[-1]
    assert confirmed.startswith("Thank you. We passed your consultation to the desk.")
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri) \d{1,2}/\d{1,2}, around \d{1,2}:\d\d\b", confirmed), confirmed
    assert {s: _not_english(s) for s in seen if _not_english(s)} == {}


async def test_an_english_resident_in_danger_gets_english_lines_that_take_english(resident_in):
    chat = resident_in("en")
    await chat.say(chat.chosen)
    await chat.say("もう死にたい")
    body = "\n".join(_read(chat))
    en = load_catalogue("en")
    assert body.startswith(en.text("danger.guidance"))
    assert "• Police: 110" in body and "03-5774-0992" in body and "press 2" in body
    assert body.index("03-5774-0992") < body.index("0570-783-556")  # English lines first
    # The national lines' Japanese names are given in brackets, to be said on the phone.
    assert _not_english(re.sub(r"\([^()]*\)", "", body)) == []


async def test_a_resident_in_easy_japanese_reads_kana_throughout(resident_in):
    chat = resident_in("ja-easy")
    easy = load_catalogue("ja-easy")
    seen = await _debt_case_by_buttons(chat, easy.text)
    assert easy.text("flows.debt.ack") in seen[0]
    assert re.search(r"\d+がつ \d+にち（\w+ようび） \d+:\d\d ごろ", seen[-1]), seen[-1]
    nouns = load_languages()["ja-easy"].proper_nouns  # the centres' names counted: they are kana now
    for shown in seen:
        kanji_count, kana_count = kanji.count(shown, nouns)
        assert kanji_count <= kanji.LIMIT * (kanji_count + kana_count), shown
