"""Facts that pre-fill flows: ages and whose they are, relations, durations, amounts, areas.

Rules over normalised text (so ８５才, 85ｻｲ and 85歳 are one case); every ``Entity`` span is
mapped back to the resident's original text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from nlu.contract import Entity
from nlu.normalize import Normalized, normalize

_RELATIONS = (
    "お父さん おとうさん お母さん おかあさん 父親 母親 親父 おやじ おふくろ 父ちゃん 母ちゃん "
    "おじいちゃん おばあちゃん じいちゃん ばあちゃん 祖父 祖母 義父 義母 義兄 義姉 義弟 義妹 "
    "両親 兄弟 姉妹 夫婦 長男 次男 三男 長女 次女 三女 息子 せがれ 娘 子ども 子供 こども "
    "兄貴 姉貴 あんちゃん 兄 弟 姉 妹 夫 妻 旦那 主人 家内 女房 嫁 彼氏 彼女 パートナー "
    "伯父 叔父 伯母 叔母 おじ おば 甥 姪 いとこ 孫 父 母 親"
).split()
_SELF = ("私", "わたし", "あたし", "自分", "僕", "ぼく", "俺", "おれ", "うち")
_RELATION_RE = re.compile(
    "(?:"
    + "|".join(sorted(map(re.escape, _RELATIONS), key=len, reverse=True))
    + ")"
    # 親切, 親戚, 母国, 父兄会 ... are not family members
    + r"(?!切|身|戚|類|友|権|会|国|校|語|体|屋|指)"
)
_SELF_RE = re.compile("|".join(_SELF))

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(?:\d+(?:[,.]\d+)*|[一二三四五六七八九十百千〇]+)"

_AGE_RE = re.compile(
    rf"(?P<n>{_NUM})\s*(?:(?P<sai>歳|才|さい|サイ)|(?P<dai>代)(?P<part>前半|後半|半ば)?)"
)
# 父85、兄50: a bare two-digit number right after a relation is an age.
_BARE_AGE_RE = re.compile(r"(?P<n>\d{2})(?![\d,.万千円年か月ヶヵカ週日時分回%kキ件人社通枚])")
# もう80で, 80過ぎ, 50になっても: a two-digit number that the context makes an age.
_CONTEXT_AGE_RES = (
    re.compile(
        r"(?:もう|今年|今年で|私も|私は|わしも|わしは|自分も|自分は)\s*(?P<n>\d{2})(?![\d,.万千円年か月ヶヵカ週日時分回%])"
    ),
    re.compile(
        r"(?P<n>\d{2})(?=\s*(?:過ぎ|すぎ|を過ぎ|を超え|になり|になっ|になる|近く|手前|前後)(?!円))"
    ),
)
_DURATION_RE = re.compile(
    rf"(?P<n>{_NUM}|半|数|十数)\s*(?P<unit>年|ねん|か月|ヶ月|ヵ月|カ月|ケ月|箇月|かげつ|週間|日間)"
    r"(?P<half>半)?(?P<more>以上)?"
)
_HALF_YEAR_RE = re.compile(r"半年(?P<more>以上)?")
_AMOUNT_RE = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<mult>億|万|千)?\s*(?P<yen>円|えん)?(?P<approx>くらい|ぐらい|ほど|程度|以上|近く)?"
)

_AREAS = (
    # Edogawa
    "江戸川区 南小岩 北小岩 東小岩 西小岩 新小岩 小岩 西葛西 東葛西 南葛西 北葛西 中葛西 葛西 "
    "船堀 東瑞江 瑞江 一之江 二之江 春江町 平井 東小松川 西小松川 小松川 南篠崎 篠崎 鹿骨 "
    "東松江 松江 松島 東松本 松本 清新町 臨海町 宇喜田 堀江町 上一色 本一色 興宮町 谷河内 "
    "大杉 新堀 江戸川 "
    # Nerima
    "練馬区 練馬 光が丘 光ヶ丘 上石神井 下石神井 石神井 大泉学園 東大泉 西大泉 南大泉 大泉 "
    "江古田 桜台 豊玉 中村橋 富士見台 練馬高野台 氷川台 平和台 早宮 関町 武蔵関 田柄 貫井 "
    "小竹町 土支田 谷原 三原台 立野町 "
    # Toshima
    "豊島区 東池袋 西池袋 南池袋 上池袋 池袋 西巣鴨 巣鴨 南大塚 北大塚 大塚 駒込 目白 "
    "雑司が谷 雑司ヶ谷 千早 要町 椎名町 南長崎 東長崎 千川"
).split()
_AREA_RE = re.compile(
    "(?:"
    + "|".join(sorted(map(re.escape, _AREAS), key=len, reverse=True))
    + ")"
    + r"(?!さん|様|氏|くん|君|ちゃん|先生)"
    + "|(?<=江戸川区)中央|中央(?=に住|に暮|在住|\\d+丁目|[一二三四]丁目)"
)

_MULT = {"億": 100_000_000, "万": 10_000, "千": 1_000}


def kanji_number(text: str) -> int | None:
    """'85' -> 85, '八十五' -> 85, '三百' -> 300, '1,500' -> 1500; None when not a number."""
    plain = text.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", plain):
        return int(float(plain))
    total, digit = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (digit or 1) * unit
            digit = 0
        else:
            return None
    return total + digit


def _entity(norm: Normalized, etype: str, value: str, start: int, end: int) -> Entity:
    o_start, o_end = norm.to_original(start, end)
    return Entity(type=etype, value=value, start=o_start, end=o_end)


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def extract_facts(text: str | Normalized) -> list[Entity]:
    """Ages (with owner), relations, durations, amounts and areas, in text order."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    t = norm.text
    found: list[tuple[int, int, Entity]] = []
    taken: list[tuple[int, int]] = []

    relations = [(m.start(), m.end(), m.group(0)) for m in _RELATION_RE.finditer(t)]
    selves = [(m.start(), m.end(), m.group(0)) for m in _SELF_RE.finditer(t)]
    for s, e, value in relations:
        found.append((s, e, _entity(norm, "relation", value, s, e)))

    ages: list[tuple[int, int, str]] = []
    for m in _AGE_RE.finditer(t):
        n = kanji_number(m.group("n"))
        if n is None or n > 120:
            continue
        value = str(n) if m.group("sai") else f"{n}代{m.group('part') or ''}"
        ages.append((m.start(), m.end(), value))
    for _, e, _ in relations + selves:
        gap = re.match(r"[\s(:は、が,のも]{0,2}", t[e:])
        start = e + (gap.end() if gap else 0)
        bare = _BARE_AGE_RE.match(t, start)
        if bare and not _overlaps((bare.start(), bare.end()), [(a, b) for a, b, _ in ages]):
            ages.append((bare.start(), bare.end(), bare.group("n")))
    for regex in _CONTEXT_AGE_RES:
        for m in regex.finditer(t):
            n = int(m.group("n"))
            span = (m.start("n"), m.end("n"))
            if 15 <= n <= 110 and not _overlaps(span, [(a, b) for a, b, _ in ages]):
                ages.append((*span, str(n)))
    for s, e, value in sorted(ages):
        owner = _age_owner(t, s, e, relations, selves)
        entity = replace(_entity(norm, "age", value, s, e), owner=owner)
        found.append((s, e, entity))
        taken.append((s, e))

    for m in _HALF_YEAR_RE.finditer(t):
        found.append(
            (m.start(), m.end(), _entity(norm, "duration", m.group(0), m.start(), m.end()))
        )
        taken.append((m.start(), m.end()))
    for m in _DURATION_RE.finditer(t):
        span = (m.start(), m.end())
        if _overlaps(span, taken) or _is_calendar_year(t, m):
            continue
        found.append((*span, _entity(norm, "duration", m.group(0), *span)))
        taken.append(span)

    for m in _AMOUNT_RE.finditer(t):
        if not (m.group("mult") or m.group("yen")):
            continue
        span = (m.start(), m.end())
        if _overlaps(span, taken):
            continue
        n = kanji_number(m.group("n"))
        if n is None:
            continue
        yen = n * _MULT.get(m.group("mult") or "", 1)
        found.append((*span, _entity(norm, "amount", str(yen), *span)))
        taken.append(span)

    for m in _AREA_RE.finditer(t):
        found.append((m.start(), m.end(), _entity(norm, "area", m.group(0), m.start(), m.end())))

    found.sort(key=lambda item: (item[0], item[1]))
    return [entity for _, _, entity in found]


