"""A resident who writes only kana is understood: every option a kanji word chooses can be
chosen in kana, the longest word still wins (はたらいていない is not はたらいて), katakana
and half-width kana read as hiragana, and such a resident types their way through a flow to
its summary card. The kana expectations are written here, not read from data/flows."""

from __future__ import annotations

import re

import pytest

from flows.answers import match_option, read_answer
from flows.catalogue import load_catalogue
from flows.definition import load_flows
from tests.flows.conftest import Chat

JA = load_catalogue()
EASY = load_catalogue("ja-easy")
FLOWS = load_flows(JA)
KANJI = re.compile(r"[\u4e00-\u9fff]")
HIRAGANA_ONLY = re.compile(r"[\u3040-\u309fー\s\d\-]+")  # ー: the long vowel of あぱーと

# (flow, step, what the resident types in kana, the option it must be read as)
KANA = [
    ("debt", "who", "じぶん です", "self"),
    ("debt", "who", "かぞく の こと", "family"),
    ("debt", "who", "ともだち の こと", "other"),
    ("debt", "trouble", "しゃっきんが かえせません", "repay"),
    ("debt", "trouble", "やちんを たいのう して います", "arrears"),
    ("debt", "trouble", "せいかつひが たりない", "living"),
    ("debt", "trouble", "きゅうりょうが へった", "work"),
    ("debt", "amount", "よく しらない", "unknown"),
    ("debt", "amount", "いいたくないです", "skip"),
    ("debt", "income", "はたらいて います", "working"),
    ("debt", "income", "むしょく です", "not_working"),
    ("debt", "income", "ねんきん", "pension"),
    ("debt", "income", "こたえたくない", "skip"),
    ("debt", "area", "こたえたくない", "skip"),
    ("double_care", "cared", "はは です", "parent"),
    ("double_care", "cared", "つまの おかあさん", "in_law"),
    ("double_care", "cared", "おっと", "spouse"),
    ("double_care", "cared", "そぼ です", "other"),
    ("double_care", "care_cert", "ようかいご 2 です", "yes"),
    ("double_care", "care_cert", "いま しんせい ちゅう", "applying"),
    ("double_care", "care_cert", "まだ うけて いません", "no"),
    ("double_care", "care_cert", "しりません", "unknown"),
    ("double_care", "child_age", "ほいくえんに かよって います", "preschool"),
    ("double_care", "child_age", "しょうがく 2ねんせい", "elementary"),
    ("double_care", "child_age", "ちゅうがくせい", "older"),
    ("double_care", "hardest", "じかんが ない", "time"),
    ("double_care", "hardest", "つかれて ねむれない", "health"),
    ("double_care", "hardest", "ひようが かかる", "money"),
    ("double_care", "hardest", "しょくばに いづらい", "work"),
    ("double_care", "area", "いいたくない", "skip"),
    ("family_8050", "relation", "ははおや です", "parent"),
    ("family_8050", "relation", "むすこ です", "child"),
    ("family_8050", "relation", "おとうと です", "other"),
    ("family_8050", "parent_age", "いいたくない", "skip"),
    ("family_8050", "child_age", "こたえたくない", "skip"),
    ("family_8050", "duration", "わかんない", "unknown"),
    ("family_8050", "area", "わかりません", "skip"),
    ("general", "topic", "おかね の こと", "money"),
    ("general", "topic", "かぞく", "family"),
    ("general", "topic", "おやの かいご", "care"),
    ("general", "topic", "こそだて", "children"),
    ("general", "topic", "びょうき", "disability"),
    ("general", "topic", "へやの こと", "housing"),
    ("general", "topic", "しゅうしょく", "work"),
    ("general", "topic", "そのほか", "other"),
    ("general", "detail", "こたえない", "skip"),
    ("general", "area", "こたえない", "skip"),
    ("hikikomori", "who", "ぼく です", "self"),
    ("hikikomori", "who", "あにの こと", "family"),
    ("hikikomori", "who", "きんじょの ひと", "other"),
    ("hikikomori", "age", "いいたくない", "skip"),
    ("hikikomori", "duration", "わかりません", "unknown"),
    ("hikikomori", "wish", "はなしを きいて ほしい", "listen"),
    ("hikikomori", "wish", "いえに きて ほしい", "visit"),
    ("hikikomori", "wish", "いばしょが ほしい", "place"),
    ("hikikomori", "wish", "まだ わかりません", "unsure"),
    ("housing_refusal", "situation", "しんさで ことわられた", "refused"),
    ("housing_refusal", "situation", "たちのきを いわれた", "eviction"),
    ("housing_refusal", "situation", "やちんを はらえません", "rent"),
    ("housing_refusal", "situation", "そのほか", "other"),
    ("housing_refusal", "household", "たんしん です", "alone"),
    ("housing_refusal", "household", "かぞくと", "family"),
    ("housing_refusal", "household", "ともだちと", "other"),
    ("housing_refusal", "reason", "こうれい だから", "age"),
    ("housing_refusal", "reason", "しょうがいが ある", "disability"),
    ("housing_refusal", "reason", "むしょく だから", "income"),
    ("housing_refusal", "reason", "ほしょうにんが いない", "guarantor"),
    ("housing_refusal", "reason", "がいこくじん だから", "nationality"),
    ("housing_refusal", "reason", "わかりません", "unknown"),
    ("housing_refusal", "deadline", "まだ きまってない", "none"),
    ("housing_refusal", "deadline", "すぐ ひつようです", "within_1m"),
    ("housing_refusal", "deadline", "3かげつの うちに", "within_3m"),
    ("housing_refusal", "area", "いいたくない", "skip"),
]

