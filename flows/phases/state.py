"""A resident's conversation state, typed, and its versioned JSON.

The state store (``flows.state``) keeps JSON; the engine reads it into ``ConversationState``
once per turn and writes it back, so the phases work on named, typed fields and the phase
is a ``Phase``. The JSON carries ``"v": VERSION``. A state from before versions (no ``v``,
the same keys) is read as it is; one this release cannot read (a later version, a broken
document) is treated as expired: the resident is told and starts again, politely.
Only fields that differ from their default are written, so an ended conversation writes
nothing but, at most, its language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from flows.phases.table import Phase

VERSION = 1
LANGUAGE_FIELDS = ("lang", "lang_chosen")  # what outlives a flow (flows.language)


@dataclass
class ConsentRecord:
    """What the resident agreed to: the consent text's version, its scope, when."""

    version: str
    scope: list[str]
    at: str  # ISO time


@dataclass
class DangerRecord:
    """What the danger message said, for the case staff read if the resident consents."""

    kinds: list[str]
    words: str


@dataclass
class ConversationState:
    phase: Phase = Phase.NEW
    flow: str | None = None
    step: str | None = None
    situations: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    prefilled: list[str] = field(default_factory=list)  # steps the NLU answered, not asked
    history: list[str] = field(default_factory=list)  # steps asked, for 戻る
    urgent: bool = False
    said: str | None = None  # the first message, shown on the summary
    fixing: bool = False  # 直す: the next answer goes back to the summary
    consent: ConsentRecord | None = None
    danger: DangerRecord | None = None
    centre: str | None = None  # the centre code the slot is booked with
    slot: str | None = None  # ISO start of the chosen callback slot
    case: str | None = None  # returning: the open case's number
    pending: str | None = None  # returning: the message written before choosing
    return_phase: Phase | None = None  # confirm_delete: the phase to go back to
    rem_return: Phase | None = None  # a reminder's choice: the phase it interrupted
    rem_case: str | None = None
    rem_centre: str | None = None
    rem_centre_name: str | None = None
    rem_when: str | None = None
    lang: str | None = None
    lang_chosen: bool = False
    last: float = 0.0  # time of the last turn (epoch seconds)

    def reset(self, **keep: Any) -> None:
        """A new start: everything goes but the resident's language (and ``keep``)."""
        fresh = ConversationState(**{name: getattr(self, name) for name in LANGUAGE_FIELDS}, **keep)
        self.__dict__.update(fresh.__dict__)

    def clear(self) -> None:
        """Everything goes, the language too."""
        self.__dict__.update(ConversationState().__dict__)

    def kept(self) -> ConversationState:
        """What survives an expiry: the language only."""
        return ConversationState(**{name: getattr(self, name) for name in LANGUAGE_FIELDS})

    def worth_saving(self) -> bool:
        """A state holding nothing but the language is not kept: an ended conversation leaves
        nothing (and is never later taken for a lapsed one)."""
        return any(key not in (*LANGUAGE_FIELDS, "last") for key in self._changed())

    def _changed(self) -> dict[str, Any]:
        # The fields and their defaults are read once (_DEFAULTS), not a blank state built and
        # ``fields`` walked on every save (twice a turn, bench/profile_handling.py).
        values = self.__dict__
        return {name: values[name] for name, default in _DEFAULTS if values[name] != default}

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"v": VERSION}
        for name, value in self._changed().items():
            if isinstance(value, (ConsentRecord, DangerRecord)):
                value = dict(value.__dict__)
            elif isinstance(value, Phase):
                value = value.value
            raw[name] = value
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ConversationState | None:
        """The state ``raw`` holds, or None when this release cannot read it."""
        version = raw.get("v", 0)  # 0: written before states had versions; same keys
        if version not in (0, VERSION):
            return None
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in raw.items() if key in known}
        if not all(_plausible(key, value) for key, value in values.items()):
            return None
        try:
            for key in ("phase", "return_phase", "rem_return"):
                if key in values:
                    values[key] = Phase.of(values[key]) if values[key] else (Phase.NEW if key == "phase" else None)
            if values.get("consent") is not None:
                values["consent"] = ConsentRecord(**values["consent"])
            if values.get("danger") is not None:
                values["danger"] = DangerRecord(**values["danger"])
            return cls(**values)
        except (TypeError, ValueError):
            return None


_BLANK = ConversationState()
# Each field's default, for ``_changed``; the lists and dicts here are never handed out.
_DEFAULTS = tuple((f.name, getattr(_BLANK, f.name)) for f in fields(ConversationState))
_RECORDS = ("phase", "return_phase", "rem_return", "consent", "danger")


def _plausible(name: str, value: Any) -> bool:
    """The JSON type a field needs (records and phases are checked as they are read)."""
    default = getattr(_BLANK, name)
    if name in _RECORDS:
        return value is None or isinstance(value, (str, dict))
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, dict)):
        return isinstance(value, type(default))
    return value is None or isinstance(value, str)
