"""The care/child cue of the embedded features and Rasa's care_and_child regex agree."""

from __future__ import annotations

import re

import pytest
import yaml

from nlu.data import REPO_ROOT, load_training_data
from nlu.features import cue_features, rasa_cues_yml
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
        # bedridden (also in kana), dialysis and parental leave name care or a child alone
        ("祖父が寝たきりで、下の子はまだ一歳です", True),
        ("そふは ねたきり です。 あかちゃんも います", True),
        ("ネタキリの父と、保育園の息子がいます", True),
        ("週三回の夫の透析に付き添いながら、幼稚園の送り迎えもしています", True),
        ("ちちの とうせきの ひは、 こどもを ほいくえんに あずけます", True),
        ("育休中ですが、義母の介護も始まりました", True),
        ("寝たきりの母をひとりで見ています。子どもはいません", False),
        ("透析を受けていて、通院がしんどい", False),
        ("育休を延長したいんですが、手続きはどこですか", False),
        # a child said not to be there, grown up or moved out, in every language
        ("I take care of my father with dementia. Our kids moved out years ago.", False),
        ("I'm caring for my mother who has dementia. I have no children.", False),
        ("I look after my husband after his stroke. My children are grown up.", False),
        ("We don't have any kids, and I care for my mother with dementia.", False),
        ("I care for my mum with Alzheimer's; the grandchildren visit on Sundays", False),
        ("我在照顾失智的父亲，孩子都不在身边。", False),
        ("我照顾中风的丈夫，没有孩子。", False),
        ("我一个人护理卧床的母亲，孩子已经成年了。", False),
        ("치매 어머니를 돌보고 있어요. 아이는 없어요.", False),
        ("치매 아버지를 간병하고 있어요. 아이들은 다 컸어요.", False),
        ("Tôi chăm sóc mẹ bị lẫn. Tôi không có con nhỏ.", False),
        ("Cham soc me bi lan, khong co con nho.", False),
        ("म आमाको हेरचाह गर्छु। मेरो बच्चा छैन।", False),
        ("Wala kaming maliit na bata, inaalagaan ko lang si nanay na may dementia.", False),
        # a disabled child is a child's need, not an elder's: raising, not double care
        ("My disabled child needs care all day and I am exhausted.", False),
        ("My little girl uses a wheelchair and I look after her at home", False),
        ("我儿子坐轮椅，我每天照顾孩子。", False),
        ("휠체어를 타는 아이를 돌보고 있어요.", False),
        ("मेरो बच्चा अपाङ्ग छ, म उसको हेरचाह गर्छु।", False),
        # still double care: mother with dementia and a toddler, in each language
        ("I am caring for my mother with dementia while raising a toddler.", True),
        ("My kids are 2 and 4, and I also look after my mother who has dementia", True),
        ("我要照顾痴呆的妈妈，还要带两岁的孩子。", True),
        ("치매 어머니를 돌보면서 두 살 아이를 키우고 있어요.", True),
        ("Tôi chăm sóc mẹ bị sa sút trí tuệ và nuôi con nhỏ 2 tuổi.", True),
        ("बिर्सने रोग भएकी आमाको हेरचाह गर्दै सानो बच्चा हुर्काउँदैछु।", True),
        ("Inaalagaan ko ang nanay kong may dementia habang may maliit akong anak.", True),
        ("Caring for my disabled child and my father with dementia, both at home", True),
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


def test_rasa_cues_file_is_generated_from_the_embedded_cues() -> None:
    assert CUES_FILE.read_text(encoding="utf-8") == rasa_cues_yml()
