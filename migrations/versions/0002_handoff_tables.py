"""Handoff tables: cases, resident messages, callback bookings, case counters, event log.

Encrypted columns are plain TEXT here (ciphertext); times are timestamptz on PostgreSQL
and naive UTC on SQLite (see handoff.models.UTCDateTime).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "case_counters",
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_case_counters")),
    )
    op.create_table(
        "event_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("situation", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log")),
    )
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_log_hour"), ["hour"], unique=False)

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=24), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("primary_centre", sa.String(length=64), nullable=False),
        sa.Column("centre_codes", sa.JSON(), nullable=False),
        sa.Column("situations", sa.JSON(), nullable=False),
        sa.Column("multi_agency", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("answers", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("line_user_id", sa.Text(), nullable=True),
        sa.Column("line_user_hash", sa.String(length=64), nullable=True),
        sa.Column("contact_method", sa.String(length=8), nullable=False),
        sa.Column("consent_scope", sa.JSON(), nullable=False),
        sa.Column("consent_text_version", sa.String(length=32), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "contact_method IN ('phone', 'line')", name=op.f("ck_handoffs_contact_method")
        ),
        sa.CheckConstraint(
            "status IN ('new', 'contacted', 'in_progress', 'closed', 'erased')",
            name=op.f("ck_handoffs_status"),
        ),
        sa.CheckConstraint("urgency IN ('urgent', 'normal')", name=op.f("ck_handoffs_urgency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("case_number", name=op.f("uq_handoffs_case_number")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoffs_line_user_hash"), ["line_user_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_handoffs_primary_centre"), ["primary_centre"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_handoffs_status"), ["status"], unique=False)

    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_messages_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
    )
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_messages_handoff_id"), ["handoff_id"], unique=False
        )

    op.create_table(
        "slot_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("centre_code", sa.String(length=64), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place_no", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day_before_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hour_before_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "place_no >= 0 AND place_no < capacity",
            name=op.f("ck_slot_bookings_place_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_slot_bookings_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_bookings")),
        sa.UniqueConstraint("handoff_id", name=op.f("uq_slot_bookings_handoff_id")),
        sa.UniqueConstraint(
            "ward", "centre_code", "slot_start", "place_no", name="uq_slot_bookings_place"
        ),
    )
    with op.batch_alter_table("slot_bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slot_bookings_slot_start"), ["slot_start"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("slot_bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_bookings_slot_start"))

    op.drop_table("slot_bookings")
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_messages_handoff_id"))

    op.drop_table("handoff_messages")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_status"))
        batch_op.drop_index(batch_op.f("ix_handoffs_primary_centre"))
        batch_op.drop_index(batch_op.f("ix_handoffs_line_user_hash"))

    op.drop_table("handoffs")
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_log_hour"))

    op.drop_table("event_log")
    op.drop_table("case_counters")
