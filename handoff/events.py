"""Anonymised event log for statistics: how many start, how far they get, where they end.

A row holds only the ward, flow, kind, step, outcome and situation, each a short code
(checked here, so free text cannot slip in), and the hour it happened. No user id, no
text, no case id: nothing joins a row back to a person.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import EventLog
from nlu.contract import SITUATIONS

KINDS = ("start", "step", "outcome")
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


async def record_event(
    session: AsyncSession,
    *,
    ward: str,
    flow: str,
    kind: str,
    step: str | None = None,
    outcome: str | None = None,
    situation: str | None = None,
    at: datetime | None = None,
    language: str | None = None,
) -> None:
    """Add one anonymous row (flow start, step reached, or outcome); the caller commits.

    A plain INSERT, not an ORM object: rows are never read back here, and this runs on
    most resident messages, where the unit of work cost a millisecond each time.
    """
    if kind not in KINDS:
        raise BadEvent(f"kind must be one of {KINDS}")
    if situation is not None and situation not in KNOWN_SITUATIONS:
        raise BadEvent(f"unknown situation {situation!r}")
    await session.execute(insert(EventLog).values(
        hour=hour_of(at or datetime.now(UTC)),
        ward=_code("ward", ward, required=True),
        flow=_code("flow", flow, required=True),
        kind=kind,
        step=_code("step", step),
        outcome=_code("outcome", outcome),
        situation=situation,
        language=_code("language", language),
    ))
