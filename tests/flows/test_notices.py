"""Consent texts and emergency lines per language: the verified national lines stay, the
foreign-language lines come first for anyone not answered in Japanese, every line speaks
the resident's language, and anything unconfirmed says so where the resident reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.catalogue import UnknownLanguage, load_catalogue, load_languages, supported_languages
from flows.commands import load_words
from flows.notices import (
    DATA_DIR,
    NoticeError,
    load_consent,
    load_emergency,
    load_line_facts,
    load_line_texts,
)

LANGUAGES = [x.code for x in supported_languages()]
FOREIGN = [code for code in LANGUAGES if code != "ja"]
# The national lines that were verified before issue 10, in the order Japanese residents see.
VERIFIED = ["110", "119", "0120-279-338", "0570-783-556", "0570-064-556", "0120-279-889", "189",
            "#8000", "#7119"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_its_consent_with_the_centre_and_a_working_withdrawal(language):
    consent = load_consent(language)
    assert consent.version.startswith("2026-11-")
    assert "{centre}" in consent.template and consent.template.count("{") == 1
    assert "くらしごと相談室" in consent.text("くらしごと相談室")
    # The words the text tells the resident to send really withdraw.
    assert consent.delete_command and consent.delete_command in consent.template
    assert load_words().command(consent.delete_command) == "delete_data"
    # The button the text names is the button the resident sees.
    assert load_catalogue(language).text("consent.agree") in consent.template


def test_consent_versions_differ_by_language_and_the_japanese_one_is_unchanged():
    versions = {load_consent(code).version for code in LANGUAGES}
    assert len(versions) == len(LANGUAGES)
    assert load_consent().version == "2026-11-c12795d4"  # as recorded before issue 10


def test_japanese_residents_see_exactly_the_verified_national_lines():
    lines = load_emergency("ja")
    assert [x.number for x in lines.emergency + lines.lines] == VERIFIED
    assert [x.name for x in lines.lines][:2] == ["よりそいホットライン", "いのちの電話（ナビダイヤル）"]
    assert not any(x.sample for x in lines.emergency + lines.lines)


@pytest.mark.parametrize("language", FOREIGN)
def test_foreign_language_lines_come_first_and_take_the_residents_language(language):
    lines = load_emergency(language)
    japanese_only = [x.languages == ("ja",) for x in lines.lines]
    assert not japanese_only[0] and japanese_only == sorted(japanese_only)  # foreign, then national
    fallback = load_languages()[language].fallback
    for line in lines.lines[: japanese_only.index(True)]:
        assert {language, fallback, "many"} & set(line.languages), line.name
    # 110, 119 and every verified national number are still there, each once.
    shown = [x.number for x in lines.emergency + lines.lines]
    assert set(VERIFIED) <= set(shown) and len(shown) == len(set(shown))


def test_who_gets_which_foreign_line():
    def numbers(language: str) -> list[str]:
        return [x.number for x in load_emergency(language).lines]

    tell, yorisoi = "03-5774-0992", "0120-279-338"
    assert tell in numbers("en") and tell in numbers("ne") and tell in numbers("tl")  # fallback en
    assert tell not in numbers("zh") and tell not in numbers("ja-easy")
    assert numbers("en")[0] == yorisoi  # the foreign-language line, press 2
    assert numbers("ja-easy")[0] == "03-6258-1227"  # TMC Navi takes やさしい日本語
    assert numbers("ne").index(tell) > numbers("ne").index("03-6258-1227")  # Nepali first


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_line_is_named_in_the_residents_own_language(language):
    texts = load_line_texts(language)
    everything = {x.id for group in load_line_facts().values() for x in group}
    assert set(texts.names) == everything
    japanese = load_line_texts("ja")
    if language not in ("ja", "ja-easy"):
        # Names and hours are written in this language, not copied from the Japanese file.
        assert all(texts.names[i][1] != japanese.names[i][1] for i in everything if i != "kyukyu_7119")
    catalogue = load_catalogue(language)
    for line in load_emergency(language).emergency + load_emergency(language).lines:
        shown = catalogue.text("danger.line", name=line.name, number=line.number, hours=line.hours)
        assert line.number in shown and line.name in shown


@pytest.mark.parametrize("language", FOREIGN)
def test_unconfirmed_lines_carry_a_visible_note_and_confirmed_ones_do_not(language):
    note = load_line_texts(language).sample_note
    assert note.strip()
    for line in load_emergency(language).emergency + load_emergency(language).lines:
        assert line.hours.endswith(note) == line.sample, line.name


def test_every_line_says_where_it_was_read():
    for group in load_line_facts().values():
        for line in group:
            assert line.source and line.languages, line.id


def test_the_lines_of_a_language_not_declared_are_refused():
    with pytest.raises(UnknownLanguage):
        load_emergency("fr")


def test_a_line_text_broken_by_a_stray_comma_is_refused(tmp_path: Path):
    data = tmp_path / "data"
    for sub in ("emergency", "messages"):
        (data / sub).mkdir(parents=True)
    (data / "messages" / "languages.yml").write_text(
        (DATA_DIR / "messages" / "languages.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (data / "emergency" / "lines.yml").write_text(
        (DATA_DIR / "emergency" / "lines.yml").read_text(encoding="utf-8"), encoding="utf-8")
    ko = yaml.safe_load((DATA_DIR / "emergency" / "ko.yml").read_text(encoding="utf-8"))
    text = (DATA_DIR / "emergency" / "ko.yml").read_text(encoding="utf-8")
    (data / "emergency" / "ko.yml").write_text(
        text.replace('"24시간・영어 가능, 통역 요청 가능"', "24시간・영어 가능, 통역 요청 가능"), encoding="utf-8")
    assert ko["lines"]["police"]["hours"] == "24시간・영어 가능, 통역 요청 가능"
    with pytest.raises(NoticeError):
        load_line_texts("ko", data)
