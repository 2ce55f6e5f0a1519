"""What a handler gets for one event: who it is about, and where its answer goes.

A handler does not send: ``answer`` collects the messages, and the worker commits them to
the outbox with the turn's state (``bot.worker``), so an answer exists exactly when the
event counts as handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis

from bot.messenger import Messenger
from flows.catalogue import Catalogue
from flows.conversation import Conversation
from flows.outgoing import Outgoing
from flows.turn import Turn
from handoff.takeover import StaffRelay


@dataclass
class EventContext:
    event_id: str
    resident: str  # conversation key (bot.residents.conversation_key)
    resident_hash: str  # pseudonym for logs
    chat_id: str | None  # LINE id to push to: user, group or room
    reply_token: str | None
    raw: dict[str, Any]
    messenger: Messenger
    conversation: Conversation
    catalogue: Catalogue
    redis: redis.Redis
    turn: Turn
    # Set when staff can take over conversations (the staff inbox).
    takeover: StaffRelay | None = None
    loading_after_s: float = 0.0  # Settings.loading_after_s
    outgoing: list[Outgoing] = field(default_factory=list)

    def loading_while_slow(self) -> AbstractAsyncContextManager[None]:
        """LINE's loading animation for work that turns out slow (bot.messenger)."""
        return self.messenger.loading_while_slow(self.chat_id, self.loading_after_s)

    @property
    def is_one_to_one(self) -> bool:
        return self.resident.startswith("user:")

    async def answer(self, messages: Sequence[Outgoing]) -> None:
        self.outgoing.extend(messages)
