"""The danger detector must not miss, and must not fire on figures of speech."""

from __future__ import annotations

import pytest

from nlu.contract import DANGER_KINDS
from nlu.danger import DangerDetector, DangerLexicon
from nlu.pipeline import Understander

IDIOMS = [
    "死ぬほど忙しい",
    "死ぬほど笑った",
    "消えたいくらい恥ずかしい",
    "殺す気か（笑）",
    "ゲームで死んだ",
    "ゲームでまた死んだｗ",
    "死ぬかと思った",
    "恥ずかしくて死にそう",
    "寒くて死ぬ",
    "お腹すいて死にそう",
    "笑い死にしそう",
    "必死に働いています",
    "死ぬ気で頑張ります",
    "死活問題です",
    "スマホの電池が死んだ",
    "髪を切りたい",
    "母が脳梗塞で倒れてから介護しています",
    "会社が倒産して給料が出ない",
    "わたしにたいしてきびしい",
    "生活保護を受けられますか",
    "借金に苦しめられています",
    "母のことでどなたに相談すればいいですか",
    "食べ物をもらえないでしょうか",
    # figures of speech that share words with danger
    "死ぬほど好き",
    "死んだように眠った",
    "昨日は死んだように寝てた",
    "ゲームで死にまくってる",
    "死ぬ気でやります",
    "息が止まるかと思った",
    "心臓が止まるかと思った",
    "殺す気か！って思うくらい辛かった",
    "恥ずかしくて消えたい",
    "推しが尊すぎて消えたい",
    "足が死んでる、歩きすぎた",
    "鼻血が出た",
    "救急車のサイレンがうるさい",
    "楽しすぎて家に帰りたくない",
    "仕事が少しでも楽になりたい",
    "殺されるかと思った（笑）先生めっちゃ怒ってた",
    "ODってなんの略？",
    "殴り書きのメモを夫に渡された",
    "親父の介護でくたくたたい",
    "育休明けに母が倒れて、介護と育児が一度に来た",
    "暑くてぐったり",
]

DANGER = [
    # explicit, in every script and style
    "死にたい",
    "しにたい",
    "シニタイ",
    "ｼﾆﾀｲ",
    "shinitai",
    "I want to die",
    "氏にたい",
    "ﾀﾋにたい",
    "死にたーーーい😭",
    "し に た い",
    "死にてぇ",
    "もう死のうかな",
    "死ぬほど忙しくて、もう死にたい",
    # indirect
    "消えたい",
    "きえたい…",
    "全部終わりにしたい",
    "もうぜんぶおわりにしたい",
    "私がいなくなった方が家族のためだと思う",
    "いなくなりたい",
    "生きてる意味ない",
    "いきてるいみない",
    "生きていても仕方ない",
    "生まれてこなければよかった",
    "明日が来なければいいのに",
    "もう楽になりたい",
    "死んだほうがましだ",
    "遺書を書いた",
    "屋上から飛び降りたい",
    "今、ビルの屋上にいます",
    "母と一緒に死のうかと考えてしまう",
    "息子を道連れにしようかと",
    "借金を残して死ねば保険金が出る",
    "ずっと迷惑しかかけていない。いなくなれば楽になる",
    "おらんようになりたい、もう生きてても意味ないわ",
    # self-harm, overdose
    "リスカがやめられない",
    "手首を切ってしまった",
    "薬を全部飲んだ",
    "睡眠薬をまとめて飲んでしまった",
    "ODしちゃった",
    "I took too many pills",
    # violence now, DV, abuse
    "夫に殴られています",
    "今、夫が包丁を持って暴れています",
    "彼氏に首を絞められた",
    "殺すと言われた",
    "旦那にどつかれて家におられへん",
    "My husband is hitting me right now",
    "子どもを叩いてしまう",
    "隣の家から子どもの泣き叫ぶ声がずっと聞こえる",
    "親にご飯をもらえない",
    "認知症の父に手を上げてしまった",
    "介護している母をつい叩いてしまった",
    # someone collapsed
    "父が倒れて動かない",
    "母が倒れて意識がない",
    "祖母が息をしていない",
    "呼びかけても反応がない",
    "父が階段から落ちて頭から血が出ています",
    # indirect suicidal ideation
    "もう疲れた。楽になりたい",
    "朝が来なければいいのに",
    "朝なんか来なければいいのにって毎晩思う",
    "寝たまま起きなければいいのに",
    "遺書を書いた",
    "飛び降りたら楽かな",
    "消えてなくなりたい",
    "生まれてこなければよかった",
    "生まれてきたのが間違いだった",
    "家族に迷惑かけるくらいなら、いなくなったほうがいい",
    "ロープを買った",
    "ロープは用意してある",
    "薬をためてる",
    "処方された薬を飲まずにためてる",
    "どうやったら楽に死ねるか調べてる",
    "痛くない死に方を教えて",
    "歩道橋の手すりを乗り越えようとしてしまった",
    "川を見ていると引き込まれそうになる",
    "マンションの10階から下を見てる",
    "もう終わりにします。今までありがとう",
    "自分の生命保険金で借金を払うしかないと思う",
    # dialects, scripts, English
    "もう死にたか。なんもかんも嫌になった",
    "消えてしまいたかばい",
    "もう生きとうなか",
    "もう死にてぇ。生ぎでだぐね",
    "なんもかもやんだぐなった。いなぐなりてぇ",
    "もう死んでもよかっちゃけど",
    "ｷｴﾃﾅｸﾅﾘﾀｲ",
    "しんだら らくに なるかな",
    "I want to disappear",
    "I have been thinking about ending my life",
    "I've been saving up my pills",
    "I'm going to jump",
    "I wrote a suicide note",
    # violence, abuse, collapse
    "逃げたいけど殴られる",
    "包丁を向けられた",
    "お母さんにけられる。たすけて",
    "隣の家から毎晩子どもの悲鳴",
    "上の階の子どもが毎晩「ごめんなさい」って叫んでる",
    "近所の子がいつもあざだらけで、ご飯も食べていないみたい",
    "赤ちゃんを揺さぶってしまいそうになる",
    "I can hear a child screaming next door every night",
    "施設の職員が母を乱暴に扱っている",
    "子どもが薬を飲んでぐったりしている",
]


