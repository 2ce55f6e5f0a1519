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
