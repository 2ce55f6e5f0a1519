"""Walking a flow (``ask``): its questions are data (``flows.definition``); answers the
NLU already gave are skipped, and the last answer leads to consent (or back to the summary
when the resident is fixing one)."""

from __future__ import annotations

from typing import Any

from flows.answers import prefill_text, read_answer
from flows.definition import END, Flow, Step
from flows.limits import QUICK_REPLIES_MAX
from flows.outgoing import Button, Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase
from nlu.contract import Entity

PHASES = (
    Declared(Phase.ASK, prompt="prompt", text="text_ask", actions={"answer": "pb_answer", "skip": "pb_skip"},
             leads_to=(Phase.CONSENT, Phase.SUMMARY, Phase.NEW), about="フローの質問"),
)


class Ask(PhaseBase):
    async def prompt(self, st: State) -> Out:
        if self._flow(st) is not None:
            return [self.question(st)]
        return await self.ph.choose.prompt(st)

    @staticmethod
    def _step(st: State) -> str:
        assert st.step is not None, "a flow under way is at a step"
        return st.step

    async def start_flow(
        self, st: State, flow: Flow, situations: list[str], *, said: str | None, entities: list[Entity]
    ) -> Out:
        self._reset(
            st, phase=Phase.ASK, flow=flow.id, situations=situations or list(flow.situations[:1]),
            answers={}, prefilled=[], history=[], urgent=st.urgent,
        )
        if said:
            st.said = said[:400]
        for step in flow.steps.values():
            value = self._prefilled_value(step, entities)
            if value is not None:
                st.answers[step.id] = value
                st.prefilled.append(step.id)
        await self._desk.record_event(flow=flow.id, kind="start", situation=st.situations[0])
        out: Out = [Text(self._t.text(flow.acknowledge))]
        return out + self._advance_to(st, flow, flow.start)

    def _prefilled_value(self, step: Step, entities: list[Entity]) -> str | None:
        if step.prefill is None:
            return None
        for entity in entities:
            if entity.type != step.prefill.type:
                continue
            if step.prefill.owners and entity.owner not in step.prefill.owners:
                continue
            value = read_answer(step, prefill_text(entity.type, entity.value), self._t)
            if value is not None:
                return value
        return None

    def _advance_to(self, st: State, flow: Flow, target: str) -> Out:
        """Ask ``target``, skipping steps the NLU already answered; END leads to consent."""
        while target != END and target in st.prefilled:
            step = flow.step(target)
            option = step.option(st.answers[target])
            target = (option.next if option and option.next else None) or step.next
        if target == END:
            return self.ph.consent.enter(st)
        st.step = target
        st.history.append(target)
        return [self.question(st)]

    def question(self, st: State, extra: tuple[Button, ...] = (), reask: bool = False) -> Text:
        flow = self._flow(st)
        assert flow is not None
        step = flow.step(self._step(st))
        buttons = [
            self._pb_button(o.label, "answer", s=step.id, v=o.value) for o in step.options
        ]
        if len(st.history) > 1 or st.fixing:
            buttons.append(Button(label=self._t.text("flows.common.back"), text=self._t.text("flows.common.back")))
        text = self._t.text(step.ask)
        if reask:
            key = step.reask if step.options else "flows.common.reask_free"
            text = self._t.text(key) + "\n\n" + text
        return Text(text, quick_replies=(*extra, *buttons)[:QUICK_REPLIES_MAX])

    async def text_ask(self, resident: str, st: State, text: str) -> Out:
        flow = self._flow(st)
        if flow is None:
            self._reset(st)
            return await self.ph.choose.first_message(resident, st, text)
        step = flow.step(self._step(st))
        value = read_answer(step, text, self._t)
        if value is None:
            return [self.question(st, reask=True)]
        return await self._answered(st, flow, step, value)

    async def pb_answer(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        flow = self._flow(st)
        if flow is None or f.get("s") != st.step:
            return await self._stale(st)
        step = flow.step(self._step(st))
        if step.option(f.get("v", "")) is None:
            return [Text(self._t.text("conversation.unclear_button")), self.question(st)]
        return await self._answered(st, flow, step, f["v"])

    async def _answered(self, st: State, flow: Flow, step: Step, value: str) -> Out:
        await self._desk.record_event(flow=flow.id, kind="step", step=step.id)
        st.answers[step.id] = value
        if step.id in st.prefilled:
            st.prefilled.remove(step.id)
        if st.fixing:
            st.fixing = False
            st.phase = Phase.SUMMARY
            return [self.ph.summary.card(st)]
        option = step.option(value)
        target = (option.next if option and option.next else None) or step.next
        return self._advance_to(st, flow, target)

    async def pb_skip(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        return self.ph.consent.enter(st)
