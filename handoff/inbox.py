"""The staff inbox: which cases a person may see, in which order, and what they do to them.

Access is decided in one place (``can_see``) for pages and API alike. Every action writes
the case history and the audit log in the same transaction as the change. What staff send
to a resident is committed as a case entry and returned as a ``LineSend`` for the bot's
outbox to deliver: this package never imports the LINE SDK.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import audit, events
from handoff.auth import Principal
from handoff.deliveries import NOTICES, LineSend, new_message_id, pending_meta
from handoff.directory import Directory
from handoff.models import OPEN_STATUSES, Handoff, HandoffMessage
from handoff.slots import TOKYO
from handoff.staff_models import WORK_STATUSES, CaseEntry, CaseWork, StaffUser
from handoff.takeover import TakeoverRegistry

# The coarse status the resident side reads (handoffs.status) for each inbox status.
MIRROR = {
    "new": "new",
    "claimed": "in_progress",
    "no_answer": "in_progress",
    "referred": "in_progress",
    "contacted": "contacted",
    "closed": "closed",
}
FROM_MIRROR = {"new": "new", "in_progress": "claimed", "contacted": "contacted", "closed": "closed"}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("claimed", "contacted", "no_answer", "referred", "closed"),
    "claimed": ("contacted", "no_answer", "referred", "closed"),
    "no_answer": ("claimed", "contacted", "no_answer", "referred", "closed"),
    "contacted": ("no_answer", "referred", "closed"),
    "referred": ("claimed", "contacted", "no_answer", "closed"),
    "closed": (),
}
DONE_STATUSES = ("contacted", "referred", "closed")
OVERDUE_AFTER = timedelta(minutes=15)
DUE_BEFORE = timedelta(minutes=30)
MAX_TEXT = 2000
# Elapsed time from handoff to first contact, as coarse buckets (statistics never see more).
CONTACT_BUCKETS = ((4, "within_4h"), (24, "within_24h"), (72, "within_72h"))


class NotVisible(LookupError):
    """No such case for this person (whether it exists is not said)."""


class BadAction(ValueError):
    """The action does not fit the case (wrong status move, empty text, unknown centre)."""


Notice = Callable[[str], str]  # message key -> resident-facing text (data/messages)


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # "open", "all" or one of WORK_STATUSES
    centre: str | None = None
    situation: str | None = None
    day: date | None = None  # received on this Tokyo date

    def __post_init__(self) -> None:
        if self.status not in ("open", "all", *WORK_STATUSES):
            raise BadAction(f"status filter must be open, all or one of {WORK_STATUSES}")


@dataclass
class CaseRow:
    """One line of the queue: no personal data beyond what the list shows staff."""

    handoff: Handoff
    work: CaseWork
    claimed_by_name: str | None
    callback_at: datetime | None
    callback_state: str  # scheduled, due, overdue, cancelled, done
    urgent: bool

    @property
    def id(self) -> int:
        return self.handoff.id


@dataclass
class ThreadItem:
    at: datetime
    kind: str  # resident, note, staff_message, status, claim, ...
    body: str | None
    author: str | None
    meta: dict[str, Any] = field(default_factory=dict)


def visible_centres(handoff: Handoff, work: CaseWork | None) -> set[str]:
    centres = set(handoff.centre_codes or [handoff.primary_centre])
    if work is not None:
        centres.add(work.current_centre)
    return centres


def can_see(principal: Principal, handoff: Handoff, work: CaseWork | None) -> bool:
    """Staff and supervisors see the cases of their centres; admins see no case."""
    if not principal.sees_cases:
        return False
    return bool(visible_centres(handoff, work) & set(principal.centre_codes))


def callback_time(handoff: Handoff, work: CaseWork) -> datetime | None:
    return work.callback_at or handoff.callback_slot


def callback_state(handoff: Handoff, work: CaseWork, now: datetime) -> str:
    if work.status in DONE_STATUSES:
        return "done"
    when = callback_time(handoff, work)
    if when is None and handoff.callback_cancelled_at is not None:
        # The resident cancelled and was told they can ask again here: not to be called.
        return "cancelled"
    if when is None:  # "as soon as possible": due from the moment it arrives
        return "overdue" if now - handoff.created_at > timedelta(hours=24) else "due"
    if now > when + OVERDUE_AFTER:
        return "overdue"
    if now >= when - DUE_BEFORE:
        return "due"
    return "scheduled"


def contact_bucket(elapsed: timedelta) -> str:
    hours = elapsed.total_seconds() / 3600
    for limit, name in CONTACT_BUCKETS:
        if hours < limit:
            return name
    return "over_72h"


def _flow_of(handoff: Handoff) -> str:
    answers = handoff.answers or {}
    flow = answers.get("flow") if isinstance(answers, dict) else None
    return flow if isinstance(flow, str) and events._CODE.fullmatch(flow) else "unknown"


async def ensure_work(session: AsyncSession, handoffs: Iterable[Handoff]) -> dict[int, CaseWork]:
    """The inbox row of each case, made the first time the inbox meets the case.

    Meeting a case also records its anonymised intake events (centre and combination of
    situations) for the statistics: the event log knows nothing else about the case.
    """
    handoffs = list(handoffs)
    ids = [h.id for h in handoffs]
    if not ids:
        return {}
    known = set((await session.scalars(select(CaseWork.handoff_id).where(CaseWork.handoff_id.in_(ids)))).all())
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = datetime.now(UTC)
    for handoff in handoffs:
        if handoff.id in known:
            continue
        # Two pollers may meet a new case at once: only the one whose insert lands records it.
        inserted = await session.scalar(
            insert(CaseWork)
            .values(
                handoff_id=handoff.id,
                status=FROM_MIRROR.get(handoff.status, "closed"),
                current_centre=handoff.primary_centre,
                urgent_flag=handoff.urgency == "urgent",
                closed_at=handoff.erased_at if handoff.status == "erased" else None,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["handoff_id"])
            .returning(CaseWork.handoff_id)
        )
        if inserted is None:
            continue
        flow = _flow_of(handoff)
        situations = sorted(s for s in (handoff.situations or []) if s in events.KNOWN_SITUATIONS)
        at = handoff.created_at
        await events.record_event(
            session, ward=handoff.ward, flow=flow, kind="outcome", outcome="received",
            step=f"centre.{handoff.primary_centre}", situation=situations[0] if situations else None, at=at,
        )
        if situations:
            await events.record_event(
                session, ward=handoff.ward, flow=flow, kind="outcome", outcome="combination",
                step=".".join(situations), at=at,
            )
    works = (await session.scalars(select(CaseWork).where(CaseWork.handoff_id.in_(ids)))).all()
    return {w.handoff_id: w for w in works}


async def _names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = (await session.scalars(select(StaffUser).where(StaffUser.id.in_(wanted)))).all()
    return {u.id: u.display_name for u in users}


async def queue(
    session: AsyncSession, principal: Principal, filters: Filters, *, now: datetime | None = None,
    limit: int = 300,
) -> list[CaseRow]:
    """My centres' cases: urgent first, then overdue, then by callback time."""
    now = now or datetime.now(UTC)
    if not principal.sees_cases:
        return []
    query = select(Handoff).where(Handoff.status != "erased").order_by(Handoff.created_at.desc()).limit(limit)
    if filters.status == "open" or filters.status in MIRROR and MIRROR[filters.status] in OPEN_STATUSES:
        query = query.where(Handoff.status.in_(OPEN_STATUSES))
    elif filters.status == "closed":
        query = query.where(Handoff.status == "closed")
    if filters.day is not None:
        start = datetime.combine(filters.day, datetime.min.time(), TOKYO)
        query = query.where(Handoff.created_at >= start, Handoff.created_at < start + timedelta(days=1))
    handoffs = (await session.scalars(query)).all()
    works = await ensure_work(session, handoffs)
    names = await _names(session, (w.claimed_by for w in works.values()))
    rows: list[CaseRow] = []
    for handoff in handoffs:
        work = works[handoff.id]
        if not can_see(principal, handoff, work):
            continue
        if filters.status not in ("open", "all") and work.status != filters.status:
            continue
        if filters.centre and filters.centre not in visible_centres(handoff, work):
            continue
        if filters.situation and filters.situation not in (handoff.situations or []):
            continue
        rows.append(
            CaseRow(
                handoff=handoff,
                work=work,
                claimed_by_name=names.get(work.claimed_by) if work.claimed_by else None,
                callback_at=callback_time(handoff, work),
                callback_state=callback_state(handoff, work, now),
                urgent=work.urgent_flag or handoff.urgency == "urgent",
            )
        )
    far_future = datetime.max.replace(tzinfo=UTC)

    def order(row: CaseRow) -> tuple[int, int, int, int, datetime]:
        return (
            row.work.status == "closed",
            not row.urgent,
            row.callback_state != "overdue",
            row.callback_state == "cancelled",  # nothing to do until the resident asks
            row.callback_at or row.handoff.created_at or far_future,
        )

    rows.sort(key=order)
    return rows


