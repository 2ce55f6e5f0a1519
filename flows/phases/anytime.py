"""Anytime commands (やめる, 最初から, 戻る, 人と話したい, 消して): valid in every phase, run by
the engine before the phase's own text handler, and the rich menu's ``cmd`` taps."""

from __future__ import annotations

from typing import Any

from flows.commands import LANGUAGE_COMMAND
from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Phase


class Commands(PhaseBase):
    async def command(self, resident: str, st: State, command: str) -> Out:
        if command == "stop":
            if st.flow:
                await self._desk.record_event(flow=st.flow, kind="outcome", outcome="stopped", step=st.step)
            self._reset(st)
            return [Text(self._t.text("conversation.stopped"))]
        if command == "restart":
            self._back_to_menu(st)
            return [Text(self._t.text("conversation.restarted")), self.ph.choose.menu()]
        if command == "back":
            return await self._back(st)
        if command == "human":
            return self._human(st)
        st.return_phase = st.phase
        st.phase = Phase.CONFIRM_DELETE
        return [self.ph.delete.confirm()]

    async def pb_command(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        command = f.get("v", "")
        if command == LANGUAGE_COMMAND:  # the rich menu's language tile
            return [self.ph.speech.menu()]
        if command not in self._words.commands:
            return [Text(self._t.text("conversation.unclear_button")), *await self._prompt(st)]
        return await self.command(resident, st, command)

    async def _back(self, st: State) -> Out:
        history: list[str] = st.history
        phase = st.phase
        if phase == Phase.ASK and st.fixing:
            st.fixing = False
            st.phase = Phase.SUMMARY
            return [self.ph.summary.card(st)]
        if phase == Phase.ASK and len(history) > 1:
            history.pop()
            st.step = history[-1]
            st.answers.pop(st.step, None)
            return [self.ph.ask.question(st)]
        if phase in (Phase.CONSENT, Phase.SUMMARY, Phase.FIX_PICK) and history:
            st.phase, st.step = Phase.ASK, history[-1]
            st.answers.pop(st.step, None)
            return [self.ph.ask.question(st)]
        return [Text(self._t.text("conversation.nothing_to_go_back")), *await self._prompt(st)]

    def _human(self, st: State) -> Out:
        if st.phase == Phase.ASK:
            skip = self._pb_button("conversation.skip_to_consent", "skip")
            return [Text(self._t.text("conversation.human")), self.ph.ask.question(st, extra=(skip,))]
        self._back_to_menu(st)
        return [self.ph.choose.menu("conversation.choose_human")]
