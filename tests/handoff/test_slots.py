"""Callback slots from data: holidays and the year-end closure skipped, capacity kept."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from handoff import slots
from handoff.directory import load_directory
from handoff.slots import TOKYO, NotBookable, SlotTaken
from tests.handoff.conftest import NOW

CLOSED_DAYS = [date(2026, 12, 29) + timedelta(days=n) for n in range(6)]  # 12/29 .. 1/3


def kurashigoto():
    return load_directory("edogawa").centre("kurashigoto")


def test_slot_times_skip_closure_holidays_and_weekends() -> None:
    centre = kurashigoto()
    days = {
        start.date()
        for start, _ in slots.slot_times(
            centre, after=NOW, until=datetime(2027, 1, 16, tzinfo=TOKYO)
        )
    }
    assert date(2026, 12, 25) in days and date(2026, 12, 28) in days
    assert not days & set(CLOSED_DAYS)
    assert date(2027, 1, 11) not in days  # 成人の日
    assert date(2027, 1, 12) in days
    assert date(2026, 12, 26) not in days and date(2026, 12, 27) not in days  # Sat, Sun
    assert {day.weekday() for day in days} <= {0, 1, 2, 3, 4}


def test_a_day_has_half_hour_slots_from_830_to_1700() -> None:
    day = list(
        slots.slot_times(
            kurashigoto(),
            after=datetime(2027, 1, 12, 0, 0, tzinfo=TOKYO),
            until=datetime(2027, 1, 13, 0, 0, tzinfo=TOKYO),
        )
    )
    assert len(day) == 17
    assert day[0][0] == datetime(2027, 1, 12, 8, 30, tzinfo=TOKYO)
    assert day[-1][1] == datetime(2027, 1, 12, 17, 0, tzinfo=TOKYO)


def test_toshima_uses_hour_slots_from_its_data() -> None:
    centre = load_directory("toshima").centre("kurashi_shigoto")
    day = list(
        slots.slot_times(
            centre,
            after=datetime(2027, 1, 12, tzinfo=TOKYO),
            until=datetime(2027, 1, 13, tzinfo=TOKYO),
        )
    )
    assert [end - start for start, end in day] == [timedelta(hours=1)] * 8


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2027, 1, 12, 10, 0, tzinfo=TOKYO), datetime(2027, 1, 12, 10, 0, tzinfo=TOKYO)),
        (datetime(2027, 1, 12, 7, 0, tzinfo=TOKYO), datetime(2027, 1, 12, 8, 30, tzinfo=TOKYO)),
        (datetime(2027, 1, 8, 17, 0, tzinfo=TOKYO), datetime(2027, 1, 12, 8, 30, tzinfo=TOKYO)),
        (datetime(2026, 12, 28, 18, 0, tzinfo=TOKYO), datetime(2027, 1, 4, 8, 30, tzinfo=TOKYO)),
    ],
    ids=["staffed", "before-opening", "friday-evening-before-成人の日", "year-end"],
)
def test_next_staffed_time(now: datetime, expected: datetime) -> None:
    assert slots.next_staffed_time(kurashigoto(), now) == expected


async def test_free_slots_book_until_full_then_slot_taken(sessions) -> None:
    centre = kurashigoto()
    async with sessions() as session, session.begin():
        first = await slots.free_slots(session, centre, limit=3, now=NOW)
        # 60 minutes' lead from 10:00 on Friday 12/25.
        assert [slot.start.hour * 60 + slot.start.minute for slot in first] == [660, 690, 720]
        target = first[0].start
        for _ in range(centre.capacity):
            await slots.book(session, centre, start=target, now=NOW)
        with pytest.raises(SlotTaken):
            await slots.book(session, centre, start=target, now=NOW)
        after = await slots.free_slots(session, centre, limit=3, now=NOW)
        assert target not in [slot.start for slot in after]


async def test_cancel_frees_the_place_and_move_changes_slot(sessions) -> None:
    centre = dataclasses.replace(kurashigoto(), capacity=1)
    async with sessions() as session, session.begin():
        a, b = (slot.start for slot in await slots.free_slots(session, centre, limit=2, now=NOW))
        booking = await slots.book(session, centre, start=a, now=NOW)
        with pytest.raises(SlotTaken):
            await slots.book(session, centre, start=a, now=NOW)
        moved = await slots.move(session, centre, booking_id=booking.id, start=b, now=NOW)
        assert moved.slot_start == b
        other = await slots.book(session, centre, start=a, now=NOW)  # a is free again
        with pytest.raises(SlotTaken):  # b is full: the move is refused, other stays at a
            await slots.move(session, centre, booking_id=other.id, start=b, now=NOW)
        assert await slots.cancel(session, booking_id=moved.id)
        again = await slots.book(session, centre, start=b, now=NOW)
        assert again.slot_start == b
        free = await slots.free_slots(session, centre, after=a, limit=2, now=NOW)
        assert a not in [slot.start for slot in free] and b not in [slot.start for slot in free]


async def test_free_slots_on_a_picked_day(sessions) -> None:
    centre = kurashigoto()
    async with sessions() as session:
        assert await slots.free_slots_on(session, centre, day=date(2027, 1, 11), now=NOW) == []
        assert await slots.free_slots_on(session, centre, day=date(2026, 12, 30), now=NOW) == []
        day = await slots.free_slots_on(session, centre, day=date(2027, 1, 12), now=NOW)
        assert len(day) == 17 and all(slot.free_places == centre.capacity for slot in day)
    earliest, latest = slots.booking_window(centre, now=NOW)
    assert earliest == NOW + timedelta(hours=1) and latest == NOW + timedelta(days=28)


@pytest.mark.parametrize(
    "start",
    [
        datetime(2027, 1, 11, 10, 0, tzinfo=TOKYO),  # 成人の日
        datetime(2026, 12, 30, 10, 0, tzinfo=TOKYO),  # year-end closure
        datetime(2027, 1, 12, 10, 15, tzinfo=TOKYO),  # not on the half hour
        datetime(2026, 12, 25, 10, 30, tzinfo=TOKYO),  # sooner than the lead time
        datetime(2027, 3, 1, 10, 0, tzinfo=TOKYO),  # beyond the horizon
    ],
)
async def test_times_that_are_not_slots_are_refused(sessions, start: datetime) -> None:
    async with sessions() as session:
        with pytest.raises(NotBookable):
            await slots.book(session, kurashigoto(), start=start, now=NOW)
