from __future__ import annotations

import pytest

from nlu.normalize import compact, normalize


@pytest.mark.parametrize(
    ("raw", "text", "folded"),
    [
        (
            "ｼｬｯｷﾝｶﾞｶｴｾﾅｲ",
            "シャッキンガカエセナイ",
            "しゃっきんがかえせない",
        ),  # half-width, voiced marks
        ("ＡＢＣ　１２３", "abc 123", "abc 123"),  # full-width letters, ideographic space
        ("借金３００万円", "借金300万円", "借金300万円"),
        ("死にたーーーい", "死にたーい", "死にたーい"),  # a run of ー is one ー
        ("すごーい〜〜", "すごーいー", "すごーいー"),  # 〜 after kana is a long vowel, one
        ("本当に！！！？？", "本当に!?", "本当に!?"),  # repeated punctuation collapsed
        ("お金ない😢😢💦", "お金ない", "お金ない"),  # emoji dropped (trailing)
        ("お金😢ない", "お金 ない", "お金 ない"),  # emoji between words -> one space
        ("2〜3年", "2〜3年", "2〜3年"),  # between digits 〜 keeps its meaning
        ("  ", "", ""),
    ],
)
def test_normalize(raw: str, text: str, folded: str) -> None:
    norm = normalize(raw)
    assert norm.text == text
    assert norm.folded == folded
    assert len(norm.spans) == len(norm.text) == len(norm.folded)


@pytest.mark.parametrize(
    "raw", ["ｶﾞｽ代が払えない", "父（８５歳）😢が倒れた！！", "ﾊﾟﾊﾟ ー ﾏﾏ", "㈱と㍻"]
)
def test_spans_cover_the_original_in_order(raw: str) -> None:
    norm = normalize(raw)
    starts = [s for s, _ in norm.spans]
    assert starts == sorted(starts)
    assert all(0 <= s < e <= len(raw) for s, e in norm.spans)


def test_to_original_maps_a_match_back() -> None:
    raw = "ｼｬｯｷﾝ　３００万円です"
    norm = normalize(raw)
    i = norm.text.index("300万円")
    start, end = norm.to_original(i, i + len("300万円"))
    assert raw[start:end] == "３００万円"
    j = norm.folded.index("しゃっきん")
    start, end = norm.to_original(j, j + 5)
    assert raw[start:end] == "ｼｬｯｷﾝ"


def test_compact_drops_spaces_and_punctuation() -> None:
    assert compact("し に た い。。") == "しにたい"
    assert compact("「消えたい」") == "消えたい"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("👍", "ok"),
        ("はい👍です", "はい ok です"),
        ("🙅\u200d♀️", "no"),
        ("❌", "no"),
        ("⬅️", "back"),
        ("🔪 on my arm", "knife on my arm"),
        ("💊💊全部のんだ😵", "pills pills 全部のんだ"),
    ],
)
def test_gesture_emoji_become_words(raw: str, text: str) -> None:
    """A lone 👍 answers a yes/no question in LINE, a 🔪 or 💊 can be the danger itself;
    other emoji are still dropped."""
    norm = normalize(raw)
    assert norm.text == text
    assert len(norm.spans) == len(norm.text)