def _is_calendar_year(t: str, m: re.Match[str]) -> bool:
    """2023年 or 令和5年 names a year, not a duration; 1年生 is a school grade."""
    n = m.group("n")
    if m.group("unit") in ("年", "ねん"):
        if n.isdigit() and len(n) == 4:
            return True
        if re.search(r"(令和|平成|昭和|西暦)$", t[: m.start()]):
            return True
        if t[m.end() : m.end() + 1] in ("生", "度"):
            return True
    return False


def _age_owner(
    t: str,
    start: int,
    end: int,
    relations: list[tuple[int, int, str]],
    selves: list[tuple[int, int, str]],
) -> str | None:
    """The relation an age belongs to: 85歳の父, 父(85), 父は85歳, 私は45歳 -> 本人."""
    after = re.match(r"\s*(?:の|で|になる|になった)?\s*", t[end:])
    offset = end + (after.end() if after else 0)
    for s, _, value in relations:
        if s == offset and s - end <= 4:
            return value
    candidates = [(s, e, v) for s, e, v in relations if e <= start and start - e <= 8]
    candidates += [(s, e, "本人") for s, e, _ in selves if e <= start and start - e <= 6]
    if candidates:
        s, e, value = max(candidates, key=lambda c: c[1])
        between = t[e:start]
        # another age in between means this one belongs to someone else
        if not _AGE_RE.search(between) and "。" not in between:
            return value
    return None