# The longer word wins, and between words of one length the later (AのB is a B).
LONGEST = [
    ("debt", "income", "はたらいて いない", "not_working"),
    ("debt", "income", "はたらいてない", "not_working"),
    ("debt", "income", "はたらいて いません", "not_working"),
    ("debt", "income", "しごとを して いない", "not_working"),
    ("debt", "income", "しごとを して います", "working"),
    ("debt", "income", "ぱーとを やめて むしょく", "not_working"),
    ("double_care", "care_cert", "うけて いない", "no"),
    ("double_care", "care_cert", "うけてない", "no"),
    ("double_care", "care_cert", "うけて います", "yes"),
    ("double_care", "care_cert", "もうしこんで いない", "no"),
    ("double_care", "care_cert", "ようかいごに なって いない", "no"),
    ("double_care", "cared", "おっとの おかあさん", "in_law"),
    ("double_care", "cared", "じぶんの おや", "parent"),
    ("double_care", "cared", "夫の母", "in_law"),
    ("housing_refusal", "reason", "ほしょうがいしゃ", "guarantor"),  # not しょうがい inside it
    ("housing_refusal", "deadline", "1かげつ いない", "within_1m"),  # 以内, not ない
    ("housing_refusal", "deadline", "3かげつ いない", "within_3m"),
    ("debt", "who", "わたしの かぞく", "family"),
    ("debt", "who", "じぶんの こども", "family"),
    ("debt", "who", "わたしの はは です", "family"),
    ("debt", "who", "じぶんの しゃっきん", "self"),
    ("debt", "who", "つまり じぶん です", "self"),
    ("family_8050", "relation", "こどもの おや です", "parent"),
    ("family_8050", "relation", "おやの こども です", "child"),
    ("family_8050", "relation", "むすこの はは です", "parent"),
    ("debt", "income", "しごとは ない", "not_working"),
    ("debt", "income", "むしょくです ねんきんも ない", "not_working"),
    ("housing_refusal", "situation", "でていって と いわれた", "eviction"),
]

# Katakana, half-width katakana and hiragana are one spelling to the matcher.
SPELLINGS = [
    ("debt", "trouble", "カード", "repay"), ("debt", "trouble", "かーど", "repay"),
    ("debt", "trouble", "ｶｰﾄﾞ", "repay"), ("debt", "trouble", "ろーん", "repay"),
    ("debt", "trouble", "ヤチン", "arrears"), ("debt", "trouble", "がすだい", "arrears"),
    ("debt", "income", "パート", "working"), ("debt", "income", "ぱーと", "working"),
    ("debt", "income", "ﾊﾟｰﾄ", "working"), ("debt", "income", "あるばいと", "working"),
    ("debt", "income", "ムショク", "not_working"), ("debt", "income", "ﾈﾝｷﾝ", "pension"),
    ("general", "topic", "あぱーと", "housing"),
]


@pytest.mark.parametrize("catalogue", [JA, EASY], ids=["ja", "ja-easy"])
@pytest.mark.parametrize(("flow", "step", "typed", "want"), KANA + LONGEST + SPELLINGS)
def test_a_kana_answer_is_read_as_its_option(flow, step, typed, want, catalogue):
    assert match_option(FLOWS[flow].step(step), typed, catalogue) == want


