"""Which cases a person may see, found and ordered by the database, a page at a time.

Visibility is an EXISTS on ``case_centres``; the callback state (scheduled, due, overdue,
cancelled, done) is a CASE over the case's callback time and its answer-by time; the
order is urgent first, then overdue, then by callback time. Everything is one query, so
a small centre's oldest open case is found however many cases the ward has, and a read
never writes. The list carries no personal data: the encrypted columns are not loaded.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer
from sqlalchemy.sql.elements import ColumnElement

from handoff import events
from handoff.auth import Principal
from handoff.lifecycle import DONE_STATUSES
from handoff.models import OPEN_STATUSES, STATUSES, CaseCentre, Handoff, SlotBooking
from handoff.slots import TOKYO
from handoff.staff_models import CaseWork, StaffUser

OVERDUE_AFTER = timedelta(minutes=15)
DUE_BEFORE = timedelta(minutes=30)
VIEWS = ("queue", "today", "mine", "overdue")
PER_PAGE = 50
MAX_PER_PAGE = 200
PERSONAL = (Handoff.summary, Handoff.answers, Handoff.phone, Handoff.line_user_id)


class BadFilter(ValueError):
    """A filter that cannot be applied; ``code`` names its staff-facing message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # "open", "all" or one status
    centre: str | None = None
    situation: str | None = None
    day: date | None = None  # received on this Tokyo date
    view: str = "queue"  # queue, today (today's callbacks), mine, overdue
    callback_from: date | None = None
    callback_to: date | None = None
    number: str | None = None  # a case number, whole or in part

    def __post_init__(self) -> None:
        if self.status not in ("open", "all", *STATUSES) or self.status == "erased":
            raise BadFilter("bad_status_filter")
        if self.view not in VIEWS:
            raise BadFilter("bad_view")
        if self.situation is not None and self.situation not in events.KNOWN_SITUATIONS:
            raise BadFilter("bad_situation")
        if self.callback_from and self.callback_to and self.callback_from > self.callback_to:
            raise BadFilter("bad_callback_range")
        if self.number is not None:
            object.__setattr__(self, "number", normalise_number(self.number) or None)


def normalise_number(text: str) -> str:
    """Full-width or lower-case input reads as a case number (ｅ－２６１２ → E-2612)."""
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    return "".join(c for c in folded.replace("‐", "-").replace("−", "-").replace("ー", "-")
                   if c.isalnum() or c == "-")[:24]


@dataclass
class CaseRow:
    """One line of the queue: no personal data beyond what the list shows staff."""

    handoff: Handoff
    work: CaseWork
    claimed_by_name: str | None
    callback_at: datetime | None
    callback_state: str  # scheduled, due, overdue, cancelled, done
    urgent: bool

    @property
    def id(self) -> int:
        return self.handoff.id


@dataclass
class Page:
    rows: list[CaseRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), TOKYO).astimezone(UTC)


def callback_expr() -> Any:
    return func.coalesce(CaseWork.callback_at, SlotBooking.slot_start)


