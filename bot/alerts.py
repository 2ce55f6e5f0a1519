"""The danger alert the deliverer raises: an urgent case in PostgreSQL (``handoff.alerts``).

The outbox message of a danger answer carries, encrypted, the resident's words and the
danger kinds (``alert_payload``); the alert decrypts them into the case. The inbox's
notifier then tells the centre (``handoff.inbox.notify_urgent`` and the staff webhook).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import OutboxMessage
from handoff import crypto
from handoff.danger_alerts import danger_alert
from handoff.directory import Directory
from handoff.open_cases import CaseOpenings


def alert_payload(words: str, kinds: list[str], language: str | None = None) -> str:
    found = {"words": words[:1000], "kinds": kinds, "language": language or "ja"}
    return crypto.encrypt(json.dumps(found, ensure_ascii=False))


class StaffAlerts:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], directory: Directory, summary: Callable[[str], str],
        openings: CaseOpenings | None = None,
    ) -> None:
        self._sessions = sessions
        # The alert may open a case: the "no open case" marker must hear of it (handoff.open_cases).
        self._openings = openings
        self._directory = directory
        self._summary = summary

    async def __call__(self, message: OutboxMessage) -> None:
        found: dict[str, Any] = json.loads(crypto.decrypt(message.alert)) if message.alert else {}
        words = str(found.get("words", ""))
        if not message.to.startswith("U"):
            return  # not a one-to-one chat: no person to make a case for
        async with (self._openings.opening(message.resident) if self._openings is not None else nullcontext()), \
                self._sessions() as session, session.begin():
            await danger_alert(
                session, directory=self._directory, key=f"alert:{message.id}", line_user_id=message.to,
                words=words or "—", kinds=list(found.get("kinds", [])), summary=self._summary(words or "—"),
                now=datetime.now(UTC), language=str(found.get("language") or "ja"),
            )
