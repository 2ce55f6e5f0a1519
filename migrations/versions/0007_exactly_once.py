"""Exactly-once effects per event, and undelivered answers shown on the case.

``effects`` records the result of each database effect of a handled LINE event (a case, a
booking, a statistics row), so handling the event again returns it instead of doing it
twice. A case entry of kind ``undelivered`` tells staff an answer could not reach the
resident on LINE.

Revision ID: 0007_exactly_once
Revises: 0006_staff_day
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_exactly_once"
down_revision = "0006_staff_day"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "note", "call", "staff_message", "status", "claim", "reassign", "reschedule",
    "takeover", "handback", "danger", "resident_media",
)
KINDS_AFTER = (*KINDS_BEFORE, "undelivered")


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    op.create_table(
        "effects",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_effects")),
    )
    op.create_index(op.f("ix_effects_created_at"), "effects", ["created_at"])
    with op.batch_alter_table("case_entries") as batch:
        batch.drop_constraint(op.f("ck_case_entries_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_case_entries_kind"), _kinds(KINDS_AFTER))


def downgrade() -> None:
    op.execute("DELETE FROM case_entries WHERE kind = 'undelivered'")
    with op.batch_alter_table("case_entries") as batch:
        batch.drop_constraint(op.f("ck_case_entries_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_case_entries_kind"), _kinds(KINDS_BEFORE))
    op.drop_index(op.f("ix_effects_created_at"), table_name="effects")
    op.drop_table("effects")
