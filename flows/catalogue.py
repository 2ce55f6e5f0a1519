"""Every resident-facing sentence, one catalogue per language: ``data/messages/<code>/*.yml``.

Code refers to messages by key; wording changes never touch code. The languages are
declared in ``data/messages/languages.yml``: a *complete* language (ja, ja-easy, en) has
every key and never falls back, so a missing sentence fails loudly instead of reaching a
resident in a language they did not choose; a *partial* language (zh, ko, vi, ne, tl)
takes each key it lacks from its declared complete fallback, one key at a time.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES_DIR = Path(__file__).resolve().parent.parent / "data" / "messages"
LANGUAGES_FILE = "languages.yml"
DEFAULT_LANGUAGE = "ja"


class MissingMessage(KeyError):
    pass


class UnknownLanguage(KeyError):
    pass


class CatalogueError(ValueError):
    """A language declaration that would let a resident meet a silent gap."""


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, or "ja-easy" for やさしい日本語
    name: str  # its own name, as a resident picks it
    complete: bool
    fallback: str | None = None  # partial languages only: a complete language
    proper_nouns: tuple[str, ...] = ()  # names the kanji-share measure skips (ja-easy)


class Catalogue:
    def __init__(self, entries: dict[str, str], language: str = DEFAULT_LANGUAGE,
                 fallback: Catalogue | None = None) -> None:
        self._entries = entries
        self.language = language
        self._fallback = fallback

    def __contains__(self, key: str) -> bool:
        return key in self._entries or (self._fallback is not None and key in self._fallback)

    def keys(self) -> list[str]:
        """Every key this catalogue answers, its own and its fallback's."""
        own = set(self._entries)
        return sorted(own | set(self._fallback.keys()) if self._fallback else own)

    def own_keys(self) -> list[str]:
        """The keys written in this language itself."""
        return sorted(self._entries)

    def language_of(self, key: str) -> str:
        """The language the sentence for ``key`` is actually written in."""
        if key in self._entries:
            return self.language
        if self._fallback is not None and key in self._fallback:
            return self._fallback.language_of(key)
        raise MissingMessage(key)

    def template(self, key: str) -> str:
        if key in self._entries:
            return self._entries[key]
        if self._fallback is not None:
            return self._fallback.template(key)
        raise MissingMessage(key)

    def text(self, key: str, **values: Any) -> str:
        template = self.template(key)
        return template.format(**values) if values else template

    def placeholders(self, key: str) -> frozenset[str]:
        return placeholders_of(self.template(key))

    def weekday(self, index: int) -> str:
        """Monday is 0. ``slot.weekdays`` is seven names split by spaces, or seven characters."""
        names = self.template("slot.weekdays")
        return (names.split() if " " in names else list(names))[index]


def placeholders_of(template: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in a template (format specs dropped)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node).rstrip("\n")


@lru_cache
def load_languages(directory: Path = MESSAGES_DIR) -> dict[str, Language]:
    """The declared languages, in the order a resident is offered them."""
    raw = yaml.safe_load((directory / LANGUAGES_FILE).read_text(encoding="utf-8"))
    languages = {
        str(code): Language(
            code=str(code),
            name=str(spec["name"]),
            complete=bool(spec.get("complete", False)),
            fallback=str(spec["fallback"]) if spec.get("fallback") else None,
            proper_nouns=tuple(str(n) for n in spec.get("proper_nouns", ()) or ()),
        )
        for code, spec in raw.items()
    }
    for language in languages.values():
        if language.complete and language.fallback:
            raise CatalogueError(f"{language.code}: a complete language has no fallback")
        if not language.complete:
            target = languages.get(language.fallback or "")
            if target is None or not target.complete:
                raise CatalogueError(f"{language.code}: fallback must be a complete language")
    return languages


def supported_languages(directory: Path = MESSAGES_DIR) -> list[Language]:
    return list(load_languages(directory).values())


@lru_cache
def load_catalogue(language: str = DEFAULT_LANGUAGE, directory: Path = MESSAGES_DIR) -> Catalogue:
    declared = load_languages(directory).get(language)
    if declared is None:
        raise UnknownLanguage(language)
    entries: dict[str, str] = {}
    for path in sorted((directory / language).glob("*.yml")):
        _flatten("", yaml.safe_load(path.read_text(encoding="utf-8")) or {}, entries)
    fallback = load_catalogue(declared.fallback, directory) if declared.fallback else None
    return Catalogue(entries, language, fallback)
