"""The conversation's ports (``flows.ports.Desk``, the state store) kept in memory.

Test doubles of our own ports, so ``tests/flows`` drives the conversation without
PostgreSQL or Redis. They answer as the real adapters do where the conversation can tell:
routing, slot times and staffed hours come from the ward's directory through the same pure
``handoff`` functions; a slot has the centre's capacity; a free-dial number is refused; a
case is open until erased. The real adapters are held to the same behaviour on the real
servers (tests/handoff/desk, tests/bot).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from flows.language import spoken
from flows.phone import callable_number
from flows.ports import (
    BookedCase,
    CaseReceipt,
    CaseRequest,
    NotYourCase,
    OpenCase,
    PhoneRefused,
    Routing,
    SlotUnavailable,
)
from flows.state import LANGUAGE_TTL_S
from flows.turn import current_turn
from handoff.desk import routing_in
from handoff.directory import Directory
from handoff.routing import route
from handoff.slots import TOKYO, booking_window, next_staffed_time, slot_times


class MemoryStateStore:
    """The state store's interface (``flows.state.StateStore``) over a dict, with expiry
    by the test's clock and a longer-lived last-seen marker, as in Redis."""

    def __init__(self, ttl_s: int, clock: Callable[[], datetime] | None = None) -> None:
        self._ttl_s = ttl_s
        self._now = clock or (lambda: datetime.now(UTC))
        self.states: dict[str, tuple[dict[str, Any], float]] = {}
        self._seen: dict[str, float] = {}
        self.languages: dict[str, tuple[str, float]] = {}  # resident -> (picked language, expiry)

    @property
    def ttl_s(self) -> int:
        return self._ttl_s

    def _alive(self, resident: str) -> dict[str, Any] | None:
        kept = self.states.get(resident)
        if kept is None or self._now().timestamp() >= kept[1]:
            self.states.pop(resident, None)
            return None
        return kept[0]

    def peek(self, resident: str) -> dict[str, Any] | None:
        """What is stored for the resident now (a test's look, not the conversation's)."""
        return copy.deepcopy(self._alive(resident))

    def expire(self, resident: str) -> None:
        """As the store's expiry would: the state goes, the last-seen marker stays."""
        self.states.pop(resident, None)

    async def load(self, resident: str) -> dict[str, Any] | None:
        turn = current_turn()
        if turn is not None and resident in turn.states:
            return copy.deepcopy(turn.states[resident])
        return self.peek(resident)

    async def save(self, resident: str, state: dict[str, Any]) -> None:
        turn = current_turn()
        if turn is not None:
            turn.states[resident] = copy.deepcopy(state)
            return
        now = self._now().timestamp()
        self.states[resident] = (copy.deepcopy(state), now + self._ttl_s)
        self._seen[resident] = now

    async def drop(self, resident: str) -> None:
        turn = current_turn()
        if turn is not None:
            turn.states[resident] = None
            return
        self.states.pop(resident, None)
        self._seen.pop(resident, None)

    async def lapsed(self, resident: str) -> bool:
        return self._alive(resident) is None and resident in self._seen

    async def language(self, resident: str) -> str | None:
        turn = current_turn()
        if turn is not None and resident in turn.languages:
            return turn.languages[resident]
        kept = self.languages.get(resident)
        if kept is None or self._now().timestamp() >= kept[1]:
            self.languages.pop(resident, None)
            return None
        return kept[0]

    async def remember_language(self, resident: str, code: str | None) -> None:
        turn = current_turn()
        if turn is not None:
            turn.languages[resident] = code
            return
        if code is None:
            self.languages.pop(resident, None)
        else:
            self.languages[resident] = (code, self._now().timestamp() + LANGUAGE_TTL_S)


@dataclass
class MemoryCase:
    number: str
    resident: str
    centre: str
    request: CaseRequest
    slot_start: datetime | None
    status: str = "new"
    messages: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status != "erased"


