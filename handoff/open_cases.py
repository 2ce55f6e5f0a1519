"""Knowing, without asking PostgreSQL, that a resident has no open case.

Every first message asks whether the resident has an open case (``HandoffDesk.open_case_for``),
and almost every answer is "no": a query per first message for nothing (bench/profile_handling.py).
So a "no open case" answer is kept in Redis as a marker, and a turn that finds the marker
valid skips the query. A stale marker would make a resident with an open case start over
without a word about it, so the marker is checked against two counters per resident that
whoever opens a case moves around the database commit (``CaseOpenings.opening``):

- ``begun`` is incremented *before* the commit, ``ended`` *after* it (also after a rollback);
- a query's "none" is kept as a marker holding ``begun`` as it was read *before* the query,
  and only when ``begun == ended`` then (no opening under way);
- a marker is believed only while ``marker == begun == ended``.

A case opened after the counters were read moves ``begun`` past the marker; one under way
when they were read keeps the marker from being written; one whose commit came before
the read was seen by the query. A process that dies between its commit and ``ended`` leaves
``begun > ended``: no marker is written or believed for that resident until the counters
expire (the query is made, nothing is wrong). The counters outlive every marker that
names them: each marker write gives them ``COUNTERS_TTL_S``, longer than ``MARKER_TTL_S``.

A case can be opened only by the worker's desk (``HandoffDesk.create_case``) and the danger
alert (``bot.alerts``), both through ``opening``; staff close cases but never reopen them
(``handoff.lifecycle``: ``closed`` is final), and a case closed or erased only makes "none"
truer. Whatever else opens a case (``cases.set_status`` in maintenance) must use ``opening``.

The worker reads the three keys with the resident's lease (``read_ahead_keys``, no round
trip of their own) and the marker is written with the turn's commit (``Turn.writes``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import redis.asyncio as redis

from flows import redis_keys

BEGUN = redis_keys.PREFIX + "case-opening-begun:"
ENDED = redis_keys.PREFIX + "case-opening-ended:"
NONE_OPEN = redis_keys.PREFIX + "no-open-case:"
MARKER_TTL_S = 7 * 24 * 3600
COUNTERS_TTL_S = 30 * 24 * 3600


def begun_key(resident: str) -> str:
    return BEGUN + redis_keys.tag(resident)


def ended_key(resident: str) -> str:
    return ENDED + redis_keys.tag(resident)


def marker_key(resident: str) -> str:
    return NONE_OPEN + redis_keys.tag(resident)


def read_ahead_keys(resident: str) -> list[str]:
    """What a turn reads before its open-case check (the worker reads them with the lease)."""
    return [begun_key(resident), ended_key(resident), marker_key(resident)]


def _text(value: bytes | str | None) -> str:
    if value is None:
        return "0"  # a counter never incremented (or expired with every marker naming it)
    return value.decode() if isinstance(value, bytes) else value


def known_none(resident: str, values: Mapping[str, bytes | None]) -> bool:
    """True if the marker read in ``values`` says, validly, that the resident has no open case."""
    marker = values.get(marker_key(resident))
    if marker is None:
        return False
    begun = _text(values.get(begun_key(resident)))
    return _text(marker) == begun == _text(values.get(ended_key(resident)))


def marker_writes(resident: str, values: Mapping[str, bytes | None]) -> list[list[str]]:
    """The writes that keep a "none" found by a query made after ``values`` were read (none
    while an opening is under way)."""
    begun = _text(values.get(begun_key(resident)))
    if begun != _text(values.get(ended_key(resident))):
        return []
    return [
        ["SET", marker_key(resident), begun, "EX", str(MARKER_TTL_S)],
        ["EXPIRE", begun_key(resident), str(COUNTERS_TTL_S)],
        ["EXPIRE", ended_key(resident), str(COUNTERS_TTL_S)],
    ]


class CaseOpenings:
    """Moves the counters around a database commit that may open a case for a resident."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    async def _bump(self, key: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, COUNTERS_TTL_S)
        await pipe.execute()

    @asynccontextmanager
    async def opening(self, resident: str) -> AsyncIterator[None]:
        """Wrap the transaction (its commit inside this block). If Redis refuses ``begun``,
        nothing is committed (the caller fails and is retried); if it refuses ``ended``,
        the resident's marker stays off until the counters expire, which is safe."""
        await self._bump(begun_key(resident))
        try:
            yield
        finally:
            try:
                await self._bump(ended_key(resident))
            except (redis.RedisError, OSError):
                pass
