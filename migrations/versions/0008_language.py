"""The resident's language on the case, whether staff need an interpreter, and the
language on each anonymous event (statistics by language).

Cases made before this revision were all answered in standard Japanese: ``language`` is
``ja`` and ``interpreter_needed`` false for them.

Revision ID: 0008_language
Revises: 0007_exactly_once
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_language"
down_revision = "0007_exactly_once"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("language", sa.String(16), nullable=False, server_default="ja"))
    op.add_column(
        "handoffs", sa.Column("interpreter_needed", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index("ix_handoffs_language", "handoffs", ["language"])
    op.add_column("event_log", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("event_log", "language")
    op.drop_index("ix_handoffs_language", table_name="handoffs")
    op.drop_column("handoffs", "interpreter_needed")
    op.drop_column("handoffs", "language")
