"""What staff see of LINE delivery, in the case history.

A staff message, takeover or handback is committed as a case entry whose meta says
``delivery: pending`` and carries the outbox message id; the bot's outbox delivers it and
writes back ``delivered`` or ``failed`` here. An answer of the bot that LINE refused for
good (a blocked account, a bad request) becomes an ``undelivered`` entry on the resident's
open case. Entries still pending whose message never reached the outbox (the web process
died between the database commit and Redis) are found by ``unsent``, so nothing staff
sent is silently lost. This package never imports the LINE SDK.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.cases import open_case_for
from handoff.models import Handoff
from handoff.staff_models import CaseEntry

SENT_KINDS = ("staff_message", "takeover", "handback")
STATUSES = ("pending", "delivered", "failed")
NOTICES = {"takeover": "staff.takeover", "handback": "staff.handback"}  # message keys


@dataclass(frozen=True)
class LineSend:
    """A message staff committed for a resident; the outbox delivers it after the commit."""

    message_id: str  # unique per action (X-Line-Retry-Key derives from it)
    entry_id: int
    case_id: int
    kind: str  # staff_message, takeover, handback
    line_user_id: str
    text: str
    # takeover: (user hash, case id, staff id) to set once committed; handback: user hash
    # to release. Applied in the same Redis transaction as the enqueue.
    take: tuple[str, int, int] | None = None
    release: str | None = None
    # The case's language: a notice written again later (``bot.staff_push.reconcile``) is in it.
    language: str = "ja"


def new_message_id(kind: str) -> str:
    return f"{kind}:{uuid.uuid4()}"


def pending_meta(message_id: str, **meta: str) -> dict[str, str]:
    return {"delivery": "pending", "message": message_id, **meta}


async def mark(session: AsyncSession, entry_id: int, status: str) -> bool:
    """Record how delivery of a staff entry ended; False if the entry is gone (erased)."""
    if status not in STATUSES:
        raise ValueError(status)
    entry = await session.get(CaseEntry, entry_id)
    if entry is None:
        return False
    entry.meta = {**(entry.meta or {}), "delivery": status}
    return True


async def note_undelivered(
    session: AsyncSession, *, line_user_id: str, dead_letter: str, reason: str, kind: str
) -> int | None:
    """Show staff on the resident's open case that an answer did not reach them."""
    case = await open_case_for(session, line_user_id)
    if case is None:
        return None
    session.add(CaseEntry(
        handoff_id=case.id, kind="undelivered", author_id=None,
        meta={"dead_letter": dead_letter, "reason": reason, "message_kind": kind},
    ))
    return case.id


async def unsent(session: AsyncSession, *, older_than: timedelta, newer_than: timedelta) -> list[LineSend]:
    """Staff entries still pending after ``older_than``: the caller re-enqueues those the
    outbox does not know (the enqueue is idempotent on the message id)."""
    now = datetime.now(UTC)
    entries = (await session.scalars(
        select(CaseEntry)
        .where(CaseEntry.kind.in_(SENT_KINDS))
        .where(CaseEntry.created_at < now - older_than, CaseEntry.created_at > now - newer_than)
        .order_by(CaseEntry.id)
    )).all()
    found: list[LineSend] = []
    for entry in entries:
        meta = entry.meta or {}
        if meta.get("delivery") != "pending" or not meta.get("message"):
            continue
        case = await session.get(Handoff, entry.handoff_id)
        if case is None or not case.line_user_id:
            continue
        take = release = None
        if entry.kind in NOTICES and await _latest_switch(session, entry):
            if entry.kind == "takeover" and case.is_open and case.line_user_hash and entry.author_id:
                take = (case.line_user_hash, case.id, entry.author_id)
            elif entry.kind == "handback" and case.line_user_hash:
                release = case.line_user_hash
        found.append(LineSend(
            message_id=str(meta["message"]), entry_id=entry.id, case_id=case.id, kind=entry.kind,
            line_user_id=case.line_user_id, text=entry.body or "", take=take, release=release,
            language=case.language or "ja",
        ))
    return found


async def _latest_switch(session: AsyncSession, entry: CaseEntry) -> bool:
    """Only the newest takeover-or-handback of a case may still change who owns it."""
    newest = await session.scalar(
        select(CaseEntry.id).where(CaseEntry.handoff_id == entry.handoff_id, CaseEntry.kind.in_(tuple(NOTICES)))
        .order_by(CaseEntry.id.desc()).limit(1)
    )
    return newest == entry.id
