"""The callback slot (``slot``): the next free slots, or a day picked and paged through
(``flows.slots``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase
from flows.slots import Taps, chosen_day, chosen_slot

# The slot phase's buttons: a=slot&v=<start>, a=day (date picker, later times).
SLOT_TAPS = Taps(slot_action="slot", day_action="day")

PHASES = (
    Declared(Phase.SLOT, prompt="prompt", text="reprompt", actions={"slot": "pb_slot", "day": "pb_day"},
             leads_to=(Phase.CONTACT,), about="連絡の日時"),
)


class Slot(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [await self.prompt_text(st)]

    def when(self, moment: datetime, key: str = "slot.when") -> str:
        return self._slots.when(moment, key)

    async def prompt_text(self, st: State, key: str = "slot.ask") -> Text:
        assert st.centre is not None, "the summary's send chose the centre"
        return Text(self._t.text(key), quick_replies=await self._slots.next_free(st.centre, SLOT_TAPS))

    async def pb_day(self, resident: str, st: State, f: dict[str, str], params: dict[str, Any]) -> Out:
        asked = chosen_day(f, params)
        if asked is None:
            return [await self.prompt_text(st)]
        assert st.centre is not None, "the summary's send chose the centre"
        buttons = await self._slots.day_page(st.centre, *asked, SLOT_TAPS)
        if buttons is None:
            return [await self.prompt_text(st, "slot.none_that_day")]
        return [Text(self._t.text("slot.ask"), quick_replies=buttons)]

    async def pb_slot(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        chosen = chosen_slot(f)
        if chosen is None:
            return [Text(self._t.text("conversation.unclear_button")), await self.prompt_text(st)]
        st.slot = chosen.isoformat()
        st.phase = Phase.CONTACT
        return [self.ph.contact.prompt_text()]
