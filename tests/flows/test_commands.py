"""The words a resident can type at any moment: anytime commands in Japanese, やさしい日本語
and English, "answer me in this language", and yes/no in every language a button is in."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.catalogue import load_catalogue, supported_languages
from flows.commands import AmbiguousWord, SwitchLanguage, load_words
from flows.definition import load_flows

WORDS = load_words()
COMPLETE = ("ja", "ja-easy", "en")


@pytest.mark.parametrize(("typed", "command"), [
    ("やめる", "stop"), ("Stop", "stop"), ("stop please", "stop"),
    ("最初から", "restart"), ("さいしょから", "restart"), ("Start over", "restart"),
    ("戻る", "back"), ("もどる", "back"), ("Go back", "back"),
    ("人と話したい", "human"), ("ひとと はなしたい", "human"), ("Talk to a person", "human"),
    ("わたしのデータを消す", "delete_data"), ("わたしの データを けす", "delete_data"),
    ("Delete my data!", "delete_data"), ("删除我的数据", "delete_data"), ("Xóa dữ liệu của tôi", "delete_data"),
])
def test_anytime_commands_in_japanese_easy_japanese_and_english(typed, command):
    assert WORDS.command(typed) == command


@pytest.mark.parametrize("typed", ["仕事をやめる", "I want to stop paying my debt", "back pain", "データ"])
def test_a_command_word_inside_a_sentence_is_not_a_command(typed):
    assert WORDS.command(typed) is None


@pytest.mark.parametrize(("typed", "language"), [
    ("English", "en"), ("english", "en"), ("えいご", "en"), ("英語", "en"),
    ("やさしい にほんご", "ja-easy"), ("やさしい日本語", "ja-easy"), ("Easy Japanese", "ja-easy"),
    ("にほんご", "ja"), ("日本語", "ja"), ("Japanese", "ja"),
    ("中文", "zh"), ("中国語", "zh"), ("Chinese", "zh"),
    ("한국어", "ko"), ("韓国語", "ko"), ("Korean", "ko"),
    ("Tiếng Việt", "vi"), ("tieng viet", "vi"), ("Vietnamese", "vi"), ("ベトナム語", "vi"),
    ("नेपाली", "ne"), ("Nepali", "ne"), ("ネパール語", "ne"),
    ("Tagalog", "tl"), ("Filipino", "tl"), ("タガログ語", "tl"),
    ("Language", None), ("言語", None), ("ことば", None), ("언어", None), ("Language / ことば", None),
])
def test_typing_a_language_asks_to_switch_to_it(typed, language):
    assert WORDS.switch_language(typed) == SwitchLanguage(language)


def test_every_language_can_be_asked_for_by_its_own_name():
    for language in supported_languages():
        assert WORDS.switch_language(language.name) == SwitchLanguage(language.code)


@pytest.mark.parametrize("typed", ["英語の先生に相談したい", "I speak English a little", "はい", "やめる"])
def test_other_messages_are_not_a_language_request(typed):
    assert WORDS.switch_language(typed) is None


YES_NO_BUTTONS = (
    ("consent.agree", True), ("consent.refuse", False),
    ("danger.offer_yes", True), ("danger.offer_no", False),
    ("conversation.delete_yes", True), ("conversation.delete_no", False),
    ("reminder.cancel_yes", True), ("reminder.cancel_no", False),
)


@pytest.mark.parametrize("language", [x.code for x in supported_languages()])
def test_typing_a_yes_no_buttons_label_means_what_the_button_means(language):
    catalogue = load_catalogue(language)
    for key, meaning in YES_NO_BUTTONS:
        if catalogue.language_of(key) == language:  # the partial languages' own buttons
            assert WORDS.yes_no(catalogue.text(key)) is meaning, (key, catalogue.text(key))


@pytest.mark.parametrize("language", COMPLETE)
def test_no_command_or_language_word_swallows_an_answer(language):
    """Commands come before answers: no option label may be a command, except 戻る itself."""
    catalogue = load_catalogue(language)
    for flow in load_flows(catalogue).values():
        for step in flow.steps.values():
            for option in step.options:
                label = catalogue.text(option.label)
                assert WORDS.command(label) is None, label
                assert WORDS.switch_language(label) is None, label
    assert WORDS.command(catalogue.text("flows.common.back")) == "back"


@pytest.mark.parametrize("clash", [
    "commands:\n  stop: [やめる]\n  restart: [やめる]\n  back: []\n  human: []\n  delete_data: []\n"
    "languages: {}\naffirm: []\ndeny: []\n",
    "commands:\n  stop: [english]\n  restart: []\n  back: []\n  human: []\n  delete_data: []\n"
    "languages: {en: [English]}\naffirm: []\ndeny: []\n",
    "commands:\n  stop: []\n  restart: []\n  back: []\n  human: []\n  delete_data: []\n"
    "languages: {}\naffirm: [OK]\ndeny: [ok]\n",
])
def test_a_word_with_two_meanings_is_refused_at_load(tmp_path: Path, clash):
    path = tmp_path / "commands.yml"
    path.write_text(clash, encoding="utf-8")
    with pytest.raises(AmbiguousWord):
        load_words(path)


def test_a_language_not_declared_is_refused(tmp_path: Path):
    path = tmp_path / "commands.yml"
    path.write_text("commands:\n  stop: []\n  restart: []\n  back: []\n  human: []\n  delete_data: []\n"
                    "languages: {fr: [français]}\naffirm: []\ndeny: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fr"):
        load_words(path)
