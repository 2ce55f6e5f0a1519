"""One case lifecycle for the staff day.

* One status: ``handoffs.status`` takes the inbox's vocabulary (new, claimed, no_answer,
  contacted, referred, closed, erased); ``case_work.status`` and the MIRROR between the
  two go. Urgency is ``handoffs.urgency`` alone (``case_work.urgent_flag`` goes).
* Every case has its work row: rows the old inbox had not yet made are made here, with the
  anonymised intake events it would have recorded.
* The flow id leaves the encrypted answers for a plain column ``handoffs.flow``.
* ``case_centres`` holds which centres see a case, so visibility is a query.
* ``case_work.respond_by``: when a case with no callback time turns overdue.
* Case entries gain the kind ``call`` (a phone call record).

Revision ID: 0006_staff_day
Revises: 0004_callback_cancelled
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_staff_day"
down_revision = "0004_callback_cancelled"
branch_labels = None
depends_on = None

OLD_STATUSES = ("new", "contacted", "in_progress", "closed", "erased")
NEW_STATUSES = ("new", "claimed", "no_answer", "contacted", "referred", "closed", "erased")
FROM_OLD = {"new": "new", "in_progress": "claimed", "contacted": "contacted", "closed": "closed", "erased": "erased"}
TO_OLD = {"new": "new", "claimed": "in_progress", "no_answer": "in_progress", "referred": "in_progress",
          "contacted": "contacted", "closed": "closed", "erased": "erased"}
OLD_KINDS = ("note", "staff_message", "status", "claim", "reassign", "reschedule", "takeover", "handback",
             "danger", "resident_media")
NEW_KINDS = (OLD_KINDS[0], "call", *OLD_KINDS[1:])
WORK_STATUSES = ("new", "claimed", "contacted", "no_answer", "referred", "closed")
DONE = ("contacted", "referred", "closed")
CODE = re.compile(r"[a-z][a-z0-9_.\-]{0,63}")
KNOWN_SITUATIONS = ("debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "other_welfare", "crisis")


def _check(values: tuple[str, ...]) -> str:
    return "IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stamp(sqlite: bool, moment: datetime | None) -> datetime | None:
    """As the app stores times: naive UTC on SQLite (no offsets there), aware elsewhere."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if sqlite else moment


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


# Rows that point at handoffs with ON DELETE CASCADE. On SQLite, batch mode rebuilds a table
# (copy, drop, rename) and dropping handoffs would delete them: they are set aside and put back.
CHILDREN = ("slot_bookings", "handoff_messages")


def _keep_children(sqlite: bool) -> None:
    if sqlite:
        for table in CHILDREN:
            op.execute(f"CREATE TEMP TABLE keep_{table} AS SELECT * FROM {table}")


def _restore_children(sqlite: bool) -> None:
    if sqlite:
        for table in CHILDREN:
            op.execute(f"DELETE FROM {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM keep_{table}")
            op.execute(f"DROP TABLE keep_{table}")


