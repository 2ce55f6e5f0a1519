"""Is the database at the schema this code expects?  For processes that must not start early.

In Kubernetes the migration Job (``python -m bot migrate``) runs once per release, and the
web and worker pods wait in an init container (``python -m bot migrate --wait``) until it
has finished, so a pod never serves on a schema older than its code, whatever order the
manifests were applied in.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from handoff.db import make_sync_engine
from settings import REPO_ROOT


@dataclass(frozen=True)
class SchemaState:
    expected: frozenset[str]
    current: frozenset[str]
    # Revisions in the database that this code does not know: a newer release migrated it.
    unknown: frozenset[str]

    @property
    def ready(self) -> bool:
        """At head, or ahead of this code (a rollback runs on the newer, compatible schema)."""
        return self.current == self.expected or bool(self.unknown)


def alembic_config(database_url: str | None = None) -> Config:
    """The repo's Alembic configuration, wherever the process was started from; with
    ``database_url``, as ``alembic -x url=...`` (migrations/env.py)."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    if database_url is not None:
        config.cmd_opts = argparse.Namespace(x=[f"url={database_url}"])
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def schema_state(database_url: str) -> SchemaState:
    scripts = script_directory()
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    known = {revision.revision for revision in scripts.walk_revisions()}
    return SchemaState(
        expected=frozenset(scripts.get_heads()),
        current=current,
        unknown=frozenset(current - known),
    )


def wait_for_schema(database_url: str, *, timeout_s: float, poll_s: float = 2.0) -> bool:
    """Poll until the schema is ready; False if it is not within ``timeout_s``.

    An unreachable database counts as not ready yet (the database may be starting too).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if schema_state(database_url).ready:
                return True
        except SQLAlchemyError:
            pass  # not reachable yet: same as not migrated yet
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_s)
