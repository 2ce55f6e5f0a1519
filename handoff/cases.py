"""Handoff records: created on confirmation, found again, added to, and erased.

Personal data (summary, answers, phone, LINE user id) is encrypted by the column types;
the LINE user id is also kept as a keyed hash so a returning resident's case, and the
cases to erase, are found without decrypting. Functions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from flows.phone import callable_number
from handoff import lifecycle
from handoff.crypto import lookup_hash
from handoff.directory import load_directory
from handoff.driver_reads import DriverRead
from handoff.lifecycle import DangerReport as DangerReport  # callers say cases.DangerReport
from handoff.models import (
    OPEN_STATUSES,
    STATUSES,
    CaseCounter,
    Handoff,
    HandoffMessage,
    SlotBooking,
    utcnow,
)
from handoff.routing import Route
from handoff.slots import TOKYO, book

CONTACT_METHODS = ("phone", "line")


class InvalidPhone(ValueError):
    """Not a Japanese phone number a centre could call back."""


class CaseNotOpen(LookupError):
    """No open case with that id."""


@dataclass(frozen=True)
class Consent:
    """What the resident agreed to, the version of the text they were shown, and when."""

    scope: list[str]
    text_version: str
    at: datetime = field(default_factory=utcnow)


def normalise_phone(raw: str) -> str:
    """A Japanese number a centre can call back, as plain digits (the rule is
    ``flows.phone``'s, the conversation's too); InvalidPhone if not."""
    digits = callable_number(raw)
    if digits is None:
        raise InvalidPhone(raw)
    return digits


async def _next_case_number(session: AsyncSession, prefix: str, now: datetime) -> str:
    period = f"{prefix}-{now.astimezone(TOKYO):%y%m}"
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(CaseCounter)
        .values(name=period, value=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    # The UPDATE locks the counter row until commit, so concurrent cases get distinct numbers.
    value = await session.scalar(
        update(CaseCounter)
        .where(CaseCounter.name == period)
        .values(value=CaseCounter.value + 1)
        .returning(CaseCounter.value)
    )
    return f"{period}-{value:04d}"


# Residents answered in standard or plain Japanese can be called without an interpreter.
JAPANESE_READERS = ("ja", "ja-easy")


async def create_handoff(
    session: AsyncSession,
    *,
    route: Route,
    situations: list[str],
    summary: str,
    answers: dict[str, Any],
    consent: Consent,
    contact_method: str,
    line_user_id: str,
    phone: str | None = None,
    callback_slot: datetime | None = None,
    now: datetime | None = None,
    flow: str | None = None,
    danger: DangerReport | None = None,
    language: str = "ja",
) -> Handoff:
    """Record the confirmed case, its work row, visibility and first events, and book its
    callback slot at the primary centre, all in the caller's transaction.

    ``flow`` is the guided flow's code (older callers put it in ``answers["flow"]``; it is
    taken out of the encrypted answers into its own column). ``danger`` is why an urgent
    case is urgent, shown first to staff. Raises ``InvalidPhone``, or ``SlotTaken`` when
    the slot filled up meanwhile (nothing is kept then: the savepoint is rolled back).
    """
    answers = dict(answers)
    flow = lifecycle.flow_code(flow or answers.pop("flow", None))
    answers.pop("flow", None)
    if contact_method not in CONTACT_METHODS:
        raise ValueError(f"contact_method must be one of {CONTACT_METHODS}")
    if contact_method == "phone":
        if not phone:
            raise InvalidPhone("")
        phone = normalise_phone(phone)
    now = now or utcnow()
    directory = load_directory(route.primary.ward)
    async with session.begin_nested():
        handoff = Handoff(
            case_number=await _next_case_number(session, directory.case_prefix, now),
            ward=directory.ward,
            primary_centre=route.primary.code,
            centre_codes=route.centre_codes,
            situations=list(dict.fromkeys(situations)),
            multi_agency=route.multi_agency,
            urgency="urgent" if route.urgent else "normal",
            status="new",
            flow=flow,
            summary=summary,
            answers=answers,
            phone=phone if contact_method == "phone" else None,
            line_user_id=line_user_id,
            line_user_hash=lookup_hash(line_user_id),
            contact_method=contact_method,
            consent_scope=list(consent.scope),
            consent_text_version=consent.text_version,
            consented_at=consent.at,
            language=language,
            interpreter_needed=language not in JAPANESE_READERS,
            created_at=now,
            updated_at=now,
        )
        session.add(handoff)
        await session.flush()
        if callback_slot is not None:
            await book(session, route.primary, start=callback_slot, handoff_id=handoff.id, now=now)
        await lifecycle.open_case(
            session, handoff, centre=route.primary, has_callback=callback_slot is not None, danger=danger
        )
    await session.refresh(handoff, ["booking"])
    return handoff


async def receive_case(
    session: AsyncSession, *, route: Route, line_user_id: str, danger: DangerReport | None = None,
    now: datetime | None = None, **case: Any,
) -> Handoff:
    """A confirmed request: a new case, or, for a danger message from a resident who has an
    open case, that case flagged urgent with the reason in its thread (one case, not two)."""
    if danger is not None:
        existing = await open_case_for(session, line_user_id)
        if existing is not None:
            if case.get("contact_method") == "phone" and case.get("phone"):
                # The number they just gave for the urgent call is the one to ring.
                existing.phone, existing.contact_method = normalise_phone(case["phone"]), "phone"
            await lifecycle.flag_urgent(session, existing, danger, also_centre=route.primary.code, now=now)
            return existing
    return await create_handoff(session, route=route, line_user_id=line_user_id, danger=danger, now=now, **case)


# The open statuses as bound literals, not a list of values: SQLAlchemy renders an IN of
# values as an "expanding" parameter, rebuilt into one parameter per value on every execution
# (about 0.1 ms of CPU a read, bench/profile_handling.py). The SQL sent is the same
# (``status IN (%s, %s, %s, %s, %s)``), its values bound as before.
_OPEN = [literal(status, Handoff.status.type) for status in OPEN_STATUSES]


async def open_case_for(session: AsyncSession, line_user_id: str) -> Handoff | None:
    """The resident's newest open case (a returning resident is greeted with its status)."""
    return await session.scalar(
        select(Handoff)
        .where(
            Handoff.line_user_hash == lookup_hash(line_user_id), Handoff.status.in_(_OPEN)
        )
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(1)
    )


