"""Normalisation shared by every NLU path, keeping a map back to the original text.

``normalize(raw)`` returns a ``Normalized`` whose ``text`` is NFKC-folded (width, compatibility
characters), lower-cased, with runs of long-vowel marks, repeated punctuation and whitespace
collapsed and emoji removed (gesture emoji such as 👍 and 🙅 become the words ok / no, and
🔪 💊 🩸 🪢 the words knife, pills, blood, rope).  ``folded`` is the same string with katakana folded to hiragana,
for matching (``シャッキン`` and ``しゃっきん`` look alike).  Both strings have the same length
and share ``spans``: ``spans[i]`` is the ``(start, end)`` of the original characters that
produced character ``i``, so a match in normalised text maps back with ``to_original``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Half-width voiced / semi-voiced sound marks combine with the preceding kana under NFKC.
_HALFWIDTH_MARKS = {"\uff9e", "\uff9f"}
_COMBINING_MARKS = {"\u3099", "\u309a"}
_LONG_VOWELS = {"ー", "〜", "～", "~", "-", "−", "‐", "―"}
_LONG_VOWEL_AFTER_KANA = "ー"
_REPEATABLE_PUNCT = set("!?！？。、,.・…‥")
_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6
# Gesture emoji that answer a question on their own (a lone 👍 is a yes in LINE), and a few
# that carry danger: they become a word instead of being dropped like other emoji, so
# flow-control answers survive and the danger check sees the knife or the pills.
_EMOJI_WORDS = {
    "👍": "ok",
    "👌": "ok",
    "🙆": "ok",
    "⭕": "ok",
    "🆗": "ok",
    "✅": "ok",
    "👎": "no",
    "🙅": "no",
    "❌": "no",
    "✖": "no",
    "🆖": "no",
    "⬅": "back",
    "🔙": "back",
    # Emoji that carry danger on their own ("🔪 on my arm again", "💊💊💊 全部のんだ"): a word
    # the lexicons can read, in English, which every language's message may hold.
    "🔪": "knife",
    "🗡": "knife",
    "💊": "pills",
    "🩸": "blood",
    "🪢": "rope",
}
_KANA_OFFSET = 0x60


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF  # pictographs, emoticons, transport, symbols & pictographs
        or 0x2600 <= cp <= 0x27BF  # misc symbols, dingbats
        or 0x2B00 <= cp <= 0x2BFF  # arrows, stars
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or cp in (0x200D, 0x20E3, 0x3030, 0x303D, 0x3297, 0x3299)
        or 0x1F1E6 <= cp <= 0x1F1FF
        or 0xE0020 <= cp <= 0xE007F
    )


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff"


def fold_kana(text: str) -> str:
    """Katakana to hiragana, one character for one (so offsets are unchanged)."""
    return "".join(
        chr(ord(c) - _KANA_OFFSET) if _KATAKANA_START <= ord(c) <= _KATAKANA_END else c
        for c in text
    )


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    folded: str
    spans: tuple[tuple[int, int], ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text``/``folded`` to a span of ``original``."""
        if not self.spans or start >= end:
            return (0, 0)
        start = max(0, min(start, len(self.spans) - 1))
        end = max(start + 1, min(end, len(self.spans)))
        return (self.spans[start][0], self.spans[end - 1][1])


def _nfkc_units(raw: str) -> list[tuple[str, int, int]]:
    """NFKC per source unit (a character plus any following voicing marks)."""
    units: list[tuple[str, int, int]] = []
    i = 0
    n = len(raw)
    while i < n:
        j = i + 1
        while j < n and (raw[j] in _HALFWIDTH_MARKS or raw[j] in _COMBINING_MARKS):
            j += 1
        piece = unicodedata.normalize("NFKC", raw[i:j])
        for ch in piece:
            units.append((ch, i, j))
        i = j
    return units


def normalize(raw: str) -> Normalized:
    """Normalise ``raw`` for matching and classification (see module docstring)."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []

    def emit(ch: str, start: int, end: int) -> None:
        out.append(ch)
        spans.append((start, end))

    def extend_last(end: int) -> None:
        spans[-1] = (spans[-1][0], end)

    for ch, start, end in _nfkc_units(raw):
        word = _EMOJI_WORDS.get(ch)
        if word is not None:
            if out and out[-1] != " ":
                emit(" ", start, end)
            for letter in word:
                emit(letter, start, end)
            emit(" ", start, end)
            continue
        if _is_emoji(ch):
            # An emoji separates words: keep one space so n-grams do not join across it.
            if out and out[-1] != " ":
                emit(" ", start, end)
            elif out:
                extend_last(end)
            continue
        if ch.isspace():
            if out and out[-1] == " ":
                extend_last(end)
            elif out:
                emit(" ", start, end)
            continue
        ch = ch.lower()
        if ch in _LONG_VOWELS:
            prev = out[-1] if out else ""
            if prev and (_is_kana(prev) or prev == _LONG_VOWEL_AFTER_KANA):
                if prev == _LONG_VOWEL_AFTER_KANA:
                    extend_last(end)  # a run of ー is one ー
                    continue
                ch = _LONG_VOWEL_AFTER_KANA
            elif ch in ("-", "−", "‐", "―", "~"):
                pass  # a hyphen or tilde between digits/letters keeps its meaning
        if ch in _REPEATABLE_PUNCT and out and out[-1] == ch:
            extend_last(end)
            continue
        emit(ch, start, end)

    while out and out[-1] == " ":
        out.pop()
        spans.pop()
    text = "".join(out)
    return Normalized(original=raw, text=text, folded=fold_kana(text), spans=tuple(spans))


_NON_WORD = re.compile(r"[\s!?！？。、,.・…‥「」『』()（）【】\[\]\"'“”‘’:;：；]+")


def compact(text: str) -> str:
    """Remove spaces and punctuation, for lexicon matching over ``ｼ ﾆ ﾀ ｲ``-style spacing."""
    return _NON_WORD.sub("", text)


def strip_accents(text: str) -> str:
    """Latin letters without their accents (Vietnamese "chết" -> "chet", "đ" -> "d"); other
    scripts untouched (kana voicing marks and Devanagari vowel signs are kept)."""
    if text.isascii():
        return text
    out: list[str] = []
    latin_base = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if not latin_base:
                out.append(ch)
            continue
        latin_base = ch.isascii() and ch.isalpha() or ch in "đĐ"
        out.append("d" if ch == "đ" else "D" if ch == "Đ" else ch)
    return unicodedata.normalize("NFC", "".join(out))
