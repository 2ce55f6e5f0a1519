"""Callback reminders, resident side: the message and its keep / move / cancel buttons.

Channel-neutral like the rest of ``flows``: ``bot.reminders`` pushes what ``message`` builds,
and the buttons come back as ``a=rem&op=<op>&c=<case number>`` postbacks. Every tap is
checked against the database (the resident's own, open case), so a forwarded, old or
replayed button can do nothing to anyone's callback. Moving uses the slot phase's picker
(``flows.slots``: a day page by page, 「変えない」 always kept); cancelling asks first. While a choice is open the conversation's
phase is ``rem_move`` or ``rem_cancel``; the phase it interrupted is put back afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows import postback
from flows.catalogue import Catalogue
from flows.commands import Words
from flows.outgoing import Button, Outgoing, Text
from flows.phases.state import ConversationState
from flows.phases.table import Phase
from flows.ports import BookedCase, Desk, NotYourCase, SlotUnavailable
from flows.slots import SlotPicker, Taps, chosen_day, chosen_slot

ACTION = "rem"
PHASES = (Phase.REM_MOVE, Phase.REM_CANCEL)
KINDS = ("day_before", "hour_before")

State = ConversationState
Out = list[Outgoing]


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: which one, for which case, at what time, by which means."""

    kind: str  # one of KINDS
    case_number: str
    centre_name: str
    slot_start: datetime
    contact_method: str  # "phone" or "line"
    language: str = "ja"  # the case's: the reminder and its buttons speak it


