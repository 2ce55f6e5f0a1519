"""Effects done once per event: a case, a booking, a cancelled callback, a statistics row.

A worker may handle the same LINE event twice (it died before committing its answer, its
lease lapsed, Redis restarted). Each database effect of a turn is therefore written with a
row in ``effects`` (key: event id + ordinal + name, see ``flows.turn``) in the same
transaction, holding the effect's result. A second run finds the row and returns the
recorded result: the same case number, "cancelled" rather than "nothing to cancel".
Results are codes, numbers and times only, never personal text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, String, Table, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from handoff.db import Base
from handoff.models import UTCDateTime, utcnow

T = TypeVar("T")


class EffectRecord(Base):
    """The result of one effect of one event (no personal data)."""

    __tablename__ = "effects"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# Built once, on the table: a row's key and result, not an ORM object in the session's
# identity map, and a plain INSERT rather than the ORM's bulk path for a mapped class
# (bench/profile_handling.py: a returning resident's message runs ``once``).
_EFFECTS = cast(Table, EffectRecord.__table__)
_RECORDED = select(_EFFECTS.c.key, _EFFECTS.c.result).where(_EFFECTS.c.key == bindparam("key"))
_RECORD = insert(_EFFECTS)


async def once(
    session: AsyncSession,
    key: str | None,
    effect: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any] = lambda value: value,
    decode: Callable[[Any], T] = lambda value: value,
) -> T:
    """Run ``effect`` unless ``key`` was recorded; record its encoded result with it.

    Call inside the effect's own transaction: the row and the effect commit together. Two
    runs at once (a lapsed lease) cannot both commit: the second insert conflicts on the key
    and its transaction, effect included, rolls back; the retry then finds the row.
    """
    if key is None:
        return await effect()
    recorded = (await session.execute(_RECORDED, {"key": key})).first()
    if recorded is not None:
        return decode(recorded.result)
    value = await effect()
    await session.execute(_RECORD, {"key": key, "result": encode(value), "created_at": datetime.now(UTC)})
    return value


async def claim(connection: AsyncConnection | AsyncSession, key: str) -> bool:
    """Record ``key`` for an effect with no result: True when this run is the first (do the
    effect, in the same transaction), False when an earlier run recorded it.

    One INSERT … ON CONFLICT DO NOTHING instead of a read, the effect and a write through
    the ORM (the statistics row of most messages, bench/profile_handling.py). Two runs at
    once: the second insert waits for the first transaction and then finds the key.
    """
    dialect = connection.dialect if isinstance(connection, AsyncConnection) else connection.get_bind().dialect
    insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    result = await connection.execute(
        insert(EffectRecord).values(key=key, result=None, created_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["key"]).returning(EffectRecord.key)
    )
    return result.first() is not None


# One statement for any number of keys: executed with a list of rows, SQLAlchemy sends it
# as one multi-row INSERT ("insertmanyvalues") from a form it compiled once. A VALUES list
# built per call was a new statement to compile for every count of keys
# (bench/profile_handling.py, the statistics rows of bot.maintenance).
_CLAIM_ALL = {
    "postgresql": pg_insert(_EFFECTS).on_conflict_do_nothing(index_elements=["key"]).returning(_EFFECTS.c.key),
    "sqlite": sqlite_insert(_EFFECTS).on_conflict_do_nothing(index_elements=["key"]).returning(_EFFECTS.c.key),
}


async def claim_all(session: AsyncSession, keys: list[str]) -> set[str]:
    """``claim`` for many keys in one statement: the keys this run is the first to record."""
    if not keys:
        return set()
    now = datetime.now(UTC)
    result = await session.execute(
        _CLAIM_ALL[session.get_bind().dialect.name],
        [{"key": key, "result": None, "created_at": now} for key in dict.fromkeys(keys)],
    )
    return set(result.scalars().all())


async def purge(session: AsyncSession, *, older_than: timedelta) -> int:
    """Forget results old enough that their event can no longer come back (LINE stops
    redelivering, dead letters expire)."""
    cutoff = datetime.now(UTC) - older_than
    result = await session.execute(delete(EffectRecord).where(EffectRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