# Built and rendered once: constructing the statement on every first message was a
# measurable share of a worker's CPU, and so was SQLAlchemy's execution path for it
# (bench/profile_handling.py); three text columns, nothing to process in the row.
_OPEN_CASE_BRIEF = DriverRead(
    select(Handoff.case_number, Handoff.status, Handoff.primary_centre)
    .where(Handoff.line_user_hash == bindparam("user_hash"), Handoff.status.in_(_OPEN))
    .order_by(Handoff.created_at.desc(), Handoff.id.desc())
    .limit(1)
)


async def open_case_brief(connection: AsyncConnection, line_user_id: str) -> tuple[str, str, str] | None:
    """``open_case_for`` without the ORM, for the check on every first message: the newest
    open case's number, status and primary centre."""
    rows = await _OPEN_CASE_BRIEF.rows(connection, {"user_hash": lookup_hash(line_user_id)})
    return (rows[0][0], rows[0][1], rows[0][2]) if rows else None


async def add_resident_message(session: AsyncSession, case_id: int, text: str) -> HandoffMessage:
    """Attach a message from the resident to their open case."""
    handoff = await session.get(Handoff, case_id)
    if handoff is None or not handoff.is_open:
        raise CaseNotOpen(case_id)
    message = HandoffMessage(handoff_id=case_id, body=text)
    session.add(message)
    handoff.updated_at = utcnow()
    await session.flush()
    return message


# The resident's newest open case, touched only when it is the case they are writing to:
# one UPDATE … RETURNING on the tables, instead of loading the case as an ORM object (which
# decrypted its summary, answers, phone and user id for nothing) and flushing it.
_HANDOFFS = cast(Table, Handoff.__table__)
_TOUCH_OWN_OPEN_CASE = (
    update(_HANDOFFS)
    .where(
        _HANDOFFS.c.id
        == select(_HANDOFFS.c.id)
        .where(_HANDOFFS.c.line_user_hash == bindparam("user_hash"), _HANDOFFS.c.status.in_(_OPEN))
        .order_by(_HANDOFFS.c.created_at.desc(), _HANDOFFS.c.id.desc())
        .limit(1)
        .scalar_subquery(),
        _HANDOFFS.c.case_number == bindparam("number"),
    )
    .values(updated_at=bindparam("now", type_=_HANDOFFS.c.updated_at.type))
    .returning(_HANDOFFS.c.id)
)
_ADD_MESSAGE = insert(cast(Table, HandoffMessage.__table__))


async def add_to_own_open_case(session: AsyncSession, line_user_id: str, case_number: str, text: str) -> bool:
    """``text`` added to the resident's newest open case if that is ``case_number``; False
    (nothing written) when it is not, or when they have no open case."""
    case_id = (
        await session.execute(
            _TOUCH_OWN_OPEN_CASE, {"user_hash": lookup_hash(line_user_id), "number": case_number, "now": utcnow()}
        )
    ).scalar()
    if case_id is None:
        return False
    await session.execute(_ADD_MESSAGE, {"handoff_id": case_id, "body": text})
    return True


async def set_status(session: AsyncSession, case_id: int, status: str) -> Handoff:
    """Set the case's one status directly (maintenance and tests; staff go through
    ``handoff.inbox``, which checks the move and writes the history)."""
    if status not in STATUSES or status == "erased":
        raise ValueError(f"status must be one of {STATUSES[:-1]}")
    handoff = await session.get(Handoff, case_id)
    if handoff is None:
        raise LookupError(case_id)
    handoff.status = status
    await session.flush()
    return handoff


async def erase_resident(session: AsyncSession, line_user_id: str) -> list[str]:
    """Delete the personal data of the resident's unclosed cases (わたしのデータを消す).

    The case rows stay as ``erased`` with their number, centres and situations so staff
    see the case was withdrawn; summary, answers, phone, user id, messages and the
    callback booking go. Returns the case numbers erased.
    """
    cases = (
        await session.scalars(
            select(Handoff).where(
                Handoff.line_user_hash == lookup_hash(line_user_id),
                Handoff.status.in_(OPEN_STATUSES),
            )
        )
    ).all()
    if not cases:
        return []
    ids = [case.id for case in cases]
    # The case thread holds what the resident wrote and what staff wrote about them.
    from handoff.staff_models import CaseEntry  # staff tables build on these models

    await session.execute(
        update(CaseEntry).where(CaseEntry.handoff_id.in_(ids)).values(body=None)
    )
    await session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(ids)))
    await session.execute(delete(SlotBooking).where(SlotBooking.handoff_id.in_(ids)))
    erased_at = datetime.now(UTC)
    for case in cases:
        case.summary = case.answers = case.phone = None
        case.line_user_id = case.line_user_hash = None
        case.status = "erased"
        case.erased_at = erased_at
    await session.flush()
    for case in cases:
        await session.refresh(case, ["booking"])
    return [case.case_number for case in cases]
