"""Retention: the personal data of cases closed long enough ago is deleted.

What stays is what statistics and accountability need and nobody can be found by: the case
number, centres, situations, status and times, the anonymised event log and the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import audit
from handoff.models import Handoff, HandoffMessage, SlotBooking
from handoff.staff_models import CaseEntry, CaseWork


async def purge_closed(
    session: AsyncSession, *, retention_days: int, now: datetime | None = None
) -> list[str]:
    """Erase personal data of cases closed more than ``retention_days`` ago; returns numbers."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=retention_days)
    works = (
        await session.scalars(
            select(CaseWork).join(Handoff, Handoff.id == CaseWork.handoff_id).where(
                Handoff.status == "closed", CaseWork.closed_at < cutoff, CaseWork.purged_at.is_(None)
            )
        )
    ).all()
    ids = [w.handoff_id for w in works]
    if not ids:
        return []
    await session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(ids)))
    await session.execute(delete(SlotBooking).where(SlotBooking.handoff_id.in_(ids)))
    # Notes and messages staff wrote quote the resident: their text goes, the history stays.
    await session.execute(update(CaseEntry).where(CaseEntry.handoff_id.in_(ids)).values(body=None))
    handoffs = (await session.scalars(select(Handoff).where(Handoff.id.in_(ids)))).all()
    for handoff in handoffs:
        handoff.summary = handoff.answers = handoff.phone = None
        handoff.line_user_id = handoff.line_user_hash = None
        handoff.erased_at = now
    for work in works:
        work.purged_at = now
    numbers = sorted(h.case_number for h in handoffs)
    await audit.record(
        session, actor=None, action="purge", detail={"cases": len(numbers), "retention_days": retention_days}
    )
    await session.flush()
    return numbers
