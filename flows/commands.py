"""Anytime commands (やめる, 最初から, 戻る, 人と話したい, わたしのデータを消す) and yes/no words.

The words are data (``data/conversation/commands.yml``); a command is the whole message,
never a word inside an answer, so 「仕事をやめる」 stays an answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

COMMANDS_FILE = Path(__file__).resolve().parent.parent / "data" / "conversation" / "commands.yml"
COMMANDS = ("stop", "restart", "back", "human", "delete_data")


def _key(text: str) -> str:
    return re.sub(r"[\s、。,.!！?？・「」『』]+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Words:
    commands: dict[str, frozenset[str]]
    yes: frozenset[str]
    no: frozenset[str]

    def command(self, text: str) -> str | None:
        typed = _key(text)
        return next((name for name, words in self.commands.items() if typed in words), None)

    def yes_no(self, text: str) -> bool | None:
        typed = _key(text)
        if typed in self.yes:
            return True
        if typed in self.no:
            return False
        return None


@lru_cache
def load_words(path: Path = COMMANDS_FILE) -> Words:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    commands = {name: frozenset(_key(w) for w in raw["commands"][name]) for name in COMMANDS}
    return Words(
        commands=commands,
        yes=frozenset(_key(w) for w in raw["affirm"]),
        no=frozenset(_key(w) for w in raw["deny"]),
    )
