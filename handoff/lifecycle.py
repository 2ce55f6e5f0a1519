"""One case lifecycle: what a case is given when it is made, and how its one status moves.

A case (``handoffs``), its work row (``case_work``), the centres that see it
(``case_centres``) and its first anonymised events are written in the transaction that
creates the case, so no read ever has to make them. The status lives in one column,
``handoffs.status``; what a returning resident is told is ``Handoff.resident_status``, a
function of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import events
from handoff.directory import Centre, load_directory
from handoff.models import CaseCentre, Handoff
from handoff.slots import next_staffed_time
from handoff.staff_models import CaseEntry, CaseWork

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("claimed", "contacted", "no_answer", "referred", "closed"),
    "claimed": ("contacted", "no_answer", "referred", "closed"),
    "no_answer": ("claimed", "contacted", "no_answer", "referred", "closed"),
    "contacted": ("no_answer", "referred", "closed"),
    "referred": ("claimed", "contacted", "no_answer", "closed"),
    "closed": (),
    "erased": (),
}
# A case in one of these has been answered: its callback is done.
DONE_STATUSES = ("contacted", "referred", "closed")
# Elapsed time from handoff to first contact, as coarse buckets (statistics never see more).
CONTACT_BUCKETS = ((4, "within_4h"), (24, "within_24h"), (72, "within_72h"))
MAX_DANGER_WORDS = 1000


@dataclass(frozen=True)
class DangerReport:
    """Why a case is urgent: the kinds of danger (codes) and the resident's own words.

    The words are kept only once the resident consented to share with the centre (the
    conversation holds them until then), encrypted like all case text, and erased with it.
    """

    kinds: tuple[str, ...] = ()
    words: str | None = None
    source: str = "conversation"  # or "detector" (a message during a staff takeover)


def contact_bucket(elapsed: timedelta) -> str:
    hours = elapsed.total_seconds() / 3600
    for limit, name in CONTACT_BUCKETS:
        if hours < limit:
            return name
    return "over_72h"


def flow_code(flow: str | None) -> str:
    return flow if isinstance(flow, str) and events._CODE.fullmatch(flow) else "unknown"


def respond_by(centre: Centre, *, since: datetime, urgent: bool) -> datetime:
    """When a case with no callback time turns overdue: urgent ones on the ward's short
    clock counted from the next staffed minute, others a fixed time after arriving."""
    if urgent:
        return next_staffed_time(centre, since).astimezone(UTC) + timedelta(minutes=centre.urgent_overdue_minutes)
    return since + timedelta(hours=centre.asap_overdue_hours)


def _centre_of(handoff: Handoff) -> Centre:
    directory = load_directory(handoff.ward)
    return directory.centres.get(handoff.primary_centre) or next(iter(directory.centres.values()))


def danger_entry(handoff_id: int, danger: DangerReport, author_id: int | None = None) -> CaseEntry:
    words = (danger.words or "").strip()[:MAX_DANGER_WORDS] or None
    return CaseEntry(
        handoff_id=handoff_id, kind="danger", author_id=author_id, body=words,
        meta={"source": danger.source, "kinds": sorted({k for k in danger.kinds if events._CODE.fullmatch(k)})},
    )


async def open_case(
    session: AsyncSession, handoff: Handoff, *, centre: Centre, has_callback: bool,
    danger: DangerReport | None = None,
) -> CaseWork:
    """The work row, visibility and first events of a case just flushed (same transaction)."""
    urgent = handoff.urgency == "urgent"
    work = CaseWork(
        handoff_id=handoff.id,
        current_centre=handoff.primary_centre,
        respond_by=None if has_callback else respond_by(centre, since=handoff.created_at, urgent=urgent),
        created_at=handoff.created_at,
        updated_at=handoff.created_at,
    )
    session.add(work)
    await add_centres(session, handoff.id, [*(handoff.centre_codes or []), handoff.primary_centre])
    if danger is not None:
        session.add(danger_entry(handoff.id, danger))
    situations = sorted(s for s in (handoff.situations or []) if s in events.KNOWN_SITUATIONS)
    at = handoff.created_at
    await events.record_event(
        session, ward=handoff.ward, flow=handoff.flow, kind="outcome", outcome="received",
        step=f"centre.{handoff.primary_centre}", situation=situations[0] if situations else None, at=at,
    )
    if situations:
        await events.record_event(
            session, ward=handoff.ward, flow=handoff.flow, kind="outcome", outcome="combination",
            step=".".join(situations), at=at,
        )
    await session.flush()
    return work


async def add_centres(session: AsyncSession, handoff_id: int, codes: Iterable[str]) -> None:
    known = set((await session.scalars(
        select(CaseCentre.centre_code).where(CaseCentre.handoff_id == handoff_id)
    )).all())
    for code in dict.fromkeys(codes):
        if code not in known:
            session.add(CaseCentre(handoff_id=handoff_id, centre_code=code))
            known.add(code)
    await session.flush()


async def centres_of(session: AsyncSession, handoff_id: int) -> set[str]:
    return set((await session.scalars(
        select(CaseCentre.centre_code).where(CaseCentre.handoff_id == handoff_id)
    )).all())


async def hand_to_centre(session: AsyncSession, handoff: Handoff, work: CaseWork, centre: str) -> None:
    """The case moves to ``centre``; the centre it leaves keeps it only if it was routed there."""
    leaving = work.current_centre
    work.current_centre = centre
    if leaving not in (handoff.centre_codes or []) and leaving != handoff.primary_centre:
        await session.execute(delete(CaseCentre).where(
            CaseCentre.handoff_id == handoff.id, CaseCentre.centre_code == leaving))
    await add_centres(session, handoff.id, [centre])


async def flag_urgent(
    session: AsyncSession, handoff: Handoff, danger: DangerReport, *, also_centre: str | None = None,
    now: datetime | None = None,
) -> None:
    """A danger message on an open case: urgent now, on the short clock, told again, and the
    reason first in its thread (never a second, blind case)."""
    now = now or datetime.now(UTC)
    handoff.urgency = "urgent"
    handoff.updated_at = now
    work = await session.get(CaseWork, handoff.id)
    if work is not None:
        work.notified_at = None  # tell the centre again
        clock = respond_by(_centre_of(handoff), since=now, urgent=True)
        work.respond_by = min(work.respond_by, clock) if work.respond_by else clock
    if also_centre:
        await add_centres(session, handoff.id, [also_centre])
    session.add(danger_entry(handoff.id, danger))
    await events.record_event(
        session, ward=handoff.ward, flow="staff_chat" if danger.source == "detector" else handoff.flow,
        kind="outcome", outcome="danger",
    )
    await session.flush()


async def move(
    session: AsyncSession, handoff: Handoff, work: CaseWork, status: str, *, author_id: int | None,
    now: datetime | None = None,
) -> None:
    """Change the one status and write it in the history; a first contact is counted."""
    now = now or datetime.now(UTC)
    previous = handoff.status
    handoff.status = status
    handoff.updated_at = now
    work.updated_at = now
    if status in DONE_STATUSES:
        work.respond_by = None  # answered
    if status == "contacted" and work.first_contacted_at is None:
        work.first_contacted_at = now
        await events.record_event(
            session, ward=handoff.ward, flow=handoff.flow, kind="outcome", outcome="contacted",
            step=contact_bucket(now - handoff.created_at), at=now,
        )
    if status == "closed":
        work.closed_at = now
    session.add(CaseEntry(handoff_id=handoff.id, kind="status", author_id=author_id,
                          meta={"from": previous, "to": status}))
