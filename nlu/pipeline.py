"""One pipeline for every backend: normalise -> classify -> danger -> situations -> facts.

understander = await build_understander("rasa", rasa_url="http://rasa:5005")   # or () for embedded
understanding = await understander.understand("父85歳、兄50代がひきこもり")
understander.danger("もう消えたい")   # sync and cheap, for free text typed mid-flow
understander.danger("I want to die", detail=True).kinds   # ("suicidal",)
await understander.aclose()

``understand`` does its CPU work (normalising, Sudachi, features, danger, language) in a
worker thread (nlu/offload.py; bench/nlu_loop_lag.py measured why a thread), never on the
event loop, and reads at most LINE's 5,000 characters of a message.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal, overload

from nlu.contract import Entity, IntentClassifier, IntentRanking, Understanding
from nlu.danger import DangerDetector, DangerLexicon, DangerVerdict
from nlu.danger_cues import DangerCues
from nlu.embedded import EmbeddedClassifier
from nlu.facts import extract_facts
from nlu.language import LanguageIdentifier, default_identifier
from nlu.model import EmbeddedModel, load_or_train
from nlu.normalize import Normalized, normalize
from nlu.offload import Offloader
from nlu.rasa_client import DEFAULT_RASA_URL
from nlu.situations import SituationCues, combine_situations

# A LINE text message is at most 5,000 characters; anything longer is cut before NLU.
MAX_MESSAGE_CHARS = 5000


def clip(text: str) -> str:
    return text[:MAX_MESSAGE_CHARS]


# The detector's verdict on the last text checked in this task (one event), for
# ``understand`` of the same text: the conversation checks a message for danger on the loop
# before anything else, and the parse in the NLU thread checked it again, the same call on
# the same text (about half a millisecond a message, bench/profile_handling.py). Per task,
# so one resident's verdict never meets another's parse.
_checked: ContextVar[tuple[str, DangerVerdict] | None] = ContextVar("nlu_danger_checked", default=None)


@dataclass(frozen=True)
class Thresholds:
    """Chosen with ``python -m nlu evaluate`` on the stratified split and, for the danger model,
    by replaying the probe batches (bench/nlu_probe_trained_head.py); never on held-out."""

    # The dedicated binary danger model's probability (idiom-masked text).  0.6 / 0.75 / 0.45
    # (0.5 / 0.7 / 0.35 before) since the head also learns from the run probe batches
    # (data/nlu/danger_head.yml): replayed on 13 batches, 0.931 of their danger lines caught at
    # their first run with 13.8 of 738 dev messages alarmed, against 0.946 with 21.8 at the old
    # thresholds and 0.722 with 3 before (bench/nlu_probe_trained_head.py).
    danger_model: float = 0.6
    # The same model when an idiom was masked in the message (nlu/danger.py).
    danger_model_after_idiom: float = 0.75
    # The same model when a word of an alarm concept is in the message (nlu/danger_cues.py).
    danger_model_with_cue: float | None = 0.45
    # The intent classifier's crisis probability (ignored when an idiom was masked).
    crisis_intent: float = 0.5
    # One-vs-rest situation probability for a secondary situation.
    situation: float = 0.3


class Understander:
    """Turns a resident's message into an ``Understanding``; see the module docstring."""

    def __init__(
        self,
        classifier: IntentClassifier,
        model: EmbeddedModel,
        lexicon: DangerLexicon | None = None,
        thresholds: Thresholds | None = None,
        *,
        languages: LanguageIdentifier | None = None,
        offloader: Offloader | None = None,
        cues: DangerCues | None = None,
    ) -> None:
        self.classifier = classifier
        self.model = model
        self.thresholds = thresholds or Thresholds()
        self.languages = languages or default_identifier()
        self.offloader = offloader or Offloader()
        self.detector = DangerDetector(
            lexicon or DangerLexicon.load(),
            scorer=model.danger_probability,
            threshold=self.thresholds.danger_model,
            threshold_after_idiom=self.thresholds.danger_model_after_idiom,
            cues=cues if cues is not None else DangerCues.load(),
            threshold_with_cue=self.thresholds.danger_model_with_cue,
        )
        self.cues = SituationCues()
        # The last text checked and its verdict: one event asks about the same text two or
        # three times (the conversation, the edge's danger flag, a staff relay). One entry
        # only, replaced by the next text.
        self._last_danger: tuple[str, DangerVerdict] | None = None

    @property
    def backend(self) -> str:
        return self.classifier.name

    def danger_verdict(
        self, text: str | Normalized, crisis_probability: float = 0.0, *, checked: DangerVerdict | None = None
    ) -> DangerVerdict:
        """``checked``: the detector's verdict on this very text, already had."""
        norm = text if isinstance(text, Normalized) else normalize(clip(text))
        verdict = checked if checked is not None else self.detector.check(norm)
        if isinstance(text, str):
            _checked.set((clip(text), verdict))
        if verdict.danger or crisis_probability < self.thresholds.crisis_intent:
            return verdict
        if self.detector.masked_text(norm) != norm.folded:
            return verdict  # an idiom was masked: the classifier saw the figure of speech
        return DangerVerdict(True, (), crisis_probability, "classifier")

    @overload
    def danger(self, text: str) -> bool: ...

    @overload
    def danger(self, text: str, *, detail: Literal[False]) -> bool: ...

    @overload
    def danger(self, text: str, *, detail: Literal[True]) -> DangerVerdict: ...

    def danger(self, text: str, *, detail: bool = False) -> bool | DangerVerdict:
        """Lexicons (every language) and the embedded danger model only: no I/O, a few ms
        even for 5,000 characters.  ``detail=True`` gives the verdict with its ``kinds``."""
        last = self._last_danger
        had = _checked.get()
        if last is not None and last[0] == text:
            verdict = last[1]
        elif had is not None and had[0] == clip(text):
            # This task (event) checked this text already: with several events handled at
            # once, another's check has often replaced ``_last_danger`` by the time the
            # worker asks again after the conversation (bench/profile_handling.py).
            verdict = had[1]
        else:
            verdict = self.danger_verdict(text)
            self._last_danger = (text, verdict)
        return verdict if detail else verdict.danger

    async def classify(self, norm: Normalized) -> tuple[IntentRanking, str]:
        with_source = getattr(self.classifier, "classify_with_source", None)
        if with_source is not None:
            ranking, source = await with_source(norm.text)
            return ranking, str(source)
        if isinstance(self.classifier, EmbeddedClassifier):
            return await self.offloader.run(self.classifier.rank, norm.text), "embedded"
        return await self.classifier.classify(norm.text), self.classifier.name

    async def understand(self, text: str) -> Understanding:
        text = clip(text)
        had = _checked.get()
        checked = had[1] if had is not None and had[0] == text else None
        if isinstance(self.classifier, EmbeddedClassifier):
            # One trip to the worker thread for the whole parse.
            return await self.offloader.run(self.understand_sync, text, checked)
        norm = await self.offloader.run(normalize, text)
        if not norm.text:
            return self._nothing(norm)
        ranking, source = await self.classify(norm)
        return await self.offloader.run(self.compose, norm, ranking, source, checked)

    def understand_sync(self, text: str, checked: DangerVerdict | None = None) -> Understanding:
        """The whole embedded parse, CPU only: what ``understand`` runs in the worker;
        ``checked``: the detector's verdict on this text, if the caller had it."""
        norm = normalize(clip(text))
        if not norm.text:
            return self._nothing(norm)
        assert isinstance(self.classifier, EmbeddedClassifier)
        return self.compose(norm, self.classifier.rank(norm.text), "embedded", checked)

    def _nothing(self, norm: Normalized) -> Understanding:
        # A sticker, an emoji, a blank line: nothing to understand, not danger, no language.
        return Understanding("out_of_scope", 0.0, backend=self.classifier.name)

    def compose(
        self, norm: Normalized, ranking: IntentRanking, source: str, checked: DangerVerdict | None = None
    ) -> Understanding:
        """Everything after the classifier; shared by every backend (and by evaluation)."""
        scores = dict(ranking.ranking)
        verdict = self.danger_verdict(norm, scores.get("crisis", 0.0), checked=checked)
        if verdict.danger:
            confidence = 1.0 if verdict.source in ("lexicon", "cues") else verdict.classifier_score
            intent = "crisis"
        else:
            intent, confidence = next(
                ((i, c) for i, c in ranking.ranking if i != "crisis"), ("out_of_scope", 0.0)
            )
        idx, vals = self.model.features(norm.folded)
        probabilities = dict(
            zip(
                self.model.situations.labels,
                self.model.situations.probabilities(idx, vals),
                strict=True,
            )
        )
        situations = combine_situations(
            intent,
            {k: float(v) for k, v in probabilities.items()},
            self.cues.match(norm.folded),
            self.thresholds.situation,
        )
        guess = self.languages.identify(norm.original)
        return Understanding(
            intent=intent,
            confidence=float(confidence),
            situations=situations,
            crisis=verdict.danger,
            entities=self._entities(norm, ranking.entities),
            backend=source,
            language=guess.language,
            easy_japanese=guess.easy_japanese,
            danger_kinds=verdict.kinds,
        )

    @staticmethod
    def _entities(norm: Normalized, from_classifier: list[Entity]) -> list[Entity]:
        """Rule-based facts, plus any classifier entity that does not overlap one."""
        facts = extract_facts(norm)
        for entity in from_classifier:
            start, end = norm.to_original(entity.start, entity.end)
            if not any(f.start < end and start < f.end for f in facts):
                facts.append(Entity(entity.type, entity.value, start, end, entity.owner))
        return sorted(facts, key=lambda e: (e.start, e.end))

    async def ready(self) -> bool:
        return await self.classifier.ready()

    async def aclose(self) -> None:
        await self.classifier.aclose()
        self.offloader.close()