async def load_case(
    session: AsyncSession, principal: Principal, case_id: int
) -> tuple[Handoff, CaseWork]:
    handoff = await session.get(Handoff, case_id)
    if handoff is None:
        raise NotVisible(case_id)
    work = (await ensure_work(session, [handoff]))[handoff.id]
    if not can_see(principal, handoff, work):
        raise NotVisible(case_id)
    return handoff, work


async def thread(session: AsyncSession, case_id: int) -> list[ThreadItem]:
    """Resident messages and the case history, oldest first."""
    messages = (await session.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id == case_id))).all()
    entries = (await session.scalars(select(CaseEntry).where(CaseEntry.handoff_id == case_id))).all()
    names = await _names(session, (e.author_id for e in entries))
    items = [ThreadItem(at=m.created_at, kind="resident", body=m.body, author=None) for m in messages]
    items += [
        ThreadItem(at=e.created_at, kind=e.kind, body=e.body, author=names.get(e.author_id or 0), meta=e.meta or {})
        for e in entries
    ]
    items.sort(key=lambda item: item.at)
    return items


async def view_case(
    session: AsyncSession, principal: Principal, case_id: int, *, client_ip: str | None = None,
    via: str = "page",
) -> tuple[Handoff, CaseWork, list[ThreadItem]]:
    """Open a case's personal data; the view is audited."""
    handoff, work = await load_case(session, principal, case_id)
    await audit.record(session, actor=principal, action="case_view", target=f"case:{case_id}", detail={"via": via}, client_ip=client_ip)
    return handoff, work, await thread(session, case_id)


