"""Staff inbox: accounts, case work, case history, append-only audit log.

On PostgreSQL a trigger refuses UPDATE and DELETE on audit_log, so not even a mistaken
script can rewrite who looked at what.

Revision ID: 0003_staff
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_staff"
down_revision = "0002"
branch_labels = None
depends_on = None

AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
"""


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("centre_codes", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('staff', 'supervisor', 'admin')", name=op.f("ck_staff_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    op.create_table(
        "case_work",
        sa.Column("handoff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("current_centre", sa.String(length=64), nullable=False),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("urgent_flag", sa.Boolean(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'claimed', 'contacted', 'no_answer', 'referred', 'closed')",
            name=op.f("ck_case_work_status"),
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by"], ["staff_users.id"], name=op.f("fk_case_work_claimed_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("handoff_id", name=op.f("pk_case_work")),
    )
    op.create_index(op.f("ix_case_work_status"), "case_work", ["status"])
    op.create_index(op.f("ix_case_work_current_centre"), "case_work", ["current_centre"])
    op.create_index(op.f("ix_case_work_closed_at"), "case_work", ["closed_at"])
    op.create_table(
        "case_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('note', 'staff_message', 'status', 'claim', 'reassign', 'reschedule', "
            "'takeover', 'handback', 'danger', 'resident_media')",
            name=op.f("ck_case_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name=op.f("fk_case_entries_author_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entries")),
    )
    op.create_index(op.f("ix_case_entries_handoff_id"), "case_entries", ["handoff_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    op.drop_table("audit_log")
    op.drop_table("case_entries")
    op.drop_table("case_work")
    op.drop_table("staff_users")
