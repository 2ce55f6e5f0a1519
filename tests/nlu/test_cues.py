"""The care/child cue of the embedded features and Rasa's care_and_child regex agree."""

from __future__ import annotations

import re

import pytest
import yaml

from nlu.data import REPO_ROOT, load_training_data
from nlu.features import cue_features
from nlu.normalize import normalize

CUES_FILE = REPO_ROOT / "nlu" / "rasa" / "data" / "cues.yml"


@pytest.fixture(scope="module")
def care_and_child() -> re.Pattern[str]:
    doc = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    (item,) = [i for i in doc["nlu"] if i.get("regex") == "care_and_child"]
    (pattern,) = [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
    return re.compile(pattern)


@pytest.mark.parametrize(
    ("text", "both"),
    [
        ("子育てと介護が同時にきて限界", True),
        ("ｺｿﾀﾞﾃﾄ ｶｲｺﾞ ｹﾞﾝｶｲ", True),
        ("I'm caring for my mother and my kids", True),
        ("認知症の母をひとりで介護しています", False),
        ("子育てがつらい", False),
        ("夫の親の介護をしています。うちには子どもはいないので", False),
        ("夫を家で介護してる。子どもはもう独立してます", False),
        ("認知症の父の介護、兄弟は誰も手伝ってくれません", False),
        ("認知症の父の介護と、小さい弟の世話", True),
        ("ちちの かいごを して います。 こどもは いません", False),
        ("ははの かいごを して います。 こどもは もう おとな です", False),
        ("ははの かいごと こどもの せわを して います", True),
    ],
)
def test_conjunction(care_and_child: re.Pattern[str], text: str, both: bool) -> None:
    norm = normalize(text)
    assert ("Qcare+child" in cue_features(norm.folded)) is both
    assert bool(care_and_child.search(norm.text)) is both


def test_rasa_regex_matches_the_embedded_cue_on_all_training_data(
    care_and_child: re.Pattern[str],
) -> None:
    data = load_training_data()
    differ = [
        e.text
        for e in [*data.intent_examples, *data.situation_examples]
        if bool(care_and_child.search(normalize(e.text).text))
        != ("Qcare+child" in cue_features(normalize(e.text).folded))
    ]
    assert differ == []
