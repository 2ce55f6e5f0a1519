"""Japanese and やさしい日本語 danger families added after probe batches 21-22 and 26 (dangerja).

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
        # After probe batch 26.
        # Western Japanese ～とる / ～ちょる for ～ている: collapsed, not breathing.
        ("じいちゃんが庭で倒れとる、動かん", "collapsed"),
        ("おかんが台所でたおれちょる", "collapsed"),
        ("ばあちゃんが息しとらん気がする", "collapsed"),
        ("母がソファでぐったりして、息してるのかわからない", "collapsed"),
        # Dialect "better if I were not here".
        ("わしなんかおらんほうがええんじゃ", "suicidal"),
        ("うち、いーひんほうがええんちゃうかな", "suicidal"),
        # A fence or railing, with a topic particle instead of を.
        ("屋上の手すりって簡単に乗り越えられそう", "suicidal"),
        # A child outside at a late clock time.
        ("隣の小学生、毎晩11時過ぎても家の前に一人で座ってる", "child_abuse"),
        # The partner took the phone and the writer cannot reach anyone; meeting forbidden.
        ("かれしが けいたいを とりあげた かぞくに れんらく できない", "violence_now"),
        ("夫が私の携帯を取って、友達と連絡できない", "violence_now"),
        ("だんなが じっかに あわせて くれない", "violence_now"),
        # A goodbye with "we will not meet again", either order.
        ("もう だれにも あえない さよなら", "suicidal"),
        ("お母さん、さよなら。もう会えないけど元気でね", "suicidal"),
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
        # After probe batch 26.
        # A past that is over: a clause before 今は, or kana with no conjunction.
        "前は夫に殴られてた、離れて三年、今は安全に暮らしてる",
        "まえは かれしに けられた いまは ひとりで あんぜん",
        "むかし ちちに たたかれた いまは げんきです",
        # Violence in a film, a drama, a manga scene.
        "映画で刺されるシーンがリアルで怖かった",
        "漫画の中で主人公が殴られる場面が多くて苦手",
        # Keeping track of medicine.
        "母の薬の飲み忘れ防止にカレンダーを貼った",
        "おばあちゃんの ピルケースを かった",
        "お薬手帳を忘れずに持ってきてください",
        # Goodbyes for a move, a new school, a transfer.
        "ひっこしするので みんなに さよなら もう あえない",
        "転校するから友達にお別れ、もう会えないかも",
        # Phones, friends and partners without control.
        "夫がスマホを取ってくれた",
        "スマホを なくした ともだちに れんらく できない",
        "夫が忙しくて友達に会えない",
        "コロナで ともだちに あえない",
        # Late hours and fences in everyday lines.
        "子どもが夜9時まで塾で勉強している",
        "フェンスって高さどれくらいあればいいの、犬が逃げないように",
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
        # After probe batch 26.
        # 大丈夫じゃない is not over; danger after a masked scene or pill case still counts.
        "まえは おっとに たたかれた いまも こわい",
        "ドラマの殴るシーンを見てたら、夫に殴られたことを思い出して、今日も殴られた",
        "ピルケースの薬を全部飲んだ",
        "引っ越しても夫が追いかけてきて、もう誰にも会えない、さよなら",
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
