"""What a resident reads of the ward directory comes in their language: every ward's names,
hours and sample notes in English and やさしい日本語, Japanese kept for staff, and a language
with no translation reading English, then Japanese."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from flows import kanji
from flows.catalogue import load_catalogue, load_languages
from flows.notices import load_consent
from handoff.desk import routing_in
from handoff.directory import (
    DATA_DIR,
    DirectoryError,
    load_directory,
    parse_directory,
    reading_order,
)
from handoff.routing import route

WARDS = ["edogawa", "nerima", "toshima"]
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")  # incl. （）・〜 and full-width
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PARTIAL = [code for code, declared in load_languages().items() if not declared.complete]


def _raw(ward: str = "edogawa") -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load((DATA_DIR / "centres" / f"{ward}.yml").read_text(encoding="utf-8"))
    return raw


def _resident_texts(ward: str, language: str) -> list[str]:
    directory = load_directory(ward)
    texts = [directory.ward_name_in(language)]
    for centre in directory.centres.values():
        texts += [centre.name_in(language), centre.text_in("short_name", language)]
        texts += [centre.shown(field_name, language) for field_name in ("phone", "hours")]
    return texts


@pytest.mark.parametrize("ward", WARDS)
def test_english_names_hours_and_notes_have_no_japanese_script(ward: str) -> None:
    for text in _resident_texts(ward, "en"):
        assert JAPANESE.findall(text) == [], text


@pytest.mark.parametrize("ward", WARDS)
def test_easy_japanese_names_hours_and_notes_are_in_kana(ward: str) -> None:
    for text in _resident_texts(ward, "ja-easy"):
        assert KANJI.findall(text) == [], text
        assert kanji.count(text)[1] > 0, text
        assert not re.findall(r"[\u3041-\u30fa\u30fc]{12,}", text), text  # spaces between phrases


@pytest.mark.parametrize("ward", WARDS)
def test_staff_and_japanese_residents_read_the_japanese_source(ward: str) -> None:
    raw, directory = _raw(ward), load_directory(ward)
    assert directory.ward_name == directory.ward_name_in("ja") == raw["name"]["ja"]
    for code, centre in directory.centres.items():
        assert centre.name == centre.name_in("ja") == directory.centre_name(code) == raw["centres"][code]["name"]["ja"]
        assert centre.shown("hours") == centre.shown("hours", "ja")
        assert "見本" in centre.shown("phone")
        # A phone number is the same digits in every language; only its note is translated.
        assert centre.shown("phone", "en") == centre.phone + centre.sample_notes["phone"].in_("en")


@pytest.mark.parametrize("language", PARTIAL)
def test_a_partial_language_reads_english_where_nothing_is_written_in_it(language: str) -> None:
    directory = load_directory("edogawa")
    centre = directory.centre("kurashigoto")
    assert centre.name_in(language) == centre.name_in("en") != centre.name
    assert directory.ward_name_in(language) == "Edogawa City"
    assert centre.shown("hours", language) == centre.shown("hours", "en")
    assert reading_order(language) == (language, "en", "ja")


def test_a_translation_given_is_used_and_a_missing_one_falls_back_en_then_ja() -> None:
    raw = _raw()
    raw["centres"]["kurashigoto"]["name"]["zh"] = "生活与工作咨询室"
    del raw["centres"]["hikikomori"]["name"]["en"]
    raw["centres"]["nagomi"]["name"] = "なごみの家"  # a plain string: Japanese only
    directory = parse_directory(raw)
    assert directory.centre_name("kurashigoto", "zh") == "生活与工作咨询室"
    assert directory.centre_name("kurashigoto", "ko") == directory.centre_name("kurashigoto", "en")
    assert directory.centre_name("hikikomori", "ko") == "ひきこもり相談窓口"  # no en: the Japanese
    assert directory.centre_name("hikikomori", "en") == "ひきこもり相談窓口"
    assert {directory.centre_name("nagomi", code) for code in load_languages()} == {"なごみの家"}
    assert directory.centre_name("gone", "en") == "gone"  # a case outliving a directory change


def test_easy_japanese_without_its_own_text_reads_the_japanese_not_english() -> None:
    raw = _raw()
    del raw["centres"]["kurashigoto"]["name"]["ja-easy"]
    directory = parse_directory(raw)
    assert directory.centre_name("kurashigoto", "ja-easy") == "くらしごと相談室"
    assert reading_order("ja-easy") == ("ja-easy", "ja")


@pytest.mark.parametrize("bad", [{"en": "No Japanese"}, {"ja": "くらしごと相談室", "english": "typo"},
                                 {"ja": "くらしごと相談室", "en": ""}])
def test_a_name_without_japanese_or_with_an_unknown_language_fails_at_load(bad: dict[str, str]) -> None:
    raw = _raw()
    raw["centres"]["kurashigoto"]["name"] = bad
    with pytest.raises(DirectoryError, match="kurashigoto"):
        parse_directory(raw)


@pytest.mark.parametrize("ward", WARDS)
def test_every_routing_reason_with_its_centres_stays_plain_for_each_reader(ward: str) -> None:
    """The consent prompt's first lines (why this centre, with whom) as each ward fills them:
    ≤ 15% kanji in やさしい日本語, no Japanese script in English."""
    directory = load_directory(ward)
    easy, en = load_catalogue("ja-easy"), load_catalogue("en")
    nouns = load_languages()["ja-easy"].proper_nouns
    for situation in [*directory.rules.situations, "crisis"]:
        for facts in ({}, {"age": 70}, {"children": True}, {"disability": True}):
            chosen = route(directory, situations=[] if situation == "crisis" else [situation], facts=facts,
                           urgent=situation == "crisis")
            for t, check in ((easy, "kanji"), (en, "script")):
                told = routing_in(chosen, t.language)
                text = t.text(told.reason, centre=told.centre.name,
                              centres=t.text("centres_joined_by").join(told.involved[1:]))
                text += "\n" + load_consent(t.language).text(told.centre.name) + "\n" + told.centre.hours
                if check == "script":
                    assert JAPANESE.findall(text) == [], text
                else:
                    kanji_count, kana_count = kanji.count(text, nouns)
                    assert kanji_count <= kanji.LIMIT * (kanji_count + kana_count), text
