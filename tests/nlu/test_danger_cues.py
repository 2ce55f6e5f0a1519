"""Danger from combined weak cues (nlu/danger_cues.py, data/nlu/danger_cues.yml)."""

from __future__ import annotations

import random
import re

import pytest

from nlu.contract import DANGER_KINDS
from nlu.danger import DangerDetector, DangerLexicon
from nlu.danger_cues import DangerCues
from nlu.data import load_training_data
from nlu.pipeline import MAX_MESSAGE_CHARS


@pytest.fixture(scope="module")
def cues() -> DangerCues:
    return DangerCues.load()


@pytest.fixture(scope="module")
def detector(cues: DangerCues) -> DangerDetector:
    return DangerDetector(DangerLexicon.load(), cues=cues)  # lexicons and cues, no classifier


def test_file_examples(detector: DangerDetector, cues: DangerCues) -> None:
    assert len(cues.examples_danger) >= 10 and len(cues.examples_not_danger) >= 8
    missed = [t for t in cues.examples_danger if not detector.check(t).danger]
    false_alarms = [t for t in cues.examples_not_danger if detector.check(t).danger]
    assert missed == [] and false_alarms == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my boyfriend slapped me and took my phone", "violence_now"),
        ("隣の子の腕にあざがいくつもある", "child_abuse"),
        ("I bought a rope today", "suicidal"),
    ],
)
def test_cues_alone_fire_with_a_kind(detector: DangerDetector, text: str, kind: str) -> None:
    # The lexicons' idioms, none of their patterns: the cues alone.
    cues_only = DangerDetector(
        DangerLexicon(categories={}, idioms=detector.lexicon.idioms), cues=detector.cues
    )
    verdict = cues_only.check(text)
    assert verdict.source == "cues" and kind in verdict.kinds


@pytest.mark.parametrize(
    "text",
    [
        "배고파 죽겠어요 ㅋㅋ",
        "I'm dying to see the cherry blossoms",
        "Tôi mệt muốn chết vì làm thêm giờ",
    ],
)
def test_idioms_are_masked_before_the_cues(detector: DangerDetector, text: str) -> None:
    assert not detector.check(text).danger


def test_cues_meet_only_in_neighbouring_sentences(detector: DangerDetector) -> None:
    near = "My neighbour is kind. I hear a child screaming every night."
    far = "I hear a child next door. We moved here in May. The rent is high. It was screaming."
    assert detector.check(near).danger
    assert not detector.check(far).danger


def test_cues_rarely_fire_on_lines_that_are_not_danger(detector: DangerDetector) -> None:
    """Every non-crisis training line in every language: the cues' false alarms stay under 1 %."""
    lexicon_only = DangerDetector(detector.lexicon)
    lines = [e.text for e in load_training_data().intent_examples if e.intent != "crisis"]
    alarms = [t for t in lines if detector.check(t).danger and not lexicon_only.check(t).danger]
    assert len(lines) > 2000 and len(alarms) <= len(lines) // 100, alarms


_UNBOUNDED = re.compile(r"(?<!\\)[.\]][*+]|\{\d+,\}|\\[sSwWdD][*+]")


def test_patterns_are_bounded(cues: DangerCues) -> None:
    assert [p for p in cues.patterns if _UNBOUNDED.search(p)] == []


def test_long_text_of_cue_words_is_judged(detector: DangerDetector) -> None:
    """5,000 characters of one concept's words: no rule fires on one concept alone."""
    text = ("子ども " * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS]
    assert not detector.check(text).danger
    assert detector.check(text[:-20] + "。隣の子どもにあざがある").danger


def test_rules_name_kinds_staff_know(cues: DangerCues) -> None:
    assert {rule.kind for rule in cues.rules} <= set(DANGER_KINDS)


def test_an_alarm_word_lowers_the_classifier_threshold(cues: DangerCues) -> None:
    """A score between the lower and the usual threshold counts only with an alarm word
    (here 'bridge', a means) and never after a masked idiom."""
    lexicon = DangerLexicon.load()
    gated = DangerDetector(
        lexicon, scorer=lambda text: 0.4, threshold=0.5, cues=cues, threshold_with_cue=0.35
    )
    assert {"means"} <= cues.alarm_concepts
    with_alarm = gated.check("I keep thinking about the bridge near my flat")
    assert with_alarm.danger and with_alarm.source == "classifier"
    assert not gated.check("I keep thinking about the weekend trip with my friends").danger
    assert not gated.check("I'm dying to cross the bridge by bike").danger  # idiom masked
    ungated = DangerDetector(lexicon, scorer=lambda text: 0.4, threshold=0.5, cues=cues)
    assert not ungated.check("I keep thinking about the bridge near my flat").danger


def test_rules_tried_are_every_rule_that_fires(cues: DangerCues) -> None:
    """Only the rules whose first group meets the concepts present are tried: the same rules
    fire, in the same order, as when every rule is tried, for any concepts present."""
    concepts = sorted(set(cues.owners))
    rng = random.Random(13)
    for size in [0, 1, 2, 3, 5, 8] * 200:
        present = set(rng.sample(concepts, min(size, len(concepts))))
        every = [rule for rule in cues.rules if rule.fires(present)]
        assert [rule for rule in cues._candidates(present) if rule.fires(present)] == every
    saved, cues.rules = cues.rules, []
    try:
        assert cues._candidates(set(concepts)) == []
    finally:
        cues.rules = saved


def test_short_sentences_are_read_together(detector: DangerDetector, monkeypatch: pytest.MonkeyPatch) -> None:
    """やさしい日本語 in sentences of a word or two: the hurt and the fear are three sentences
    apart; with only a sentence and the next in a window, no rule sees both (batch 60)."""
    import nlu.danger_cues as danger_cues

    text = "かいしゃ の ひと わたし なぐる。 まいにち。 こわい。 パスポート とられた。 にげられない"
    assert detector.check(text).source == "cues"
    monkeypatch.setattr(danger_cues, "WINDOW_SHORT_CHARS", 0)
    assert not detector.check(text).danger


def test_long_sentences_keep_the_two_sentence_window() -> None:
    from nlu.danger_cues import _window_end

    long = ["あ" * 30, "い" * 30, "う" * 30, "え" * 30]
    assert _window_end(long, 0) == 2
    short = ["なぐる", "まいにち", "こわい", "にげられない", "たすけて"]
    assert _window_end(short, 0) == 4  # at most WINDOW_MAX_SENTENCES
    assert _window_end(short, 3) == 5  # the end of the message
