"""Tell centres of urgent cases once: codes and a link, never personal data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from handoff import lifecycle
from handoff.models import OPEN_STATUSES, Handoff
from handoff.queue import PERSONAL
from handoff.staff_models import CaseWork

Alert = Callable[[dict[str, Any]], Awaitable[None]]


async def urgent_unnotified(session: AsyncSession) -> list[tuple[Handoff, CaseWork]]:
    """Open urgent cases nobody has been told about yet.

    Polled every few seconds by every web process, so it reads only those rows, without
    their encrypted fields. On PostgreSQL the rows are locked with SKIP LOCKED: two pollers
    at once never alert the same case twice.
    """
    pending = (
        select(Handoff, CaseWork)
        .join(CaseWork, CaseWork.handoff_id == Handoff.id)
        .where(Handoff.status.in_(OPEN_STATUSES), Handoff.urgency == "urgent", CaseWork.notified_at.is_(None))
        .options(*(defer(column, raiseload=True) for column in PERSONAL))
        .order_by(Handoff.id)
        .with_for_update(of=Handoff, skip_locked=True)
    )
    return [(h, w) for h, w in (await session.execute(pending)).all()]


async def notify_urgent(session: AsyncSession, alert: Alert, *, inbox_url: str = "") -> int:
    """Send one alert per new urgent case (codes and a link only: no personal data).

    Each case is claimed by a conditional UPDATE before its alert, so of two pollers only
    one sends it; an alert that fails rolls the claim back with the transaction and is
    sent on a later poll.
    """
    sent = 0
    for handoff, work in await urgent_unnotified(session):
        claimed = await session.scalar(
            update(CaseWork)
            .where(CaseWork.handoff_id == handoff.id, CaseWork.notified_at.is_(None))
            .values(notified_at=datetime.now(UTC))
            .returning(CaseWork.handoff_id)
            .execution_options(synchronize_session=False)
        )
        if claimed is None:
            continue
        await alert({
            "event": "urgent_case",
            "case_number": handoff.case_number,
            "centre": work.current_centre,
            "centres": sorted(await lifecycle.centres_of(session, handoff.id)),
            "url": f"{inbox_url.rstrip('/')}/inbox/cases/{handoff.id}" if inbox_url else None,
        })
        sent += 1
    return sent