@pytest.fixture
def detector(lexicon: DangerLexicon) -> DangerDetector:
    return DangerDetector(lexicon)  # lexicon layer alone


@pytest.mark.parametrize("text", IDIOMS)
def test_idioms_are_not_danger(understander: Understander, text: str) -> None:
    verdict = understander.danger_verdict(text)
    assert not verdict.danger, (text, verdict)


@pytest.mark.parametrize("text", DANGER)
def test_danger_phrasings_fire_on_the_lexicon_alone(detector: DangerDetector, text: str) -> None:
    verdict = detector.check(text)
    assert verdict.danger and verdict.source == "lexicon", text


@pytest.mark.parametrize("text", DANGER)
def test_danger_phrasings_fire_in_the_pipeline(understander: Understander, text: str) -> None:
    assert understander.danger(text)


def test_lexicon_file_examples(detector: DangerDetector, lexicon: DangerLexicon) -> None:
    """The examples kept next to the patterns in data/nlu/danger/*.yml."""
    assert len(lexicon.examples_danger) > 30 and len(lexicon.examples_not_danger) > 10
    missed = [t for t in lexicon.examples_danger if not detector.check(t).danger]
    false_alarms = [t for t in lexicon.examples_not_danger if detector.check(t).danger]
    assert missed == [] and false_alarms == []


def test_every_category_has_patterns(lexicon: DangerLexicon) -> None:
    """Every kind the contract names (what staff see) has patterns, and no other kind exists."""
    assert set(lexicon.categories) == set(DANGER_KINDS)
    assert all(lexicon.categories[c] for c in DANGER_KINDS)


def test_idiom_mask_does_not_hide_a_following_danger(detector: DangerDetector) -> None:
    verdict = detector.check("消えたいくらい恥ずかしい。でも本当に消えたい")
    assert verdict.danger
    assert "suicidal" in verdict.categories


def test_classifier_signal_alone_can_fire(lexicon: DangerLexicon) -> None:
    """The OR: a scorer above threshold is danger even when no pattern matches."""
    detector = DangerDetector(lexicon, scorer=lambda text: 0.9, threshold=0.5)
    verdict = detector.check("なんとなく不安です")
    assert verdict.danger and verdict.source == "classifier"
    quiet = DangerDetector(lexicon, scorer=lambda text: 0.1, threshold=0.5)
    assert not quiet.check("なんとなく不安です").danger


def test_the_scorer_never_sees_a_masked_idiom(lexicon: DangerLexicon) -> None:
    seen: list[str] = []

    def scorer(text: str) -> float:
        seen.append(text)
        return 0.0

    DangerDetector(lexicon, scorer=scorer).check("死ぬほど忙しくて毎日へとへとです")
    assert seen and "死ぬほど" not in seen[0]


def test_the_scorer_does_not_read_a_word_or_two(lexicon: DangerLexicon) -> None:
    """たくさん alone is no sign of danger, whatever the classifier makes of it."""
    detector = DangerDetector(lexicon, scorer=lambda text: 0.9, threshold=0.5)
    assert not detector.check("たくさん").danger
    assert detector.check("最近なんだか全部どうでもよくなってきた").danger
