"""The audit log: every view of personal data, every export and every change, append-only.

This module only adds and reads rows; there is deliberately no function that edits or
deletes one (and PostgreSQL refuses it by trigger). ``detail`` carries codes and ids only,
never what the resident or staff wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.auth import Principal
from handoff.staff_models import AuditEntry

# Stable action names; tests and admins filter by them.
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "password_change",
    "user_create",
    "user_disable",
    "user_enable",
    "password_reset",
    "case_view",
    "case_claim",
    "case_reassign",
    "case_status",
    "case_reschedule",
    "case_note",
    "case_message",
    "case_takeover",
    "case_handback",
    "stats_view",
    "stats_export",
    "audit_view",
    "purge",
)


async def record(
    session: AsyncSession,
    *,
    actor: Principal | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    client_ip: str | None = None,
    actor_email: str | None = None,
) -> AuditEntry:
    """Append one row; the caller commits it with the change it describes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else (actor_email or "system"),
        action=action,
        target=target,
        detail=detail or {},
        client_ip=client_ip,
    )
    session.add(entry)
    await session.flush()
    return entry


def _filtered(query: Any, *, action: str | None, target: str | None, since: datetime | None,
              until: datetime | None, actor: str | None) -> Any:
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    if actor:
        query = query.where(AuditEntry.actor_email.contains(actor.strip().lower(), autoescape=True))
    return query


async def entries(
    session: AsyncSession,
    *,
    action: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> Sequence[AuditEntry]:
    """Newest first, for the admin's audit page."""
    query = _filtered(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset),
                      action=action, target=target, since=since, until=until, actor=actor)
    return (await session.scalars(query)).all()


async def count(
    session: AsyncSession, *, action: str | None = None, target: str | None = None,
    since: datetime | None = None, until: datetime | None = None, actor: str | None = None,
) -> int:
    query = _filtered(select(func.count()).select_from(AuditEntry),
                      action=action, target=target, since=since, until=until, actor=actor)
    return int(await session.scalar(query) or 0)
