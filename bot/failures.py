"""Which failures are the infrastructure's (wait and retry) and which are bugs (dead letter).

A database or Redis that refuses, resets or hangs is not the event's fault: the event stays
pending, however long the outage, and is handled when the store returns. Anything else
that keeps failing is a bug, and after a few attempts its event becomes a dead letter.
"""

from __future__ import annotations

import psycopg
import redis.exceptions as redis_errors
from sqlalchemy import exc as sa_errors

_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    TimeoutError,  # asyncio.timeout around a turn: a hung database or service
    OSError,  # refused, reset, unreachable
    redis_errors.ConnectionError,  # includes BusyLoadingError (Redis loading its AOF)
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,
    redis_errors.ClusterDownError,
    sa_errors.OperationalError,
    sa_errors.InterfaceError,
    sa_errors.DisconnectionError,
    sa_errors.TimeoutError,  # no pooled connection in time
    psycopg.OperationalError,
)


def is_infrastructure(exc: BaseException) -> bool:
    """True if ``exc`` (or what caused it) is a store or network failing."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _INFRASTRUCTURE):
            return True
        if isinstance(current, sa_errors.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
