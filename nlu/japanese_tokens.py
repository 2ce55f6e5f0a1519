"""Japanese word tokens with offsets into the original text, for the Rasa tokenizer.

Imports only ``sudachipy`` (not rasa) so it is tested from the bot's Python 3.11 venv and
wrapped by ``nlu/rasa/components/sudachi_tokenizer.py`` inside ``.venv-rasa``.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import NamedTuple

from sudachipy import Dictionary, SplitMode, Tokenizer

# Sudachi refuses inputs over 49,149 UTF-8 bytes; 12,000 characters of at most 4 bytes fit.
_MAX_CHUNK_CHARS = 12_000
# Where a long text is best cut, so a word is not split across chunks.
_CUT_AFTER = "\n。！？!?．. 　"

_SPLIT_MODES = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}


class JapaneseToken(NamedTuple):
    """One word; ``text[start:end] == surface`` for the text that was tokenized."""

    surface: str
    start: int
    end: int
    # Sudachi's normalised form: ｶﾞｽ代 -> ガス代, 払え -> 払う, 300万 -> 3000000.
    normalized: str
    # Dictionary (lemma) form, closer to the surface than ``normalized``: 払え -> 払える.
    lemma: str
    pos: str


class JapaneseTokenizer:
    """Sudachi behind a lock: one dictionary per process, tokenizers are not thread-safe."""

    def __init__(self, mode: str = "C", keep_punctuation: bool = False) -> None:
        if mode not in _SPLIT_MODES:
            raise ValueError(f"Sudachi split mode must be one of A, B, C, not {mode!r}")
        self.mode = mode
        self.keep_punctuation = keep_punctuation
        dictionary = Dictionary(dict="core")
        # SudachiPy 0.7 renamed create() to tokenizer(); .venv-rasa may hold an older release.
        make = getattr(dictionary, "tokenizer", None) or dictionary.create
        self._tokenizer: Tokenizer = make(mode=_SPLIT_MODES[mode])
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[JapaneseToken]:
        """Words of ``text`` (whitespace dropped), offsets into ``text`` itself."""
        tokens: list[JapaneseToken] = []
        for chunk_start, chunk in _chunks(text):
            with self._lock:
                morphemes = self._tokenizer.tokenize(chunk)
            for morpheme in morphemes:
                surface = morpheme.surface()
                if not surface.strip() or (not self.keep_punctuation and _is_punctuation(surface)):
                    continue
                start = chunk_start + morpheme.begin()
                tokens.append(
                    JapaneseToken(
                        surface=surface,
                        start=start,
                        end=start + len(surface),
                        normalized=morpheme.normalized_form() or surface,
                        lemma=morpheme.dictionary_form() or surface,
                        pos=morpheme.part_of_speech()[0],
                    )
                )
        return tokens


_default: JapaneseTokenizer | None = None
_default_lock = threading.Lock()


def tokenize(text: str) -> list[JapaneseToken]:
    """Tokenize with a shared mode-C tokenizer; the dictionary loads once, on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = JapaneseTokenizer()
    return _default.tokenize(text)


def _is_punctuation(surface: str) -> bool:
    # Emoji (category So) carry feeling (😢) and are kept; 。、（）「」 and friends are not.
    return all(unicodedata.category(ch)[0] in "PZC" for ch in surface)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Cut ``text`` into pieces Sudachi accepts, each with its offset in ``text``."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > _MAX_CHUNK_CHARS:
        window = text[start : start + _MAX_CHUNK_CHARS]
        cut = max(window.rfind(ch) for ch in _CUT_AFTER) + 1
        if cut <= _MAX_CHUNK_CHARS // 2:
            cut = _MAX_CHUNK_CHARS
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces
