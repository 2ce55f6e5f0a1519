"""The staff inbox's actions on one case: open it, claim, reassign, move its status, note,
reschedule, message the resident, take the conversation over.

Access is decided by the database (``handoff.queue.visible_to``) for pages and API alike.
Every action writes the case history and the audit log in the same transaction as the
change. What staff send to a resident is committed as a case entry and returned as a
``LineSend`` for the bot's outbox to deliver: this package never imports the LINE SDK.
Lists of cases are in ``handoff.queue``; alerts of urgent cases in ``handoff.alerts``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import audit, lifecycle
from handoff.alerts import Alert, notify_urgent, urgent_unnotified
from handoff.auth import Principal
from handoff.deliveries import NOTICES, LineSend, new_message_id, pending_meta
from handoff.directory import Directory
from handoff.lifecycle import DONE_STATUSES, TRANSITIONS, contact_bucket
from handoff.models import Handoff, HandoffMessage
from handoff.queue import BadFilter, CaseRow, Filters, Page, case_row, page_of, queue, visible_to
from handoff.staff_models import WORK_STATUSES, CaseEntry, CaseWork, StaffUser
from handoff.takeover import TakeoverRegistry

__all__ = [
    "DONE_STATUSES", "TRANSITIONS", "Alert", "BadAction", "BadFilter", "CaseRow", "Filters", "NotVisible",
    "Page", "case_row", "contact_bucket", "notify_urgent", "page_of", "queue", "urgent_unnotified",
]

MAX_TEXT = 2000
NOTE_KINDS = ("call", "note")


class NotVisible(LookupError):
    """No such case for this person (whether it exists is not said)."""


class BadAction(ValueError):
    """The action does not fit the case; ``code`` names its staff-facing message (data/staff)."""

    # The delivery functions (send_message, take_over, hand_back) raise with these texts.
    _CODES = {
        "this case has no LINE contact any more": "no_line_contact",
        "only an open case with a LINE contact can be taken over": "cannot_take_over",
        "nobody has taken over this conversation": "not_taken_over",
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = self._CODES.get(code, code)


Notice = Callable[[str, str], str]  # (message key, the case's language) -> resident-facing text


@dataclass
class ThreadItem:
    at: datetime
    kind: str  # resident, note, call, staff_message, status, claim, danger, ...
    body: str | None
    author: str | None
    meta: dict[str, Any] = field(default_factory=dict)


async def load_case(
    session: AsyncSession, principal: Principal, case_id: int
) -> tuple[Handoff, CaseWork]:
    """The case and its work row, if this person may see it (NotVisible otherwise)."""
    found = (await session.execute(
        select(Handoff, CaseWork).join(CaseWork, CaseWork.handoff_id == Handoff.id)
        .where(Handoff.id == case_id, visible_to(principal))
    )).first()
    if found is None:
        raise NotVisible(case_id)
    return found[0], found[1]


async def _names(session: AsyncSession, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = (await session.scalars(select(StaffUser).where(StaffUser.id.in_(wanted)))).all()
    return {u.id: u.display_name for u in users}


async def thread(session: AsyncSession, case_id: int) -> list[ThreadItem]:
    """Resident messages and the case history, oldest first."""
    messages = (await session.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id == case_id))).all()
    entries = (await session.scalars(select(CaseEntry).where(CaseEntry.handoff_id == case_id))).all()
    names = await _names(session, [e.author_id for e in entries])
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
        raise BadAction("empty_text")
    if len(text) > MAX_TEXT:
        raise BadAction("text_too_long")
    return text


async def claim(session: AsyncSession, principal: Principal, case_id: int, *, client_ip: str | None = None) -> CaseWork:
    handoff, work = await load_case(session, principal, case_id)
    if handoff.status in ("closed", "erased"):
        raise BadAction("case_closed")
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
    if target is None or not target.active or not await _may_see(session, Principal.of(target), case_id):
        raise BadAction("cannot_take_case")
    await _assign(session, handoff, work, target.id, principal)
    _entry(session, case_id, "reassign", principal, to=target.id)
    await audit.record(session, actor=principal, action="case_reassign", target=f"case:{case_id}", detail={"to": target.id}, client_ip=client_ip)
    await session.flush()
    return work


async def _may_see(session: AsyncSession, principal: Principal, case_id: int) -> bool:
    return await session.scalar(select(Handoff.id).where(Handoff.id == case_id, visible_to(principal))) is not None


async def _assign(session: AsyncSession, handoff: Handoff, work: CaseWork, staff_id: int, principal: Principal) -> None:
    """``staff_id`` has the case now; a new or referred case becomes claimed (by ``principal``'s act)."""
    work.claimed_by, work.claimed_at = staff_id, datetime.now(UTC)
    if handoff.status in ("new", "referred"):
        await _move(session, handoff, work, "claimed", principal)


async def _move(session: AsyncSession, handoff: Handoff, work: CaseWork, status: str, principal: Principal) -> None:
    await lifecycle.move(session, handoff, work, status, author_id=principal.id)


async def change_status(
    session: AsyncSession,
    principal: Principal,
    case_id: int,
    status: str,
    *,
    directory: Directory,
    refer_to: str | None = None,
    note: str | None = None,
    note_kind: str = "call",
    takeover: TakeoverRegistry | None = None,
    client_ip: str | None = None,
) -> CaseWork:
    """Move a case along; ``referred`` passes it to ``refer_to``, who sees it at once.

    ``note`` (the call record that explains the move) is written with it."""
    handoff, work = await load_case(session, principal, case_id)
    if status not in WORK_STATUSES:
        raise BadAction("choose_status")
    if status not in TRANSITIONS[handoff.status]:
        raise BadAction("status_not_allowed")
    if note_kind not in NOTE_KINDS:
        raise BadAction("bad_note_kind")
    detail: dict[str, Any] = {"from": handoff.status, "to": status}
    if status == "referred":
        if not refer_to or refer_to not in directory.centres:
            raise BadAction("choose_centre")
        if refer_to == work.current_centre:
            raise BadAction("same_centre")
        detail["centre"] = refer_to
        await lifecycle.hand_to_centre(session, handoff, work, refer_to)
        work.claimed_by = None
    await _move(session, handoff, work, status, principal)
    if note and note.strip():
        _entry(session, case_id, note_kind, principal, body=_clean_text(note))
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
        raise BadAction("time_without_zone")
    handoff, work = await load_case(session, principal, case_id)
    if handoff.status in ("closed", "erased"):
        raise BadAction("case_closed")
    if when < datetime.now(UTC) - timedelta(minutes=5):
        raise BadAction("time_in_past")
    previous = work.callback_at or handoff.callback_slot
    work.callback_at = when.astimezone(UTC)
    work.respond_by = None  # a time is agreed: the callback's own clock applies
    # The resident's booked slot no longer holds: free its place, and with it the
    # reminders that would announce the old time.
    if handoff.booking is not None:
        await session.delete(handoff.booking)
    if handoff.status == "no_answer":
        await _move(session, handoff, work, "claimed" if work.claimed_by else "new", principal)  # a new attempt
    _entry(session, case_id, "reschedule", principal, **{"from": previous.isoformat() if previous else None, "to": work.callback_at.isoformat()})
    await audit.record(session, actor=principal, action="case_reschedule", target=f"case:{case_id}", client_ip=client_ip)
    await session.flush()
    return work


async def add_note(
    session: AsyncSession, principal: Principal, case_id: int, text: str, *, kind: str = "note",
    client_ip: str | None = None,
) -> None:
    """A call record or a private note; it never changes the status."""
    if kind not in NOTE_KINDS:
        raise BadAction("bad_note_kind")
    await load_case(session, principal, case_id)
    _entry(session, case_id, kind, principal, body=_clean_text(text))
    await audit.record(session, actor=principal, action="case_note", target=f"case:{case_id}", detail={"kind": kind}, client_ip=client_ip)
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
                    line_user_id=handoff.line_user_id, text=notice(NOTICES["takeover"], handoff.language),
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
                    line_user_id=handoff.line_user_id or "", text=notice(NOTICES["handback"], handoff.language),
                    release=handoff.line_user_hash)


async def owner_of(registry: TakeoverRegistry, handoff: Handoff) -> int | None:
    if not handoff.line_user_hash:
        return None
    owner = await registry.owner(handoff.line_user_hash)
    return owner.staff_id if owner is not None and owner.case_id == handoff.id else None


async def colleagues(session: AsyncSession, handoff: Handoff, work: CaseWork) -> Sequence[StaffUser]:
    """Active staff of the case's centres, for the reassign menu."""
    centres = await lifecycle.centres_of(session, handoff.id)
    users = (await session.scalars(select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role != "admin").order_by(StaffUser.display_name))).all()
    return [u for u in users if centres & set(u.centre_codes or ())]
