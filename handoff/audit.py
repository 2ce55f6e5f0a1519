"""The audit log: every view of personal data, every export and every change, append-only.

This module only adds and reads rows; there is deliberately no function that edits or
deletes one (and PostgreSQL refuses it by trigger). ``detail`` carries codes and ids only,
never what the resident or staff wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
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


async def entries(
    session: AsyncSession,
    *,
    action: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> Sequence[AuditEntry]:
    """Newest first, for the admin's audit page."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    if since:
        query = query.where(AuditEntry.at >= since)
    return (await session.scalars(query)).all()
