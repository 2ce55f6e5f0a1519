"""The Alembic migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from bot.config import REPO_ROOT
from handoff.db import make_sync_engine
from handoff.models import Base


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
