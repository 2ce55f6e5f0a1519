"""Races on real PostgreSQL: the database, not luck, decides who gets the last place."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import timedelta

from handoff import slots
from handoff.cases import Consent, create_handoff
from handoff.directory import load_directory
from handoff.models import SlotBooking
from handoff.reminders import claim_due_reminders
from handoff.routing import route
from handoff.slots import SlotTaken
from tests.handoff.conftest import NOW

RACERS = 16


async def _race(pg_sessions, centre, start) -> list[bool]:
    gate = asyncio.Event()

    async def racer() -> bool:
        async with pg_sessions() as session:
            await gate.wait()
            try:
                async with session.begin():
                    await slots.book(session, centre, start=start, now=NOW)
                return True
            except SlotTaken:
                return False

    tasks = [asyncio.create_task(racer()) for _ in range(RACERS)]
    await asyncio.sleep(0.05)
    gate.set()
    return await asyncio.gather(*tasks)


async def test_exactly_capacity_residents_get_a_place(pg_sessions) -> None:
    centre = dataclasses.replace(load_directory("edogawa").centre("kurashigoto"), capacity=3)
    async with pg_sessions() as session:
        start = (await slots.free_slots(session, centre, limit=1, now=NOW))[0].start
    results = await _race(pg_sessions, centre, start)
    assert results.count(True) == 3
    async with pg_sessions() as session:
        places = (
            await session.scalars(
                SlotBooking.__table__.select().with_only_columns(SlotBooking.place_no)
            )
        ).all()
    assert sorted(places) == [0, 1, 2]


async def test_many_race_for_the_very_last_place(pg_sessions) -> None:
    centre = load_directory("edogawa").centre("kurashigoto")  # capacity 2 from data
    async with pg_sessions() as session, session.begin():
        start = (await slots.free_slots(session, centre, limit=1, now=NOW))[0].start
        await slots.book(session, centre, start=start, now=NOW)
    results = await _race(pg_sessions, centre, start)
    assert results.count(True) == 1


async def test_concurrent_cases_get_distinct_case_numbers(pg_sessions) -> None:
    directory = load_directory("edogawa")
    chosen = route(directory, situations=["debt"], facts={}, urgent=False)

    async def create(n: int) -> str:
        async with pg_sessions() as session, session.begin():
            case = await create_handoff(
                session,
                route=chosen,
                situations=["debt"],
                summary="借金の相談",
                answers={},
                consent=Consent(scope=["share_with_centre"], text_version="consent-v1"),
                contact_method="line",
                line_user_id=f"U{n:032x}",
                now=NOW,
            )
            return case.case_number

    numbers = await asyncio.gather(*(create(n) for n in range(10)))
    assert len(set(numbers)) == 10
    assert all(re.fullmatch(r"E-2612-\d{4}", number) for number in numbers)
    assert sorted(numbers) == [f"E-2612-{n:04d}" for n in range(1, 11)]


async def test_each_reminder_is_claimed_exactly_once(pg_sessions) -> None:
    directory = load_directory("edogawa")
    chosen = route(directory, situations=["debt"], facts={}, urgent=False)
    centre = dataclasses.replace(chosen.primary, capacity=50)
    chosen = dataclasses.replace(chosen, primary=centre)
    async with pg_sessions() as session, session.begin():
        soon = (
            await slots.free_slots(session, centre, limit=1, after=NOW + timedelta(days=4), now=NOW)
        )[0]
        later = (
            await slots.free_slots(
                session, centre, limit=1, after=NOW + timedelta(days=20), now=NOW
            )
        )[0]
        for n in range(12):
            await create_handoff(
                session,
                route=chosen,
                situations=["debt"],
                summary="s",
                answers={},
                consent=Consent(scope=["share_with_centre"], text_version="consent-v1"),
                contact_method="line",
                line_user_id=f"U{n}",
                callback_slot=(soon, later)[n % 2].start,
                now=NOW,
            )
    # The day before the sooner slot: its 6 bookings are due, the later ones not yet.
    claim_time = soon.start - timedelta(hours=20)

    async def claimer() -> list:
        async with pg_sessions() as session, session.begin():
            return await claim_due_reminders(session, now=claim_time)

    batches = await asyncio.gather(*(claimer() for _ in range(6)))
    claimed = [(r.kind, r.booking_id) for batch in batches for r in batch]
    assert len(claimed) == len(set(claimed)) == 6
    assert {kind for kind, _ in claimed} == {"day_before"}
    async with pg_sessions() as session, session.begin():
        assert await claim_due_reminders(session, now=claim_time) == []
        hour_before = await claim_due_reminders(session, now=soon.start - timedelta(minutes=30))
    assert len(hour_before) == 6 and {r.kind for r in hour_before} == {"hour_before"}
