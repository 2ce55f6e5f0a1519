"""What staff send on LINE (a message, a takeover or handback notice), through the outbox.

``handoff.inbox`` commits the case entry and returns a ``LineSend``; ``StaffSender`` then
makes it real in one Redis step (the message enqueued and, for a takeover or handback, the
conversation's owner set or released: never before the database committed) and tries to
deliver it at once. When LINE or Redis fails, the staff page says so in plain Japanese and
the outbox retries; entries whose step never happened (the process died after the
commit) are found and enqueued by ``reconcile`` in every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import FAST_PATH_WAIT_S, Deliverer
from bot.logs import get_logger
from bot.outbox import PREFIX, Outbox, OutboxMessage
from bot.render import message_json
from flows.outgoing import Text
from handoff import deliveries
from handoff.deliveries import NOTICES, LineSend
from handoff.takeover import TakeoverRegistry

log = get_logger("bot.staff_push")
DELIVERED, RETRYING, FAILED = "delivered", "retrying", "failed"


def outbox_message(send: LineSend) -> OutboxMessage:
    return OutboxMessage(
        id=send.message_id, resident="user:" + send.line_user_id, to=send.line_user_id,
        parts=[[message_json(Text(send.text))]], kind=send.kind, receipt=str(send.entry_id),
    )


class StaffSender:
    def __init__(
        self, *, client: redis.Redis, outbox: Outbox, deliverer: Deliverer, takeover: TakeoverRegistry,
    ) -> None:
        self._redis = client
        self._outbox = outbox
        self._deliverer = deliverer
        self._takeover = takeover

    def _writes(self, send: LineSend) -> list[list[str]]:
        if send.take is not None:
            user_hash, case_id, staff_id = send.take
            return [self._takeover.take_command(user_hash, case_id=case_id, staff_id=staff_id)]
        if send.release is not None:
            return [self._takeover.release_command(send.release)]
        return []

    async def send(self, send: LineSend) -> str:
        """Apply a committed ``LineSend``; how delivery went so far (never raises)."""
        try:
            if send.line_user_id:
                await self._outbox.enqueue(outbox_message(send), self._writes(send))
            elif writes := self._writes(send):
                pipe = self._redis.pipeline(transaction=True)
                for command in writes:
                    pipe.execute_command(*command)
                await pipe.execute()
                return DELIVERED
            await self._deliverer.deliver(outbox_message(send).resident, wait_s=FAST_PATH_WAIT_S)
            if await self._redis.exists(PREFIX + "msg:" + send.message_id):
                return RETRYING
            if await self._redis.exists("tsunagu:dead:delivery:" + send.message_id):
                return FAILED
            return DELIVERED
        except (redis.RedisError, OSError) as exc:
            log.warning("staff_push.redis_unavailable", error=type(exc).__name__)
            return RETRYING  # the entry stays pending: reconcile() enqueues it


async def reconcile(
    sessions: async_sessionmaker[AsyncSession], sender: StaffSender, outbox: Outbox,
    notice: Callable[[str, str], str], *, older_than_s: float, newer_than_s: float,
) -> int:
    """Enqueue staff entries still pending whose message the outbox never received; a
    takeover or handback notice (never stored as text) is written in the case's language."""
    async with sessions() as session:
        pending = await deliveries.unsent(
            session, older_than=timedelta(seconds=older_than_s), newer_than=timedelta(seconds=newer_than_s)
        )
    done = 0
    for send in pending:
        if await outbox.known(send.message_id):
            continue
        if not send.text and send.kind in NOTICES:
            send = replace(send, text=notice(NOTICES[send.kind], send.language))
        log.warning("staff_push.reconciled", kind=send.kind)
        await sender.send(send)
        done += 1
    return done
