"""Reads on every event sent straight to the driver, past SQLAlchemy's execution path.

A worker reads the resident's open case on every first message and the booked callback
places whenever a flow offers slots. Through ``AsyncConnection.execute`` each such read
costs about 0.2 ms of CPU in SQLAlchemy (execution context, result objects, the greenlet
that bridges its synchronous core to asyncio) on top of psycopg's own 0.05–0.1 ms
(bench/profile_handling.py, and a micro-benchmark of the open-case read: 194–211 µs against
51–85 µs on the same held connection). ``DriverRead`` keeps the statement a SQLAlchemy
``select``, renders it once for psycopg, and sends it on the pooled connection's psycopg
connection with psycopg's own ``execute``: the same SQL with the same values, on the same
connection, in whatever transaction (or autocommit) that connection is in.

Rows come back as psycopg gives them, without SQLAlchemy's result processing: use it only
for columns whose values need none (text, integers, counts, ``timestamptz`` read as an aware
datetime). Another dialect (SQLite in some tests) runs the statement through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection


class DriverRead:
    """A ``select`` rendered once for psycopg (``%(name)s`` parameters), run on a connection."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=psycopg_dialect.dialect())  # type: ignore[no-untyped-call]
        self.sql = str(compiled)
        # Values bound in the statement itself (literals); the caller gives the others.
        self._bound = dict(compiled.params)

    async def rows(self, connection: AsyncConnection, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        if connection.dialect.driver != "psycopg":
            return [tuple(row) for row in (await connection.execute(self.statement, dict(params))).all()]
        fairy = await connection.get_raw_connection()
        driver: psycopg.AsyncConnection[Any] = fairy.driver_connection  # type: ignore[assignment]
        try:
            cursor = await driver.execute(self.sql, self._bound | dict(params))
            return await cursor.fetchall()
        except psycopg.OperationalError:
            # SQLAlchemy did not see it fail: drop this connection from the pool, as its own
            # execute does on a disconnect (the caller's turn fails as an infrastructure error).
            await connection.invalidate()
            raise
