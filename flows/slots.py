"""The callback-slot picker, for the flow's slot phase and for moving a reminded callback.

Both show the same choices: the next few free slots, then any day the resident picks with
LINE's date picker. A chosen day is shown page by page within LINE's 13 quick replies (the
date picker, the caller's own buttons such as 「変えない」 and a 「もっと後の時間」 button
take their places first), so every free slot of the day, the last one included, can be
reached and no button is ever dropped.

Postback fields: ``v=<UTC start>`` for a slot; ``d=<YYYY-MM-DD>&p=<page>`` for a page of a
day (the date picker sends ``date`` in its params instead, for page 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows import postback
from flows.catalogue import Catalogue
from flows.limits import QUICK_REPLIES_MAX
from flows.outgoing import Button
from flows.ports import Desk

TOKYO = ZoneInfo("Asia/Tokyo")
SLOT_FORMAT = "%Y%m%dT%H%MZ"


def chosen_slot(fields: dict[str, str]) -> datetime | None:
    """The slot a tapped button carries, or None if the data is not one."""
    try:
        return datetime.strptime(fields.get("v", ""), SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def chosen_day(fields: dict[str, str], params: dict[str, Any]) -> tuple[date, int] | None:
    """The day (and page) asked for: from the date picker's params, or a 'later' button."""
    try:
        day = date.fromisoformat(str(params.get("date") or fields.get("d", "")))
        page = int(fields.get("p", "0"))
    except ValueError:
        return None
    return (day, page) if page >= 0 else None


@dataclass(frozen=True)
class Taps:
    """Where the picker's buttons lead: the postback action and fields of a slot and of a day."""

    slot_action: str
    day_action: str
    slot_fields: Mapping[str, str] = field(default_factory=dict)
    day_fields: Mapping[str, str] = field(default_factory=dict)


class SlotPicker:
    def __init__(self, *, catalogue: Catalogue, desk: Desk, choices: int = 4) -> None:
        self._t = catalogue
        self._desk = desk
        self._choices = choices

    def when(self, moment: datetime, key: str = "slot.when") -> str:
        local = moment.astimezone(TOKYO)
        weekday = self._t.weekday(local.weekday())  # "Wed" in English, 水 in Japanese
        return self._t.text(key, month=local.month, day=local.day, weekday=weekday,
                            hour=local.hour, minute=local.minute)

    def _slot_buttons(self, slots: Sequence[datetime], taps: Taps) -> list[Button]:
        return [
            Button(label=self.when(s, "slot.label"),
                   data=postback.encode(taps.slot_action, **taps.slot_fields,
                                        v=s.astimezone(UTC).strftime(SLOT_FORMAT)),
                   display_text=self.when(s))
            for s in slots
        ]

    def _day_picker(self, centre: str, taps: Taps) -> Button:
        first, last = self._desk.booking_days(centre)
        return Button(label=self._t.text("slot.other_day"), data=postback.encode(taps.day_action, **taps.day_fields),
                      pick="date", initial=first.isoformat(), min=first.isoformat(), max=last.isoformat())

    async def next_free(self, centre: str, taps: Taps, extra: Sequence[Button] = ()) -> tuple[Button, ...]:
        """The next few free slots, the date picker, then ``extra``."""
        found = await self._desk.free_slots(centre, limit=min(self._choices, QUICK_REPLIES_MAX - 1 - len(extra)))
        return (*self._slot_buttons(found, taps), self._day_picker(centre, taps), *extra)

    async def day_page(
        self, centre: str, day: date, page: int, taps: Taps, extra: Sequence[Button] = ()
    ) -> tuple[Button, ...] | None:
        """One page of the day's free slots, then 'later' (if more follow), the date picker
        and ``extra``: never more than LINE shows. None if the day (or page) has no free slot."""
        slots = await self._desk.free_slots_on(centre, day)
        room = QUICK_REPLIES_MAX - 1 - len(extra)  # the date picker and the caller's buttons stay
        if room < 2:
            raise ValueError("no room left for slots among the quick replies")
        start = 0
        for _ in range(page):  # every page but the last keeps one place for 'later'
            start += room - 1 if len(slots) - start > room else room
        shown = slots[start:start + room]
        if not shown:
            return None
        later: list[Button] = []
        if len(slots) - start > room:
            shown = shown[:room - 1]
            label = self._t.text("slot.later")
            data = postback.encode(taps.day_action, **taps.day_fields, d=day.isoformat(), p=str(page + 1))
            later.append(Button(label=label, data=data, display_text=label))
        return (*self._slot_buttons(shown, taps), *later, self._day_picker(centre, taps), *extra)
