"""Channel-neutral messages the conversation sends; ``bot.render`` turns them into LINE's.

Keeping these free of the LINE SDK lets flows be tested, and reused for another channel,
without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Button:
    """One tappable choice.

    ``text`` sends that text as if typed; ``data`` sends a postback; ``pick`` opens a
    date/time picker whose choice comes back as a postback with ``data``.
    """

    label: str
    text: str | None = None
    data: str | None = None
    display_text: str | None = None
    pick: Literal["date", "time", "datetime"] | None = None
    initial: str | None = None
    min: str | None = None
    max: str | None = None


@dataclass(frozen=True)
class Text:
    text: str
    quick_replies: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Card:
    """A small card: a title, label/value rows, an optional note and buttons."""

    alt_text: str
    title: str
    rows: tuple[tuple[str, str], ...] = ()
    note: str | None = None
    buttons: tuple[Button, ...] = ()
    quick_replies: tuple[Button, ...] = field(default=())


Outgoing = Text | Card