class ReminderTalk:
    def __init__(
        self, *, catalogue: Catalogue, desk: Desk, words: Words, slots: SlotPicker,
        resume: Callable[[State], Awaitable[Out]],
    ) -> None:
        self._t = catalogue
        self._desk = desk
        self._words = words
        self._slots = slots
        self._resume = resume  # the prompt of the phase the resident is in
        self._ops: dict[str, Callable[[str, State, BookedCase, dict[str, str], dict[str, Any]], Awaitable[Out]]] = {
            "keep": self._keep,
            "move": self._move,
            "day": self._day,
            "slot": self._slot,
            "cancel": self._cancel,
        }

    # ---- the pushed message ------------------------------------------------------------

    def message(self, reminder: Reminder) -> Out:
        if reminder.kind not in KINDS:
            raise ValueError(f"unknown reminder kind {reminder.kind!r}")
        text = self._t.text(
            f"reminder.{reminder.kind}",
            when=self._slots.when(reminder.slot_start),
            centre=reminder.centre_name,
            case=reminder.case_number,
            how=self._t.text(f"reminder.how.{reminder.contact_method}"),
        )
        case, lang = reminder.case_number, reminder.language
        return [Text(text, quick_replies=(
            self._button("reminder.keep", "keep", case, l=lang),
            self._button("reminder.move", "move", case, l=lang),
            self._button("reminder.cancel", "cancel", case, l=lang),
        ))]

    def _button(self, label_key: str, op: str, case: str, **fields: str) -> Button:
        label = self._t.text(label_key)
        return Button(label=label, data=postback.encode(ACTION, op=op, c=case, **fields), display_text=label)

    # ---- taps ----------------------------------------------------------------------------

    async def on_postback(self, resident: str, st: State, f: dict[str, str], params: dict[str, Any]) -> Out:
        case = await self._desk.booked_case(resident, f.get("c", ""))
        if case is None:
            return await self._invalid(st, f.get("c"))
        handler = self._ops.get(f.get("op", ""))
        if handler is None:
            return [Text(self._t.text("conversation.unclear_button")), *await self._resume(st)]
        return await handler(resident, st, case, f, params)

    async def _keep(self, resident: str, st: State, case: BookedCase, f: dict[str, str], _: dict[str, Any]) -> Out:
        if self._choosing(st, case):
            self._leave(st)
        if case.slot_start is None:
            return await self._invalid(st, case.case_number)
        key = "reminder.not_changed" if f.get("v") == "stay" else "reminder.kept"
        return [Text(self._t.text(key, when=self._slots.when(case.slot_start))), *await self._back_to(st)]

    async def _move(self, resident: str, st: State, case: BookedCase, f: dict[str, str], _: dict[str, Any]) -> Out:
        self._enter(st, Phase.REM_MOVE, case)
        return [await self._move_prompt(st)]

    async def _day(self, resident: str, st: State, case: BookedCase, f: dict[str, str], params: dict[str, Any]) -> Out:
        if not self._choosing(st, case, Phase.REM_MOVE):
            return await self._stale(st)
        asked = chosen_day(f, params)
        if asked is None:
            return [await self._move_prompt(st)]
        buttons = await self._slots.day_page(case.centre_code, *asked, self._taps(st), self._stay(st))
        if buttons is None:
            return [await self._move_prompt(st, "slot.none_that_day")]
        return [Text(self._t.text("slot.ask"), quick_replies=buttons)]

    async def _slot(self, resident: str, st: State, case: BookedCase, f: dict[str, str], _: dict[str, Any]) -> Out:
        if not self._choosing(st, case, Phase.REM_MOVE):
            return await self._stale(st)
        chosen = chosen_slot(f)
        if chosen is None:
            return [Text(self._t.text("conversation.unclear_button")), await self._move_prompt(st)]
        try:
            start = await self._desk.move_callback(resident, case.case_number, chosen)
        except SlotUnavailable:
            return [await self._move_prompt(st, "slot.taken")]
        except NotYourCase:
            return await self._invalid(st, case.case_number)
        self._leave(st)
        text = self._t.text("reminder.moved", when=self._slots.when(start), centre=case.centre_name,
                            case=case.case_number)
        return [Text(text), *await self._back_to(st)]

    async def _cancel(self, resident: str, st: State, case: BookedCase, f: dict[str, str], _: dict[str, Any]) -> Out:
        if case.slot_start is None:
            return await self._invalid(st, case.case_number)
        if "v" not in f:
            self._enter(st, Phase.REM_CANCEL, case)
            return [self._cancel_ask(st)]
        if not self._choosing(st, case, Phase.REM_CANCEL):
            return await self._stale(st)
        return await self._cancel_choice(resident, st, f["v"] == "yes")

    async def _cancel_choice(self, resident: str, st: State, cancel: bool) -> Out:
        case_number, centre_name, when = _case(st), st.rem_centre_name, st.rem_when
        self._leave(st)
        if not cancel:
            shown = self._slots.when(datetime.fromisoformat(when)) if when else ""
            return [Text(self._t.text("reminder.not_cancelled", when=shown)), *await self._back_to(st)]
        try:
            await self._desk.cancel_callback(resident, case_number)
        except NotYourCase:
            return await self._invalid(st, case_number)
        done = Text(
            self._t.text("reminder.cancelled", case=case_number, centre=centre_name),
            quick_replies=(self._button("reminder.new_time", "move", case_number),),
        )
        return [done, *await self._back_to(st)]

    # ---- free text while a choice is open (danger and commands came first) ----------------

    async def text_move(self, resident: str, st: State, text: str) -> Out:
        return [await self._move_prompt(st)]

    async def text_cancel(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [self._cancel_ask(st)]
        return await self._cancel_choice(resident, st, choice)

    async def prompt(self, st: State) -> Out:
        if st.phase == Phase.REM_CANCEL:
            return [self._cancel_ask(st)]
        return [await self._move_prompt(st)]

    # ---- pieces ----------------------------------------------------------------------------

    @staticmethod
    def _taps(st: State) -> Taps:
        case = _case(st)
        return Taps(slot_action=ACTION, day_action=ACTION, slot_fields={"op": "slot", "c": case},
                    day_fields={"op": "day", "c": case})

    def _stay(self, st: State) -> tuple[Button, ...]:
        """「変えない」, while there is a booked time to keep."""
        if not st.rem_when:
            return ()
        return (self._button("reminder.no_change", "keep", _case(st), v="stay"),)

    async def _move_prompt(self, st: State, key: str | None = None) -> Text:
        assert st.rem_centre is not None, "a reminder's choice is open"
        buttons = await self._slots.next_free(st.rem_centre, self._taps(st), self._stay(st))
        if key is None:
            when = st.rem_when
            text = (self._t.text("reminder.move_ask", when=self._slots.when(datetime.fromisoformat(when)))
                    if when else self._t.text("reminder.book_ask"))
        else:
            text = self._t.text(key)
        return Text(text, quick_replies=buttons)

    def _cancel_ask(self, st: State) -> Text:
        case = _case(st)
        assert st.rem_when is not None, "only a booked time is cancelled"
        when = self._slots.when(datetime.fromisoformat(st.rem_when))
        return Text(self._t.text("reminder.cancel_ask", when=when), quick_replies=(
            self._button("reminder.cancel_yes", "cancel", case, v="yes"),
            self._button("reminder.cancel_no", "cancel", case, v="no"),
        ))

    @staticmethod
    def _choosing(st: State, case: BookedCase, phase: Phase | None = None) -> bool:
        in_phase = st.phase == phase if phase else st.phase in PHASES
        return in_phase and st.rem_case == case.case_number

    @staticmethod
    def _enter(st: State, phase: Phase, case: BookedCase) -> None:
        if st.phase not in PHASES:
            st.rem_return = st.phase
        st.phase, st.rem_case, st.rem_centre, st.rem_centre_name = (
            phase, case.case_number, case.centre_code, case.centre_name,
        )
        st.rem_when = case.slot_start.isoformat() if case.slot_start else None

    @staticmethod
    def _leave(st: State) -> None:
        """Close the reminder's choice and put back the phase it interrupted, if any."""
        st.phase = st.rem_return or Phase.NEW
        st.rem_return = st.rem_case = st.rem_centre = st.rem_centre_name = st.rem_when = None

    async def _back_to(self, st: State) -> Out:
        """The question the resident was answering before the reminder, asked again."""
        if st.phase in (Phase.NEW, Phase.RETURNING):
            return []
        return await self._resume(st)

    async def _invalid(self, st: State, case_number: str | None) -> Out:
        if st.phase in PHASES and st.rem_case == case_number:
            self._leave(st)
        return [Text(self._t.text("reminder.invalid")), *await self._back_to(st)]

    async def _stale(self, st: State) -> Out:
        if st.phase not in PHASES:  # the choice this button belonged to is over
            return await self._invalid(st, None)
        return [Text(self._t.text("conversation.stale_button")), *await self._resume(st)]


def _case(st: State) -> str:
    """The case whose reminder choice is open."""
    assert st.rem_case is not None, "a reminder's choice is open"
    return st.rem_case
