"""Staff sessions that follow a working day: an idle limit renewed by activity, and an
absolute limit from sign-in that covers the day but not the night.

Built on ``handoff.auth.Gatekeeper`` (logins, throttling, passwords stay there): only how a
session is opened, resumed and ended is replaced. Redis holds a hash of the token, the
user id, the CSRF token, the sign-in time and the last activity; the clock is injected so a
whole day can be walked through in a test.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.auth import SESSION_PREFIX, Gatekeeper, Principal, StaffSession
from handoff.staff_models import StaffUser

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Resumed:
    principal: Principal
    csrf: str
    expires_at: datetime  # when the session ends unless there is activity before


class DayGatekeeper(Gatekeeper):
    """``Gatekeeper`` whose sessions end after ``idle`` without activity, or ``absolute``
    after sign-in, whichever comes first."""

    def __init__(
        self, client: redis.Redis, *, idle: timedelta, absolute: timedelta, clock: Clock | None = None,
        **gatekeeper: Any,
    ) -> None:
        super().__init__(client, session_ttl_s=int(absolute.total_seconds()), **gatekeeper)
        self._redis_client = client
        self.idle = idle
        self.absolute = absolute
        self.clock: Clock = clock or (lambda: datetime.now(UTC))

    def _key(self, token: str) -> str:
        return SESSION_PREFIX + self._digest(token)

    def _ends(self, record: dict[str, Any]) -> datetime:
        since = datetime.fromisoformat(record["since"])
        seen = datetime.fromisoformat(record.get("seen", record["since"]))
        return min(seen + self.idle, since + self.absolute)

    async def _store(self, key: str, record: dict[str, Any]) -> None:
        # Redis forgets the session a little after it ends by itself (real time); the
        # decision is always taken on the recorded times, so an injected clock is obeyed.
        left = self._ends(record) - self.clock()
        ttl = max(60, int(left.total_seconds()) + 60)
        await self._redis_client.set(key, json.dumps(record), ex=ttl)

    async def open_session(self, user_id: int) -> StaffSession:
        token = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        now = self.clock().isoformat()
        await self._store(self._key(token), {"user_id": user_id, "csrf": csrf_token, "since": now, "seen": now})
        return StaffSession(token=token, csrf_token=csrf_token, user_id=user_id)

    async def resume_day(self, session: AsyncSession, token: str | None, *, touch: bool = True) -> Resumed | None:
        """The live session of ``token``; ``touch`` counts this request as activity (a page
        opened, a form sent), while the pages' background polls do not."""
        if not token:
            return None
        key = self._key(token)
        raw = await self._redis_client.get(key)
        if raw is None:
            return None
        record = json.loads(raw)
        now = self.clock()
        user = await session.get(StaffUser, int(record["user_id"]))
        since = datetime.fromisoformat(record["since"])
        if now >= self._ends(record) or user is None or not user.active or user.password_changed_at > since:
            await self._redis_client.delete(key)
            return None
        if touch:
            record["seen"] = now.isoformat()
            await self._store(key, record)
        return Resumed(principal=Principal.of(user), csrf=str(record["csrf"]), expires_at=self._ends(record))

    async def resume(self, session: AsyncSession, token: str | None) -> tuple[Principal, str] | None:
        resumed = await self.resume_day(session, token)
        return (resumed.principal, resumed.csrf) if resumed else None
