"""Staff alerted when a resident in danger could not be answered.

The bot's answer to a danger message (the emergency lines) could not be delivered in time,
or the message could not be handled at all. A person must know now: the resident's open
case is flagged urgent with their words added, or an urgent case is made for the ward's
crisis desk. That case carries the resident's words without their consent: APPI
art. 27(1)(ii) allows sharing to protect a life when consent cannot be had. The inbox's
notifier (``handoff.alerts.notify_urgent``) then tells the centre like any urgent case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import cases, effects, lifecycle
from handoff.directory import Directory
from handoff.routing import CRISIS, route

FLOW = "danger_alert"
# Stored as the case's consent version: no consent was given; the law's exception applies.
NO_CONSENT = "none:appi-27-1-2"


async def danger_alert(
    session: AsyncSession, *, directory: Directory, key: str, line_user_id: str, words: str,
    kinds: list[str], summary: str, now: datetime, language: str = "ja",
) -> str:
    """Flag or open the urgent case (once per ``key``); its case number. The caller commits."""
    danger = lifecycle.DangerReport(kinds=tuple(kinds), words=words, source="undelivered")

    async def alert() -> str:
        existing = await cases.open_case_for(session, line_user_id)
        if existing is not None:
            await cases.add_resident_message(session, existing.id, words)
            await lifecycle.flag_urgent(session, existing, danger, now=now)
            return existing.case_number
        handoff = await cases.create_handoff(
            session, route=route(directory, situations=[CRISIS], urgent=True), situations=[CRISIS],
            summary=summary, answers={}, flow=FLOW, danger=danger,
            consent=cases.Consent(scope=[], text_version=NO_CONSENT, at=now),
            contact_method="line", line_user_id=line_user_id, now=now, language=language,
        )
        return handoff.case_number

    return await effects.once(session, key, alert)
