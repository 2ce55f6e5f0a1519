"""Callback slots: generated from a centre's hours, booked under a database constraint.

Slots are never stored in advance: they follow from the hours in ``data/centres`` minus
Japanese public holidays (jpholiday) and the ward's year-end closure. A booking takes a
place number below the slot's capacity; the unique (ward, centre, slot_start, place_no)
constraint makes two residents racing for the last place end with one booking and one
``SlotTaken``. Call these inside a transaction; committing is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff.directory import Centre
from handoff.driver_reads import DriverRead
from handoff.models import SlotBooking

TOKYO = ZoneInfo("Asia/Tokyo")


class SlotTaken(Exception):
    """Every place in the slot is booked (or the slot is not bookable at all)."""


class NotBookable(SlotTaken):
    """The time is not one of the centre's slots (closed, past, too soon or too far)."""


@dataclass(frozen=True)
class Slot:
    centre_code: str
    start: datetime  # Asia/Tokyo
    end: datetime
    free_places: int


def now_tokyo() -> datetime:
    return datetime.now(TOKYO)


def is_working_day(centre: Centre, day: date) -> bool:
    return (
        not jpholiday.is_holiday(day)
        and not centre.is_closure(day)
        and bool(centre.weekly.get(day.weekday()))
    )


def _day_slots(centre: Centre, day: date) -> Iterator[tuple[datetime, datetime]]:
    if not is_working_day(centre, day):
        return
    step = timedelta(minutes=centre.slot_minutes)
    for opens, closes in centre.weekly[day.weekday()]:
        start = datetime.combine(day, opens, TOKYO)
        close = datetime.combine(day, closes, TOKYO)
        while start + step <= close:
            yield start, start + step
            start += step


def booking_window(centre: Centre, *, now: datetime) -> tuple[datetime, datetime]:
    """Earliest and latest slot start a resident may book (for the date picker's min/max)."""
    now = now.astimezone(TOKYO)
    return now + timedelta(minutes=centre.min_lead_minutes), now + timedelta(
        days=centre.booking_horizon_days
    )


