"""Remember when a resident cancelled their callback.

Without it a cancelled booking looked, to staff, like a case asking to be called "as soon
as possible": the opposite of what the resident asked for.

Revision ID: 0004_callback_cancelled
Revises: 0003_staff
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_callback_cancelled"
down_revision = "0003_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("callback_cancelled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("callback_cancelled_at")
