"""Reading answers: taps and free text accepted, nonsense refused."""

from __future__ import annotations

import pytest

from flows.answers import READERS, read_age, read_amount, read_answer, read_duration, read_phone
from flows.catalogue import load_catalogue
from flows.definition import load_flows

CATALOGUE = load_catalogue()
FLOWS = load_flows(CATALOGUE)


@pytest.mark.parametrize(
    ("text", "want"),
    [("85歳", "85歳"), ("８５才です", "85歳"), ("父は82", "82歳"), ("たぶん200", None), ("わからん", None)],
)
def test_age(text, want):
    assert read_age(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [("7歳", "7歳"), ("7さい", "7歳"), ("七歳", "7歳"), ("十七歳", "17歳"), ("7つ", "7歳"), ("7つです", "7歳"),
     ("80代前半", "80代前半"), ("50代", "50代"), ("82です", "82歳"), ("2歳半", "2歳"),
     # in kana, as a resident who writes only kana writes it
     ("70だい です", "70だい"), ("80だいぜんはん", "80だいぜんはん"), ("30だいの むすこ", "30だい")],
)
def test_a_number_is_an_age_when_it_reads_as_one(text, want):
    assert read_age(text) == want


@pytest.mark.parametrize(
    "text", ["7*7", "{{7*7}}", "7x7", "3+7", "1.7", "7時", "7時に", "7万円", "生後6か月", "12つ", "7人"],
)
def test_a_number_that_is_not_an_age_is_not_kept_as_one(text):
    assert read_age(text) is None


@pytest.mark.parametrize("said", ["息子が7*7と書いた紙を持ってきた", "子どもは7時に帰ります", "子どもに7万円かかる"])
def test_facts_that_are_not_ages_prefill_no_age(said):
    """The prefill path: NLU facts, as text, read by the step's reader."""
    from flows.answers import prefill_text
    from nlu.facts import extract_facts

    step = FLOWS["double_care"].step("child_age")
    ages = [read_answer(step, prefill_text(e.type, e.value), CATALOGUE) for e in extract_facts(said) if e.type == "age"]
    assert [a for a in ages if a is not None] == []


@pytest.mark.parametrize(
    ("text", "want"),
    [("10年くらい", "10年"), ("３か月", "3か月"), ("半年ほど", "半年"), ("ずっと前から", "ずっと"), ("あいう", None),
     ("はんとし くらい", "はんとし"), ("らいげつ まで", "らいげつ"), ("来月", "来月")],
)
def test_duration(text, want):
    assert read_duration(text) == want


@pytest.mark.parametrize(
    ("text", "want"), [("200万", "200万円"), ("1,500,000円", "1500000円"), ("たくさん", None),
                       # as a resident who writes only kana writes it
                       ("200まんえん くらい", "200まんえん"), ("200 まん", "200まんえん"), ("5000えん", "5000えん")],
)
def test_amount(text, want):
    assert read_amount(text) == want


@pytest.mark.parametrize(
    ("reader", "text", "want"),
    [  # kanji numerals as written in standard Japanese
        (read_amount, "二十万円", "20万円"), (read_amount, "三千五百万円くらい", "3500万円"),
        (read_amount, "月に十万円", "10万円"), (read_duration, "十年", "10年"), (read_duration, "二十年くらい", "20年"),
        # kana numerals, as a resident who writes only kana writes them
        (read_amount, "にじゅうまんえん", "20まんえん"), (read_amount, "ひゃくごじゅうまん", "150まんえん"),
        (read_amount, "ろっぴゃくまんえん", "600まんえん"), (read_amount, "ごせんえん", "5000えん"),
        (read_duration, "じゅうねん くらい", "10ねん"), (read_duration, "さんかげつ", "3かげつ"),
        (read_duration, "にしゅうかん", "2しゅうかん"), (read_duration, "いっかげつ", "1かげつ"),
        (read_age, "はちじゅうごさい", "85歳"), (read_age, "にじゅっさい", "20歳"), (read_age, "はたち", "20歳"),
        (read_age, "ななじゅうだい", "70だい"), (read_age, "ちちは ななじゅうごさい", "75歳"),
        (read_age, "ちちはななじゅうごさいです", "75歳"), (read_age, "むすこがさんじゅっさい", "30歳"),
    ],
)
def test_numbers_written_in_kanji_or_kana_are_read(reader, text, want):
    assert reader(text) == want


@pytest.mark.parametrize("text", ["くさい", "しごとがない", "しだいに つかれた"])
def test_kana_that_only_looks_like_a_number_is_not_an_age(text):
    """に, し and く are particles and words too: a kana numeral needs a unit and a word start."""
    assert read_age(text) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [("090-1234-5678", "09012345678"), ("０３ １２３４ ５６７８", "0312345678"), ("+81 90 1234 5678", "09012345678"),
     ("1234", None), ("090-1234-567", None), ("0120-279-338", None)],
)
def test_phone(text, want):
    assert read_phone(text) == want


def test_choice_reads_label_and_match_words_longest_first():
    step = FLOWS["double_care"].step("care_cert")
    assert read_answer(step, "受けている", CATALOGUE) == "yes"
    assert read_answer(step, "まだ受けていないです", CATALOGUE) == "no"
    assert read_answer(step, "？？？", CATALOGUE) is None


@pytest.mark.parametrize("nonsense", ["", "   ", "？！。", "ああああああ", "🙂🙂"])
def test_free_text_step_refuses_nonsense(nonsense):
    step = FLOWS["general"].step("detail")
    assert read_answer(step, nonsense, CATALOGUE) is None
    assert read_answer(step, "息子が仕事に行けない", CATALOGUE) == "息子が仕事に行けない"


@pytest.mark.parametrize(("reader", "typed", "kept"), [
    ("age", "82 years old", "82 years old"), ("age", "45 yrs", "45 years old"), ("age", "in his 50s", "50s"),
    ("age", "7s", None), ("duration", "10 years", "10 years"), ("duration", "about 3 months", "3 months"),
    ("amount", "800,000 yen", "800,000 yen"), ("amount", "¥800,000", "¥800,000"),
    ("amount", "about 3 million yen", "3 million yen"), ("duration", "a long time", None),
])
def test_english_answers_are_read_and_kept_as_typed(reader, typed, kept):
    # The English questions give English examples ("for example: 10 years"): they must read.
    assert READERS[reader](typed) == kept


@pytest.mark.parametrize("typed", ["パート", "ぱーと", "ﾊﾟｰﾄ", "パートです"])
def test_katakana_hiragana_and_half_width_kana_are_one_spelling_to_the_matcher(typed):
    assert read_answer(FLOWS["debt"].step("income"), typed, CATALOGUE) == "working"


@pytest.mark.parametrize(("typed", "want"), [("私の母", "family"), ("母と私", "self"), ("私", "self")])
def test_between_match_words_of_one_length_the_later_wins(typed, want):
    """AのB is a B: 「私の母」 is about the mother, though 私 and 母 are both one letter."""
    assert read_answer(FLOWS["debt"].step("who"), typed, CATALOGUE) == want
