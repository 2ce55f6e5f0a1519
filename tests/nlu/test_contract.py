"""One contract every ``IntentClassifier`` meets, run through the shared pipeline.

A backend gets this whole table by subclassing ``ClassifierContract`` and providing a
``classifier`` fixture (the Rasa engineer's live test can reuse it the same way).
"""

from __future__ import annotations

import pytest

from nlu.contract import INTENTS, SITUATIONS, IntentClassifier, Understanding
from nlu.danger import DangerLexicon
from nlu.embedded import EmbeddedClassifier
from nlu.model import EmbeddedModel
from nlu.pipeline import Understander

# utterance -> intent, in the styles residents write
CONTRACT_TABLE = [
    ("借金が返せなくて困っています", "debt"),
    ("しゃっきんがかえせない", "debt"),
    ("ｼｬｯｷﾝ ﾉ ｿｳﾀﾞﾝ", "debt"),
    ("今月マジで金ない、詰んだ💦", "debt"),
    ("I have a lot of debt and can't pay it back", "debt"),
    ("80代の父と50代で無職の兄が二人で暮らしています", "family_8050"),
    ("子育てと親の介護が重なって限界です", "double_care"),
    ("息子が部屋から出てこなくなって5年になります", "hikikomori"),
    ("高齢を理由に部屋を貸してもらえません", "housing_refusal"),
    ("死にたい", "crisis"),
    ("もう消えたい", "crisis"),
    ("こんにちは", "greet"),
    ("人と直接話したいです", "human"),
    ("はい", "affirm"),
    ("いいえ", "deny"),
    ("やめます", "stop"),
    ("最初からやり直したい", "restart"),
    ("前の質問に戻りたい", "back"),
    ("私のデータを削除してください", "delete_data"),
    ("今日の天気は？", "out_of_scope"),
]


class ClassifierContract:
    """Subclass and provide ``classifier`` (an ``IntentClassifier``) and ``understander``."""

    @pytest.mark.parametrize(("text", "intent"), CONTRACT_TABLE)
    async def test_utterance_intent(
        self, understander: Understander, text: str, intent: str
    ) -> None:
        result = await understander.understand(text)
        assert result.intent == intent, (text, result)

    async def test_ranking_is_best_first_over_known_labels(
        self, classifier: IntentClassifier
    ) -> None:
        ranking = await classifier.classify("借金が返せない")
        scores = [score for _, score in ranking.ranking]
        assert scores == sorted(scores, reverse=True)
        assert ranking.top[0] == "debt"
        assert {label for label, _ in ranking.ranking} <= set(INTENTS) | {
            "affirm",
            "deny",
            "stop",
            "restart",
            "back",
            "delete_data",
        }

    async def test_understanding_shape(self, understander: Understander) -> None:
        result = await understander.understand("父85歳と兄50代。借金が300万円あって家賃も滞納")
        assert isinstance(result, Understanding)
        assert 0.0 <= result.confidence <= 1.0
        assert set(result.situations) <= set(SITUATIONS)
        assert set(result.to_json()) == {
            "intent",
            "confidence",
            "situations",
            "crisis",
            "danger_kinds",
            "language",
            "easy_japanese",
            "entities",
        }
        assert result.language == "ja" and result.danger_kinds == ()

    async def test_crisis_overrides_and_keeps_situations(self, understander: Understander) -> None:
        result = await understander.understand("借金が返せなくて、もう死にたい")
        assert result.intent == "crisis" and result.crisis
        assert "debt" in result.situations

    async def test_idiom_is_not_crisis(self, understander: Understander) -> None:
        result = await understander.understand("死ぬほど忙しくて借金の相談に行けない")
        assert not result.crisis and result.intent != "crisis"

    async def test_ready(self, classifier: IntentClassifier) -> None:
        assert await classifier.ready()


class TestEmbeddedContract(ClassifierContract):
    @pytest.fixture
    def classifier(self, embedded_model: EmbeddedModel) -> IntentClassifier:
        return EmbeddedClassifier(embedded_model)

    @pytest.fixture
    def understander(
        self, classifier: IntentClassifier, embedded_model: EmbeddedModel, lexicon: DangerLexicon
    ) -> Understander:
        return Understander(classifier, embedded_model, lexicon)
