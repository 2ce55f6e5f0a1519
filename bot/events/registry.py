"""Maps a webhook event's ``type`` to its handler; unknown types get an explicit default."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.events.context import EventContext
from bot.logs import get_logger

Handler = Callable[[Any, EventContext], Awaitable[None]]
log = get_logger("bot.events")


class EventRegistry:
    def __init__(self, default: Handler) -> None:
        self._handlers: dict[str, Handler] = {}
        self._default = default

    def on(self, *event_types: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for event_type in event_types:
                if event_type in self._handlers:
                    raise ValueError(f"two handlers for {event_type!r}")
                self._handlers[event_type] = handler
            return handler

        return register

    def handler_for(self, event_type: str) -> Handler:
        return self._handlers.get(event_type, self._default)

    @property
    def known_types(self) -> frozenset[str]:
        return frozenset(self._handlers)


async def acknowledge_only(event: Any, ctx: EventContext) -> None:
    """Events a resident does not expect an answer to (and types we do not know)."""
    log.info("event.ignored", event_type=ctx.raw.get("type"), resident=ctx.resident_hash)


registry = EventRegistry(default=acknowledge_only)
