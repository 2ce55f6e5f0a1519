"""A resident with an open case (``returning``): its status, and a message added to it or a
new consultation begun."""

from __future__ import annotations

from typing import Any

from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase

PHASES = (
    Declared(Phase.RETURNING, prompt="prompt", text="text_returning",
             actions={"addmsg": "pb_add_message", "new": "pb_new"},
             leads_to=(Phase.NEW, Phase.CHOOSE, Phase.ASK, Phase.CONSENT), about="受付済みの相談の状況"),
)


class Returning(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [Text(self._t.text("returning.ask_message"))]

    def status(self, case: str, status: str, centre: str) -> Text:
        key = f"returning.statuses.{status}"
        shown = self._t.text(key) if key in self._t else status
        return Text(
            self._t.text("returning.status", case=case, status=shown, centre=centre),
            quick_replies=(
                self._pb_button("returning.add", "addmsg"),
                self._pb_button("returning.new", "new"),
            ),
        )

    async def pb_add_message(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        pending, st.pending = st.pending, None
        if not pending:
            return [Text(self._t.text("returning.ask_message"))]
        assert st.case is not None, "a returning resident has an open case"
        await self._desk.add_message(resident, st.case, pending)
        self._reset(st)
        return [Text(self._t.text("returning.added"))]

    async def text_returning(self, resident: str, st: State, text: str) -> Out:
        assert st.case is not None, "a returning resident has an open case"
        await self._desk.add_message(resident, st.case, text[:1000])
        self._reset(st)
        return [Text(self._t.text("returning.added"))]

    async def pb_new(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        pending = st.pending
        self._back_to_menu(st)
        if pending:
            return await self.ph.choose.understood(st, pending, await self._nlu.understand(pending))
        return [self.ph.choose.menu()]
