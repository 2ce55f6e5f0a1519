"""Japanese false alarms fixed by dangerja2, as families, with the danger next to them.

1. Kana いきたくない after a destination (がっこうに, かいしゃには もう, しごと, びょういんへ)
   is 行きたくない; with no destination (もう いきたくない, ほんとうに いきたくない) it stays
   danger.
2. Short kana words of shared cue concepts match as words: いとこ not inside ところ, ころす
   not inside ところすみません, こわ not inside こわれ, やけど not Kansai んやけど, さけ not
   inside おさけ.
3. The classifier on venting (もう嫌になる) and noise from the neighbour's child.

Rules (lexicons and cues, no classifier) for 1 and 2, so a broken rule cannot hide behind
the classifier; the whole pipeline for 3.
"""

from __future__ import annotations

import pytest

from nlu.danger import DangerDetector
from nlu.danger_cues import DangerCues
from nlu.normalize import normalize
from nlu.pipeline import Understander

GO_SOMEWHERE = [
    "がっこうに いきたくない",
    "かいしゃに いきたくない",
    "しごとに もう いきたくない",
    "びょういんへ いきたくない",
    "じゅくには ぜったい いきたくない",
    "ばいと いきたくない",
    "しごとには もう にどと いきたくない",
    "学校に いきたくない",
    "区役所まで いきたくない",
    "デイサービスに いきたくないって ははが いう",
    "どこにも いきたくない きぶん",
    "きょうは がっこう いきとうない",
]


@pytest.mark.parametrize("text", GO_SOMEWHERE)
def test_kana_ikitakunai_after_a_destination_is_not_danger(
    rules: DangerDetector, text: str
) -> None:
    verdict = rules.check(text)
    assert not verdict.danger, (text, verdict.hits)


@pytest.mark.parametrize(
    "text",
    [
        "いきたくない",
        "もう いきたくない",
        "ほんとうに いきたくない",
        "こんな せかいに いきたくない",
        "このままで いきたくない",
        "もう いきたくない がっこうにも",
        "学校に生きたくない",
        # A destination does not hide danger said next to it.
        "がっこうに いきたくない。もう しにたい",
        "かいしゃに いきたくない。いきてる いみ ない",
        "しごとに いきたくない。きえたい",
    ],
)
def test_kana_ikitakunai_without_a_destination_stays_danger(
    rules: DangerDetector, text: str
) -> None:
    assert rules.check(text).danger, text


@pytest.mark.parametrize(
    "text",
    [
        "お忙しいところすみません、息子のことで相談です",
        "おいそがしい ところ すみません。こどもの ことで",
        "いいところに住んでるね。うちの子も喜んでます",
        "ここに置いとこう、子どもが使うから",
        "子どものことで相談したいんやけど",
        "うちの子が小学生やけど、学童のこと聞きたい",
        "夫のスマホがこわれた",
        "おっとの くるまが こわれて こまってる",
        "むすこが まいばん おさけを のんで こまる",
    ],
)
def test_short_kana_words_do_not_match_inside_other_words(
    rules: DangerDetector, text: str
) -> None:
    verdict = rules.check(text)
    assert not verdict.danger, (text, verdict.hits)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("いとこが おじさんに なぐられてる", "violence_now"),
        ("いとこの こが たたかれて いる みたい", "violence_now"),
        ("おっとが こわい。まいにち どなる", "violence_now"),
        ("むすこの うでに やけど いっぱい", "child_abuse"),
        ("こどもが やけど してて、ははおやが たばこ おしつけてた", "child_abuse"),
        ("となりの こが まいばん さけんでる", "child_abuse"),
    ],
)
def test_the_same_words_still_count_as_words(
    rules: DangerDetector, text: str, kind: str
) -> None:
    verdict = rules.check(text)
    assert verdict.danger and kind in verdict.kinds, (text, verdict.kinds)


def test_concept_words_are_not_read_inside_a_polite_phrase(cues: DangerCues) -> None:
    """お忙しいところすみません held いとこ (child) and ころす (harm): child_abuse alone."""
    for text in ["お忙しいところすみません", "おいそがしいところすみません"]:
        found = cues.concepts(normalize(text).folded)
        assert not found & {"child", "harm"}, (text, found)


# Everyday phrases that hold a short kana concept word inside a longer word, and the
# concepts that word must not bring (found with a scan of every 2-4 kana word of the shared
# concepts over the non-crisis training lines and the probe's near misses).
EVERYDAY = {
    "おいそがしいところすみません": {"child", "harm"},  # いとこ, ころす
    "いいところですね": {"child"},
    "ここに おいとこう": {"child"},
    "でんわが こわれた": {"fear"},  # こわ
    "おさけを のむ": {"sign"},  # さけ
    "そうだんしたいんやけど": {"sign"},  # やけど
    "がくせいなんやけど": {"sign"},
}


@pytest.mark.parametrize(("text", "not_these"), EVERYDAY.items())
def test_kana_concept_words_are_not_read_inside_longer_words(
    cues: DangerCues, text: str, not_these: set[str]
) -> None:
    found = cues.concepts(normalize(text).folded)
    assert not found & not_these, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "もう嫌になる",
        "あーもう嫌になっちゃう",
        "隣の子どもがいつも元気に走り回っていてうるさい",
        "隣の子どもたちが毎晩うるさくて眠れません",
        "隣の子の足音がうるさい",
    ],
)
def test_venting_and_neighbour_noise_are_not_danger(understander: Understander, text: str) -> None:
    verdict = understander.danger_verdict(text)
    assert not verdict.danger, (text, verdict.classifier_score)


@pytest.mark.parametrize(
    "text",
    [
        "もう嫌になる。生きてるのがつらい",
        "もう全部嫌になった、消えたい",
        "隣の子が毎晩泣き叫んでて、叩く音がする",
        "隣の子、何日もひとりで親が帰ってこない",
        "疲れた。もう終わりにしたい",
    ],
)
def test_danger_next_to_those_families_is_still_caught(
    understander: Understander, text: str
) -> None:
    assert understander.danger(text), text
