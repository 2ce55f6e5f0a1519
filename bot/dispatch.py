"""Turns one stored webhook event into a handler call with its context.

This is the worker's handler: it re-parses the raw event with the SDK's models
(unknown types stay raw), works out who it concerns, and calls the registered handler.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis
from linebot.v3.webhooks import Event

from bot.events import follow, group, message, postback  # noqa: F401  (register handlers)
from bot.events.context import EventContext
from bot.events.registry import EventRegistry, registry
from bot.intake import event_id
from bot.logs import get_logger
from bot.messenger import Messenger
from bot.residents import conversation_key, keyed_hash
from flows.catalogue import Catalogue
from flows.conversation import Conversation

log = get_logger("bot.dispatch")


def _chat_id(raw: dict[str, Any]) -> str | None:
    source = raw.get("source") or {}
    return source.get("groupId") or source.get("roomId") or source.get("userId")


def _parse(raw: dict[str, Any]) -> Any:
    try:
        return Event.from_dict(raw)
    except ValueError:  # a type this SDK version does not know
        return None


class Dispatcher:
    def __init__(
        self,
        *,
        messenger: Messenger,
        conversation: Conversation,
        catalogue: Catalogue,
        client: redis.Redis,
        hash_key: str,
        events: EventRegistry = registry,
        takeover: Any = None,
        loading_after_s: float = 0.0,
    ) -> None:
        self._messenger = messenger
        self._conversation = conversation
        self._catalogue = catalogue
        self._redis = client
        self._hash_key = hash_key
        self._events = events
        self._takeover = takeover  # handoff.takeover.StaffRelay (staff inbox)
        self._loading_after_s = loading_after_s

    async def __call__(self, raw: dict[str, Any]) -> None:
        resident = conversation_key(raw)
        ctx = EventContext(
            event_id=event_id(raw),
            resident=resident,
            resident_hash=keyed_hash(self._hash_key, resident),
            chat_id=_chat_id(raw),
            reply_token=raw.get("replyToken"),
            raw=raw,
            messenger=self._messenger,
            conversation=self._conversation,
            catalogue=self._catalogue,
            redis=self._redis,
            takeover=self._takeover,
            loading_after_s=self._loading_after_s,
        )
        event_type = str(raw.get("type"))
        model = _parse(raw)
        handler = self._events.handler_for(event_type if model is not None else "")
        log.info("event.handling", event_type=event_type, resident=ctx.resident_hash)
        await handler(model, ctx)
