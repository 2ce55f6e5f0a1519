"""The summary card the resident confirms (``summary``) and 直す (``fix_pick``): which
answer to change, asked again, then the card again."""

from __future__ import annotations

from typing import Any

from flows import postback
from flows.answers import shown_value
from flows.catalogue import Catalogue
from flows.definition import flow_for_situation
from flows.outgoing import Button, Card, Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase

PHASES = (
    Declared(Phase.SUMMARY, prompt="prompt", text="reprompt", actions={"send": "pb_send", "fix": "pb_fix"},
             leads_to=(Phase.SLOT, Phase.FIX_PICK), about="確認カード"),
    Declared(Phase.FIX_PICK, prompt="fix_prompt", text="text_fix_pick", actions={"fix": "pb_fix", "fixstep": "pb_fixstep"},
             leads_to=(Phase.ASK,), about="直す答えを選ぶ"),
)


class Summary(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [self.card(st)]

    async def fix_prompt(self, st: State) -> Out:
        return [self.fix_menu(st)]

    def answer_rows(self, st: State, t: Catalogue | None = None) -> list[tuple[str, str]]:
        """Labels and chosen options in ``t`` (default: the resident's); free text as typed."""
        t = t or self._t
        flow = self._flow(st)
        if flow is None:
            return []
        rows = []
        for step_id, step in flow.steps.items():
            value = st.answers.get(step_id)
            if value is not None:
                rows.append((t.text(step.label), shown_value(step, value, t)))
        return rows

    def situation_titles(self, st: State, t: Catalogue | None = None) -> str:
        t = t or self._t
        titles = []
        for situation in st.situations:
            flow = flow_for_situation(self._flows, situation)
            if flow is not None:
                titles.append(t.text(flow.title))
        return "・".join(dict.fromkeys(titles))

    def card(self, st: State) -> Card:
        routing = self._routing(st)
        rows = [(self._t.text("summary.situation"), self.situation_titles(st))]
        if st.said:
            rows.append((self._t.text("summary.said"), st.said))
        rows += self.answer_rows(st)
        rows.append((self._t.text("summary.centre"), self._t.text("centres_joined_by").join(routing.involved)))
        return Card(
            alt_text=self._t.text("summary.alt"),
            title=self._t.text("summary.title"),
            rows=tuple(rows),
            note=self._t.text("summary.note"),
            buttons=(
                self._pb_button("summary.send", "send"),
                self._pb_button("summary.fix", "fix"),
            ),
        )

    async def pb_fix(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        st.phase = Phase.FIX_PICK
        return [self.fix_menu(st)]

    def fix_menu(self, st: State) -> Text:
        flow = self._flow(st)
        assert flow is not None
        buttons = tuple(
            Button(label=self._t.text(step.label), data=postback.encode("fixstep", s=step.id),
                   display_text=self._t.text(step.label))
            for step in flow.steps.values()
            if step.id in st.answers
        )
        return Text(self._t.text("summary.fix_which"), quick_replies=buttons)

    async def pb_fixstep(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        flow = self._flow(st)
        if flow is None or f.get("s") not in flow.steps:
            return await self._stale(st)
        return self._refix(st, f["s"])

    def _refix(self, st: State, step_id: str) -> Out:
        st.phase, st.step, st.fixing = Phase.ASK, step_id, True
        return [self.ph.ask.question(st)]

    async def text_fix_pick(self, resident: str, st: State, text: str) -> Out:
        flow = self._flow(st)
        assert flow is not None
        for step in flow.steps.values():
            if text.strip() == self._t.text(step.label) and step.id in st.answers:
                return self._refix(st, step.id)
        return [self.fix_menu(st)]

    async def pb_send(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        st.phase = Phase.SLOT
        st.centre = self._routing(st).centre.code
        return [await self.ph.slot.prompt_text(st)]
