"""Residents answered in the language they wrote in, through the conversation core (in-memory
desk and state, embedded NLU): nobody chooses a language first here. The emergency lines in
every language, a partial language's offer, a switch mid-flow that keeps the resident's
place. A booked callback in English or やさしい日本語 and the Japanese summary staff read, as
PostgreSQL stores them: tests/handoff/desk/test_languages_cases.py."""

from __future__ import annotations

import pytest

from flows.catalogue import load_catalogue, load_languages
from flows.conversation import Conversation
from flows.notices import load_emergency
from flows.outgoing import Text
from handoff.directory import load_directory
from tests.flows.conftest import Chat
from tests.flows.test_catalogue_in_conversation import _not_english

EN = load_catalogue("en")
EASY = load_catalogue("ja-easy")
JA = load_catalogue("ja")
ENGLISH_DEBT = "I cannot repay my loans from a consumer finance company"
EDOGAWA = load_directory("edogawa")


DANGER = {
    "ja": "もう死にたい",
    "ja-easy": "もう しにたい",
    "en": "I want to die",
    "zh": "我不想活了",
    "ko": "죽고 싶어요",
    "vi": "Chồng tôi đánh tôi",
    "ne": "म मर्न चाहन्छु",
    "tl": "Gusto ko nang mamatay",
}


@pytest.mark.parametrize("language", list(DANGER))
async def test_danger_in_any_language_gets_the_emergency_lines_in_that_language(chat, language):
    out = await chat.say(DANGER[language])
    t, lines = load_catalogue(language), load_emergency(language)
    body = out[0]
    assert isinstance(body, Text)
    assert body.text.startswith(t.text("danger.guidance"))
    assert t.text("danger.lines_header") in body.text
    assert "110" in body.text and "119" in body.text
    listed = [body.text.index(x.number) for x in lines.lines]
    assert listed == sorted(listed)  # in the order flows.notices gives for this language
    if language != "ja":  # a line that takes the resident's language comes first
        first = lines.lines[0]
        assert language in first.languages or load_languages()[language].fallback in first.languages
    assert isinstance(out[1], Text) and out[1].text == t.text("danger.offer")


FIRST_WORDS = {
    "zh": "我欠了很多钱，还不起",
    "ko": "빚이 너무 많아서 갚을 수가 없어요",
    "vi": "Tôi nợ nhiều tiền và không trả được",
    "ne": "मसँग धेरै ऋण छ, तिर्न सक्दिन",
    "tl": "Marami akong utang at hindi ko na mabayaran",
}


@pytest.mark.parametrize("language", list(FIRST_WORDS))
async def test_the_first_answer_in_a_partial_language_is_in_it_and_offers_english_or_easy_japanese(chat, language):
    out = await chat.say(FIRST_WORDS[language])
    t = load_catalogue(language)
    assert t.language_of("language.offer") == language
    assert out[0] == Text(t.text("language.heard") + "\n" + t.text("language.offer"))
    # The buttons on the reply's last message: LINE shows the quick replies of that one only.
    assert [b.data for b in out[-1].quick_replies][-3:] == ["a=lang&v=en", "a=lang&v=ja-easy", "a=lang&v=ja"]
    assert all(not m.quick_replies for m in out[:-1])
    await chat.conversation.on_postback(chat.resident, "a=lang&v=en", None)  # the offer taken
    chat.last = await chat.say("Me")
    assert _not_english(chat.texts()) == []


@pytest.mark.parametrize("language", list(FIRST_WORDS))
async def test_the_offer_names_every_language_it_shows_a_button_for(chat, language):
    """The buttons are on the reply's last message, the offer's text earlier: a resident who
    reads only the text must still learn every language a button gives."""
    out = await chat.say(FIRST_WORDS[language])
    offer = load_catalogue(language).text("language.offer")
    labels = [b.label for b in out[-1].quick_replies if (b.data or "").startswith("a=lang")]
    assert labels and [label for label in labels if label not in offer] == []


async def test_a_partial_language_is_told_in_itself_that_english_and_easy_japanese_are_there(chat):
    out = await chat.say("我欠了很多钱，还不起")
    zh = load_catalogue("zh")
    assert isinstance(out[0], Text) and out[0].text == zh.text("language.heard") + "\n" + zh.text("language.offer")
    assert [b.label for b in out[-1].quick_replies][-3:] == ["English", "やさしい にほんご", "日本語"]
    # The flow itself goes on in the fallback language (やさしい日本語 for Chinese readers).
    assert out[1] == Text(EASY.text("flows.debt.ack"))
    while zh.text("consent.agree") not in [b.label for b in chat.buttons()]:
        answers = [b for b in chat.buttons() if (b.data or "").startswith("a=answer")]
        await (chat.tap(answers[0].label) if answers else chat.tap(EASY.text("flows.common.skip")))
    consent = chat.texts()
    assert zh.text("consent.intro") in consent and "同意" in consent
    # The centre is named as data/centres gives it in English: no Chinese is written there.
    desk = EDOGAWA.centre("kurashigoto")
    assert desk.name_in("en") in consent and desk.name not in consent
    await chat.say("English")  # as the offer says, typed
    assert chat.texts().startswith(EN.text("language.switched"))
    assert EN.text("consent.intro") in chat.texts()  # the same place, now in English


