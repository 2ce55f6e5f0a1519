"""The init containers' gate: web and worker pods start only on a migrated database.

Each test works in a PostgreSQL schema of its own inside the test database (through the
connection's search_path), so "not migrated yet" is a real empty database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from bot.schema import alembic_config, schema_state, script_directory, wait_for_schema
from settings import REPO_ROOT
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_schema_url() -> Iterator[str]:
    name = f"gate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{name}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def _migrate(url: str, revision: str = "head") -> None:
    config = alembic_config()
    config.cmd_opts = argparse.Namespace(x=[f"url={url}"])
    command.upgrade(config, revision)


def _wait_cli(url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=url, DEV_MODE="true")
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate", "--wait", "0"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_an_empty_database_holds_the_pods_back(empty_schema_url: str) -> None:
    state = schema_state(empty_schema_url)
    assert state.current == frozenset() and not state.ready
    assert wait_for_schema(empty_schema_url, timeout_s=0) is False
    result = _wait_cli(empty_schema_url)
    assert result.returncode == 1
    assert "schema.not_migrated" in result.stdout + result.stderr


def test_a_database_one_migration_behind_holds_the_pods_back(empty_schema_url: str) -> None:
    head = script_directory().get_current_head()
    assert head is not None
    previous = script_directory().get_revision(head).down_revision
    assert isinstance(previous, str)
    _migrate(empty_schema_url, previous)
    assert schema_state(empty_schema_url).current == {previous}
    assert wait_for_schema(empty_schema_url, timeout_s=0) is False


def test_the_migrated_database_lets_them_start(empty_schema_url: str) -> None:
    _migrate(empty_schema_url)
    assert schema_state(empty_schema_url).ready
    assert _wait_cli(empty_schema_url).returncode == 0


def test_a_database_migrated_by_a_newer_release_lets_a_rollback_start(empty_schema_url: str) -> None:
    _migrate(empty_schema_url)
    engine = create_engine(empty_schema_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    state = schema_state(empty_schema_url)
    assert state.unknown == {"9999_from_the_future"} and state.ready


def test_an_unreachable_database_is_not_ready() -> None:
    assert wait_for_schema("postgresql+psycopg://postgres@127.0.0.1:1/none", timeout_s=0) is False
