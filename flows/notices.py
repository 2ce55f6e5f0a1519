"""Fixed texts kept as data beside the catalogue, per language: the consent text (versioned)
and the emergency phone lines shown when danger is detected.

Both are strict: a declared language without its consent or emergency file, or a line
without its name in that language, fails at load, never at the moment of danger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from flows.catalogue import DEFAULT_LANGUAGE, Language, UnknownLanguage, load_languages

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ANY_LANGUAGE = "many"  # a line that takes many languages without the source naming them


class NoticeError(ValueError):
    """An emergency or consent file that would leave a resident without their text."""


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _declared(language: str, data_dir: Path) -> Language:
    declared = load_languages(data_dir / "messages").get(language)
    if declared is None:
        raise UnknownLanguage(language)
    return declared


@dataclass(frozen=True)
class ConsentText:
    version: str  # "<declared>-<hash of the text>": a reworded text gets a new version
    template: str
    scope: tuple[str, ...] = ("share_answers_with_centre", "sensitive_details", "contact_details")
    delete_command: str = ""  # the words the text tells the resident to send to withdraw

    def text(self, centre: str) -> str:
        return self.template.format(centre=centre)


@lru_cache
def load_consent(language: str = DEFAULT_LANGUAGE, data_dir: Path = DATA_DIR) -> ConsentText:
    _declared(language, data_dir)
    raw = _read(data_dir / "consent" / f"{language}.yml")
    template = str(raw["text"]).rstrip("\n")
    digest = hashlib.sha256(template.encode("utf-8")).hexdigest()[:8]
    return ConsentText(version=f"{raw['version']}-{digest}", template=template,
                       delete_command=str(raw.get("delete_command", "")))


@dataclass(frozen=True)
class PhoneLine:
    name: str
    number: str
    hours: str  # in the resident's language, with the sample note when unconfirmed
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    sample: bool = False


@dataclass(frozen=True)
class EmergencyLines:
    emergency: tuple[PhoneLine, ...]
    lines: tuple[PhoneLine, ...]


@dataclass(frozen=True)
class LineFacts:
    """One line as ``data/emergency/lines.yml`` declares it, before any wording."""

    id: str
    number: str
    languages: tuple[str, ...]
    sample: bool
    source: str
    replaces: str | None = None

    def takes(self, language: str) -> bool:
        return language in self.languages or ANY_LANGUAGE in self.languages


GROUPS = ("emergency", "lines", "foreign_language_lines")


@lru_cache
def load_line_facts(data_dir: Path = DATA_DIR) -> dict[str, tuple[LineFacts, ...]]:
    raw = _read(data_dir / "emergency" / "lines.yml")
    facts = {
        group: tuple(
            LineFacts(
                id=str(x["id"]), number=str(x["number"]),
                languages=tuple(str(code) for code in x["languages"]),
                sample=bool(x.get("sample", False)), source=str(x["source"]).strip(),
                replaces=str(x["replaces"]) if x.get("replaces") else None,
            )
            for x in raw[group]
        )
        for group in GROUPS
    }
    ids = [line.id for group in facts.values() for line in group]
    if len(ids) != len(set(ids)):
        raise NoticeError("data/emergency/lines.yml: a line id is used twice")
    return facts


@dataclass(frozen=True)
class LineTexts:
    sample_note: str
    names: dict[str, tuple[str, str]]  # line id -> (name, hours)


@lru_cache
def load_line_texts(language: str = DEFAULT_LANGUAGE, data_dir: Path = DATA_DIR) -> LineTexts:
    _declared(language, data_dir)
    raw = _read(data_dir / "emergency" / f"{language}.yml")
    names: dict[str, tuple[str, str]] = {}
    for line_id, text in raw["lines"].items():
        # A stray ASCII comma in a YAML flow mapping silently makes a third key: refuse it.
        if not isinstance(text, dict) or set(text) != {"name", "hours"}:
            raise NoticeError(f"data/emergency/{language}.yml: {line_id} needs exactly name and hours")
        names[str(line_id)] = (str(text["name"]), str(text["hours"]))
    missing = {line.id for group in load_line_facts(data_dir).values() for line in group} - set(names)
    if missing:
        raise NoticeError(f"data/emergency/{language}.yml: no text for {sorted(missing)}")
    return LineTexts(sample_note=str(raw.get("sample_note", "")), names=names)


def _shown(line: LineFacts, texts: LineTexts) -> PhoneLine:
    name, hours = texts.names[line.id]
    if line.sample:
        hours += texts.sample_note
    return PhoneLine(name=name, number=line.number, hours=hours, languages=line.languages, sample=line.sample)


@lru_cache
def load_emergency(language: str = DEFAULT_LANGUAGE, data_dir: Path = DATA_DIR) -> EmergencyLines:
    """110/119, then the lines for this resident: for Japanese the national lines as always;
    for anyone else first the foreign-language lines that take their language (then their
    catalogue's fallback language), then the national lines."""
    facts = load_line_facts(data_dir)
    texts = load_line_texts(language, data_dir)
    chosen: list[LineFacts] = []
    if language != DEFAULT_LANGUAGE:
        for wanted in (language, _declared(language, data_dir).fallback):
            chosen += [x for x in facts["foreign_language_lines"]
                       if wanted and x.takes(wanted) and x not in chosen]
    replaced = {x.replaces for x in chosen if x.replaces}
    chosen += [x for x in facts["lines"] if x.id not in replaced]
    return EmergencyLines(
        emergency=tuple(_shown(x, texts) for x in facts["emergency"]),
        lines=tuple(_shown(x, texts) for x in chosen),
    )
