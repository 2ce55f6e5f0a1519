"""The conversation core: what tsunagu says back to a resident.

Channel-neutral: it takes a resident key and what they did, and returns neutral
messages.  This first version greets, forgets, and acknowledges; understanding and the
guided flows plug in here.
"""

from __future__ import annotations

from typing import Any

from flows.catalogue import Catalogue
from flows.outgoing import Outgoing, Text
from flows.state import StateStore


class Conversation:
    def __init__(self, *, state: StateStore, catalogue: Catalogue, ward_name: str) -> None:
        self._state = state
        self._catalogue = catalogue
        self._ward_name = ward_name

    async def welcome(self, resident: str, *, returning: bool = False) -> list[Outgoing]:
        key = "welcome_back" if returning and await self._state.load(resident) else "welcome"
        return [Text(self._catalogue.text(key, ward_name=self._ward_name))]

    async def forget(self, resident: str) -> None:
        await self._state.drop(resident)

    async def on_text(self, resident: str, text: str) -> list[Outgoing]:
        return [Text(self._catalogue.text("placeholder.received"))]

    async def on_postback(
        self, resident: str, data: str, params: dict[str, Any] | None
    ) -> list[Outgoing]:
        return [Text(self._catalogue.text("placeholder.received"))]

    async def on_media(self, resident: str, kind: str) -> list[Outgoing]:
        key = "media.location" if kind == "location" else "media.ask_words"
        return [Text(self._catalogue.text(key))]
