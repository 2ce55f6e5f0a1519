"""Deleting what the resident gave (``confirm_delete``): asked first; 「いいえ」 goes back to
the phase the command interrupted."""

from __future__ import annotations

from typing import Any

from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase

PHASES = (
    Declared(Phase.CONFIRM_DELETE, prompt="prompt", text="text_confirm_delete", actions={"erase": "pb_erase"},
             leads_to=(Phase.NEW,), about="消してよいか（いいえ: 元の段階へ）", returns=True),
)


class Delete(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [self.confirm()]

    def confirm(self) -> Text:
        return self._two_taps(self._t.text("conversation.confirm_delete"), "erase",
                              ("conversation.delete_yes", "yes"), ("conversation.delete_no", "no"))

    async def pb_erase(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        return await self._erase_choice(resident, st, f.get("v") == "yes")

    async def text_confirm_delete(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [self.confirm()]
        return await self._erase_choice(resident, st, choice)

    async def _erase_choice(self, resident: str, st: State, erase: bool) -> Out:
        if erase:
            await self._desk.erase_resident(resident)
            st.clear()  # the language too; this answer is still in it
            return [Text(self._t.text("conversation.deleted"))]
        previous, st.return_phase = st.return_phase, None
        if previous:
            st.phase = previous
        else:
            self._reset(st)
        return [Text(self._t.text("conversation.nothing_deleted")), *await self._prompt(st)]
