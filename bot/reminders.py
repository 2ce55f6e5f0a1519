"""Callback reminders: a loop in every worker process that pushes the ones that fell due.

Each tick is one database transaction: claim the due reminders (an atomic UPDATE, so two
schedulers never get the same one), push each with a retry key made from the booking and
kind, then commit. A crash before the commit leaves the reminders unclaimed; the next
tick pushes them again with the same keys and LINE answers 409 to what it already
delivered, so the resident sees each reminder once. State lives only in the database:
a restart loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from linebot.v3.messaging import Message
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.logs import get_logger
from bot.messenger import DeliveryFailed, Messenger, retry_key
from bot.render import render
from flows.conversation import Conversation
from flows.reminders import Reminder
from handoff.directory import Directory
from handoff.models import Handoff
from handoff.reminders import DueReminder, claim_due_reminders

log = get_logger("bot.reminders")


def reminder_key(reminder: DueReminder) -> str:
    """One X-Line-Retry-Key per booking and kind, the same in every process and restart."""
    return retry_key(f"reminder:{reminder.booking_id}:{reminder.kind}", 0)


def _refused_for_good(exc: DeliveryFailed) -> bool:
    """LINE said no and will keep saying no (blocked account, bad request): do not retry."""
    cause = exc.__cause__
    if not isinstance(cause, ApiException):
        return False  # unreachable after retries: try again next tick
    status = cause.status or 0
    return 400 <= status < 500 and status != 429


class ReminderScheduler:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        messenger: Messenger,
        conversation: Conversation,
        directory: Directory,
        interval_s: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._sessions = sessions
        self._messenger = messenger
        self._conversation = conversation
        self._directory = directory
        self._interval_s = interval_s
        self._now = clock or (lambda: datetime.now(UTC))
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Tick every ``interval_s`` until ``stop()``; a failed tick is logged and retried."""
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception as exc:  # the database or LINE is away: the next tick retries
                log.warning("reminders.tick_failed", error=type(exc).__name__)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval_s)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def tick(self, now: datetime | None = None) -> int:
        """Send every reminder due at ``now``; returns how many were pushed."""
        pushed = 0
        async with self._sessions() as session, session.begin():
            due = _latest_only(await claim_due_reminders(session, now=now or self._now()))
            for reminder in due:
                case = await session.get(Handoff, reminder.handoff_id)
                if case is None or not case.line_user_id:
                    log.info("reminders.no_recipient", kind=reminder.kind)
                    continue
                messages = [render(m) for m in self._conversation.reminder(self._reminder(reminder, case))]
                try:
                    await self._push(case.line_user_id, messages, reminder_key(reminder))
                except DeliveryFailed as exc:
                    if not _refused_for_good(exc):
                        raise  # roll back every claim of this tick; same keys next time
                    log.info("reminders.refused", kind=reminder.kind, error=str(exc))
                    continue
                pushed += 1
                log.info("reminders.sent", kind=reminder.kind)
        return pushed

    async def _push(self, to: str, messages: list[Message], key: str) -> None:
        await self._messenger.push(to, messages, key)

    def _reminder(self, due: DueReminder, case: Handoff) -> Reminder:
        return Reminder(
            kind=due.kind,
            case_number=case.case_number,
            centre_name=self._directory.centre_name(due.centre_code),
            slot_start=due.slot_start,
            contact_method=case.contact_method,
        )


def _latest_only(due: list[DueReminder]) -> list[DueReminder]:
    """After an outage both reminders of a booking can fall due at once: send the hour-before
    one only (both stay claimed, so the other is never sent late)."""
    hour_before = {r.booking_id for r in due if r.kind == "hour_before"}
    return [r for r in due if r.kind == "hour_before" or r.booking_id not in hour_before]
