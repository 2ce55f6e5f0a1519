"""Database tables. Import every model here so Alembic's autogenerate sees them.

Times are stored in UTC (``UTCDateTime``) and shown in Asia/Tokyo by the callers; personal
data sits in encrypted columns (``handoff.crypto``). The event log has no column that could
lead back to a person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from handoff.crypto import EncryptedJSON, EncryptedText
from handoff.db import Base

__all__ = [
    "Base", "CaseCentre", "CaseCounter", "EventLog", "Handoff", "HandoffMessage", "SlotBooking", "utcnow",
]

# The one status of a case (handoff.lifecycle moves it; residents see a coarser view of it).
OPEN_STATUSES = ("new", "claimed", "no_answer", "contacted", "referred")
STATUSES = (*OPEN_STATUSES, "closed", "erased")
# What a returning resident is told (data/messages returning.statuses.*): a function of the
# one status, never stored.
RESIDENT_STATUS = {
    "new": "new",
    "claimed": "in_progress",
    "no_answer": "in_progress",
    "referred": "in_progress",
    "contacted": "contacted",
    "closed": "closed",
    "erased": "erased",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on PostgreSQL and SQLite alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone (Asia/Tokyo or UTC)")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC so comparisons are between equals.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Handoff(Base):
    """One case handed to a centre, created when the resident confirms."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint("contact_method IN ('phone', 'line')", name="contact_method"),
        CheckConstraint("urgency IN ('urgent', 'normal')", name="urgency"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(24), unique=True)
    ward: Mapped[str] = mapped_column(String(32))
    primary_centre: Mapped[str] = mapped_column(String(64), index=True)
    centre_codes: Mapped[list[str]] = mapped_column(JSON)
    situations: Mapped[list[str]] = mapped_column(JSON)
    multi_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    # The guided flow the resident walked (a code, for statistics; never personal).
    flow: Mapped[str] = mapped_column(String(64), default="unknown")
    # Personal data, encrypted at rest.
    summary: Mapped[str | None] = mapped_column(EncryptedText)
    answers: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    line_user_id: Mapped[str | None] = mapped_column(EncryptedText)
    line_user_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_method: Mapped[str] = mapped_column(String(8))
    # What the resident agreed to, under which wording, when.
    consent_scope: Mapped[list[str]] = mapped_column(JSON)
    consent_text_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the resident cancels the booked callback (they will ask again when ready);
    # cleared when they book a new time.
    callback_cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the resident was answered in (ja, ja-easy, en, zh, ...), and whether staff
    # need an interpreter to call them (they read neither standard nor plain Japanese).
    language: Mapped[str] = mapped_column(String(16), default="ja", server_default="ja", index=True)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    booking: Mapped[SlotBooking | None] = relationship(
        back_populates="handoff", uselist=False, lazy="selectin", passive_deletes=True
    )
    messages: Mapped[list[HandoffMessage]] = relationship(
        back_populates="handoff", lazy="raise", passive_deletes=True, order_by="HandoffMessage.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def resident_status(self) -> str:
        return RESIDENT_STATUS[self.status]

    @property
    def callback_slot(self) -> datetime | None:
        return self.booking.slot_start if self.booking else None


class CaseCentre(Base):
    """A centre that may see a case: the routed centres and the centre holding it now.

    The inbox's visibility is an indexed EXISTS on this table, so a centre's queue is a
    query of its own cases however many cases the ward has.
    """

    __tablename__ = "case_centres"

    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True
    )
    centre_code: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class HandoffMessage(Base):
    """A message the resident added to an open case after handing it over."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    handoff: Mapped[Handoff] = relationship(back_populates="messages")


class SlotBooking(Base):
    """One place in one callback slot of one centre.

    The database, not the code, keeps two residents off the same place: (ward, centre,
    slot_start, place_no) is unique and place_no must be below the slot's capacity.
    """

    __tablename__ = "slot_bookings"
    __table_args__ = (
        UniqueConstraint(
            "ward", "centre_code", "slot_start", "place_no", name="uq_slot_bookings_place"
        ),
        CheckConstraint("place_no >= 0 AND place_no < capacity", name="place_within_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward: Mapped[str] = mapped_column(String(32))
    centre_code: Mapped[str] = mapped_column(String(64))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime)
    place_no: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    handoff_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Reminders already sent; a scheduler claims a reminder by setting these exactly once.
    day_before_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hour_before_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    handoff: Mapped[Handoff | None] = relationship(back_populates="booking")


class CaseCounter(Base):
    """The last case number issued per prefix and month (E-2611 → 42)."""

    __tablename__ = "case_counters"

    name: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class EventLog(Base):
    """Anonymised statistics: no user id, no text, no case id; time cut to the hour."""

    __tablename__ = "event_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ward: Mapped[str] = mapped_column(String(32))
    flow: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(64))
    situation: Mapped[str | None] = mapped_column(String(32))
    # The language the resident was answered in (a code such as en or ja-easy; None before 0008).
    language: Mapped[str | None] = mapped_column(String(16))
