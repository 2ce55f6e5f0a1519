"""Alembic environment: migrates the database given by ``-x url=...`` (also how ``python -m
bot migrate`` passes it, bot/schema.py), or else by DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

from alembic import context

from handoff import crypto, effects, staff_models  # noqa: F401  (every table, for autogenerate)
from handoff.db import make_sync_engine
from handoff.models import Base
from settings import get_settings

target_metadata = Base.metadata


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or get_settings().database.url


def _encryption_key() -> None:
    # Data migrations re-encrypt rows: with the key the caller installed (python -m bot
    # migrate, the tests), or, run as `alembic upgrade`, the one in the settings.
    if not crypto.configured():
        crypto.configure(get_settings().security.encryption_key.get_secret_value())


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    if url.startswith("sqlite") and ":///" in url:
        Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    _encryption_key()
    engine = make_sync_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
