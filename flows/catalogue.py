"""Every resident-facing sentence, loaded from ``data/messages/*.yml``.

Code refers to messages by key; wording changes never touch code. A missing key or a
missing placeholder fails loudly at load or in tests rather than reaching a resident.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES_DIR = Path(__file__).resolve().parent.parent / "data" / "messages"


class MissingMessage(KeyError):
    pass


class Catalogue:
    def __init__(self, entries: dict[str, str]) -> None:
        self._entries = entries

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def text(self, key: str, **values: Any) -> str:
        try:
            template = self._entries[key]
        except KeyError as exc:
            raise MissingMessage(key) from exc
        return template.format(**values) if values else template


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node).rstrip("\n")


@lru_cache
def load_catalogue(language: str = "ja", directory: Path = MESSAGES_DIR) -> Catalogue:
    entries: dict[str, str] = {}
    for path in sorted(directory.glob(f"{language}*.yml")):
        _flatten("", yaml.safe_load(path.read_text(encoding="utf-8")) or {}, entries)
    return Catalogue(entries)
