"""The desk's reads run without a transaction (no BEGIN and ROLLBACK round trips) and still
see what was committed a moment before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from handoff.db import make_async_engine
from handoff.desk import HandoffDesk
from handoff.directory import load_directory
from handoff.driver_reads import DriverRead
from tests.handoff.desk.test_desk_contract import _request

EDOGAWA = load_directory("edogawa")


@pytest.fixture
def driver_reads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the connection of each read sent straight to the driver was in autocommit
    (those reads pass SQLAlchemy's cursor events by)."""
    autocommit: list[bool] = []
    original = DriverRead.rows

    async def rows(self: DriverRead, connection: AsyncConnection, params: Mapping[str, Any]) -> Any:
        raw = await connection.get_raw_connection()
        autocommit.append(raw.dbapi_connection.autocommit)  # type: ignore[union-attr]
        return await original(self, connection, params)

    monkeypatch.setattr(DriverRead, "rows", rows)
    return autocommit


async def test_free_slots_are_read_in_autocommit_and_see_a_booking_at_once(sessions, clock, db_engine, driver_reads):
    desk = HandoffDesk(directory=EDOGAWA, sessions=sessions, clock=clock)
    autocommit: list[bool] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        autocommit.append(conn.connection.dbapi_connection.autocommit)

    event.listen(db_engine.sync_engine, "before_cursor_execute", seen)
    try:
        (slot,) = await desk.free_slots("kurashigoto", limit=1)
        day = slot.date()
        assert slot in await desk.free_slots_on("kurashigoto", day)
    finally:
        event.remove(db_engine.sync_engine, "before_cursor_execute", seen)
    autocommit += driver_reads
    assert autocommit and all(autocommit)
    for n in range(EDOGAWA.centre("kurashigoto").capacity):
        await desk.create_case(_request(slot=slot, resident=f"user:U{n:032d}"))
    assert slot not in await desk.free_slots("kurashigoto", limit=50)


async def test_reads_on_an_autocommit_engine_of_their_own(sessions, clock, clean_database, driver_reads):
    """With ``reads`` (the worker's composition, bot/services.py) the reads run on that engine's
    connections, in autocommit, and see a case or a booking committed a moment before."""
    reads = make_async_engine(clean_database, autocommit=True)
    desk = HandoffDesk(directory=EDOGAWA, sessions=sessions, clock=clock, reads=reads)
    autocommit: list[bool] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        autocommit.append(conn.connection.dbapi_connection.autocommit)

    event.listen(reads.sync_engine, "before_cursor_execute", seen)
    try:
        resident = f"user:U{99:032d}"
        assert await desk.open_case_for(resident) is None
        (slot,) = await desk.free_slots("kurashigoto", limit=1)
        await desk.create_case(_request(slot=slot, resident=resident))
        assert await desk.open_case_for(resident) is not None
        for n in range(EDOGAWA.centre("kurashigoto").capacity - 1):
            await desk.create_case(_request(slot=slot, resident=f"user:U{n:032d}"))
        assert slot not in await desk.free_slots("kurashigoto", limit=50)
    finally:
        event.remove(reads.sync_engine, "before_cursor_execute", seen)
        await reads.dispose()
    autocommit += driver_reads
    assert len(autocommit) >= 4 and all(autocommit)
