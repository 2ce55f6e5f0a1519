"""Reading a resident's answer to one step: a tapped option or free text.

Each kind returns the value to keep, or ``None`` for nonsense, which earns a kind re-ask.
Free text is read generously (full-width digits, 歳/才, 万円): residents type on phones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from flows.catalogue import Catalogue
from flows.definition import Step
from flows.numerals import arabic
from flows.phone import callable_number
from flows.phone import cannot_call_back as cannot_call_back  # the conversation's import

# Something a person could mean: at least one letter, kana or kanji.
_WORDISH = re.compile(r"[\w\u3040-\u30ff\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Not after another number or an operator (7*7, 3+7, 1.7), and ended by an age's unit.
_NOT_AFTER = r"(?<![\d.*×x/÷+\-−=^])"
# 代 in kana too (70だい, 80だいぜんはん), kept as written like the kana amounts.
_AGE_WITH_UNIT = re.compile(
    _NOT_AFTER + r"(?P<n>\d+)\s*(?:(?P<unit>歳|才|さい|サイ|つ)"
    r"|(?P<decade>代|だい)(?P<part>前半|後半|半ば|ぜんはん|こうはん|なかば)?)"
)
# A bare number ending the answer, with at most a word of hedging after it.
_BARE_AGE = re.compile(_NOT_AFTER + r"(?P<n>\d+)\s*(?:です|だ|くらい|ぐらい|位|ほど|前後|すぎ|過ぎ)?(?:です)?\s*[。.!！?？]*$")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(年|ねん|か月|ヶ月|ケ月|カ月|ヵ月|かげつ|月|週間|しゅうかん|週|日)")
_DURATION_WORDS = ("半年", "数年", "数か月", "数ヶ月", "数カ月", "最近", "昔から", "ずっと", "先月", "去年", "今年",
                   "来月", "はんとし", "すうねん", "さいきん", "むかしから", "せんげつ", "きょねん", "ことし", "らいげつ")
# In kana too (200まんえん): a resident who writes only kana writes amounts so.
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(億|万|千|円|おく|まん|せん|えん)")
_YEN_AFTER = {"億": "円", "万": "円", "千": "円", "おく": "えん", "まん": "えん", "せん": "えん"}
# The same answers in English, kept as typed: "82 years old", "80s", "10 years", "800,000 yen".
_AGE_EN = re.compile(_NOT_AFTER + r"(?P<n>\d+)\s*(?:years?\s*old|years?|yrs?|y/?o)\b|(?P<decade>\d+)'?s\b", re.I)
_DURATION_EN = re.compile(r"\d+(?:\.\d+)?\s*(?:years?|yrs?|months?|weeks?|days?)\b", re.I)
_AMOUNT_EN = re.compile(r"(?:¥|\\)\s*\d[\d,]*|\d[\d,]*(?:\.\d+)?\s*(?:million\s*yen|yen|jpy|man)\b", re.I)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# Katakana read as hiragana when matching (パート = ぱーと, カード = かーど); NFKC has already
# made half-width katakana full-width. ヵ and ヶ stay: they count months, not sounds.
_KATAKANA_AS_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヴ") + 1)}


def _compact(text: str) -> str:
    """For matching only: no spaces or punctuation, lower case, katakana as hiragana."""
    return re.sub(r"[\s、。,.!！?？・]+", "", normalise(text)).lower().translate(_KATAKANA_AS_HIRAGANA)


def is_meaningful(text: str) -> bool:
    """Not empty, not only symbols or one repeated character."""
    cleaned = re.sub(r"\s+", "", normalise(text))
    if not cleaned or not _WORDISH.search(cleaned):
        return False
    return not (len(cleaned) >= 3 and len(set(cleaned)) == 1)


def match_option(step: Step, text: str, catalogue: Catalogue) -> str | None:
    """The option a typed answer means: its label, or one of its match words."""
    typed = _compact(text)
    if not typed:
        return None
    for option in step.options:
        if typed in (_compact(catalogue.text(option.label)), _compact(option.value)):
            return option.value
    # The longest matching word wins, so 受けていない is not read as 受けて. Between words
    # of one length the later one wins: 「じぶんの かぞく」 means the family (AのB is a B).
    best: tuple[int, int, str] | None = None
    for option in step.options:
        for word in option.match:
            key = _compact(word)
            where = typed.rfind(key)
            if key and where >= 0 and (best is None or (len(key), where) > best[:2]):
                best = (len(key), where, option.value)
    return best[2] if best else None


def read_age(text: str) -> str | None:
    """An age, only where the number reads as one: 7歳, 7さい, 七歳, ななさい, 7つ, 80代前半, 70だい, or a bare
    number that is the whole answer's end (「82」「父は82です」). 「7*7」「7時」「7万円」 are not ages."""
    plain = arabic(normalise(text))
    english = _AGE_EN.search(plain)
    if english:
        return _english_age(english)
    found = _AGE_WITH_UNIT.search(plain) or _BARE_AGE.search(plain)
    if not found:
        return None
    age = int(found.group("n"))
    groups = found.groupdict()
    if not 0 <= age <= 120 or (groups.get("unit") == "つ" and not 1 <= age <= 10):
        return None
    if groups.get("decade"):
        return f"{age}{groups['decade']}{groups.get('part') or ''}"
    return f"{age}歳"


