"""Callback reminders: a loop in every worker process that sends the ones that fell due.

Each tick is one database transaction: claim the due reminders (an atomic UPDATE, so two
schedulers never get the same one), put each in the outbox, then commit. The outbox id is
the reminder send's own (``DueReminder.send_id``) and enqueueing is idempotent, so a crash
before the commit, which leaves the reminders unclaimed for the next tick, never queues one
twice. Delivery, retries and the X-Line-Retry-Key (unique to that send) are the outbox's
(``bot.delivery``); a blocked resident's reminder becomes a dead letter shown on the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.background import Every
from bot.delivery import FAST_PATH_WAIT_S, Deliverer
from bot.logs import get_logger
from bot.outbox import Outbox, OutboxMessage, split_parts
from bot.render import message_json
from flows.conversation import Conversation
from flows.limits import MESSAGES_PER_CALL
from flows.reminders import Reminder
from handoff.directory import Directory
from handoff.models import Handoff
from handoff.reminders import DueReminder, claim_due_reminders

log = get_logger("bot.reminders")


class ReminderScheduler:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        deliverer: Deliverer,
        conversation: Conversation,
        directory: Directory,
        interval_s: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._deliverer = deliverer
        self._conversation = conversation
        self._directory = directory
        self._now = clock or (lambda: datetime.now(UTC))
        self._loop = Every(self.tick, interval_s, "reminders.tick_failed")

    async def run(self) -> None:
        """Tick every ``interval_s`` until ``stop()``; a failed tick is logged and retried."""
        await self._loop.run()

    def stop(self) -> None:
        self._loop.stop()

    async def tick(self, now: datetime | None = None) -> int:
        """Queue every reminder due at ``now`` and try to deliver them at once; how many."""
        residents: list[str] = []
        async with self._sessions() as session, session.begin():
            due = _latest_only(await claim_due_reminders(session, now=now or self._now()))
            for reminder in due:
                case = await session.get(Handoff, reminder.handoff_id)
                if case is None or not case.line_user_id:
                    log.info("reminders.no_recipient", kind=reminder.kind)
                    continue
                rendered = [message_json(m) for m in self._conversation.reminder(self._reminder(reminder, case))]
                message = OutboxMessage(
                    id=reminder.send_id, resident="user:" + case.line_user_id, to=case.line_user_id,
                    parts=split_parts(rendered, MESSAGES_PER_CALL), kind="reminder",
                )
                # Before the claim commits: a crash in between finds it queued next tick.
                await self._enqueue(message)
                residents.append(message.resident)
                log.info("reminders.queued", kind=reminder.kind)
        for resident in dict.fromkeys(residents):
            await self._deliverer.deliver(resident, wait_s=FAST_PATH_WAIT_S)
        return len(residents)

    async def _enqueue(self, message: OutboxMessage) -> None:
        await self._outbox.enqueue(message)

    def _reminder(self, due: DueReminder, case: Handoff) -> Reminder:
        return Reminder(
            kind=due.kind,
            case_number=case.case_number,
            centre_name=self._directory.centre_name(due.centre_code, case.language),
            slot_start=due.slot_start,
            contact_method=case.contact_method,
            language=case.language,
        )


def _latest_only(due: list[DueReminder]) -> list[DueReminder]:
    """After an outage both reminders of a booking can fall due at once: send the hour-before
    one only (both stay claimed, so the other is never sent late)."""
    hour_before = {r.booking_id for r in due if r.kind == "hour_before"}
    return [r for r in due if r.kind == "hour_before" or r.booking_id not in hour_before]