def _entry(session: AsyncSession, case_id: int, kind: str, principal: Principal, *, body: str | None = None, **meta: Any) -> None:
    session.add(CaseEntry(handoff_id=case_id, kind=kind, author_id=principal.id, body=body, meta=meta))


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise BadAction("text is empty")
    if len(text) > MAX_TEXT:
        raise BadAction(f"text is longer than {MAX_TEXT} characters")
    return text


async def claim(session: AsyncSession, principal: Principal, case_id: int, *, client_ip: str | None = None) -> CaseWork:
    handoff, work = await load_case(session, principal, case_id)
    if work.status == "closed":
        raise BadAction("the case is closed")
    await _assign(session, handoff, work, principal.id, principal)
    _entry(session, case_id, "claim", principal)
    await audit.record(session, actor=principal, action="case_claim", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()
    return work


async def reassign(
    session: AsyncSession, principal: Principal, case_id: int, to_user_id: int, *, client_ip: str | None = None
) -> CaseWork:
    handoff, work = await load_case(session, principal, case_id)
    target = await session.get(StaffUser, to_user_id)
    if target is None or not target.active or not can_see(Principal.of(target), handoff, work):
        raise BadAction("that person cannot take this case (not staff of its centres)")
    await _assign(session, handoff, work, target.id, principal)
    _entry(session, case_id, "reassign", principal, to=target.id)
    await audit.record(session, actor=principal, action="case_reassign", target=f"case:{case_id}", detail={"to": target.id}, client_ip=client_ip)
    await session.flush()
    return work


async def _assign(session: AsyncSession, handoff: Handoff, work: CaseWork, staff_id: int, principal: Principal) -> None:
    """``staff_id`` has the case now; a new or referred case becomes claimed (by ``principal``'s act)."""
    work.claimed_by, work.claimed_at = staff_id, datetime.now(UTC)
    if work.status in ("new", "referred"):
        await _move(session, handoff, work, "claimed", principal)


async def _move(session: AsyncSession, handoff: Handoff, work: CaseWork, status: str, principal: Principal) -> None:
    now = datetime.now(UTC)
    previous = work.status
    work.status = status
    handoff.status = MIRROR[status]
    handoff.updated_at = now
    if status == "contacted" and work.first_contacted_at is None:
        work.first_contacted_at = now
        await events.record_event(
            session, ward=handoff.ward, flow=_flow_of(handoff), kind="outcome", outcome="contacted",
            step=contact_bucket(now - handoff.created_at), at=now,
        )
    if status == "closed":
        work.closed_at = now
    _entry(session, handoff.id, "status", principal, **{"from": previous, "to": status})


async def change_status(
    session: AsyncSession,
    principal: Principal,
    case_id: int,
    status: str,
    *,
    directory: Directory,
    refer_to: str | None = None,
    note: str | None = None,
    takeover: TakeoverRegistry | None = None,
    client_ip: str | None = None,
) -> CaseWork:
    """Move a case along; ``referred`` passes it to ``refer_to``, who sees it at once."""
    handoff, work = await load_case(session, principal, case_id)
    if status not in WORK_STATUSES:
        raise BadAction(f"status must be one of {WORK_STATUSES}")
    if status not in TRANSITIONS[work.status]:
        raise BadAction(f"a {work.status} case cannot become {status}")
    detail: dict[str, Any] = {"from": work.status, "to": status}
    if status == "referred":
        if not refer_to or refer_to not in directory.centres:
            raise BadAction("choose the centre to refer the case to")
        if refer_to == work.current_centre:
            raise BadAction("the case is already at that centre")
        detail["centre"] = refer_to
        work.current_centre = refer_to
        work.claimed_by = None
    await _move(session, handoff, work, status, principal)
    if note and note.strip():
        _entry(session, case_id, "note", principal, body=_clean_text(note))
    if status == "closed" and takeover is not None and handoff.line_user_hash:
        # A closed case hands the conversation back to the bot.
        if await takeover.release(handoff.line_user_hash):
            _entry(session, case_id, "handback", principal, reason="closed")
    await audit.record(session, actor=principal, action="case_status", target=f"case:{case_id}", detail=detail, client_ip=client_ip)
    await session.flush()
    return work


async def reschedule(
    session: AsyncSession, principal: Principal, case_id: int, when: datetime, *, client_ip: str | None = None
) -> CaseWork:
    if when.tzinfo is None:
        raise BadAction("give the callback time with its time zone")
    handoff, work = await load_case(session, principal, case_id)
    if work.status == "closed":
        raise BadAction("the case is closed")
    if when < datetime.now(UTC) - timedelta(minutes=5):
        raise BadAction("the new callback time is in the past")
    previous = callback_time(handoff, work)
    work.callback_at = when.astimezone(UTC)
    # The resident's booked slot no longer holds: free its place, and with it the
    # reminders that would announce the old time.
    if handoff.booking is not None:
        await session.delete(handoff.booking)
    if work.status == "no_answer":
        work.status = "claimed" if work.claimed_by else "new"  # a new attempt is planned
    _entry(session, case_id, "reschedule", principal, **{"from": previous.isoformat() if previous else None, "to": work.callback_at.isoformat()})
    await audit.record(session, actor=principal, action="case_reschedule", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()
    return work


async def add_note(session: AsyncSession, principal: Principal, case_id: int, text: str, *, client_ip: str | None = None) -> None:
    await load_case(session, principal, case_id)
    _entry(session, case_id, "note", principal, body=_clean_text(text))
    await audit.record(session, actor=principal, action="case_note", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()


async def send_message(
    session: AsyncSession, principal: Principal, case_id: int, text: str, *, client_ip: str | None = None,
) -> LineSend:
    """Log ``text`` in the case for the resident; the outbox sends it once this commits."""
    handoff, work = await load_case(session, principal, case_id)
    text = _clean_text(text)
    if not handoff.line_user_id:
        raise BadAction("this case has no LINE contact any more")
    message_id = new_message_id("staff")
    entry = CaseEntry(handoff_id=case_id, kind="staff_message", author_id=principal.id, body=text,
                      meta=pending_meta(message_id))
    session.add(entry)
    await audit.record(session, actor=principal, action="case_message", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()
    return LineSend(message_id=message_id, entry_id=entry.id, case_id=case_id, kind="staff_message",
                    line_user_id=handoff.line_user_id, text=text)


async def take_over(
    session: AsyncSession, principal: Principal, case_id: int, *, notice: Notice, client_ip: str | None = None,
) -> LineSend:
    """A person takes the conversation: once this commits, the bot stops answering and the
    resident is told (both in one Redis step after the commit, bot.staff_push)."""
    handoff, work = await load_case(session, principal, case_id)
    if not handoff.is_open or not handoff.line_user_id or not handoff.line_user_hash:
        raise BadAction("only an open case with a LINE contact can be taken over")
    if work.claimed_by is None:
        await _assign(session, handoff, work, principal.id, principal)
    message_id = new_message_id("takeover")
    entry = CaseEntry(handoff_id=case_id, kind="takeover", author_id=principal.id, meta=pending_meta(message_id))
    session.add(entry)
    await audit.record(session, actor=principal, action="case_takeover", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()
    return LineSend(message_id=message_id, entry_id=entry.id, case_id=case_id, kind="takeover",
                    line_user_id=handoff.line_user_id, text=notice(NOTICES["takeover"]),
                    take=(handoff.line_user_hash, case_id, principal.id))


async def hand_back(
    session: AsyncSession, principal: Principal, case_id: int, *, registry: TakeoverRegistry,
    notice: Notice, client_ip: str | None = None,
) -> LineSend:
    """The bot answers again once this commits; the resident is told."""
    handoff, _ = await load_case(session, principal, case_id)
    owner = await registry.owner(handoff.line_user_hash) if handoff.line_user_hash else None
    if owner is None or owner.case_id != case_id or not handoff.line_user_hash:
        raise BadAction("nobody has taken over this conversation")
    message_id = new_message_id("handback")
    entry = CaseEntry(handoff_id=case_id, kind="handback", author_id=principal.id,
                      meta=pending_meta(message_id, reason="staff") if handoff.line_user_id else {"reason": "staff"})
    session.add(entry)
    await audit.record(session, actor=principal, action="case_handback", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()
    return LineSend(message_id=message_id, entry_id=entry.id, case_id=case_id, kind="handback",
                    line_user_id=handoff.line_user_id or "", text=notice(NOTICES["handback"]),
                    release=handoff.line_user_hash)


async def owner_of(registry: TakeoverRegistry, handoff: Handoff) -> int | None:
    if not handoff.line_user_hash:
        return None
    owner = await registry.owner(handoff.line_user_hash)
    return owner.staff_id if owner is not None and owner.case_id == handoff.id else None


async def colleagues(session: AsyncSession, handoff: Handoff, work: CaseWork) -> Sequence[StaffUser]:
    """Active staff of the case's centres, for the reassign menu."""
    users = (await session.scalars(select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role != "admin").order_by(StaffUser.display_name))).all()
    return [u for u in users if can_see(Principal.of(u), handoff, work)]


async def urgent_unnotified(session: AsyncSession) -> list[tuple[Handoff, CaseWork]]:
    """Open urgent cases nobody has been told about yet (new ones are met here first).

    Polled every few seconds by every web process, so it reads only the cases with
    something to do (not yet met, or urgent and not yet told), not every open case with
    its encrypted fields. On PostgreSQL the rows are locked with SKIP LOCKED: two pollers
    at once never alert the same case twice.
    """
    pending = (
        select(Handoff)
        .outerjoin(CaseWork, CaseWork.handoff_id == Handoff.id)
        .where(Handoff.status.in_(OPEN_STATUSES))
        .where(or_(
            CaseWork.handoff_id.is_(None),
            and_(CaseWork.notified_at.is_(None), or_(CaseWork.urgent_flag.is_(True), Handoff.urgency == "urgent")),
        ))
        .order_by(Handoff.id)
        .with_for_update(of=Handoff, skip_locked=True)
    )
    handoffs = (await session.scalars(pending)).all()
    works = await ensure_work(session, handoffs)
    return [
        (h, works[h.id]) for h in handoffs
        if (works[h.id].urgent_flag or h.urgency == "urgent") and works[h.id].notified_at is None
    ]


Alert = Callable[[dict[str, Any]], Awaitable[None]]


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
            "centres": sorted(visible_centres(handoff, work)),
            "url": f"{inbox_url.rstrip('/')}/inbox/cases/{handoff.id}" if inbox_url else None,
        })
        sent += 1
    return sent