async def build_understander(
    backend: str = "embedded", *, rasa_url: str = DEFAULT_RASA_URL, rasa_timeout_s: float = 0.5
) -> Understander:
    """``backend`` "embedded" (the default) or "rasa" at ``rasa_url``, given up on after
    ``rasa_timeout_s`` (NLU_BACKEND, RASA_URL, RASA_TIMEOUT_S: the caller's settings).

    Loads the cached model for the current ``data/nlu`` (training it first if needed, in a
    worker thread).  The Rasa backend is always wrapped in the embedded fallback.
    """
    model = await asyncio.to_thread(load_or_train)
    lexicon = await asyncio.to_thread(DangerLexicon.load)
    await asyncio.to_thread(default_identifier)  # the language models load once, off the loop
    embedded = EmbeddedClassifier(model)
    classifier: IntentClassifier = embedded
    if backend == "rasa":
        from nlu.fallback import FallbackClassifier
        from nlu.rasa_client import RasaClassifier

        rasa = RasaClassifier(rasa_url, timeout=rasa_timeout_s)
        classifier = FallbackClassifier(rasa, embedded, budget_s=rasa_timeout_s)
    elif backend != "embedded":
        raise ValueError(f"unknown nlu_backend {backend!r}: use 'embedded' or 'rasa'")
    return Understander(classifier, model, lexicon)


def build_embedded_understander_sync() -> Understander:
    """For scripts and benchmarks that are not async."""
    model = load_or_train()
    return Understander(EmbeddedClassifier(model), model, DangerLexicon.load())
