"""Japanese and やさしい日本語 danger families added after probe batch 26 (dangerja).

Rule layers only (lexicons and cues, the ``rules`` fixture), like test_danger_ja_families.py:
a broken rule cannot hide behind the classifier.  The lines are worded apart from the probe
file (data/nlu_dev/danger_probe.jsonl), to check that a family, not a line, is covered.
"""

from __future__ import annotations

import pytest

from nlu.danger import DangerDetector


@pytest.mark.parametrize(
    ("text", "kind"),
    [
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
        # 大丈夫じゃない is not over; danger after a masked scene or pill case still counts.
        "まえは おっとに たたかれた いまも こわい",
        "ドラマの殴るシーンを見てたら、夫に殴られたことを思い出して、今日も殴られた",
        "ピルケースの薬を全部飲んだ",
        "引っ越しても夫が追いかけてきて、もう誰にも会えない、さよなら",
    ],
)
def test_masks_do_not_hide_danger(rules: DangerDetector, text: str) -> None:
    assert rules.check(text).danger, rules.check(text)