async def test_switching_language_mid_flow_keeps_the_question(chat):
    await chat.say(ENGLISH_DEBT)
    await chat.tap(EN.text("flows.common.who.self"))
    question_en = chat.last[-1]
    assert isinstance(question_en, Text)
    await chat.say("やさしい にほんご")
    assert chat.texts().startswith(EASY.text("language.switched"))
    question = chat.last[-1]
    assert isinstance(question, Text) and question.text != question_en.text
    assert [b.data for b in question.quick_replies] == [b.data for b in question_en.quick_replies]
    await chat.tap(question.quick_replies[0].label)  # answered in the new language, flow goes on
    await chat.say("日本語")
    assert chat.texts().startswith(JA.text("language.switched"))
    # A chosen language stays, whatever the resident writes next.
    await chat.say("I don't know")
    assert _not_english(chat.texts()) != [] and EN.text("flows.common.reask_free") not in chat.texts()


async def test_the_rich_menu_language_tile_offers_every_language(chat):
    out = await chat.conversation.on_postback(chat.resident, "a=cmd&v=language", None)
    chat.last = out
    assert out[0] == Text(JA.text("language.ask"), quick_replies=out[0].quick_replies)
    assert [b.label for b in chat.buttons()] == [x.name for x in load_languages().values()]
    await chat.tap("한국어")
    ko = load_catalogue("ko")
    assert chat.texts().startswith(ko.text("language.switched"))
    await chat.say("I want to die")  # detection does not override a choice
    assert chat.texts().startswith(ko.text("danger.guidance"))


@pytest.mark.parametrize(("start", "remembered"), [(ENGLISH_DEBT, None), ("English", "en")])
async def test_once_the_conversation_ends_only_a_picked_language_is_kept(chat, start, remembered):
    await chat.say(start)
    await chat.say("stop")
    assert chat.texts() == EN.text("conversation.stopped")
    assert await chat.conversation._state.load(chat.resident) is None  # no state kept in Redis
    assert await chat.conversation._state.lapsed(chat.resident) is False  # no "we deleted it" later
    # A language the resident picked, and nothing else (tests/flows/test_language_memory.py).
    assert await chat.conversation._state.language(chat.resident) == remembered


async def test_the_welcome_offers_every_language_and_a_tap_answers_in_it(chat):
    chat.last = await chat.conversation.welcome(chat.resident)
    assert [b.label for b in chat.buttons()] == [x.name for x in load_languages().values()]
    await chat.tap("Tiếng Việt")
    vi = load_catalogue("vi")
    assert chat.texts().startswith(vi.text("language.switched"))
    assert vi.text("language.offer") in chat.texts()
    menu = chat.last[-1]  # the menu of situations, in vi's fallback
    assert menu.quick_replies[0].label == EASY.text("conversation.choice.debt")
    assert [b.label for b in menu.quick_replies][-3:] == ["English", "やさしい にほんご", "日本語"]  # the offer's
    await chat.tap("やさしい にほんご")
    assert chat.texts().startswith(EASY.text("language.switched"))


class _UnderstandingDown:
    """The NLU server is down: its danger lexicon (local) still answers, understand fails."""

    def __init__(self, real) -> None:
        self._real = real

    async def understand(self, text: str):
        raise ConnectionError("rasa is down")

    def danger(self, text: str) -> bool:
        return bool(self._real.danger(text))


async def test_the_emergency_lines_go_out_when_the_language_cannot_be_read(state, desk, understander, clock):
    chat = Chat(Conversation(state=state, catalogue=JA,
                             understander=_UnderstandingDown(understander), desk=desk, clock=clock))
    out = await chat.say("I want to die")
    assert isinstance(out[0], Text) and out[0].text.startswith(JA.text("danger.guidance"))
    assert "110" in out[0].text and out[1] == Text(JA.text("danger.offer"), quick_replies=out[1].quick_replies)


async def test_photos_and_edited_messages_are_answered_in_the_residents_language(chat):
    await chat.say(ENGLISH_DEBT)
    out = await chat.conversation.on_media(chat.resident, "image")
    assert out[0] == Text(EN.text("media.ask_words")) and _not_english(Chat(chat.conversation, last=out).texts()) == []
    out = await chat.conversation.on_media(chat.resident, "edited")
    assert out[0] == Text(EN.text("media.edited"))


async def test_an_english_resident_types_answers_as_the_english_examples_show(chat):
    await chat.say("Hello")
    await chat.tap(EN.text("conversation.choice.family_8050"))
    await chat.tap(EN.text("flows.family_8050.relation.parent"))
    for typed in ("82 years old", "in his 50s", "10 years"):
        asked = chat.last[-1]
        await chat.say(typed)
        assert chat.last[-1] != asked, (typed, chat.texts())  # read, not asked again
    while EN.text("consent.agree") not in [b.label for b in chat.buttons()]:
        await chat.tap(EN.text("flows.common.skip"))
    await chat.tap(EN.text("consent.agree"))
    rows = dict(chat.card().rows)
    assert rows[EN.text("flows.family_8050.parent_age.label")] == "82 years old"
    assert rows[EN.text("flows.family_8050.duration.label")] == "10 years"
    assert _not_english(chat.texts()) == []
