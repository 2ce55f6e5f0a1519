from __future__ import annotations

import asyncio

import pytest

from nlu.contract import IntentRanking
from nlu.pipeline import Understander, build_understander


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "家賃を3か月滞納して、大家さんから出ていけと言われています。借金もあります",
            {"debt", "housing_refusal"},
        ),
        ("0歳の子の育児をしながら、認知症の母の介護もしています", {"double_care"}),
        ("80代の父と、ひきこもりの50代の兄のことで相談したい", {"family_8050", "hikikomori"}),
    ],
)
async def test_several_situations_are_returned(
    understander: Understander, text: str, expected: set[str]
) -> None:
    result = await understander.understand(text)
    assert expected <= set(result.situations), result


async def test_no_situation_for_a_greeting_or_a_yes(understander: Understander) -> None:
    assert (await understander.understand("こんにちは")).situations == []
    assert (await understander.understand("はい")).situations == []


async def test_entities_come_back_with_original_offsets(understander: Understander) -> None:
    text = "ﾁﾁ(８５ｻｲ)と兄(50代)、借金３００万円😢"
    result = await understander.understand(text)
    ages = [(text[e.start : e.end], e.value) for e in result.entities if e.type == "age"]
    assert ages == [("８５ｻｲ", "85"), ("50代", "50代")]
    amounts = [e.value for e in result.entities if e.type == "amount"]
    assert amounts == ["3000000"]


async def test_empty_or_emoji_only_is_out_of_scope(understander: Understander) -> None:
    result = await understander.understand("😢😢")
    assert result.intent == "out_of_scope" and not result.crisis


async def test_a_crisis_ranking_without_danger_is_not_crisis(understander: Understander) -> None:
    """crisis is true exactly when the intent is crisis."""
    from nlu.normalize import normalize

    ranking = IntentRanking([("crisis", 0.45), ("debt", 0.40), ("greet", 0.15)])
    result = understander.compose(normalize("借金のことで"), ranking, "test")
    assert result.intent == "debt" and not result.crisis
    ranking = IntentRanking([("crisis", 0.9), ("debt", 0.1)])
    result = understander.compose(normalize("借金のことで"), ranking, "test")
    assert result.intent == "crisis" and result.crisis


async def test_build_understander_embedded_default() -> None:
    understander = await build_understander("embedded")
    try:
        assert understander.backend == "embedded"
        assert await understander.ready()
        assert understander.danger("もう生きていたくない")
        assert not understander.danger("今日はいい天気")
    finally:
        await understander.aclose()


async def test_build_understander_rejects_unknown_backend() -> None:
    with pytest.raises(ValueError, match="nlu_backend"):
        await build_understander("watson")


async def test_the_parse_reuses_the_danger_check_of_the_same_text_in_the_same_task(
    understander: Understander, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conversation checks a message for danger first; the parse of that message in the
    same event does not check it again, and gives what a parse of its own gives."""
    texts = ["家賃を滞納して出ていけと言われています", "もう死にたい"]
    alone = [await understander.understand(t) for t in texts]
    checked: list[str] = []
    check = understander.detector.check
    monkeypatch.setattr(understander.detector, "check", lambda norm, *a: checked.append(norm.text) or check(norm, *a))

    async def event(text: str) -> object:
        understander.danger(text)
        return await understander.understand(text)

    for text, expected in zip(texts, alone, strict=True):
        assert await asyncio.create_task(event(text)) == expected
    assert len(checked) == 2  # once per message, not twice
    # Another task's check (another resident's event) is not taken for this one's.

    async def check_only(text: str) -> None:
        understander.danger(text)

    await asyncio.create_task(check_only(texts[0]))
    assert await asyncio.create_task(understander.understand(texts[0])) == alone[0]
    assert len(checked) == 4
