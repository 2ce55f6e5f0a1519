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


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float
    situations: list[str] = field(default_factory=list)
    crisis: bool = False
    entities: list[Entity] = field(default_factory=list)
    backend: str = ""

    def to_json(self) -> dict:
        """The shape of ``python -m nlu parse`` output lines."""
        return {
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "situations": list(self.situations),
            "crisis": bool(self.crisis),
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
