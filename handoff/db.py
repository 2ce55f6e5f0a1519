"""The database: one declarative base, engines made from ``DATABASE_URL``.

The app uses an async engine; Alembic and scripts use the sync twin of the same URL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

# Stable constraint names make Alembic migrations portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def sync_url(url: str) -> str:
    """The synchronous driver URL for the same database (for Alembic)."""
    return url.replace("sqlite+aiosqlite", "sqlite").replace("postgresql+asyncpg", "postgresql+psycopg")


def async_url(url: str) -> str:
    if url.startswith("sqlite:"):
        return url.replace("sqlite:", "sqlite+aiosqlite:", 1)
    if url.startswith("postgresql:") or url.startswith("postgres:"):
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_async_engine(
    url: str, *, connect_timeout_s: int = 5, statement_timeout_ms: int = 15_000, pool_timeout_s: float = 5.0,
    pre_ping: bool = True, autocommit: bool = False,
) -> AsyncEngine:
    """Timeouts everywhere, so a hung or refusing database fails fast (and the event that
    needed it stays pending) instead of wedging a worker: connecting, each statement on the
    server, and waiting for a pooled connection.

    ``pre_ping``: test each pooled connection with a round trip before lending it, so a page
    never fails on one the database dropped. A worker turns it off: a dropped connection
    fails its turn as an infrastructure error, the pool is invalidated and the event is
    retried, and the ping was a round trip per checkout (about 0.3 ms of worker CPU per
    event, bench/profile_handling.py).

    ``autocommit``: every connection of this engine's own pool runs without transactions,
    for single-statement reads (``handoff.desk``): set once per connection, where
    ``execution_options(isolation_level=...)`` on a shared pool sets and resets it around
    each checkout."""
    url = async_url(url)
    options: dict[str, Any] = {"pool_pre_ping": pre_ping}
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    if url.startswith("postgresql"):
        options["pool_timeout"] = pool_timeout_s
        options["connect_args"] = {
            "connect_timeout": connect_timeout_s,
            "options": f"-c statement_timeout={statement_timeout_ms}",
        }
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sync_engine(url: str) -> Engine:
    engine = create_engine(sync_url(url), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
