"""The "no open case" marker (``handoff.open_cases``): a query saved on a first message, and
never a resident with an open case told nothing about it, whatever order things happen in.

Each check runs as the worker runs a turn: the marker and its counters read first (as the
lease script reads them), the open-case check in a turn, the turn's writes committed after.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from flows.turn import Turn, reading_ahead
from handoff import cases, open_cases
from handoff.db import make_async_engine, session_factory
from handoff.desk import HandoffDesk
from handoff.directory import load_directory
from handoff.open_cases import CaseOpenings
from tests.handoff.desk.test_desk_contract import RESIDENT, _request
from tests.support.conversation import Clock

EDOGAWA = load_directory("edogawa")


@pytest.fixture
def openings(redis_client) -> CaseOpenings:
    return CaseOpenings(redis_client)


@pytest.fixture
def desk(sessions: async_sessionmaker, clock: Clock, openings: CaseOpenings) -> HandoffDesk:
    return HandoffDesk(directory=EDOGAWA, sessions=sessions, clock=clock, openings=openings)


async def _read_ahead(redis_client, resident: str = RESIDENT) -> dict[str, Any]:
    keys = open_cases.read_ahead_keys(resident)
    return dict(zip(keys, await redis_client.mget(keys), strict=True))


async def _commit(redis_client, turn: Turn) -> None:
    for write in turn.writes:
        await redis_client.execute_command(*write)


async def _check(desk: HandoffDesk, redis_client, values: dict[str, Any] | None = None) -> Any:
    """One turn's open-case check, read ahead like the worker, its writes committed."""
    values = values if values is not None else await _read_ahead(redis_client)
    with reading_ahead(values), Turn.open("event") as turn:
        found = await desk.open_case_for(RESIDENT)
    await _commit(redis_client, turn)
    return found


async def test_none_is_kept_and_then_believed_without_a_query(desk, redis_client, clock, openings):
    assert await _check(desk, redis_client) is None
    assert await redis_client.get(open_cases.marker_key(RESIDENT)) is not None
    # The same desk on a database that cannot be reached still answers: no query was made.
    unreachable = make_async_engine("postgresql+psycopg://nobody@127.0.0.1:9/unreachable")
    try:
        offline = HandoffDesk(directory=EDOGAWA, sessions=session_factory(unreachable), clock=clock,
                              openings=openings)
        assert await _check(offline, redis_client) is None
    finally:
        await unreachable.dispose()


async def test_a_case_the_worker_opens_is_seen_at_once(desk, redis_client):
    assert await _check(desk, redis_client) is None  # the marker is written
    (slot,) = await desk.free_slots("kurashigoto", limit=1)
    receipt = await desk.create_case(_request(slot=slot))
    found = await _check(desk, redis_client)
    assert found is not None and found.case_number == receipt.case_number


async def _open_directly(desk: HandoffDesk, sessions: async_sessionmaker, *, danger: bool = False) -> str:
    """A case opened in the database by another process (a danger alert's shape)."""
    async with sessions() as session, session.begin():
        case = await cases.create_handoff(
            session, route=desk._route(["crisis"], {}, danger), situations=["crisis"], summary="s",
            flow="danger_alert", answers={}, consent=cases.Consent(scope=[], text_version="none", at=desk._now()),
            contact_method="line", line_user_id=RESIDENT.removeprefix("user:"), now=desk._now(),
        )
        return case.case_number


async def test_a_case_opened_between_the_read_and_the_commit_is_seen(desk, redis_client):
    """A turn read the counters and found no case; a case opened (elsewhere) before that
    turn committed its "none": the marker it writes is not believed."""
    before = await _read_ahead(redis_client)
    with reading_ahead(before), Turn.open("event") as turn:
        assert await desk.open_case_for(RESIDENT) is None
    assert turn.writes  # the marker, to be committed with the turn
    (slot,) = await desk.free_slots("kurashigoto", limit=1)
    receipt = await desk.create_case(_request(slot=slot))  # another event, another worker
    await _commit(redis_client, turn)
    found = await _check(desk, redis_client)
    assert found is not None and found.case_number == receipt.case_number


async def test_a_case_opened_later_in_the_same_turn_is_not_hidden(desk, redis_client):
    assert await _check(desk, redis_client) is None  # a valid marker
    (slot,) = await desk.free_slots("kurashigoto", limit=1)
    with reading_ahead(await _read_ahead(redis_client)), Turn.open("event"):
        assert await desk.open_case_for(RESIDENT) is None
        receipt = await desk.create_case(_request(slot=slot))
        found = await desk.open_case_for(RESIDENT)
    assert found is not None and found.case_number == receipt.case_number


async def test_an_opening_under_way_keeps_the_marker_off(desk, redis_client, sessions):
    """A process that died between its database commit and its second counter leaves the
    resident without a marker, never with a wrong one."""
    assert await _check(desk, redis_client) is None
    await redis_client.incr(open_cases.begun_key(RESIDENT))  # begun, then the process died
    assert await _check(desk, redis_client) is None  # queried: nothing committed yet
    assert not open_cases.known_none(RESIDENT, await _read_ahead(redis_client))
    number = await _open_directly(desk, sessions)  # its commit, with nothing after it
    found = await _check(desk, redis_client)
    assert found is not None and found.case_number == number


async def test_a_case_opened_by_a_danger_alert_is_seen_at_once(desk, redis_client, sessions, openings):
    assert await _check(desk, redis_client) is None
    async with openings.opening(RESIDENT):
        number = await _open_directly(desk, sessions, danger=True)
    found = await _check(desk, redis_client)
    assert found is not None and found.case_number == number


async def test_a_case_closed_is_seen_at_once(desk, redis_client, sessions):
    (slot,) = await desk.free_slots("kurashigoto", limit=1)
    receipt = await desk.create_case(_request(slot=slot))
    found = await _check(desk, redis_client)
    assert found is not None and found.case_number == receipt.case_number
    async with sessions() as session, session.begin():
        case = await cases.open_case_for(session, RESIDENT.removeprefix("user:"))
        assert case is not None
        await cases.set_status(session, case.id, "closed")
    assert await _check(desk, redis_client) is None
    assert open_cases.known_none(RESIDENT, await _read_ahead(redis_client))


async def test_outside_a_worker_turn_the_desk_always_asks(desk, redis_client, sessions):
    assert await _check(desk, redis_client) is None
    number = await _open_directly(desk, sessions)  # without the counters
    with Turn.open("event"):  # nothing read ahead: the marker is not looked at
        found = await desk.open_case_for(RESIDENT)
    assert found is not None and found.case_number == number


async def test_a_none_found_while_an_opening_was_under_way_is_not_kept(desk, redis_client, sessions):
    """An opening begun before the turn read the counters, committed after its query."""
    await redis_client.incr(open_cases.begun_key(RESIDENT))  # another process's opening begins
    during = await _read_ahead(redis_client)
    with reading_ahead(during), Turn.open("event") as turn:
        assert await desk.open_case_for(RESIDENT) is None  # before that process's commit
    number = await _open_directly(desk, sessions)
    await redis_client.incr(open_cases.ended_key(RESIDENT))  # and its opening ends
    await _commit(redis_client, turn)
    found = await _check(desk, redis_client)
    assert found is not None and found.case_number == number
