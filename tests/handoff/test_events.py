"""The statistics log cannot hold a person: no user id, no text, hour-level time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from handoff.events import BadEvent, record_event
from handoff.models import EventLog

USER = "U4af4980629ed27ab9c5c3b0f4e1c2d3a"


async def test_events_hold_codes_and_the_hour_only(sessions) -> None:
    at = datetime(2026, 12, 25, 10, 47, 13, 500, tzinfo=UTC)
    async with sessions() as session, session.begin():
        await record_event(session, ward="edogawa", flow="intake", kind="start", at=at)
        await record_event(
            session, ward="edogawa", flow="intake", kind="step", step="ask_situation", at=at
        )
        await record_event(
            session,
            ward="edogawa",
            flow="intake",
            kind="outcome",
            outcome="handed_off",
            situation="debt",
            at=at,
        )
    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM event_log ORDER BY id"))).mappings().all()
        hours = (
            await session.scalars(EventLog.__table__.select().with_only_columns(EventLog.hour))
        ).all()
    assert [row["kind"] for row in rows] == ["start", "step", "outcome"]
    assert set(hours) == {datetime(2026, 12, 25, 10, 0, tzinfo=UTC)}
    assert set(rows[0]) == {"id", "hour", "ward", "flow", "kind", "step", "outcome", "situation", "language"}
    assert not any(USER in str(value) for row in rows for value in row.values())


def test_event_table_has_no_column_that_could_join_to_a_person() -> None:
    columns = {column.name for column in inspect(EventLog).columns}
    assert not columns & {
        "user_id",
        "line_user_id",
        "line_user_hash",
        "case_number",
        "handoff_id",
        "text",
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"step": USER},
        {"outcome": "借金が300万円あります"},
        {"step": "Ask Situation"},
        {"situation": "my debt"},
        {"kind": "message"},
    ],
)
async def test_free_text_and_ids_are_refused(sessions, fields: dict) -> None:
    async with sessions() as session:
        arguments = {"ward": "edogawa", "flow": "intake", "kind": "step", **fields}
        with pytest.raises(BadEvent):
            await record_event(session, **arguments)


async def test_an_event_handled_twice_is_counted_once(sessions) -> None:
    """In a turn the desk's statistics rows go with the turn (committed with the answer and
    written by bot.maintenance); writing the rows of a second handling of the same LINE
    event (a worker died before committing) adds nothing. Outside a turn: written at once."""
    from flows.turn import Turn
    from handoff.desk import HandoffDesk
    from handoff.directory import load_directory
    from handoff.events import insert_records

    desk = HandoffDesk(directory=load_directory("edogawa"), sessions=sessions)
    handled: list[list[dict]] = []
    for event in ("event-1", "event-1", "event-2"):
        with Turn.open(event) as turn:
            await desk.record_event(flow="debt", kind="start", situation="debt")
            await desk.record_event(flow="debt", kind="step", step="ask_amount")
        handled.append(turn.rows)
    assert [row["key"] for row in handled[0]] == ["event-1:1:event", "event-1:2:event"]
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM event_log"))).scalar() == 0
    written = []
    for rows in handled:  # as bot.maintenance applies the records
        async with sessions() as session, session.begin():
            written.append(await insert_records(session, rows))
    assert written == [2, 0, 2]
    await desk.record_event(flow="debt", kind="step", step="ask_amount")  # outside a turn
    async with sessions() as session:
        kinds = (await session.execute(text("SELECT kind FROM event_log ORDER BY id"))).scalars().all()
    assert kinds == ["start", "step", "start", "step", "step"]


async def test_the_open_case_check_reads_the_open_case(sessions) -> None:
    from handoff.desk import HandoffDesk
    from handoff.directory import load_directory
    from tests.handoff.test_cases import _create

    desk = HandoffDesk(directory=load_directory("edogawa"), sessions=sessions)
    assert await desk.open_case_for(f"user:{USER}") is None
    async with sessions() as session, session.begin():
        case = await _create(session, user=USER)
    found = await desk.open_case_for(f"user:{USER}")
    assert found is not None and found.case_number == case.case_number
    assert found.status == "new" and found.centre_name == load_directory("edogawa").centre_name(case.primary_centre)
    assert await desk.open_case_for("user:Usomeone-else") is None


async def test_a_danger_outcome_is_written_at_once_and_once(sessions) -> None:
    """Danger rows stay on the turn's path: without the database the turn fails, and the
    worker's last resort answers and alerts staff (tests/bot/test_outages.py)."""
    from flows.turn import Turn
    from handoff.desk import HandoffDesk
    from handoff.directory import load_directory

    desk = HandoffDesk(directory=load_directory("edogawa"), sessions=sessions)
    for _handling in range(2):
        with Turn.open("event-danger") as turn:
            await desk.record_event(flow="none", kind="outcome", outcome="danger")
        assert turn.danger and turn.rows == []
    async with sessions() as session:
        outcomes = (await session.execute(text("SELECT outcome FROM event_log"))).scalars().all()
    assert outcomes == ["danger"]
