"""Callback reminders (day before, hour before), claimed exactly once through the database.

The sent-at columns on the booking are the scheduler's whole state: a claim is one atomic
``UPDATE ... WHERE <kind>_sent_at IS NULL ... RETURNING``, so two schedulers (or one that
restarted) never both send the same reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import OPEN_STATUSES, Handoff, SlotBooking

# kind -> how long before the slot it is due
LEADS: dict[str, timedelta] = {
    "day_before": timedelta(days=1),
    "hour_before": timedelta(hours=1),
}
_COLUMNS = {
    "day_before": SlotBooking.day_before_sent_at,
    "hour_before": SlotBooking.hour_before_sent_at,
}


@dataclass(frozen=True)
class DueReminder:
    kind: str
    booking_id: int
    handoff_id: int
    centre_code: str
    slot_start: datetime
    booked_at: datetime  # the booking's creation: with its id, unique even where ids are reused

    @property
    def send_id(self) -> str:
        """This reminder send, and no other: a moved booking (a new row, perhaps with an id
        SQLite reuses) or another kind gets another id, so another X-Line-Retry-Key."""
        return f"reminder:{self.booking_id}:{self.kind}:{self.booked_at.timestamp():.6f}:{self.slot_start.timestamp():.0f}"


async def claim_due_reminders(session: AsyncSession, *, now: datetime) -> list[DueReminder]:
    """Mark every due, unsent reminder as sent and return them (the caller commits, then sends).

    A reminder whose booking was made after it fell due (booked 3 hours ahead: no "tomorrow"
    message) is marked without being returned, so it is never sent late.
    """
    claimed: list[DueReminder] = []
    open_cases = select(Handoff.id).where(Handoff.status.in_(OPEN_STATUSES))
    for kind, lead in LEADS.items():
        column = _COLUMNS[kind]
        rows = await session.execute(
            update(SlotBooking)
            .where(
                column.is_(None),
                SlotBooking.slot_start > now,
                SlotBooking.slot_start <= now + lead,
                SlotBooking.handoff_id.in_(open_cases),
            )
            .values({column.key: now})
            .returning(
                SlotBooking.id,
                SlotBooking.handoff_id,
                SlotBooking.centre_code,
                SlotBooking.slot_start,
                SlotBooking.created_at,
            )
            .execution_options(synchronize_session=False)
        )
        for booking_id, handoff_id, centre_code, slot_start, created_at in rows.all():
            if handoff_id is None or created_at > slot_start - lead:
                continue
            claimed.append(DueReminder(kind, booking_id, handoff_id, centre_code, slot_start, created_at))
    return claimed