def test_every_option_a_kanji_word_chooses_has_a_kana_answer_above():
    covered = {(flow, step, want) for flow, step, _, want in KANA}
    kanji_options = {
        (flow.id, step_id, option.value)
        for flow in FLOWS.values() for step_id, step in flow.steps.items() for option in step.options
        if any(KANJI.search(word) for word in option.match)
    }
    assert kanji_options - covered == set()
    assert all(not KANJI.search(typed) for _, _, typed, _ in KANA + SPELLINGS)


@pytest.mark.parametrize("catalogue", [JA, EASY], ids=["ja", "ja-easy"])
def test_a_button_label_typed_with_words_around_it_is_still_that_option(catalogue):
    """「はたらいて いない です」, 「えっと じぶんの こと」: not the label exactly, so the option's
    words must carry it. Options without words (ranges) are left to the step's reader."""
    flows = load_flows(catalogue)
    misread = {
        (flow.id, step_id, option.value, typed): match_option(step, typed, catalogue)
        for flow in flows.values() for step_id, step in flow.steps.items()
        for option in step.options if option.match
        for label in [catalogue.text(option.label)] for typed in (label + " です", "えっと " + label)
        if match_option(step, typed, catalogue) != option.value
    }
    assert misread == {}


@pytest.mark.parametrize(
    ("flow", "step", "typed", "want"),
    [("debt", "area", "こいわ", "こいわ"), ("debt", "area", "かさい", "かさい"),
     ("housing_refusal", "area", "ふなぼり", "ふなぼり"), ("housing_refusal", "deadline", "2かげつ", "2かげつ"),
     ("housing_refusal", "deadline", "らいげつ", "らいげつ"),
     # いえ (家) is inside いいえ: the topic is asked again rather than taken for housing.
     ("general", "topic", "いいえ", None)],
)
def test_a_place_a_time_or_a_no_in_kana_is_not_taken_for_an_option(flow, step, typed, want):
    assert read_answer(FLOWS[flow].step(step), typed, EASY) == want


# Only typed words, all hiragana (and digits): nothing tapped up to the summary card.
DEBT = ["しゃっきんが かえせなくて こまっています", "わたしの かぞく です", "へんさいが たいへんです",
        "200まんえん くらい", "むしょく です", "こいわ", "はい"]
DEBT_CARD = {
    "flows.common.who.label": EASY.text("flows.common.who.family"),
    "flows.debt.trouble.label": EASY.text("flows.debt.trouble.repay"),
    "flows.debt.amount.label": "200まんえん",
    "flows.debt.income.label": EASY.text("flows.debt.income.not_working"),
    "flows.common.area.label": "こいわ",
}
HOUSING = ["あぱーとを かりたいけど ことわられました", "ほしょうにんが いなくて かりられない", "ひとりで すみます",
           "ほしょうがいしゃの しんさに おちました", "1かげつ いない", "ふなぼり", "はい"]
HOUSING_CARD = {
    "flows.housing_refusal.situation.label": EASY.text("flows.housing_refusal.situation.refused"),
    "flows.housing_refusal.household.label": EASY.text("flows.housing_refusal.household.alone"),
    "flows.housing_refusal.reason.label": EASY.text("flows.housing_refusal.reason.guarantor"),
    "flows.housing_refusal.deadline.label": EASY.text("flows.housing_refusal.deadline.within_1m"),
    "flows.common.area.label": "ふなぼり",
}


@pytest.mark.parametrize(("typed", "card"), [(DEBT, DEBT_CARD), (HOUSING, HOUSING_CARD)], ids=["debt", "housing"])
async def test_a_hiragana_only_resident_types_every_answer_to_the_summary_card(chat: Chat, typed, card):
    assert all(HIRAGANA_ONLY.fullmatch(line) for line in typed)
    asked = []
    for line in typed:
        await chat.say(line)
        asked.append(chat.texts())
    # Each answer was understood the first time: no answer was asked again.
    assert not any(EASY.text("flows.common.reask").splitlines()[0] in shown for shown in asked), asked
    assert EASY.text("flows.common.reask_free").splitlines()[0] not in "\n".join(asked)
    summary = chat.card()
    assert summary.title == EASY.text("summary.title")
    rows = dict(summary.rows)
    assert {EASY.text(label): rows.get(EASY.text(label)) for label in card} == {
        EASY.text(label): value for label, value in card.items()
    }
