"""Language identification: scripts, short and mixed messages, the やさしい日本語 marker."""

from __future__ import annotations

import json

import pytest

from nlu.data import DEV_LANGUAGE_FILE
from nlu.language import LanguageIdentifier, default_identifier, is_japanese_script


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return default_identifier()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("はい", "ja"),
        ("借金", "ja"),
        ("多重債務の相談", "ja"),
        ("ｼｬｯｷﾝ ﾉ ｿｳﾀﾞﾝ", "ja"),
        ("네", "ko"),
        ("죽고 싶어요", "ko"),
        ("谢谢", "zh"),
        ("我不想活了", "zh"),
        ("房東說外國人不能租", "zh"),
        ("转人工客服", "zh"),
        ("借了网贷", "zh"),
        ("多重債務", "ja"),
        ("मलाई मर्न मन लाग्छ", "ne"),
        ("मुझे मदद चाहिए, मैं बहुत परेशान हूँ", "hi"),
        ("malai marna man lagyo", "ne"),
        ("Tôi muốn chết", "vi"),
        ("toi khong co tien tra no", "vi"),
        ("Sinasaktan ako ng asawa ko", "tl"),
        ("I can't pay my rent this month", "en"),
        ("shakkin ga kaesenai desu, tasukete kudasai", "ja"),
        ("LINEで相談したいです", "ja"),
    ],
)
def test_language_of_a_message(identifier: LanguageIdentifier, text: str, language: str) -> None:
    assert identifier.identify(text).language == language


@pytest.mark.parametrize(
    "text", ["ok", "yes", "OK!", "no", "LINE", "090-1234-5678", "😢", "👍", "???", "2", ""]
)
def test_too_little_to_tell_is_none(identifier: LanguageIdentifier, text: str) -> None:
    """The conversation keeps the resident's current language for these."""
    assert identifier.identify(text).language is None


@pytest.mark.parametrize(
    ("text", "easy"),
    [
        ("やちんが はらえません。どうしたら いいですか", True),
        ("しゃっきんがかえせなくてこまってます", True),
        ("病院に 行きたいです。 お金が ありません", True),
        ("家賃を払えなくて困っています", False),
        ("はい", False),
    ],
)
def test_easy_japanese_marker(identifier: LanguageIdentifier, text: str, easy: bool) -> None:
    guess = identifier.identify(text)
    assert guess.language == "ja" and guess.easy_japanese is easy


def test_reading_is_for_japanese_only() -> None:
    assert is_japanese_script("借金が返せない") and is_japanese_script("借金")
    assert not is_japanese_script("我欠了很多钱")
    assert not is_japanese_script("빚이 너무 많아요")
    assert not is_japanese_script("I have debts")


def test_dev_set_accuracy(identifier: LanguageIdentifier) -> None:
    """Our own short-message dev set (data/nlu_dev/language_id.jsonl): the target is 0.95."""
    rows = [json.loads(line) for line in DEV_LANGUAGE_FILE.read_text().splitlines() if line]
    right = 0
    for row in rows:
        gold = "ja" if row["language"] == "ja-easy" else row["language"]
        right += identifier.identify(row["text"]).language == gold
    assert right / len(rows) >= 0.95
