"""Anonymised event log for statistics: how many start, how far they get, where they end.

A row holds only the ward, flow, kind, step, outcome and situation, each a short code
(checked here, so free text cannot slip in), and the hour it happened. No user id, no
text, no case id: nothing joins a row back to a person.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Required, TypedDict, Unpack, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff import effects
from handoff.models import EventLog
from nlu.contract import SITUATIONS

KINDS = ("start", "step", "outcome")
_COLUMNS = ("hour", "ward", "flow", "kind", "step", "outcome", "situation", "language")
KNOWN_SITUATIONS = (*SITUATIONS, "crisis")
_CODE = re.compile(r"[a-z][a-z0-9_.\-]{0,63}")


class BadEvent(ValueError):
    """An event field is not a short code (it might carry personal text)."""


def _code(name: str, value: str | None, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise BadEvent(f"{name} is required")
        return None
    if not _CODE.fullmatch(value):
        raise BadEvent(f"{name} must be a short lower-case code, got {len(value)} characters")
    return value


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in: finer times could single a person out."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class EventFields(TypedDict, total=False):
    """What one row says, as ``event_row`` and ``record_event`` both take it."""

    ward: Required[str]
    flow: Required[str]
    kind: Required[str]
    step: str | None
    outcome: str | None
    situation: str | None
    at: datetime | None
    language: str | None


def event_row(**fields: Unpack[EventFields]) -> dict[str, Any]:
    """One anonymous row's values, checked: every field a short code, the time an hour."""
    kind, situation = fields["kind"], fields.get("situation")
    if kind not in KINDS:
        raise BadEvent(f"kind must be one of {KINDS}")
    if situation is not None and situation not in KNOWN_SITUATIONS:
        raise BadEvent(f"unknown situation {situation!r}")
    return {
        "hour": hour_of(fields.get("at") or datetime.now(UTC)),
        "ward": _code("ward", fields["ward"], required=True),
        "flow": _code("flow", fields["flow"], required=True),
        "kind": kind,
        "step": _code("step", fields.get("step")),
        "outcome": _code("outcome", fields.get("outcome")),
        "situation": situation,
        "language": _code("language", fields.get("language")),
    }


def row_record(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON (bot.maintenance writes rows a worker's turn left, ``insert_record``)."""
    return {**row, "hour": row["hour"].isoformat()}


async def insert_row(session: AsyncSession | AsyncConnection, row: dict[str, Any]) -> None:
    """Insert a row from ``event_row``, or from ``row_record``'s JSON; the caller commits."""
    if isinstance(row["hour"], str):
        row = {**row, "hour": datetime.fromisoformat(row["hour"])}
    await session.execute(insert(EventLog).values(**{k: row.get(k) for k in _COLUMNS}))


_INSERT_ROW = insert(cast(Table, EventLog.__table__))


async def insert_records(session: AsyncSession, records: list[dict[str, Any]]) -> int:
    """Rows from ``row_record``'s JSON, each with its effect key: those not written before,
    in one statement (bot.maintenance); how many were new."""
    new = await effects.claim_all(session, [str(r["key"]) for r in records])
    rows = [{c: r.get(c) for c in _COLUMNS} | {"hour": datetime.fromisoformat(r["hour"])} for r in records if r["key"] in new]
    if rows:
        # On the table: a Core executemany (one multi-row INSERT), not the ORM's bulk path.
        await session.execute(_INSERT_ROW, rows)
    return len(rows)


async def record_event(session: AsyncSession | AsyncConnection, **fields: Unpack[EventFields]) -> None:
    """Add one anonymous row (flow start, step reached, or outcome); the caller commits.

    A plain INSERT, not an ORM object: rows are never read back here, and this runs on
    most resident messages, where the unit of work cost a millisecond each time.
    """
    await insert_row(session, event_row(**fields))
