"""The one contract every NLU backend meets, and what the rest of tsunagu reads.

``nlu`` never imports the LINE SDK or the bot: it takes text and returns an
``Understanding``.  Both backends (embedded, Rasa) sit behind ``NluBackend``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol

# Top-level intents, as named in the issue; flows key on these names.
SITUATIONS = (
    "debt",
    "family_8050",
    "double_care",
    "hikikomori",
    "housing_refusal",
    "other_welfare",
)
INTENTS = SITUATIONS + ("crisis", "out_of_scope", "greet", "human")
FLOW_CONTROL_INTENTS = ("affirm", "deny", "stop", "restart", "back", "delete_data")
ENTITY_TYPES = ("age", "relation", "duration", "amount", "area")


@dataclass(frozen=True)
class Entity:
    """A fact found in the text; ``start``/``end`` index the *original* text."""

    type: str
    value: str
    start: int
    end: int
    # For an age: the relation it belongs to (父 85歳 -> "父"), when one is written.
    owner: str | None = None


# What a danger verdict can name (data/nlu/danger/*.yml categories), so staff see the kind of
# risk on the urgent case: self-harm and suicide, violence and DV, abuse of a child, of an
# older or of a disabled person, someone collapsed.
DANGER_KINDS = (
    "suicidal",
    "self_harm",
    "overdose",
    "violence_now",
    "child_abuse",
    "elder_abuse",
    "disability_abuse",
    "collapsed",
)


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float
    situations: list[str] = field(default_factory=list)
    crisis: bool = False
    entities: list[Entity] = field(default_factory=list)
    backend: str = ""
    # ISO 639-1 (ja, en, zh, ko, vi, ne, tl, ...) or None when the text cannot tell ("ok", a
    # phone number, an emoji): the conversation then keeps the resident's current language.
    language: str | None = None
    # Japanese written in kana or in spaced short phrases: answer in やさしい日本語.
    easy_japanese: bool = False
    # The kinds of danger found (DANGER_KINDS); "unspecified" when only a classifier fired.
    danger_kinds: tuple[str, ...] = ()

    @property
    def language_tag(self) -> str | None:
        """``ja-easy`` for やさしい日本語-style input, else ``language``."""
        return "ja-easy" if self.language == "ja" and self.easy_japanese else self.language

    def to_json(self) -> dict[str, object]:
        """The shape of ``python -m nlu parse`` output lines."""
        return {
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "situations": list(self.situations),
            "crisis": bool(self.crisis),
            "danger_kinds": list(self.danger_kinds),
            "language": self.language,
            "easy_japanese": self.easy_japanese,
            "entities": [asdict(e) for e in self.entities],
        }


class NluBackend(Protocol):
    name: str

    async def parse(self, text: str) -> Understanding: ...

    async def ready(self) -> bool: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class IntentRanking:
    """What an intent classifier says about normalised text: labels best first."""

    ranking: list[tuple[str, float]]
    entities: list[Entity] = field(default_factory=list)

    @property
    def top(self) -> tuple[str, float]:
        return self.ranking[0]


class IntentClassifier(Protocol):
    """One classifier (embedded model or Rasa server). Danger, situations and facts are
    added around it by the shared pipeline, so both backends behave the same there."""

    name: str

    async def classify(self, text: str) -> IntentRanking: ...

    async def ready(self) -> bool: ...

    async def aclose(self) -> None: ...
