"""Anytime commands (やめる, 最初から, 戻る, 人と話したい, わたしのデータを消す, and their
English and やさしい日本語 words), "answer me in this language", and yes/no words.

The words are data (``data/conversation/commands.yml``); a command is the whole message,
never a word inside an answer, so 「仕事をやめる」 stays an answer. A word that could mean
two things (two commands, two languages, yes and no) is refused when the words are loaded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from flows.catalogue import MESSAGES_DIR, load_languages

COMMANDS_FILE = Path(__file__).resolve().parent.parent / "data" / "conversation" / "commands.yml"
COMMANDS = ("stop", "restart", "back", "human", "delete_data")
# The rich menu's language tile (postback a=cmd&v=language) and the typed words of `menu`.
LANGUAGE_MENU = "menu"
LANGUAGE_COMMAND = "language"


class AmbiguousWord(ValueError):
    """One typed word that would mean two different things."""


def _key(text: str) -> str:
    return re.sub(r"[\s、。,.!！?？・「」『』]+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class SwitchLanguage:
    """'Answer me in ``language`` from now on'; ``language`` None: show the list to choose from."""

    language: str | None


@dataclass(frozen=True)
class Words:
    commands: dict[str, frozenset[str]]
    yes: frozenset[str]
    no: frozenset[str]
    languages: dict[str, frozenset[str]]  # language code, or LANGUAGE_MENU -> words

    def command(self, text: str) -> str | None:
        typed = _key(text)
        return next((name for name, words in self.commands.items() if typed in words), None)

    def switch_language(self, text: str) -> SwitchLanguage | None:
        """A request to change the language of the answers, or None if the text is not one."""
        typed = _key(text)
        for code, words in self.languages.items():
            if typed in words:
                return SwitchLanguage(None if code == LANGUAGE_MENU else code)
        return None

    def yes_no(self, text: str) -> bool | None:
        typed = _key(text)
        if typed in self.yes:
            return True
        if typed in self.no:
            return False
        return None


def _unique(groups: dict[str, frozenset[str]]) -> None:
    seen: dict[str, str] = {}
    for name, words in groups.items():
        for word in words:
            if seen.setdefault(word, name) != name:
                raise AmbiguousWord(f"{word!r} means both {seen[word]!r} and {name!r}")


def _keys(words: Iterable[object]) -> frozenset[str]:
    return frozenset(_key(str(w)) for w in words)


@lru_cache
def load_words(path: Path = COMMANDS_FILE, messages_dir: Path = MESSAGES_DIR) -> Words:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    commands = {name: _keys(raw["commands"][name]) for name in COMMANDS}
    languages = {str(code): _keys(words) for code, words in raw["languages"].items()}
    unknown = set(languages) - set(load_languages(messages_dir)) - {LANGUAGE_MENU}
    if unknown:
        raise ValueError(f"commands.yml: languages not in languages.yml: {sorted(unknown)}")
    yes, no = _keys(raw["affirm"]), _keys(raw["deny"])
    _unique({**{f"command {n}": w for n, w in commands.items()},
             **{f"language {c}": w for c, w in languages.items()}})
    _unique({"yes": yes, "no": no})
    return Words(commands=commands, yes=yes, no=no, languages=languages)
