"""The case desk the conversation talks to (``flows.ports.Desk``), over ``handoff``
(directory, routing, slots, cases, events) and one database session per call.

It lives here, not in ``flows``: the conversation core knows only its ports, and the
persistence side implements them (tests/handoff/desk: its contract, shared with the in-memory
double tests/flows uses, and the conversation on it).

Centre facts (names, hours, the ward's name) come in the language of the turn being handled
(``flows.language.spoken``), so the conversation formats them as they are; staff pages read
the directory's Japanese.

This is the only place the conversation meets the database; it commits what it does, so a
resident's confirmed case is stored before they are told its number. Inside a turn
(``flows.turn``) every effect is done once per event (``handoff.effects``): handling the
same event again returns the recorded result (the same case number) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flows.language import spoken
from flows.ports import (
    BookedCase,
    CaseReceipt,
    CaseRequest,
    CentreInfo,
    NotYourCase,
    OpenCase,
    PhoneRefused,
    Routing,
    SlotUnavailable,
)
from flows.turn import current_turn
from handoff import cases, effects, events, open_cases, slots
from handoff.crypto import lookup_hash
from handoff.directory import Centre, Directory
from handoff.models import RESIDENT_STATUS, Handoff
from handoff.routing import Route, route
from handoff.staff_models import CaseEntry

USER_PREFIX = "user:"


def line_user_id(resident: str) -> str:
    """The LINE user id inside a one-to-one conversation key (``user:U…``)."""
    return resident.removeprefix(USER_PREFIX)


def _effect_key(name: str) -> str | None:
    turn = current_turn()
    return turn.effect_key(name) if turn is not None else None


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _receipt(value: dict[str, Any]) -> CaseReceipt:
    return CaseReceipt(
        case_number=value["case_number"], centre_name=value["centre_name"],
        slot_start=_moment(value["slot_start"]), staffed_from=datetime.fromisoformat(value["staffed_from"]),
    )


def _receipt_record(receipt: CaseReceipt) -> dict[str, Any]:
    return {"case_number": receipt.case_number, "centre_name": receipt.centre_name,
            "slot_start": _when(receipt.slot_start), "staffed_from": receipt.staffed_from.isoformat()}


def centre_info(centre: Centre, language: str) -> CentreInfo:
    """A centre as a resident reading ``language`` is told of it."""
    return CentreInfo(code=centre.code, name=centre.name_in(language), phone=centre.shown("phone", language),
                      hours=centre.shown("hours", language))


def routing_in(chosen: Route, language: str) -> Routing:
    """The route a resident reading ``language`` is told of (also the in-memory desk's)."""
    return Routing(
        centre=centre_info(chosen.primary, language),
        involved=tuple(c.name_in(language) for c in chosen.involved),
        multi_agency=chosen.multi_agency,
        urgent=chosen.urgent,
        reason=chosen.reason_key,
    )


class HandoffDesk:
    def __init__(
        self,
        *,
        directory: Directory,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime] | None = None,
        openings: open_cases.CaseOpenings | None = None,
        reads: AsyncEngine | None = None,
    ) -> None:
        self.directory = directory
        self._sessions = sessions
        self._engine: AsyncEngine = sessions.kw["bind"]
        # Reads that need no transaction (one statement at a time, as READ COMMITTED gives
        # anyway): no BEGIN and ROLLBACK around them, two round trips per read. ``reads``: an
        # engine whose own connections are in autocommit (``handoff.db``), else the shared
        # pool's connections are switched to it and back around each read (about 0.15 ms of
        # CPU a read, bench/profile_handling.py).
        self._autocommit = reads or self._engine.execution_options(isolation_level="AUTOCOMMIT")
        self._now = clock or (lambda: datetime.now(UTC))
        # With it, case openings move the "no open case" marker's counters, and a turn whose
        # worker read them ahead may skip the open-case query (handoff.open_cases).
        self._openings = openings

    @property
    def ward_name(self) -> str:
        return self.directory.ward_name_in(spoken())

    def _route(self, situations: list[str], facts: Mapping[str, Any], urgent: bool) -> Route:
        return route(self.directory, situations=situations, facts=facts, urgent=urgent)

    def route(self, *, situations: list[str], facts: Mapping[str, Any], urgent: bool) -> Routing:
        return routing_in(self._route(situations, facts, urgent), spoken())

    async def free_slots(self, centre: str, *, limit: int) -> list[datetime]:
        async with self._autocommit.connect() as connection:
            found = await slots.free_slots(connection, self.directory.centre(centre), limit=limit, now=self._now())
        return [slot.start for slot in found]

    async def free_slots_on(self, centre: str, day: date) -> list[datetime]:
        async with self._autocommit.connect() as connection:
            found = await slots.free_slots_on(connection, self.directory.centre(centre), day=day, now=self._now())
        return [slot.start for slot in found]

    def booking_days(self, centre: str) -> tuple[date, date]:
        earliest, latest = slots.booking_window(self.directory.centre(centre), now=self._now())
        return earliest.date(), latest.date()

    async def create_case(self, request: CaseRequest) -> CaseReceipt:
        chosen = self._route(request.situations, request.facts, request.urgent)
        now = self._now()
        key = _effect_key("case")
        if (turn := current_turn()) is not None:
            turn.case_opened = True
        async with self._opening(request.resident), self._sessions() as session, session.begin():

            async def create() -> CaseReceipt:
                try:
                    handoff = await cases.receive_case(
                        session,
                        route=chosen,
                        situations=request.situations or (["crisis"] if request.urgent else ["other_welfare"]),
                        summary=request.summary,
                        flow=request.flow,
                        answers=dict(request.answers),
                        danger=cases.DangerReport(request.danger_kinds, request.danger_words)
                        if request.urgent else None,
                        consent=cases.Consent(
                            scope=request.consent_scope,
                            text_version=request.consent_version,
                            at=request.consented_at,
                        ),
                        contact_method=request.contact_method,
                        line_user_id=line_user_id(request.resident),
                        phone=request.phone,
                        callback_slot=request.slot_start,
                        language=request.language,
                        now=now,
                    )
                except slots.SlotTaken as exc:
                    raise SlotUnavailable(str(exc)) from exc
                except cases.InvalidPhone as exc:
                    raise PhoneRefused(str(exc)) from exc
                return CaseReceipt(
                    case_number=handoff.case_number,
                    centre_name=self.directory.centre_name(handoff.primary_centre, spoken()),
                    slot_start=handoff.callback_slot,
                    staffed_from=slots.next_staffed_time(chosen.primary, now),
                )

            return await effects.once(session, key, create, encode=_receipt_record, decode=_receipt)

    async def record_event(
        self, *, flow: str, kind: str, step: str | None = None, outcome: str | None = None,
        situation: str | None = None,
    ) -> None:
        turn = current_turn()
        if turn is not None and outcome == "danger":
            turn.danger = True  # the worker alerts staff if this answer cannot be delivered
        if turn is not None and outcome == "consent_refused":
            turn.forget = True  # nothing about the person is kept, in Redis either
        key = _effect_key("event")
        row = events.event_row(
            ward=self.directory.ward, flow=flow, kind=kind, step=step, outcome=outcome, situation=situation,
            at=self._now(), language=spoken(),
        )
        if turn is not None and key is not None and outcome != "danger":
            # Committed with the turn's answer, written to the database later in batches
            # (bot.maintenance): most messages record a row, and this was their costliest write.
            turn.rows.append({"key": key, **events.row_record(row)})
            return
        # A danger outcome at once, as before: if the database is away, its handling fails
        # and the worker's last resort answers and tells staff (tests/bot/test_outages.py).
        async with self._engine.begin() as connection:
            if key is None or await effects.claim(connection, key):
                await events.insert_row(connection, row)

    async def erase_resident(self, resident: str) -> int:
        turn = current_turn()
        if turn is not None:
            turn.forget = True  # and what Redis holds of them (bot.erasure)
        key = _effect_key("erase")
        async with self._sessions() as session, session.begin():

            async def erase() -> int:
                return len(await cases.erase_resident(session, line_user_id(resident)))

            return await effects.once(session, key, erase)

    def _opening(self, resident: str) -> AbstractAsyncContextManager[None]:
        return self._openings.opening(resident) if self._openings is not None else nullcontext()

    async def open_case_for(self, resident: str) -> OpenCase | None:
        turn = current_turn()
        ahead: Mapping[str, bytes | None] = {}
        if self._openings is not None and turn is not None and not turn.case_opened:
            keys = open_cases.read_ahead_keys(resident)
            if all(key in turn.read_ahead for key in keys):
                ahead = turn.read_ahead
                if open_cases.known_none(resident, ahead):
                    return None  # the marker, still valid: no query
        # A single read on every first message: autocommit, so no BEGIN and ROLLBACK around it.
        async with self._autocommit.connect() as connection:
            case = await cases.open_case_brief(connection, line_user_id(resident))
        if case is None:
            if ahead and turn is not None:
                turn.writes += open_cases.marker_writes(resident, ahead)
            return None
        number, status, centre = case
        return OpenCase(number, RESIDENT_STATUS[status], self.directory.centre_name(centre, spoken()))

    async def add_message(self, resident: str, case_number: str, text: str) -> bool:
        key = _effect_key("message")
        async with self._sessions() as session, session.begin():

            async def add() -> bool:
                return await cases.add_to_own_open_case(session, line_user_id(resident), case_number, text)

            return await effects.once(session, key, add)

    # ---- callback reminders: keep, move, cancel -------------------------------------------

    async def _own_open_case(self, session: AsyncSession, resident: str, case_number: str) -> Handoff | None:
        """The case, only if it is open and this resident's own (a forwarded button is not)."""
        case = await session.scalar(select(Handoff).where(Handoff.case_number == case_number))
        if case is None or not case.is_open:
            return None
        return case if case.line_user_hash == lookup_hash(line_user_id(resident)) else None

    async def booked_case(self, resident: str, case_number: str) -> BookedCase | None:
        async with self._sessions() as session:
            case = await self._own_open_case(session, resident, case_number)
            if case is None:
                return None
            return BookedCase(
                case_number=case.case_number,
                centre_code=case.primary_centre,
                centre_name=self.directory.centre_name(case.primary_centre, spoken()),
                slot_start=case.callback_slot,
                contact_method=case.contact_method,
            )

    async def move_callback(self, resident: str, case_number: str, start: datetime) -> datetime:
        """Move (or, after a cancel, book again) the case's callback; the new booking gets
        fresh reminders. ``SlotUnavailable`` leaves the old booking as it was."""
        key = _effect_key("move")
        async with self._sessions() as session, session.begin():

            async def move() -> datetime:
                case = await self._own_open_case(session, resident, case_number)
                if case is None:
                    raise NotYourCase(case_number)
                centre = self.directory.centre(case.primary_centre)
                previous = case.booking.slot_start if case.booking else None
                try:
                    if case.booking is not None:
                        booking = await slots.move(session, centre, booking_id=case.booking.id, start=start, now=self._now())
                    else:
                        booking = await slots.book(session, centre, start=start, handoff_id=case.id, now=self._now())
                except slots.SlotTaken as exc:
                    raise SlotUnavailable(str(exc)) from exc
                case.callback_cancelled_at = None
                self._note_reschedule(session, case.id, previous, booking.slot_start)
                return booking.slot_start

            return await effects.once(session, key, move, encode=_when, decode=datetime.fromisoformat)

    async def cancel_callback(self, resident: str, case_number: str) -> datetime | None:
        """Free the booked place; the case stays open. The freed slot, or None if none was booked."""
        key = _effect_key("cancel")
        async with self._sessions() as session, session.begin():

            async def cancel() -> datetime | None:
                case = await self._own_open_case(session, resident, case_number)
                if case is None:
                    raise NotYourCase(case_number)
                if case.booking is None:
                    return None
                previous = case.booking.slot_start
                await slots.cancel(session, booking_id=case.booking.id)
                case.callback_cancelled_at = self._now()
                self._note_reschedule(session, case.id, previous, None)
                return previous

            return await effects.once(session, key, cancel, encode=_when, decode=_moment)

    @staticmethod
    def _note_reschedule(session: AsyncSession, case_id: int, previous: datetime | None, new: datetime | None) -> None:
        # Staff see the resident's change in the case history (no author = the resident).
        session.add(CaseEntry(
            handoff_id=case_id, kind="reschedule", author_id=None,
            meta={"by": "resident", "from": previous.isoformat() if previous else None,
                  "to": new.isoformat() if new else None},
        ))