def slot_times(
    centre: Centre, *, after: datetime, until: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Every slot (start, end) of the centre starting in [after, until), holidays skipped."""
    after, until = after.astimezone(TOKYO), until.astimezone(TOKYO)
    day = after.date()
    while day <= until.date():
        for start, end in _day_slots(centre, day):
            if after <= start < until:
                yield start, end
        day += timedelta(days=1)


# Rendered once and sent straight to psycopg (handoff.driver_reads): read whenever a flow
# offers callback slots, where SQLAlchemy's execution path was most of its CPU.
_BOOKED_COUNTS = DriverRead(
    select(SlotBooking.slot_start, func.count())
    .where(
        SlotBooking.ward == bindparam("ward"),
        SlotBooking.centre_code == bindparam("centre"),
        SlotBooking.slot_start >= bindparam("after", type_=SlotBooking.slot_start.type),
        SlotBooking.slot_start < bindparam("until", type_=SlotBooking.slot_start.type),
    )
    .group_by(SlotBooking.slot_start)
)


async def _booked_counts(
    reader: AsyncSession | AsyncConnection, centre: Centre, after: datetime, until: datetime
) -> dict[datetime, int]:
    connection = reader if isinstance(reader, AsyncConnection) else await reader.connection()
    rows = await _BOOKED_COUNTS.rows(
        connection, {"ward": centre.ward, "centre": centre.code, "after": after, "until": until}
    )
    return {start.astimezone(TOKYO): count for start, count in rows}


async def free_slots(
    session: AsyncSession | AsyncConnection,
    centre: Centre,
    *,
    after: datetime | None = None,
    limit: int = 5,
    now: datetime | None = None,
) -> list[Slot]:
    """The next ``limit`` slots with a free place, starting no earlier than ``after``."""
    earliest, latest = booking_window(centre, now=now or now_tokyo())
    start_from = max(earliest, after.astimezone(TOKYO)) if after else earliest
    if start_from >= latest:
        return []
    counts = await _booked_counts(session, centre, start_from, latest)
    found: list[Slot] = []
    for start, end in slot_times(centre, after=start_from, until=latest):
        free = centre.capacity - counts.get(start, 0)
        if free > 0:
            found.append(Slot(centre.code, start, end, free))
            if len(found) >= limit:
                break
    return found


async def free_slots_on(
    session: AsyncSession | AsyncConnection, centre: Centre, *, day: date, now: datetime | None = None
) -> list[Slot]:
    """Free slots of one day (the resident picked the day with the date picker)."""
    start = datetime.combine(day, time.min, TOKYO)
    slots = await free_slots(session, centre, after=start, limit=10_000, now=now)
    return [slot for slot in slots if slot.start.date() == day]


def _check_bookable(centre: Centre, start: datetime, now: datetime) -> tuple[datetime, datetime]:
    start = start.astimezone(TOKYO)
    earliest, latest = booking_window(centre, now=now)
    if not earliest <= start < latest:
        raise NotBookable(f"{start.isoformat()} is outside the booking window")
    for slot_start, slot_end in _day_slots(centre, start.date()):
        if slot_start == start:
            return slot_start, slot_end
    raise NotBookable(f"{start.isoformat()} is not a slot of {centre.code}")


async def _taken_places(session: AsyncSession, centre: Centre, start: datetime) -> set[int]:
    rows = await session.scalars(
        select(SlotBooking.place_no).where(
            SlotBooking.ward == centre.ward,
            SlotBooking.centre_code == centre.code,
            SlotBooking.slot_start == start,
        )
    )
    return set(rows.all())


async def _claim_place(
    session: AsyncSession, centre: Centre, start: datetime, end: datetime, booking: SlotBooking
) -> SlotBooking:
    # Try each place that looked free; a concurrent booking of the same place fails on the
    # unique constraint inside a savepoint, and we move on to the next.
    for place_no in sorted(
        set(range(centre.capacity)) - await _taken_places(session, centre, start)
    ):
        try:
            async with session.begin_nested():
                booking.ward, booking.centre_code = centre.ward, centre.code
                booking.slot_start, booking.slot_end = start, end
                booking.place_no, booking.capacity = place_no, centre.capacity
                session.add(booking)
                await session.flush()
            return booking
        except IntegrityError:
            continue
    raise SlotTaken(f"{centre.code} {start.isoformat()} is full")


async def book(
    session: AsyncSession,
    centre: Centre,
    *,
    start: datetime,
    handoff_id: int | None = None,
    now: datetime | None = None,
) -> SlotBooking:
    """Take a place in the slot starting at ``start``; ``SlotTaken`` when it is full."""
    slot_start, slot_end = _check_bookable(centre, start, now or now_tokyo())
    return await _claim_place(
        session, centre, slot_start, slot_end, SlotBooking(handoff_id=handoff_id)
    )


async def move(
    session: AsyncSession,
    centre: Centre,
    *,
    booking_id: int,
    start: datetime,
    now: datetime | None = None,
) -> SlotBooking:
    """Move a booking to another slot; the old place is freed only if the new one is had."""
    booking = await session.get(SlotBooking, booking_id)
    if booking is None:
        raise LookupError(f"no booking {booking_id}")
    slot_start, slot_end = _check_bookable(centre, start, now or now_tokyo())
    replacement = SlotBooking(handoff_id=None)
    handoff_id = booking.handoff_id
    await session.delete(booking)
    await session.flush()
    try:
        replacement = await _claim_place(session, centre, slot_start, slot_end, replacement)
    except SlotTaken:
        # Put the resident back where they were, same place number.
        session.add(
            SlotBooking(
                ward=booking.ward,
                centre_code=booking.centre_code,
                slot_start=booking.slot_start,
                slot_end=booking.slot_end,
                place_no=booking.place_no,
                capacity=booking.capacity,
                handoff_id=handoff_id,
                created_at=booking.created_at,
            )
        )
        await session.flush()
        raise
    replacement.handoff_id = handoff_id
    await session.flush()
    return replacement


async def cancel(session: AsyncSession, *, booking_id: int) -> bool:
    """Free the place; False when there was no such booking."""
    booking = await session.get(SlotBooking, booking_id)
    if booking is None:
        return False
    await session.delete(booking)
    await session.flush()
    return True


def next_staffed_time(centre: Centre, now: datetime) -> datetime:
    """When a person at the centre will next be at work (``now`` if they are now)."""
    now = now.astimezone(TOKYO)
    day = now.date()
    for _ in range(366):
        if is_working_day(centre, day):
            for opens, closes in centre.weekly[day.weekday()]:
                start = datetime.combine(day, opens, TOKYO)
                end = datetime.combine(day, closes, TOKYO)
                if now < end:
                    return max(start, now)
        day += timedelta(days=1)
    raise ValueError(f"{centre.code} has no staffed hours in the next year")
