"""One catalogue per language: ja, ja-easy and en complete with the same keys and
placeholders, partial languages falling back key by key to their declared language,
button labels that fit LINE, and やさしい日本語 that stays in kana."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows import kanji
from flows.catalogue import (
    CatalogueError,
    MissingMessage,
    UnknownLanguage,
    load_catalogue,
    load_languages,
    supported_languages,
)
from flows.definition import load_flows
from flows.limits import LABEL_MAX

COMPLETE = ("ja", "ja-easy", "en")
PARTIAL = ("zh", "ko", "vi", "ne", "tl")
# What issue 10 asks of every partial language: the first answer, the emergency-lines text,
# the consent summary, and the offer to continue in English or やさしい日本語.
PARTIAL_MUST_OWN = (
    "welcome", "welcome_back",
    "danger.guidance", "danger.lines_header", "danger.line", "danger.offer", "danger.offer_yes",
    "danger.offer_no", "danger.declined", "danger.urgent_contact",
    "consent.intro", "consent.agree", "consent.refuse", "consent.refused", "consent.centre_info",
    "language.ask", "language.switched", "language.offer", "language.heard",
)
# Keys shown as a button label (flow options and step labels are added from the flows).
BUTTON_KEYS = (
    "flows.common.back", "conversation.consult_anyway", "conversation.delete_yes",
    "conversation.delete_no", "conversation.skip_to_consent", "danger.offer_yes", "danger.offer_no",
    "consent.agree", "consent.refuse", "summary.send", "summary.fix", "slot.other_day", "slot.later",
    "contact.phone", "contact.line", "returning.add", "returning.new",
    "reminder.keep", "reminder.move", "reminder.cancel", "reminder.no_change",
    "reminder.cancel_yes", "reminder.cancel_no", "reminder.new_time",
    *(f"conversation.choice.{c}" for c in
      ("debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "general")),
)
LINE_LABEL_MAX = LABEL_MAX
JA = load_catalogue("ja")


def test_the_supported_languages_by_their_own_names():
    assert [(x.code, x.name) for x in supported_languages()] == [
        ("en", "English"), ("ja-easy", "やさしい にほんご"), ("ja", "日本語"), ("zh", "中文"),
        ("ko", "한국어"), ("vi", "Tiếng Việt"), ("ne", "नेपाली"), ("tl", "Tagalog"),
    ]
    languages = load_languages()
    assert {code for code, x in languages.items() if x.complete} == set(COMPLETE)
    assert {code: languages[code].fallback for code in PARTIAL} == {
        "zh": "ja-easy", "ko": "ja-easy", "vi": "ja-easy", "ne": "en", "tl": "en"}


@pytest.mark.parametrize("language", ["en", "ja-easy"])
def test_complete_languages_have_every_key_of_ja_with_the_same_placeholders(language):
    catalogue = load_catalogue(language)
    assert catalogue.own_keys() == JA.own_keys()
    for key in JA.own_keys():
        assert catalogue.placeholders(key) == JA.placeholders(key), key
        assert catalogue.language_of(key) == language
        assert catalogue.text(key).strip(), key


@pytest.mark.parametrize("language", PARTIAL)
def test_partial_languages_match_ja_and_own_what_the_issue_requires(language):
    catalogue = load_catalogue(language)
    own = set(catalogue.own_keys())
    assert own <= set(JA.own_keys()), sorted(own - set(JA.own_keys()))
    assert set(PARTIAL_MUST_OWN) <= own, sorted(set(PARTIAL_MUST_OWN) - own)
    for key in own:
        assert catalogue.placeholders(key) == JA.placeholders(key), key
    assert catalogue.keys() == JA.keys()  # with the fallback, nothing is missing


def test_a_partial_language_falls_back_key_by_key_to_its_declared_language():
    zh, ne = load_catalogue("zh"), load_catalogue("ne")
    assert zh.language_of("danger.guidance") == "zh"
    assert zh.language_of("flows.debt.ack") == "ja-easy"
    assert zh.text("flows.debt.ack") == load_catalogue("ja-easy").text("flows.debt.ack")
    assert ne.language_of("consent.agree") == "ne"
    assert ne.language_of("summary.title") == "en"
    assert ne.text("slot.ask") == load_catalogue("en").text("slot.ask")


@pytest.mark.parametrize("language", COMPLETE)
def test_a_complete_language_never_falls_back(language):
    catalogue = load_catalogue(language)
    assert {catalogue.language_of(key) for key in catalogue.keys()} == {language}
    with pytest.raises(MissingMessage):
        catalogue.text("no.such.key")


def test_an_unknown_language_is_refused():
    with pytest.raises(UnknownLanguage):
        load_catalogue("fr")


def _declare(tmp_path: Path, languages: str) -> Path:
    (tmp_path / "languages.yml").write_text(languages, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("declared", [
    "ja: {name: 日本語, complete: true, fallback: en}\nen: {name: English, complete: true}\n",
    "ja: {name: 日本語, complete: true}\nzh: {name: 中文}\n",  # partial without a fallback
    "ja: {name: 日本語, complete: true}\nzh: {name: 中文, fallback: ko}\nko: {name: 한국어, fallback: ja}\n",
])
def test_a_declaration_that_could_hide_a_gap_is_refused(tmp_path, declared):
    with pytest.raises(CatalogueError):
        load_languages(_declare(tmp_path, declared))


def test_the_old_glob_trap_is_gone(tmp_path):
    """ja-easy lives in its own folder: loading ja never reads it."""
    directory = _declare(tmp_path, "ja: {name: 日本語, complete: true}\n"
                                   "ja-easy: {name: やさしい にほんご, complete: true}\n")
    for code, text in (("ja", "日本語です"), ("ja-easy", "にほんごです")):
        (directory / code).mkdir()
        (directory / code / "main.yml").write_text(f"hello: {text}\n", encoding="utf-8")
    assert load_catalogue("ja", directory).text("hello") == "日本語です"


@pytest.mark.parametrize("language", COMPLETE)
def test_every_flow_loads_and_every_button_label_fits_line(language):
    catalogue = load_catalogue(language)
    flows = load_flows(catalogue)  # every message key of every flow exists in this language
    keys = set(BUTTON_KEYS)
    for flow in flows.values():
        keys |= {flow.choice} if flow.choice else set()  # its button on the menu
        for step in flow.steps.values():
            keys |= {step.label, *(o.label for o in step.options)}
    too_long = {key: catalogue.text(key) for key in keys if len(catalogue.text(key)) > LINE_LABEL_MAX}
    assert not too_long
    label = catalogue.text("slot.label", month=12, day=30, weekday=catalogue.weekday(2), hour=16, minute=30)
    assert len(label) <= LINE_LABEL_MAX, label


@pytest.mark.parametrize("language", [*COMPLETE, *PARTIAL])
def test_button_labels_of_partial_languages_fit_line_too(language):
    catalogue = load_catalogue(language)
    assert all(len(catalogue.text(k)) <= LINE_LABEL_MAX for k in BUTTON_KEYS if k in catalogue)
    assert all(len(x.name) <= LINE_LABEL_MAX for x in supported_languages())


@pytest.mark.parametrize("language", COMPLETE)
def test_seven_weekday_names_monday_first(language):
    catalogue = load_catalogue(language)
    names = [catalogue.weekday(i) for i in range(7)]
    assert len(set(names)) == 7
    assert names[0] == {"ja": "月", "ja-easy": "げつようび", "en": "Mon"}[language]


# ---- やさしい日本語 ----------------------------------------------------------------------

def test_the_kanji_share_counts_kanji_against_kana_only():
    assert kanji.count("漢字と かな、123 ABC・ー") == (2, 4)
    assert kanji.count("「{centre}」で 相談") == (2, 1)
    assert kanji.count("いのちの電話 です", ("いのちの電話",)) == (0, 2)


def test_every_easy_japanese_message_is_at_most_15_percent_kanji():
    shares = kanji.measure()
    assert len(shares) > len(JA.own_keys())  # catalogue, consent and emergency lines
    over = [(s.where, f"{s.share:.1%}") for s in shares if s.share > kanji.LIMIT]
    assert not over


def test_easy_japanese_puts_spaces_between_phrases():
    """分かち書き: no run of 12 or more kana/kanji without a space or punctuation."""
    nouns = load_languages()["ja-easy"].proper_nouns
    long_runs = {}
    for where, text in kanji.easy_japanese_texts().items():
        for noun in nouns:
            text = text.replace(noun, " ")
        for run in re.findall(r"[\u3041-\u30fa\u30fc\u4e00-\u9fff]{12,}", text):
            long_runs[where] = run
    assert not long_runs


KEIGO_AND_DOUBLE_NEGATIVES = ("いたします", "おります", "いただ", "させて", "ございません", "申し",
                              "ご覧", "なければ", "ないわけ", "なくは", "ないことは", "でしょうか")


def test_easy_japanese_keeps_to_desu_masu_and_says_things_once():
    found = {where: word for where, text in kanji.easy_japanese_texts().items()
             for word in KEIGO_AND_DOUBLE_NEGATIVES if word in text}
    assert not found