def upgrade() -> None:
    from handoff import crypto
    from handoff.directory import load_directory
    from handoff.lifecycle import respond_by

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    _keep_children(sqlite)
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("flow", sa.String(length=64), nullable=False, server_default="unknown"))
        batch.drop_constraint(op.f("ck_handoffs_status"), type_="check")
    with op.batch_alter_table("case_work") as batch:
        batch.add_column(sa.Column("respond_by", sa.DateTime(timezone=True), nullable=True))

    handoffs = bind.execute(sa.text(
        "SELECT h.id, h.ward, h.primary_centre, h.centre_codes, h.situations, h.urgency, h.status, h.answers, "
        "h.created_at, h.erased_at, h.callback_cancelled_at, w.handoff_id AS has_work, w.status AS work_status, "
        "w.current_centre, w.urgent_flag, w.callback_at, b.slot_start "
        "FROM handoffs h LEFT JOIN case_work w ON w.handoff_id = h.id "
        "LEFT JOIN slot_bookings b ON b.handoff_id = h.id ORDER BY h.id"
    )).mappings().all()
    now = datetime.now(UTC)
    visibility: list[dict[str, Any]] = []
    for row in handoffs:
        answers = _json(crypto.decrypt(row["answers"])) if row["answers"] else None
        flow = answers.get("flow") if isinstance(answers, dict) else None
        flow = flow if isinstance(flow, str) and CODE.fullmatch(flow) else "unknown"
        if isinstance(answers, dict) and "flow" in answers:
            answers = {k: v for k, v in answers.items() if k != "flow"}
        if row["status"] == "erased":
            status = "erased"
        elif row["has_work"] is not None:
            status = row["work_status"]
        else:
            status = FROM_OLD[row["status"]]
        urgent = row["urgency"] == "urgent" or bool(row["urgent_flag"])
        created = _aware(row["created_at"])
        assert created is not None
        params: dict[str, Any] = {"id": row["id"], "flow": flow, "status": status,
                                  "urgency": "urgent" if urgent else "normal",
                                  "answers": crypto.encrypt(json.dumps(answers, ensure_ascii=False)) if answers is not None else None}
        bind.execute(sa.text(
            "UPDATE handoffs SET flow = :flow, status = :status, urgency = :urgency, answers = :answers WHERE id = :id"
        ), params)
        current = row["current_centre"] or row["primary_centre"]
        if row["has_work"] is None:
            bind.execute(sa.text(
                "INSERT INTO case_work (handoff_id, status, current_centre, urgent_flag, closed_at, created_at, updated_at) "
                "VALUES (:id, :status, :centre, :urgent, :closed, :now, :now)"
            ), {"id": row["id"], "status": "closed" if status == "erased" else status, "centre": current,
                "urgent": urgent, "closed": row["erased_at"], "now": _stamp(sqlite, now)})
            situations = sorted(s for s in _json(row["situations"]) or [] if s in KNOWN_SITUATIONS)
            intake = [("received", f"centre.{row['primary_centre']}", situations[0] if situations else None)]
            if situations:
                intake.append(("combination", ".".join(situations), None))
            for outcome, step, situation in intake:
                bind.execute(sa.text(
                    "INSERT INTO event_log (hour, ward, flow, kind, step, outcome, situation) "
                    "VALUES (:hour, :ward, :flow, 'outcome', :step, :outcome, :situation)"
                ), {"hour": _stamp(sqlite, _hour(created)), "ward": row["ward"], "flow": flow, "step": step, "outcome": outcome,
                    "situation": situation})
        callback = row["callback_at"] or row["slot_start"]
        if status not in (*DONE, "erased") and callback is None and row["callback_cancelled_at"] is None:
            directory = load_directory(row["ward"])
            centre = directory.centres.get(row["primary_centre"]) or next(iter(directory.centres.values()))
            bind.execute(sa.text("UPDATE case_work SET respond_by = :by WHERE handoff_id = :id"),
                         {"id": row["id"], "by": _stamp(sqlite, respond_by(centre, since=created, urgent=urgent))})
        codes = [*(_json(row["centre_codes"]) or []), row["primary_centre"], current]
        visibility += [{"id": row["id"], "code": code} for code in dict.fromkeys(codes)]

    with op.batch_alter_table("handoffs") as batch:
        batch.create_check_constraint(op.f("ck_handoffs_status"), f"status {_check(NEW_STATUSES)}")
    _restore_children(sqlite)
    # Made after the last rebuild of handoffs (on SQLite a rebuild would cascade into it).
    op.create_table(
        "case_centres",
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("centre_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], name=op.f("fk_case_centres_handoff_id_handoffs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handoff_id", "centre_code", name=op.f("pk_case_centres")),
    )
    op.create_index(op.f("ix_case_centres_centre_code"), "case_centres", ["centre_code"])
    if visibility:
        bind.execute(sa.text("INSERT INTO case_centres (handoff_id, centre_code) VALUES (:id, :code)"), visibility)
    if not sqlite:
        op.drop_constraint(op.f("ck_case_work_status"), "case_work", type_="check")
    with op.batch_alter_table("case_work") as batch:
        batch.drop_index("ix_case_work_status")
        if sqlite:
            batch.drop_constraint(op.f("ck_case_work_status"), type_="check")
        batch.drop_column("status")
        batch.drop_column("urgent_flag")
        batch.create_index(batch.f("ix_case_work_respond_by"), ["respond_by"])
    with op.batch_alter_table("case_entries") as batch:
        batch.drop_constraint(op.f("ck_case_entries_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_case_entries_kind"), f"kind {_check(NEW_KINDS)}")


def downgrade() -> None:
    from handoff import crypto

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.drop_index(op.f("ix_case_centres_centre_code"), table_name="case_centres")
    op.drop_table("case_centres")
    _keep_children(sqlite)
    with op.batch_alter_table("case_work") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("urgent_flag", sa.Boolean(), nullable=False, server_default=sa.false()))
    rows = bind.execute(sa.text("SELECT id, status, urgency, flow, answers FROM handoffs")).mappings().all()
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint(op.f("ck_handoffs_status"), type_="check")
    for row in rows:
        answers = _json(crypto.decrypt(row["answers"])) if row["answers"] else None
        if isinstance(answers, dict):
            answers = {"flow": row["flow"], **answers}
        bind.execute(sa.text("UPDATE handoffs SET status = :status, answers = :answers WHERE id = :id"), {
            "id": row["id"], "status": TO_OLD[row["status"]],
            "answers": crypto.encrypt(json.dumps(answers, ensure_ascii=False)) if answers is not None else None,
        })
        bind.execute(sa.text("UPDATE case_work SET status = :status, urgent_flag = :urgent WHERE handoff_id = :id"), {
            "id": row["id"], "status": "closed" if row["status"] == "erased" else row["status"],
            "urgent": row["urgency"] == "urgent",
        })
    bind.execute(sa.text("UPDATE case_entries SET kind = 'note' WHERE kind = 'call'"))
    with op.batch_alter_table("case_entries") as batch:
        batch.drop_constraint(op.f("ck_case_entries_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_case_entries_kind"), f"kind {_check(OLD_KINDS)}")
    with op.batch_alter_table("case_work") as batch:
        batch.drop_index("ix_case_work_respond_by")
        batch.drop_column("respond_by")
        batch.alter_column("status", server_default=None)
        batch.alter_column("urgent_flag", server_default=None)
        batch.create_index(batch.f("ix_case_work_status"), ["status"])
        batch.create_check_constraint(op.f("ck_case_work_status"), f"status {_check(WORK_STATUSES)}")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("flow")
        batch.create_check_constraint(op.f("ck_handoffs_status"), f"status {_check(OLD_STATUSES)}")
    _restore_children(sqlite)
