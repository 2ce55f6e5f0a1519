"""The Alembic migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from handoff.db import make_sync_engine
from handoff.models import Base
from settings import REPO_ROOT


def test_upgrade_head_matches_models(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()  # same as `alembic -x url=...`
    command.upgrade(config, "head")
    engine = make_sync_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(engine.dialect.get_table_names(connection))
    engine.dispose()
    assert {"handoffs", "slot_bookings", "handoff_messages", "case_counters", "event_log"} <= tables
    assert diff == []
    command.downgrade(config, "0001")


# ---- 0006_staff_day on a database with data --------------------------------------------------

import json  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402

from handoff import crypto  # noqa: E402
from tests.conftest import POSTGRES_URL, make_settings  # noqa: E402

CREATED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday, 10:00 in Tokyo


def _config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()
    return config


def _old_case(connection, case_id: int, *, status: str, answers: dict | None, situations: list[str],
              urgency: str = "normal", work: tuple[str, bool] | None = None, slot: bool = False) -> None:
    connection.execute(text(
        "INSERT INTO handoffs (id, case_number, ward, primary_centre, centre_codes, situations, multi_agency, "
        "urgency, status, summary, answers, phone, line_user_id, line_user_hash, contact_method, consent_scope, "
        "consent_text_version, consented_at, created_at, updated_at) VALUES (:id, :number, 'edogawa', "
        "'kurashigoto', :codes, :situations, false, :urgency, :status, :summary, :answers, NULL, NULL, NULL, "
        "'line', '[]', '2026-11', :at, :at, :at)"
    ), {"id": case_id, "number": f"E-2611-{case_id:04d}", "codes": json.dumps(["kurashigoto", "nagomi"]),
        "situations": json.dumps(situations), "urgency": urgency, "status": status,
        "summary": crypto.encrypt("まとめ"), "answers": crypto.encrypt(json.dumps(answers)) if answers else None,
        "at": CREATED})
    if work is not None:
        connection.execute(text(
            "INSERT INTO case_work (handoff_id, status, current_centre, urgent_flag, created_at, updated_at) "
            "VALUES (:id, :status, 'hikikomori', :urgent, :at, :at)"
        ), {"id": case_id, "status": work[0], "urgent": work[1], "at": CREATED})
    if slot:
        connection.execute(text(
            "INSERT INTO slot_bookings (ward, centre_code, slot_start, slot_end, place_no, capacity, handoff_id, "
            "created_at) VALUES ('edogawa', 'kurashigoto', :start, :end, 0, 2, :id, :at)"
        ), {"id": case_id, "start": CREATED + timedelta(days=2), "end": CREATED + timedelta(days=2, minutes=30),
            "at": CREATED})


def _database(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data.db'}"
    return POSTGRES_URL.replace("+psycopg", "+psycopg") + "?options=-csearch_path%3Dmigration_0006"


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path):
    """A database at 0004 (before the staff day), in its own PostgreSQL schema or SQLite file."""
    crypto.configure(make_settings().security.encryption_key.get_secret_value())
    url = _database(request, tmp_path)
    admin = make_sync_engine(POSTGRES_URL) if request.param == "postgresql" else None
    if admin is not None:
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_0006 CASCADE"))
            connection.execute(text("CREATE SCHEMA migration_0006"))
    command.upgrade(_config(url), "0004_callback_cancelled")
    yield url
    if admin is not None:
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_0006 CASCADE"))
        admin.dispose()


def test_0006_moves_existing_cases_to_one_lifecycle_and_back(old_database: str) -> None:
    engine = make_sync_engine(old_database)
    with engine.begin() as connection:
        # Worked on in the old inbox: no answer yet, flagged urgent there only.
        _old_case(connection, 1, status="in_progress", answers={"flow": "debt", "いつから": "3か月前"},
                  situations=["debt"], work=("no_answer", True))
        # Never met by the old inbox: no work row, no intake events yet.
        _old_case(connection, 2, status="new", answers={"flow": "hikikomori", "期間": "10年"},
                  situations=["hikikomori", "debt"])
        # Withdrawn by the resident: erased stays erased.
        _old_case(connection, 3, status="erased", answers=None, situations=["debt"], work=("closed", False))
        # Booked callback, already contacted.
        _old_case(connection, 4, status="contacted", answers={"flow": "general"}, situations=["other_welfare"],
                  work=("contacted", False), slot=True)
    command.upgrade(_config(old_database), "head")

    with engine.connect() as connection:
        cases = {row.id: row for row in connection.execute(text(
            "SELECT id, status, urgency, flow, answers FROM handoffs ORDER BY id"))}
        works = {row.handoff_id: row for row in connection.execute(text(
            "SELECT handoff_id, current_centre, respond_by FROM case_work"))}
        centres = {(row.handoff_id, row.centre_code) for row in connection.execute(text(
            "SELECT handoff_id, centre_code FROM case_centres"))}
        events = sorted(tuple(row) for row in connection.execute(text(
            "SELECT flow, outcome, step, situation FROM event_log")))
        work_columns = {c["name"] for c in engine.dialect.get_columns(connection, "case_work")}
        booked = connection.execute(text("SELECT handoff_id FROM slot_bookings")).scalars().all()
    assert {i: (c.status, c.urgency, c.flow) for i, c in cases.items()} == {
        1: ("no_answer", "urgent", "debt"),
        2: ("new", "normal", "hikikomori"),
        3: ("erased", "normal", "unknown"),
        4: ("contacted", "normal", "general"),
    }
    # The flow left the encrypted answers; the rest of the answers stayed.
    assert json.loads(crypto.decrypt(cases[1].answers)) == {"いつから": "3か月前"}
    assert json.loads(crypto.decrypt(cases[2].answers)) == {"期間": "10年"}
    assert booked == [4]  # rebuilding tables lost no booking
    assert set(works) == {1, 2, 3, 4} and "status" not in work_columns and "urgent_flag" not in work_columns
    # Cases with no callback time got their answer-by time: urgent on the short clock.
    assert works[1].respond_by is not None and works[2].respond_by is not None and works[4].respond_by is None
    urgent_by = works[1].respond_by
    urgent_by = datetime.fromisoformat(urgent_by) if isinstance(urgent_by, str) else urgent_by
    urgent_by = urgent_by if urgent_by.tzinfo else urgent_by.replace(tzinfo=UTC)
    assert urgent_by == CREATED + timedelta(minutes=30)
    assert {(1, "kurashigoto"), (1, "nagomi"), (1, "hikikomori"), (2, "kurashigoto"), (2, "nagomi")} <= centres
    # The case the old inbox never met gets the intake events it would have recorded.
    assert events == [("hikikomori", "combination", "debt.hikikomori", None),
                      ("hikikomori", "received", "centre.kurashigoto", "debt")]

    command.downgrade(_config(old_database), "0004_callback_cancelled")
    with engine.connect() as connection:
        back = {row.id: (row.status, row.answers) for row in connection.execute(text(
            "SELECT id, status, answers FROM handoffs ORDER BY id"))}
        booked_back = connection.execute(text("SELECT handoff_id FROM slot_bookings")).scalars().all()
        work_back = {row.handoff_id: (row.status, bool(row.urgent_flag)) for row in connection.execute(text(
            "SELECT handoff_id, status, urgent_flag FROM case_work"))}
    engine.dispose()
    assert back[1][0] == "in_progress" and back[3][0] == "erased" and back[4][0] == "contacted"
    assert json.loads(crypto.decrypt(back[1][1])) == {"flow": "debt", "いつから": "3か月前"}
    assert booked_back == [4]
    assert work_back[1] == ("no_answer", True) and work_back[2] == ("new", False)
