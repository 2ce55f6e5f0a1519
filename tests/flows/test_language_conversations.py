"""Issue 10's conversation tests on the conversation core (in-memory desk and state, the real
NLU), with nobody choosing a language: a resident who writes English from the first message
reads English to a booked callback; one who writes only hiragana reads やさしい日本語 to the
end, every reply at most 15% kanji. The same through /callback: tests/bot/test_languages_e2e.py.
The emergency lines in every language: tests/flows/test_languages.py."""

from __future__ import annotations

import re

from flows import kanji
from flows.catalogue import load_catalogue, load_languages
from tests.flows.conftest import Chat
from tests.flows.test_catalogue_in_conversation import _not_english, _read

EN = load_catalogue("en")
EASY = load_catalogue("ja-easy")

# (what the resident writes or taps, by catalogue key), first message to the booked callback.
ENGLISH = [
    ("say", "I lost my job and I cannot pay my rent and my loans"), ("tap", "flows.common.who.self"),
    ("say", "It is hard to pay back every month"), ("say", "about 2 million yen"),
    ("tap", "flows.debt.income.not_working"), ("say", "Koiwa"), ("tap", "consent.agree"),
    ("tap", "summary.send"), ("slot", ""), ("tap", "contact.phone"), ("say", "090-1234-5678"),
]
HIRAGANA = [
    ("say", "しゃっきんが かえせなくて こまっています"), ("tap", "flows.common.who.self"),
    ("say", "へんさいが たいへんです"), ("say", "200まんえん くらい"),
    ("tap", "flows.debt.income.working"), ("say", "こいわ"), ("tap", "consent.agree"),
    ("tap", "summary.send"), ("slot", ""), ("tap", "contact.phone"), ("say", "090-1234-5678"),
]


async def _talk(chat: Chat, script: list[tuple[str, str]], language: str) -> list[list[str]]:
    """Every reply as shown (texts, cards, button labels), the script followed to its end."""
    t = load_catalogue(language)
    replies = []
    for move, value in script:
        if move == "say":
            await chat.say(value)
        elif move == "tap":
            await chat.tap(t.text(value))
        else:
            await chat.tap_first_slot()
        replies.append(_read(chat))
    return replies


async def test_an_english_resident_reads_english_from_the_first_message_to_a_booked_callback(chat, desk):
    replies = await _talk(chat, ENGLISH, "en")
    assert EN.text("flows.debt.ack") in replies[0][0]
    assert any(EN.text("consent.intro") in shown for shown in replies[5])
    assert replies[-1][0].startswith("Thank you. We passed your consultation to the desk.")
    assert "090-1234-5678" in replies[-1][0] or "09012345678" in replies[-1][0]
    assert {shown: _not_english(shown) for reply in replies for shown in reply if _not_english(shown)} == {}
    (case,) = desk.cases.values()
    assert case.request.language == "en" and case.request.phone == "09012345678"


async def test_a_resident_who_writes_only_hiragana_reads_easy_japanese_to_the_end(chat, desk):
    assert all(re.fullmatch(r"[\u3040-\u309f\s\d\-]+", value) for move, value in HIRAGANA if move == "say")
    replies = await _talk(chat, HIRAGANA, "ja-easy")
    assert EASY.text("flows.debt.ack") in replies[0][0]
    assert re.search(r"\d+がつ \d+にち（\w+ようび） \d+:\d\d ごろ", replies[-1][0]), replies[-1][0]
    nouns = load_languages()["ja-easy"].proper_nouns
    for reply in replies:
        kanji_count, kana_count = kanji.count("\n".join(reply), nouns)
        assert kanji_count <= kanji.LIMIT * (kanji_count + kana_count), reply
    (case,) = desk.cases.values()
    assert case.request.language == "ja-easy"
    assert "200まんえん" in case.request.summary  # the amount as written, kana and all
