"""Sudachi tokens must point back into the text the resident wrote, whatever its script."""

from __future__ import annotations

import pytest

from nlu.japanese_tokens import JapaneseTokenizer, tokenize

CASES = {
    "polite": "父（85歳）の介護で困っています。",
    "hiragana": "おかねがなくて、やちんがはらえません",
    "half_width_kana": "ｶﾞｽ代が払えなくてﾊﾟﾊﾟに言えない",
    "emoji": "もう無理😢👨‍👩‍👧家族🇯🇵がつらい",
    "english_mixed": "LINEでhelpって送ればいい？ I need help with rent",
    "whitespace": "  借金が\u3000300万円 \n\tあります  ",
    "full_width_alnum": "ＡＢＣ１２３の支払い",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_offsets_slice_the_original_text(text: str) -> None:
    tokens = tokenize(text)
    assert tokens
    for token in tokens:
        assert text[token.start : token.end] == token.surface
    starts = [token.start for token in tokens]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:], strict=False))


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_no_whitespace_or_empty_tokens(text: str) -> None:
    assert all(token.surface.strip() for token in tokenize(text))


def test_half_width_kana_normalises_to_full_width() -> None:
    text = CASES["half_width_kana"]
    by_surface = {token.surface: token for token in tokenize(text)}
    assert by_surface["ｶﾞｽ代"].normalized == "ガス代"
    assert by_surface["ｶﾞｽ代"].start == 0


def test_inflected_verbs_normalise() -> None:
    normalized = [token.normalized for token in tokenize("家賃が払えません")]
    assert "払う" in normalized


def test_emoji_kept_punctuation_dropped() -> None:
    surfaces = [token.surface for token in tokenize("つらい😢。助けて！")]
    assert "😢" in surfaces
    assert "。" not in surfaces and "！" not in surfaces


def test_punctuation_kept_when_asked() -> None:
    surfaces = [t.surface for t in JapaneseTokenizer(keep_punctuation=True).tokenize("はい。")]
    assert surfaces == ["はい", "。"]


def test_english_words_stay_whole() -> None:
    tokens = tokenize("I need help")
    assert [token.surface for token in tokens] == ["I", "need", "help"]
    assert [(token.start, token.end) for token in tokens] == [(0, 1), (2, 6), (7, 11)]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "。。。"])
def test_nothing_to_tokenize(text: str) -> None:
    assert tokenize(text) == []


def test_text_longer_than_sudachi_limit_is_chunked() -> None:
    # Sudachi refuses over 49,149 bytes; this is 3 bytes x 40,000 characters.
    text = ("借金の返済に困っています。" * 3100)[:40_000]
    tokens = tokenize(text)
    assert tokens[-1].end <= len(text)
    for token in tokens:
        assert text[token.start : token.end] == token.surface


def test_unknown_split_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        JapaneseTokenizer(mode="D")