class MemoryDesk:
    """``flows.ports.Desk`` in memory, for one ward's directory."""

    def __init__(self, directory: Directory, clock: Callable[[], datetime] | None = None) -> None:
        self.directory = directory
        self._now = clock or (lambda: datetime.now(UTC))
        self.cases: dict[str, MemoryCase] = {}
        self.events: list[dict[str, str | None]] = []
        self.booked: Counter[tuple[str, datetime]] = Counter()

    # ---- routing and slots (centre facts in the turn's language, as the real desk gives them) --

    @property
    def ward_name(self) -> str:
        return self.directory.ward_name_in(spoken())

    def route(self, *, situations: list[str], facts: Mapping[str, Any], urgent: bool) -> Routing:
        return routing_in(route(self.directory, situations=situations, facts=facts, urgent=urgent), spoken())

    def _free(self, centre_code: str, after: datetime | None = None) -> list[datetime]:
        centre = self.directory.centre(centre_code)
        earliest, latest = booking_window(centre, now=self._now())
        start_from = max(earliest, after) if after else earliest
        return [start for start, _ in slot_times(centre, after=start_from, until=latest)
                if self.booked[(centre_code, start)] < centre.capacity]

    async def free_slots(self, centre: str, *, limit: int) -> list[datetime]:
        return self._free(centre)[:limit]

    async def free_slots_on(self, centre: str, day: date) -> list[datetime]:
        return [s for s in self._free(centre, datetime.combine(day, time.min, TOKYO)) if s.date() == day]

    def booking_days(self, centre: str) -> tuple[date, date]:
        earliest, latest = booking_window(self.directory.centre(centre), now=self._now())
        return earliest.date(), latest.date()

    def take(self, centre: str, start: datetime) -> None:
        """Fill every place of a slot, as other residents booking it meanwhile would."""
        self.booked[(centre, start.astimezone(TOKYO))] = self.directory.centre(centre).capacity

    def _book(self, centre: str, start: datetime) -> datetime:
        start = start.astimezone(TOKYO)
        if start not in self._free(centre):
            raise SlotUnavailable(start.isoformat())
        self.booked[(centre, start)] += 1
        return start

    # ---- cases ---------------------------------------------------------------------------

    async def create_case(self, request: CaseRequest) -> CaseReceipt:
        routing = self.route(situations=request.situations, facts=request.facts, urgent=request.urgent)
        centre = routing.centre.code
        if request.contact_method == "phone" and callable_number(request.phone or "") is None:
            raise PhoneRefused(request.phone or "")
        slot = self._book(centre, request.slot_start) if request.slot_start else None
        number = f"{self.directory.case_prefix}-{len(self.cases) + 1:06d}"
        self.cases[number] = MemoryCase(number, request.resident, centre, request, slot)
        return CaseReceipt(number, routing.centre.name, slot,
                           next_staffed_time(self.directory.centre(centre), self._now()))

    async def record_event(
        self, *, flow: str, kind: str, step: str | None = None, outcome: str | None = None,
        situation: str | None = None,
    ) -> None:
        turn = current_turn()
        if turn is not None and outcome == "danger":
            turn.danger = True
        self.events.append({"flow": flow, "kind": kind, "step": step, "outcome": outcome, "situation": situation})

    def outcomes(self) -> set[str | None]:
        return {event["outcome"] for event in self.events if event["kind"] == "outcome"}

    def _open(self, resident: str) -> list[MemoryCase]:
        return [case for case in self.cases.values() if case.resident == resident and case.is_open]

    async def erase_resident(self, resident: str) -> int:
        erased = self._open(resident)
        for case in erased:
            case.status, case.messages = "erased", []
            if case.slot_start is not None:
                self.booked[(case.centre, case.slot_start)] -= 1
                case.slot_start = None
        return len(erased)

    async def open_case_for(self, resident: str) -> OpenCase | None:
        cases = self._open(resident)
        if not cases:
            return None
        case = cases[-1]
        return OpenCase(case.number, case.status, self.directory.centre_name(case.centre, spoken()))

    async def add_message(self, resident: str, case_number: str, text: str) -> bool:
        cases = self._open(resident)
        if not cases or cases[-1].number != case_number:
            return False
        cases[-1].messages.append(text)
        return True

    # ---- callback reminders ----------------------------------------------------------------

    def _own(self, resident: str, case_number: str) -> MemoryCase | None:
        case = self.cases.get(case_number)
        return case if case is not None and case.is_open and case.resident == resident else None

    async def booked_case(self, resident: str, case_number: str) -> BookedCase | None:
        case = self._own(resident, case_number)
        if case is None:
            return None
        return BookedCase(case.number, case.centre, self.directory.centre_name(case.centre, spoken()), case.slot_start,
                          case.request.contact_method)

    async def move_callback(self, resident: str, case_number: str, start: datetime) -> datetime:
        case = self._own(resident, case_number)
        if case is None:
            raise NotYourCase(case_number)
        new = self._book(case.centre, start)
        if case.slot_start is not None:
            self.booked[(case.centre, case.slot_start)] -= 1
        case.slot_start = new
        return new

    async def cancel_callback(self, resident: str, case_number: str) -> datetime | None:
        case = self._own(resident, case_number)
        if case is None:
            raise NotYourCase(case_number)
        previous, case.slot_start = case.slot_start, None
        if previous is not None:
            self.booked[(case.centre, previous)] -= 1
        return previous
