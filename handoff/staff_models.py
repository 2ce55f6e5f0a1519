"""Tables of the staff side: accounts, the inbox's work on each case, the case history and
the audit log.

They point at ``handoffs.id`` by value, without a database foreign key, so the handoff
tables can be dropped and rebuilt (tests, other packages' migrations) independently of
these. Staff-written text (notes, messages to the resident) is personal data and is
encrypted like the resident's own words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.crypto import EncryptedText
from handoff.db import Base
from handoff.models import UTCDateTime, utcnow

ROLES = ("staff", "supervisor", "admin")
# The statuses staff move a case through: handoffs.status, the case's one status.
WORK_STATUSES = ("new", "claimed", "contacted", "no_answer", "referred", "closed")
ENTRY_KINDS = (
    "note",  # private note, staff only
    "call",  # the record of a phone call, staff only
    "staff_message",  # sent to the resident on LINE
    "status",  # status change
    "claim",
    "reassign",
    "reschedule",
    "takeover",
    "handback",
    "danger",  # a danger message: its kinds in meta, the resident's words (if kept) in body
    "resident_media",  # the resident sent a non-text message during a takeover
    "undelivered",  # an answer could not reach the resident on LINE (a dead letter)
)


class StaffUser(Base):
    """A person who signs in to the inbox; ``centre_codes`` scope what they see."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    centre_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseWork(Base):
    """The inbox's work on one case: who has it, where it is, when to call back.

    Made with the case, in its transaction (handoff.lifecycle); its status is the case's
    own ``handoffs.status``.
    """

    __tablename__ = "case_work"

    handoff_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    current_centre: Mapped[str] = mapped_column(String(64), index=True)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff may move the callback; None means the booked slot (or "as soon as possible").
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A case with no callback time must be answered by then (urgent: the ward's short clock
    # in desk hours; otherwise a day); cleared once answered.
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseEntry(Base):
    """One line of a case's history: a note, a message sent, a status change."""

    __tablename__ = "case_entries"
    __table_args__ = (CheckConstraint(f"kind IN {ENTRY_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str | None] = mapped_column(EncryptedText)
    # Codes only (statuses, centre codes, times): never personal text.
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who looked at or changed what, when. Append-only: no code path updates or deletes
    a row, and on PostgreSQL a trigger refuses it (migration 0003)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_ip: Mapped[str | None] = mapped_column(String(64))
