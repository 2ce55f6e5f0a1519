"""Who an event is about: the conversation key and its privacy-safe log form."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any


def conversation_key(event: dict[str, Any]) -> str:
    """The key under which a resident's events are ordered and their state kept.

    One-to-one chats key on the user; group and room events key on the chat, since the
    bot never keeps a conversation with a person in a group.
    """
    source = event.get("source") or {}
    kind = source.get("type")
    if kind == "group" and source.get("groupId"):
        return f"group:{source['groupId']}"
    if kind == "room" and source.get("roomId"):
        return f"room:{source['roomId']}"
    if source.get("userId"):
        return f"user:{source['userId']}"
    return "anonymous"


@lru_cache(maxsize=65_536)  # the same resident's pseudonym is logged several times per event
def keyed_hash(secret: str, value: str) -> str:
    """A stable pseudonym for logs: correlates one resident's lines, reveals no LINE id."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:16]
