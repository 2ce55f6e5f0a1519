"""understand() does its CPU work in the NLU worker thread, never on the event loop."""

from __future__ import annotations

import threading

from nlu.contract import IntentRanking
from nlu.danger import DangerLexicon
from nlu.embedded import EmbeddedClassifier
from nlu.model import EmbeddedModel
from nlu.offload import Offloader
from nlu.pipeline import Understander


class _RecordingClassifier(EmbeddedClassifier):
    def __init__(self, model: EmbeddedModel) -> None:
        super().__init__(model)
        self.threads: list[str] = []

    def rank(self, text: str) -> IntentRanking:
        self.threads.append(threading.current_thread().name)
        return super().rank(text)


async def test_the_parse_runs_in_the_worker_thread(
    embedded_model: EmbeddedModel, lexicon: DangerLexicon
) -> None:
    classifier = _RecordingClassifier(embedded_model)
    understander = Understander(classifier, embedded_model, lexicon)
    try:
        result = await understander.understand("借金が返せない")
    finally:
        await understander.aclose()
    assert result.intent == "debt"
    assert classifier.threads and all(n.startswith("nlu") for n in classifier.threads)
    assert threading.current_thread().name not in classifier.threads


async def test_inline_mode_stays_on_the_caller(
    embedded_model: EmbeddedModel, lexicon: DangerLexicon
) -> None:
    """For benchmarks and scripts: the same answer without a thread."""
    classifier = _RecordingClassifier(embedded_model)
    understander = Understander(
        classifier, embedded_model, lexicon, offloader=Offloader("inline")
    )
    result = await understander.understand("借金が返せない")
    assert result.intent == "debt"
    assert classifier.threads == [threading.current_thread().name]