def state_expr(now: datetime) -> Any:
    """The callback state, as the database computes it for every row at ``now``."""
    cb = callback_expr()
    urgent = Handoff.urgency == "urgent"
    return case(
        # Urgent cases run on their own short clock, whatever the booked time.
        (and_(urgent, CaseWork.respond_by.is_not(None), CaseWork.respond_by < now), "overdue"),
        (and_(urgent, CaseWork.respond_by.is_not(None)), "due"),
        (Handoff.status.in_(DONE_STATUSES), "done"),
        # The resident cancelled and was told they can ask again: not to be called.
        (and_(cb.is_(None), Handoff.callback_cancelled_at.is_not(None)), "cancelled"),
        (and_(cb.is_(None), CaseWork.respond_by.is_not(None), CaseWork.respond_by < now), "overdue"),
        (cb.is_(None), "due"),  # "as soon as possible": due from the moment it arrives
        (cb < now - OVERDUE_AFTER, "overdue"),
        (cb <= now + DUE_BEFORE, "due"),
        else_="scheduled",
    )


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Staff and supervisors see the cases of their centres; admins see no case."""
    if not principal.sees_cases or not principal.centre_codes:
        return Handoff.id.is_(None)  # always false: ids are never null
    return exists().where(
        CaseCentre.handoff_id == Handoff.id, CaseCentre.centre_code.in_(principal.centre_codes)
    )


def _conditions(principal: Principal, filters: Filters, now: datetime) -> list[Any]:
    cb = callback_expr()
    where: list[Any] = [visible_to(principal)]
    if filters.status == "open":
        where.append(Handoff.status.in_(OPEN_STATUSES))
    elif filters.status == "all":
        where.append(Handoff.status != "erased")
    else:
        where.append(Handoff.status == filters.status)
    if filters.centre:
        where.append(exists().where(CaseCentre.handoff_id == Handoff.id, CaseCentre.centre_code == filters.centre))
    if filters.situation:
        # Situations are checked codes in a JSON list: the quoted code is found in its text.
        where.append(cast(Handoff.situations, String).like(f'%"{filters.situation}"%'))
    if filters.day is not None:
        start = _start_of(filters.day)
        where += [Handoff.created_at >= start, Handoff.created_at < start + timedelta(days=1)]
    if filters.view == "today":
        start = _start_of(now.astimezone(TOKYO).date())
        where += [cb >= start, cb < start + timedelta(days=1)]
    elif filters.view == "mine":
        where.append(CaseWork.claimed_by == principal.id)
    elif filters.view == "overdue":
        where.append(state_expr(now) == "overdue")
    if filters.callback_from:
        where.append(cb >= _start_of(filters.callback_from))
    if filters.callback_to:
        where.append(cb < _start_of(filters.callback_to) + timedelta(days=1))
    if filters.number:
        where.append(Handoff.case_number.like(f"%{filters.number}%"))
    return where


def _select(now: datetime, *, personal: bool = False) -> Any:
    claimer = aliased(StaffUser)
    query = (
        select(Handoff, CaseWork, claimer.display_name, callback_expr(), state_expr(now))
        .join(CaseWork, CaseWork.handoff_id == Handoff.id)
        .outerjoin(SlotBooking, SlotBooking.handoff_id == Handoff.id)
        .outerjoin(claimer, claimer.id == CaseWork.claimed_by)
    )
    if not personal:
        query = query.options(*(defer(column, raiseload=True) for column in PERSONAL))
    return query


def _row(found: Any) -> CaseRow:
    handoff, work, name, callback_at, state = found
    return CaseRow(handoff=handoff, work=work, claimed_by_name=name, callback_at=callback_at,
                   callback_state=state, urgent=handoff.urgency == "urgent")


async def page_of(
    session: AsyncSession, principal: Principal, filters: Filters, *, now: datetime | None = None,
    page: int = 1, per_page: int = PER_PAGE,
) -> Page:
    """One page of my centres' cases: urgent first, then overdue, then by callback time."""
    now = now or datetime.now(UTC)
    page, per_page = max(1, page), min(max(1, per_page), MAX_PER_PAGE)
    where = _conditions(principal, filters, now)
    state = state_expr(now)
    cb = callback_expr()
    if filters.view == "today":
        order: list[Any] = [cb, Handoff.id]
    else:
        order = [
            Handoff.status == "closed",
            Handoff.urgency != "urgent",
            state != "overdue",
            state == "cancelled",  # nothing to do until the resident asks
            func.coalesce(cb, Handoff.created_at),
            Handoff.id,
        ]
    query = _select(now).where(*where).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    rows = [_row(found) for found in (await session.execute(query)).all()]
    total = await session.scalar(
        select(func.count()).select_from(Handoff).join(CaseWork, CaseWork.handoff_id == Handoff.id)
        .outerjoin(SlotBooking, SlotBooking.handoff_id == Handoff.id).where(*where)
    )
    return Page(rows=rows, total=int(total or 0), page=page, per_page=per_page)


async def queue(
    session: AsyncSession, principal: Principal, filters: Filters, *, now: datetime | None = None,
    limit: int = PER_PAGE, page: int = 1,
) -> list[CaseRow]:
    """The rows of one page (see ``page_of``)."""
    return (await page_of(session, principal, filters, now=now, page=page, per_page=limit)).rows


async def counts(session: AsyncSession, principal: Principal, *, now: datetime | None = None) -> dict[str, int]:
    """How many open cases each view holds, and how many are urgent and new (the banner)."""
    now = now or datetime.now(UTC)
    result: dict[str, int] = {}
    for view in VIEWS:
        where = _conditions(principal, Filters(view=view), now)
        result[view] = int(await session.scalar(
            select(func.count()).select_from(Handoff).join(CaseWork, CaseWork.handoff_id == Handoff.id)
            .outerjoin(SlotBooking, SlotBooking.handoff_id == Handoff.id).where(*where)
        ) or 0)
    return result


async def urgent_new(session: AsyncSession, principal: Principal, *, limit: int = 20) -> list[tuple[int, str]]:
    """Open urgent cases nobody has claimed yet: (id, case number), oldest first."""
    found = await session.execute(
        select(Handoff.id, Handoff.case_number).join(CaseWork, CaseWork.handoff_id == Handoff.id)
        .where(visible_to(principal), Handoff.urgency == "urgent", Handoff.status == "new")
        .order_by(Handoff.id).limit(limit)
    )
    return [(int(i), str(n)) for i, n in found.all()]


async def case_row(
    session: AsyncSession, principal: Principal | None, case_id: int, *, now: datetime | None = None,
    personal: bool = False,
) -> CaseRow | None:
    """One case as the queue shows it (``principal`` None: without the visibility check,
    for the answer to an action that just succeeded)."""
    query = _select(now or datetime.now(UTC), personal=personal).where(Handoff.id == case_id)
    if principal is not None:
        query = query.where(visible_to(principal))
    found = (await session.execute(query)).first()
    return _row(found) if found is not None else None


async def find_number(session: AsyncSession, principal: Principal, number: str) -> int | None:
    """The id of the visible case with exactly this number."""
    found = await session.scalar(
        select(Handoff.id).where(Handoff.case_number == normalise_number(number), visible_to(principal))
    )
    return int(found) if found is not None else None


async def same_resident(session: AsyncSession, principal: Principal, handoff: Handoff) -> list[CaseRow]:
    """The resident's other cases this person may see, newest first (linked on the case page)."""
    if not handoff.line_user_hash:
        return []
    query = (
        _select(datetime.now(UTC))
        .where(Handoff.line_user_hash == handoff.line_user_hash, Handoff.id != handoff.id, visible_to(principal))
        .order_by(Handoff.created_at.desc())
        .limit(20)
    )
    return [_row(found) for found in (await session.execute(query)).all()]

