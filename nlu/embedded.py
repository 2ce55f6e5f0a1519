"""The in-process intent classifier (``IntentClassifier``) over the embedded model."""

from __future__ import annotations

from nlu.contract import IntentRanking
from nlu.model import EmbeddedModel
from nlu.normalize import normalize


class EmbeddedClassifier:
    """Char n-gram linear model; always ready, never does I/O."""

    name = "embedded"

    def __init__(self, model: EmbeddedModel) -> None:
        self.model = model

    def rank(self, text: str) -> IntentRanking:
        idx, vals = self.model.features(normalize(text).folded)
        return IntentRanking(ranking=self.model.intent.ranking(idx, vals))

    async def classify(self, text: str) -> IntentRanking:
        return self.rank(text)

    async def ready(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None
