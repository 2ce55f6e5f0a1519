"""What the conversation needs from the world around it, as small protocols.

The NLU (``nlu.pipeline.Understander``), the state store (``flows.state.StateStore``) and
the case desk (``handoff.desk.HandoffDesk`` over ``handoff``) meet these; the conversation
depends on nothing else, so it can be driven in-process in tests (tests/support/memory.py
keeps the desk and the state in memory) and reused for another channel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from nlu.contract import Understanding


class States(Protocol):
    """Per-resident conversation state that expires after ``ttl_s`` of silence
    (``flows.state.StateStore`` in Redis; in memory in tests)."""

    @property
    def ttl_s(self) -> int: ...

    async def load(self, resident: str) -> dict[str, Any] | None: ...

    async def save(self, resident: str, state: dict[str, Any]) -> None: ...

    async def drop(self, resident: str) -> None: ...

    async def lapsed(self, resident: str) -> bool: ...

    # The language the resident picked, kept apart from the state so it outlives the
    # conversation (``flows.state.LANGUAGE_TTL_S``); None forgets it.
    async def language(self, resident: str) -> str | None: ...

    async def remember_language(self, resident: str, code: str | None) -> None: ...


class Understands(Protocol):
    async def understand(self, text: str) -> Understanding: ...

    def danger(self, text: str) -> bool: ...


# The kinds of danger in a text (codes such as "suicidal"), for the case staff read.
DangerKinds = Callable[[str], list[str]]


def verdict_kinds(understander: Understands) -> DangerKinds:
    """Danger kinds from the NLU's danger verdict (``DangerVerdict.categories``), until
    ``nlu.contract.Understanding`` carries them; none if the NLU gives no verdict."""
    verdict = getattr(understander, "danger_verdict", None)
    if verdict is None:
        return lambda text: []
    return lambda text: list(verdict(text).categories)


# Centre facts (names, hours) reach the conversation already in the resident's language.
@dataclass(frozen=True)
class CentreInfo:
    code: str
    name: str
    phone: str
    hours: str


@dataclass(frozen=True)
class Routing:
    centre: CentreInfo
    involved: tuple[str, ...]  # names of every centre involved, the taking one first
    multi_agency: bool
    urgent: bool
    reason: str  # message key explaining the choice, with {centre} / {centres}


@dataclass(frozen=True)
class CaseRequest:
    """Everything a centre receives, gathered only after the resident consented."""

    resident: str
    flow: str
    situations: list[str]
    facts: Mapping[str, Any]
    answers: dict[str, str]  # summary label -> what the resident answered
    summary: str
    contact_method: str  # "phone" or "line"
    phone: str | None
    urgent: bool
    slot_start: datetime | None
    consent_version: str
    consent_scope: list[str]
    consented_at: datetime
    # Why an urgent case is urgent: the kinds of danger and the resident's own words.
    danger_kinds: tuple[str, ...] = ()
    danger_words: str | None = None
    # The language the resident was answered in (flows.language); staff see it on the case.
    language: str = "ja"


@dataclass(frozen=True)
class CaseReceipt:
    case_number: str
    centre_name: str
    slot_start: datetime | None
    staffed_from: datetime  # when a person at the centre will next be at work


@dataclass(frozen=True)
class OpenCase:
    case_number: str
    status: str  # a status key: new, contacted, in_progress
    centre_name: str


@dataclass(frozen=True)
class BookedCase:
    """The resident's own open case, as a reminder's buttons need it."""

    case_number: str
    centre_code: str
    centre_name: str
    slot_start: datetime | None  # None once the callback was cancelled
    contact_method: str


class NotYourCase(LookupError):
    """No open case of this resident with that number (someone else's, closed or erased)."""


class SlotUnavailable(Exception):
    """The chosen callback slot was taken meanwhile (or is no longer bookable)."""


class PhoneRefused(ValueError):
    """The desk cannot call this number back (e.g. a free-dial number)."""


class Desk(Protocol):
    @property
    def ward_name(self) -> str:
        """The ward's name in the language of the turn being handled."""
        ...

    def route(self, *, situations: list[str], facts: Mapping[str, Any], urgent: bool) -> Routing: ...

    async def free_slots(self, centre: str, *, limit: int) -> list[datetime]: ...

    async def free_slots_on(self, centre: str, day: date) -> list[datetime]: ...

    def booking_days(self, centre: str) -> tuple[date, date]: ...

    async def create_case(self, request: CaseRequest) -> CaseReceipt: ...

    async def record_event(
        self, *, flow: str, kind: str, step: str | None = None, outcome: str | None = None,
        situation: str | None = None,
    ) -> None: ...

    async def erase_resident(self, resident: str) -> int: ...

    async def open_case_for(self, resident: str) -> OpenCase | None: ...

    async def add_message(self, resident: str, case_number: str, text: str) -> bool: ...

    # Callback reminders (flows.reminders): keep, move, cancel the booked callback.
    async def booked_case(self, resident: str, case_number: str) -> BookedCase | None: ...

    async def move_callback(self, resident: str, case_number: str, start: datetime) -> datetime: ...

    async def cancel_callback(self, resident: str, case_number: str) -> datetime | None: ...
