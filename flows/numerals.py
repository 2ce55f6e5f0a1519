"""Numbers as residents write them in Japanese: kanji (二十万円, 三千円, 十年) and kana
(にじゅうまんえん, はちじゅうごさい, じゅうねん, はたち), made digits so one reader serves all.

Kana numerals are read only where a unit follows (さい, だい, まん, えん, ねん, かげつ …):
に, し, ご and く are also particles and words, and only a unit makes them a number.
"""

from __future__ import annotations

import re

from nlu.facts import kanji_number

_KANJI_NUMERAL = re.compile(r"[〇一二三四五六七八九十百千]+")

# Each kana numeral word and the kanji it stands for; sound changes included (いっ, はっ, ろっ,
# じゅっ, さんびゃく, ろっぴゃく, さんぜん). Longer words first, so ろっぴゃく is not ろっ + ぴゃく.
_KANA_WORDS = {
    "きゅう": "九", "いち": "一", "いっ": "一", "さん": "三", "よん": "四", "なな": "七", "しち": "七",
    "ろく": "六", "ろっ": "六", "はち": "八", "はっ": "八", "に": "二", "し": "四", "ご": "五",
    "じゅう": "十", "じゅっ": "十", "じっ": "十",
    "ひゃく": "百", "びゃく": "百", "ぴゃく": "百", "せん": "千", "ぜん": "千",
}
# Not く for 9 (九歳 is きゅうさい): くさい is "it smells". し is 4 only before じゅう (しじゅう):
# alone it is しだいに, しごと; 4 alone is よん.
_LAST = "(?:きゅう|いち|いっ|さん|よん|なな|しち|ろく|ろっ|はち|はっ|に|ご)"
_DIGIT = "(?:きゅう|いち|いっ|さん|よん|なな|しち|ろく|ろっ|はち|はっ|に|し|ご)"
# 千, then 百, then 十, then a digit, each optional but at least one present.
_KANA_NUMERAL = re.compile(
    rf"(?<![ぁ-ゖ])(?=[ぁ-ゖ])(?P<n>(?:{_DIGIT}?(?:せん|ぜん))?(?:{_DIGIT}?(?:ひゃく|びゃく|ぴゃく))?"
    rf"(?:{_DIGIT}?(?:じゅう|じゅっ|じっ))?{_LAST}?)"
    r"(?=\s*(?:さい|サイ|歳|才|だい|代|まん|万|おく|億|えん|円|ねん|年|かげつ|か月|ヶ月|しゅうかん|週間))"
)
_KANA_WORD = re.compile("|".join(sorted(_KANA_WORDS, key=len, reverse=True)))
# はたち is 20 years old, said so rather than にじゅっさい.
_HATACHI = re.compile(r"はたち|ハタチ")


# A particle glued to the number after it (ちちは|ななじゅう): split so the number starts a word.
_KANA_PARTICLE_SPLIT = re.compile(
    rf"([はがもので])(?={_DIGIT}?(?:せん|ぜん|ひゃく|びゃく|ぴゃく|じゅう|じゅっ|じっ)|{_LAST}\s*(?:さい|だい|まん|えん|ねん|かげつ))"
)


def _kana_as_kanji(found: re.Match[str]) -> str:
    return _KANA_WORD.sub(lambda m: _KANA_WORDS[m.group()], found.group("n"))


def arabic(text: str) -> str:
    """Kanji and kana numerals as digits: 二十万円 -> 20万円, にじゅっさい -> 20さい, はたち -> 20歳.

    A kana numeral must start a word (after a space, punctuation, kanji or the text's start,
    or after a particle は/が/も/の/で): ちちはななじゅうごさい reads 75, not a word ending in な.
    """
    text = _HATACHI.sub("20歳", text)
    text = _KANA_PARTICLE_SPLIT.sub(r"\1 ", text)
    text = _KANA_NUMERAL.sub(lambda m: _kana_as_kanji(m) if m.group("n") else "", text)
    return _KANJI_NUMERAL.sub(lambda m: str(kanji_number(m.group()) or m.group()), text)

