"""Danger in every language: the lexicons' examples, the training data, kinds, long input."""

from __future__ import annotations

import re

import pytest

from nlu.danger import DangerDetector, DangerLexicon
from nlu.danger_cues import DangerCues
from nlu.data import load_training_data
from nlu.pipeline import MAX_MESSAGE_CHARS, Understander

LANGUAGES = ("ja", "en", "zh", "ko", "vi", "ne", "tl")


@pytest.fixture(scope="module")
def detector() -> DangerDetector:
    return DangerDetector(DangerLexicon.load())  # lexicons alone, no classifier


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_lexicon_with_examples(
    detector: DangerDetector, language: str
) -> None:
    danger, not_danger = detector.lexicon.examples_by_language[language]
    assert len(danger) >= 10 and len(not_danger) >= 5
    missed = [t for t in danger if not detector.check(t).danger]
    false_alarms = [t for t in not_danger if detector.check(t).danger]
    assert missed == [] and false_alarms == []


def test_every_crisis_training_line_fires_and_no_other_line_does(
    detector: DangerDetector,
) -> None:
    """LABELLING.md rule 1, in every language: the rule layers agree with the labels. A
    crisis line fires on the lexicons or the cue combinations (nlu/danger_cues.py); no other
    line fires on the lexicons (the cues' rare false alarms are test_danger_cues.py's)."""
    data = load_training_data()
    rules = DangerDetector(detector.lexicon, cues=DangerCues.load())
    missed = [
        (e.language, e.text)
        for e in data.intent_examples
        if e.intent == "crisis" and not rules.check(e.text).danger
    ]
    false_alarms = [
        (e.language, e.intent, e.text)
        for e in data.intent_examples
        if e.intent != "crisis" and detector.check(e.text).danger
    ]
    assert missed == [] and false_alarms == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I want to kill myself", "suicidal"),
        ("我老公天天打我", "violence_now"),
        ("옆집에서 매일 밤 아이 비명 소리가 들려요", "child_abuse"),
        ("Bà cụ nhà bên bị con trai bỏ đói", "elder_abuse"),
        ("知的障害のある弟が作業所の職員に叩かれている", "disability_abuse"),
        ("Nawalan ng malay si lolo at hindi humihinga", "collapsed"),
        ("सबै औषधि खाएँ", "overdose"),
        ("毎晩、上の階から子どもの泣き叫ぶ声がする", "child_abuse"),
        ("小さい子がずっと一人で、夜も家に入れてもらえないみたい", "child_abuse"),
        ("向かいのおばあさんが食事をもらえていないようです", "elder_abuse"),
    ],
)
def test_the_kind_of_danger_is_named(understander: Understander, text: str, kind: str) -> None:
    verdict = understander.danger(text, detail=True)
    assert verdict and kind in verdict.kinds
    assert understander.danger(text) is True


async def test_understanding_carries_kinds_and_language(understander: Understander) -> None:
    result = await understander.understand("Chồng tôi đánh tôi mỗi ngày")
    assert result.crisis and "violence_now" in result.danger_kinds and result.language == "vi"
    calm = await understander.understand("I lost my job and can't pay rent")
    assert not calm.crisis and calm.danger_kinds == () and calm.language == "en"


_UNBOUNDED = re.compile(r"(?<!\\)[.\]][*+]|\{\d+,\}|\\[sSwWdD][*+]")


def test_patterns_are_bounded(detector: DangerDetector) -> None:
    """No .*, .+, x{n,}: a wildcard always has a limit, so long input stays cheap."""
    lexicon = detector.lexicon
    sources = [p.pattern for ps in lexicon.categories.values() for p in ps]
    sources += [p.pattern for p in lexicon.idioms]
    assert [s for s in sources if _UNBOUNDED.search(s)] == []


ADVERSARIAL = [
    "死" * MAX_MESSAGE_CHARS,
    "し" * MAX_MESSAGE_CHARS,
    "a " * (MAX_MESSAGE_CHARS // 2),
    ("kill " * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS],
    ("隣の家から" * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS],
    ("子どもが" + "あ" * 30) * (MAX_MESSAGE_CHARS // 34),
    ("chồng tôi " * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS],
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_long_adversarial_text_is_judged(understander: Understander, text: str) -> None:
    """5,000 characters built to make a backtracking engine work: answered, and right."""
    assert not understander.danger_verdict(text).hits
    tail = text[: MAX_MESSAGE_CHARS - 10] + "もう死にたい"
    assert "suicidal" in understander.danger(tail[:MAX_MESSAGE_CHARS], detail=True).kinds


async def test_input_is_cut_at_lines_limit(understander: Understander) -> None:
    """Beyond LINE's 5,000 characters nothing is read, not even a fact."""
    text = "あ" * MAX_MESSAGE_CHARS + "父85歳"
    result = await understander.understand(text)
    assert all(e.end <= MAX_MESSAGE_CHARS for e in result.entities)
    assert not any(e.type == "age" for e in result.entities)