def _english_age(found: re.Match[str]) -> str | None:
    if found.group("decade"):
        decade = int(found.group("decade"))
        return f"{decade}s" if 10 <= decade <= 110 and decade % 10 == 0 else None
    age = int(found.group("n"))
    return f"{age} years old" if 0 <= age <= 120 else None


def number_in(value: str) -> float | None:
    """The first number in a kept answer ("85歳" -> 85), for routing facts."""
    found = _NUMBER.search(normalise(value))
    return float(found.group()) if found else None


def prefill_text(entity_type: str, value: str) -> str:
    """An NLU entity value as a resident would have typed it (amounts come in yen)."""
    if entity_type == "amount" and value.isdigit():
        yen = int(value)
        return f"{yen // 10_000}万円" if yen >= 10_000 and yen % 10_000 == 0 else f"{yen}円"
    return value


def read_duration(text: str) -> str | None:
    plain = arabic(normalise(text))
    found = _DURATION.search(plain)
    if found:
        return found.group().replace(" ", "")
    english = _DURATION_EN.search(plain)
    if english:
        return english.group()
    return next((w for w in _DURATION_WORDS if w in plain), None)


def read_amount(text: str) -> str | None:
    plain = arabic(normalise(text).replace(",", ""))
    found = _AMOUNT.search(plain)
    if found:
        return found.group().replace(" ", "") + _YEN_AFTER.get(found.group(2), "")
    english = _AMOUNT_EN.search(normalise(text))
    return english.group() if english else None


def read_text(text: str) -> str | None:
    return normalise(text)[:400] if is_meaningful(text) else None


READERS: dict[str, Callable[[str], str | None]] = {
    "text": read_text,
    "area": read_text,
    "age": read_age,
    "duration": read_duration,
    "amount": read_amount,
}


def read_answer(step: Step, text: str, catalogue: Catalogue) -> str | None:
    """The value to keep for ``step`` from what the resident typed, or None to re-ask."""
    if step.options:
        chosen = match_option(step, text, catalogue)
        if chosen is not None:
            return chosen
    if step.kind == "choice":
        return None
    return READERS[step.kind](text)


def read_phone(text: str) -> str | None:
    """A Japanese phone number a centre can call back, as digits (``flows.phone``)."""
    return callable_number(text)


def shown_value(step: Step, value: str, catalogue: Catalogue) -> str:
    """How a kept value reads back in the summary."""
    option = step.option(value)
    return catalogue.text(option.label) if option else value
