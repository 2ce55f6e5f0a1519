"""Facts for pre-filling flows, with spans into the resident's original text."""

from __future__ import annotations

import pytest

from nlu.data import load_training_data
from nlu.facts import extract_facts, kanji_number
from nlu.normalize import normalize


def _facts(text: str) -> list[tuple[str, str, str, str | None]]:
    return [(e.type, e.value, text[e.start : e.end], e.owner) for e in extract_facts(text)]


def test_ages_belong_to_the_relation_written_with_them() -> None:
    assert _facts("父 85歳、兄 50代です") == [
        ("relation", "父", "父", None),
        ("age", "85", "85歳", "父"),
        ("relation", "兄", "兄", None),
        ("age", "50代", "50代", "兄"),
    ]


@pytest.mark.parametrize(
    ("text", "value", "surface", "owner"),
    [
        ("８５才の母と暮らしています", "85", "８５才", "母"),
        ("父（85）は認知症", "85", "85", "父"),
        ("80ｻｲの祖母", "80", "80ｻｲ", "祖母"),
        ("父85、兄50", "85", "85", "父"),
        ("息子は40代後半です", "40代後半", "40代後半", "息子"),
        ("私は45歳です", "45", "45歳", "本人"),
        ("私ももう80で、先が心配", "80", "80", "本人"),
        ("八十五歳の父", "85", "八十五歳", "父"),
    ],
)
def test_age_forms(text: str, value: str, surface: str, owner: str) -> None:
    ages = [f for f in _facts(text) if f[0] == "age"]
    assert ages[0] == ("age", value, surface, owner)


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("息子がひきこもって10年以上になります", "10年以上"),
        ("半年前から家賃を払えていない", "半年"),
        ("3年間ずっと家にいる", "3年"),
        ("国保を２か月滞納", "２か月"),
        ("1年半ほど前から", "1年半"),
    ],
)
def test_durations(text: str, surface: str) -> None:
    assert [f[2] for f in _facts(text) if f[0] == "duration"] == [surface]


def test_calendar_years_and_grades_are_not_durations() -> None:
    assert [f for f in _facts("2023年から小学1年生の娘と") if f[0] == "duration"] == []


@pytest.mark.parametrize(
    ("text", "yen", "surface"),
    [
        ("借金 300万円あります", "3000000", "300万円"),
        ("カードローンが１５０万円", "1500000", "１５０万円"),
        ("手取りが10万を切った", "100000", "10万"),
        ("三百万円の借金", "3000000", "三百万円"),
        ("家賃は8万5000円", "85000", None),
    ],
)
def test_amounts_in_yen(text: str, yen: str, surface: str | None) -> None:
    amounts = [f for f in _facts(text) if f[0] == "amount"]
    assert amounts, text
    if surface is not None:
        assert amounts[0][1:3] == (yen, surface)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("西葛西に住んでいます", "西葛西"),
        ("小岩の者です", "小岩"),
        ("南小岩に住む", "南小岩"),
        ("一之江駅の近く", "一之江"),
        ("鹿骨で一人暮らし", "鹿骨"),
        ("練馬区の光が丘です", "光が丘"),
        ("池袋から来ました", "池袋"),
    ],
)
def test_areas(text: str, area: str) -> None:
    assert area in [f[1] for f in _facts(text) if f[0] == "area"]


def test_a_surname_is_not_an_area() -> None:
    assert [f for f in _facts("平井さんに相談した") if f[0] == "area"] == []


def test_offsets_refer_to_the_original_text_after_normalisation() -> None:
    text = "ﾁﾁ😢 父　８５ｻｲ、借金３００万円！！！西葛西"
    for entity in extract_facts(text):
        assert 0 <= entity.start < entity.end <= len(text)
    by_type = {e.type: text[e.start : e.end] for e in extract_facts(text)}
    assert by_type["age"] == "８５ｻｲ"
    assert by_type["amount"] == "３００万円"
    assert by_type["area"] == "西葛西"


def test_kanji_numbers() -> None:
    assert kanji_number("八十五") == 85
    assert kanji_number("三百") == 300
    assert kanji_number("1,500") == 1500
    assert kanji_number("abc") is None


def test_agrees_with_the_inline_annotations_in_data_nlu() -> None:
    """Every annotated age/duration/amount/area is found (span overlap, same type)."""
    data = load_training_data()
    annotated = found = 0
    misses = []
    for example in data.intent_examples + data.situation_examples:
        got = extract_facts(example.text)
        for ann in example.entities:
            if ann.type == "relation":
                continue
            annotated += 1
            if any(g.type == ann.type and g.start < ann.end and ann.start < g.end for g in got):
                found += 1
            else:
                misses.append((ann.type, example.text[ann.start : ann.end], example.text))
    assert annotated > 50
    assert found / annotated >= 0.97, misses[:10]


@pytest.mark.parametrize(
    "text",
    [
        "My father is 85 and my brother is 52, we owe 3 million yen",
        "我爸85岁，哥哥52岁，欠了300万日元",
        "아버지는 85세, 형은 52세예요",
        "बुबा ८५ वर्षको, दाइ ५२ वर्षको",
        "Bố tôi 85 tuổi, anh tôi 52 tuổi",
        "Si tatay ay 85 na at si kuya ay 52",
    ],
)
def test_other_scripts_do_not_break_the_facts(text: str) -> None:
    """Facts are Japanese-first; on other scripts they find little, but never fail or point
    outside the text."""
    for entity in extract_facts(normalize(text)):
        assert 0 <= entity.start < entity.end <= len(text)
