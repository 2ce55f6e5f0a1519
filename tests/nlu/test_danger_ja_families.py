"""Japanese and やさしい日本語 danger families added after probe batches 21-22 (dangerja).

Lexicons and cues only, no classifier: each line must be caught (or left alone) by a rule,
so a broken rule cannot hide behind the classifier.  The lines are worded apart from the
probe file (data/nlu_dev/danger_probe.jsonl), to check that a family, not a line, is covered.
"""

from __future__ import annotations

import pytest

from nlu.danger import MASK, DangerDetector, DangerLexicon
from nlu.normalize import normalize


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Marks a teacher or carer describes without the word bruise.
        ("うちのクラスの男の子、首のところに指の跡みたいなのがあって気になる", "child_abuse"),
        ("近所の子のほっぺたにタバコの火を押し当てたような跡があった", "child_abuse"),
        ("母がデイサービスに来るたびに腕にあざがいくつもある", "elder_abuse"),
        # Money of an older person taken, all of it, or nothing left to eat; kana without を.
        (
            "ヘルパーで行ってるお宅のおじいさん、娘に年金をぜんぶ使い込まれてて米も買えてない",
            "elder_abuse",
        ),
        ("おばあちゃん むすめに つうちょう とりあげられた おかねが ない", "elder_abuse"),
        ("ねたきりの そぼに だれも ごはんを あげてない", "elder_abuse"),
        # A child alone for days, a parent not coming back, a baby left behind.
        ("となりの こ なんにちも ひとりで いる みたい おかあさん かえって こない", "child_abuse"),
        ("向かいの家の赤ちゃん、親が置いたまま何日も帰ってきてないみたい", "child_abuse"),
        # Someone else's suicidal talk, reported.
        ("いもうとが きえたいって いってた しんぱい", "suicidal"),
        ("親友が死にたいってずっと言ってて、どうしたらいいかわからない", "suicidal"),
        # Indirect suicidal talk: thoughts of dying, no good days ahead, a goodbye, a pet.
        ("まいにち しぬ ことばかり かんがえてる", "suicidal"),
        ("この先いいことなんて何もない、生きててもしょうがない", "suicidal"),
        ("もう限界。いままでありがとう", "suicidal"),
        ("ペットの預け先を探してます。私がいなくなった後のために", "suicidal"),
        # Self-harm and overdose in kana and with a named medicine.
        ("ゆうべ ちが とまらなくて こわかった", "self_harm"),
        ("頭痛薬を一箱まとめて飲んだ", "overdose"),
        # Violence at home: hitting "me" in kana, a knife, shut out of the house.
        ("おとうさんが ぼくを けった", "violence_now"),
        ("彼氏が包丁持ってて部屋から出られない", "violence_now"),
        ("かれしに いえに いれて もらえない", "violence_now"),
        # Not seen for a week, and a smell.
        ("一人暮らしのおじいさん、何日も会ってないし部屋から変な臭いがする", "collapsed"),
    ],
)
def test_family_is_caught_by_a_rule(rules: DangerDetector, text: str, kind: str) -> None:
    verdict = rules.check(text)
    assert verdict.danger and verdict.source in ("lexicon", "cues"), verdict
    assert kind in verdict.kinds, verdict


@pytest.mark.parametrize(
    "text",
    [
        # A past that is over and said to be over; abuse in the news; a game; medicine.
        "むかし いじめられた けど いまは げんきです",
        "若い頃は父に叩かれたこともあったけど、今は仲良く暮らしています",
        "むかし おっとに なぐられた でも いまは りこんして だいじょうぶ",
        "テレビで虐待のニュースを見るたびに悲しくなる",
        "ぎゃくたいの ニュースを みた こわいね",
        "げーむで てきに ころされた くやしい",
        "処方箋の薬の受け取り方を教えてください",
        # Everyday lines that hold a word of the new families.
        "何日も前から旅行を楽しみにしてる子どもたち",
        "子どもが一人で電車に乗れるようになりました",
        "年金を振り込んでもらう口座を変えたい",
        "ねこの さとおやを さがしています",
        "鍵をなくして家に入れない、鍵屋さんを知りたい",
        "冷蔵庫が空っぽなので買い物に行きたい、スーパーはどこ",
        "娘が反抗期で毎日怒鳴り合いです",
    ],
)
def test_near_miss_is_left_alone(rules: DangerDetector, text: str) -> None:
    assert not rules.check(text).danger, rules.check(text)


@pytest.mark.parametrize(
    "text",
    [
        # 昔から goes on; 大丈夫じゃない is not over; danger after the resolved part still counts.
        "昔から夫に殴られていて、今は大丈夫じゃない",
        "むかしから おっとが なぐる いまも こわい",
        "昔DVを受けていたけど今は離婚しました。でも元夫が家の前で待ち伏せしていて怖い",
        "ニュースで虐待事件を見たけど、うちの子も毎晩叩かれている",
    ],
)
def test_resolved_past_and_news_do_not_hide_danger(rules: DangerDetector, text: str) -> None:
    assert rules.check(text).danger


def test_idioms_are_masked_across_spaces(lexicon: DangerLexicon) -> None:
    """やさしい日本語 puts spaces between phrases: the idiom is masked in the spaced text too,
    and a danger word after it is still read."""
    spaced = lexicon.mask_idioms(normalize("しぬ ほど つかれた でも しにたい").folded)
    assert spaced.startswith(MASK) and "しぬ" not in spaced and "しにたい" in spaced
    assert lexicon.mask_idioms(normalize("ぎゃくたいの ニュースを みた").folded).startswith(MASK)
    # Latin words joined across a space are not an idiom of another language's file.
    assert lexicon.mask_idioms("i am dying to") == "i am dying to"
