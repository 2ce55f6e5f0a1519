"""Issue 10's conversation tests end to end: signed events into /callback, the fake Messaging
API out, the case in PostgreSQL. Nobody chooses a language: an English resident reads English
from the first answer to a booked callback, a resident writing only hiragana reads
やさしい日本語 under 15% kanji, a danger message in any language gets the emergency lines in
it, and a partial language's offer buttons are on the last message, where LINE shows them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from flows import kanji
from flows.catalogue import load_catalogue, load_languages
from flows.notices import load_emergency
from handoff.db import make_async_engine
from tests.bot.test_flows_e2e import Resident, _actions
from tests.flows.test_catalogue_in_conversation import JAPANESE
from tests.flows.test_language_conversations import ENGLISH, HIRAGANA
from tests.flows.test_languages import DANGER, FIRST_WORDS


def _texts(node: Any) -> list[str]:
    """Every text a Flex card's boxes hold, in order."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "text" else []
        return own + [t for key, value in node.items() if key != "action" for t in _texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def _shown(message: dict[str, Any]) -> list[str]:
    """What the resident sees of one LINE message: its text (or a card's), its buttons."""
    found = [message["text"]] if message["type"] == "text" else [message["altText"], *_texts(message["contents"])]
    return found + [action.get("label", "") for action in _actions(message)]


async def _talk(resident: Resident, script: list[tuple[str, str]], language: str) -> list[list[str]]:
    t = load_catalogue(language)
    replies = []
    for move, value in script:
        if move == "say":
            await resident.say(value)
        elif move == "tap":
            await resident.tap(t.text(value))
        else:
            await resident.tap_first_slot()
        replies.append([shown for message in resident.last for shown in _shown(message)])
    return replies


async def _case_language(url: str) -> tuple[str, bool]:
    engine = make_async_engine(url)
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(text("SELECT language, interpreter_needed FROM handoffs"))).one()
            return row.language, row.interpreter_needed
    finally:
        await engine.dispose()


async def test_english_from_the_first_message_to_a_booked_callback(bot, clean_database):
    resident = Resident(bot)
    replies = await _talk(resident, ENGLISH, "en")
    assert replies[-1][0].startswith("Thank you. We passed your consultation to the desk.")
    assert {s: JAPANESE.findall(s) for reply in replies for s in reply if JAPANESE.search(s)} == {}
    assert await _case_language(clean_database) == ("en", True)


async def test_hiragana_only_to_the_end_in_easy_japanese(bot, clean_database):
    resident = Resident(bot)
    replies = await _talk(resident, HIRAGANA, "ja-easy")
    assert load_catalogue("ja-easy").text("flows.debt.ack") in replies[0][0]
    nouns = load_languages()["ja-easy"].proper_nouns
    for reply in replies:
        kanji_count, kana_count = kanji.count("\n".join(reply), nouns)
        assert kanji_count <= kanji.LIMIT * (kanji_count + kana_count), reply
    assert await _case_language(clean_database) == ("ja-easy", False)


@pytest.mark.parametrize("language", list(DANGER))
async def test_a_danger_message_in_each_language_gets_the_emergency_lines_in_it(bot, clean_database, language):
    resident = Resident(bot)
    await resident.say(DANGER[language])
    t, lines = load_catalogue(language), load_emergency(language)
    body = resident.last[0]["text"]
    assert body.startswith(t.text("danger.guidance")) and "110" in body and "119" in body
    assert all(line.number in body for line in lines.lines)
    if language not in ("ja", "ja-easy"):  # the first line named takes the resident's language
        first = lines.lines[0]
        assert language in first.languages or load_languages()[language].fallback in first.languages


@pytest.mark.parametrize("language", list(FIRST_WORDS))
async def test_a_partial_languages_offer_shows_its_buttons(bot, clean_database, language):
    resident = Resident(bot)
    await resident.say(FIRST_WORDS[language])
    t = load_catalogue(language)
    assert resident.last[0]["text"].endswith(t.text("language.offer"))
    # LINE shows the quick replies of a reply's last message only.
    labels = [item["action"]["label"] for item in resident.last[-1]["quickReply"]["items"]]
    assert labels[-3:] == ["English", "やさしい にほんご", "日本語"]
    await resident.tap("English")
    assert resident.texts().startswith(load_catalogue("en").text("language.switched"))
