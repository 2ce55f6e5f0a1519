"""Kana readings (Sudachi), so 最初から, さいしょから and ｻｲｼｮｶﾗ share features."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from nlu.normalize import fold_kana

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary(dict="core")
    make = getattr(dictionary, "tokenizer", None) or dictionary.create  # SudachiPy < 0.6.9
    return make(mode=SplitMode.A)


def reading(text: str) -> str:
    """The hiragana reading of ``text``; words without one keep their surface."""
    if not text.strip():
        return ""
    tokenizer = _tokenizer()
    with _lock:  # Sudachi tokenizers are not thread-safe
        morphemes = tokenizer.tokenize(text[:4000])
        parts = [m.reading_form() or m.surface() for m in morphemes]
    return fold_kana("".join(parts))
