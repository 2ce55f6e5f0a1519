"""What a handler gets for one event: who it is about, and how to answer."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from bot.messenger import Messenger
from bot.render import render
from flows.catalogue import Catalogue
from flows.conversation import Conversation
from flows.outgoing import Outgoing


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
    # handoff.takeover.StaffRelay: set when staff can take over conversations.
    takeover: Any = None
    loading_after_s: float = 0.0  # Settings.loading_after_s

    def loading_while_slow(self) -> AbstractAsyncContextManager[None]:
        """LINE's loading animation for work that turns out slow (bot.messenger)."""
        return self.messenger.loading_while_slow(self.chat_id, self.loading_after_s)

    @property
    def is_one_to_one(self) -> bool:
        return self.resident.startswith("user:")

    async def answer(self, messages: Sequence[Outgoing]) -> None:
        if not messages:
            return
        await self.messenger.send(
            to=self.chat_id,
            reply_token=self.reply_token,
            messages=[render(m) for m in messages],
            seed=self.event_id,
        )
