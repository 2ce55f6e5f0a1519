"""The first message and the choice of a flow (``choose``): the NLU's reading of the
situation starts a flow, a returning resident hears about their open case, and an unclear
message takes the open, general path. No phase at all is ``Phase.NEW``."""

from __future__ import annotations

from typing import Any

from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase
from nlu.contract import Understanding

GENERAL_FLOW = "general"
# Below this the NLU is guessing: take the open, general path rather than a wrong one.
MIN_CONFIDENCE = 0.4

FLOW_STARTS = (Phase.ASK, Phase.CONSENT)  # a flow whose every step the NLU answered goes to consent
PHASES = (
    Declared(Phase.NEW, prompt="prompt", text="first_message", actions={"start": "pb_start"},
             leads_to=(Phase.CHOOSE, *FLOW_STARTS, Phase.RETURNING, Phase.DANGER_OFFER), about="最初のメッセージ"),
    Declared(Phase.CHOOSE, prompt="prompt", text="text_choose", actions={"start": "pb_start"},
             leads_to=(*FLOW_STARTS, Phase.DANGER_OFFER), about="相談の種類を選ぶ"),
)


class Choose(PhaseBase):
    async def prompt(self, st: State) -> Out:
        self._back_to_menu(st)
        return [self.menu()]

    async def first_message(self, resident: str, st: State, text: str) -> Out:
        understanding = await self._nlu.understand(text)
        if understanding.crisis:
            return await self.ph.danger.start(st, text, understanding)
        offer = await self.ph.speech.hear(st, understanding)
        case = await self._desk.open_case_for(resident)
        if case is not None:
            self._reset(st, phase=Phase.RETURNING, case=case.case_number, pending=text[:1000],
                        urgent=st.urgent)
            return self.ph.speech.offered(offer, [self.ph.returning.status(case.case_number, case.status,
                                                                          case.centre_name)])
        return self.ph.speech.offered(offer, await self.understood(st, text, understanding))

    async def understood(self, st: State, text: str, u: Understanding) -> Out:
        known = self.talk.situation_flows
        situations = [s for s in u.situations if s in known]
        if u.intent in known and u.intent not in situations:
            situations.insert(0, u.intent)
        if len(situations) > 1 and "other_welfare" in situations:
            # "Something else" beside a named situation adds no centre, only noise.
            situations.remove("other_welfare")
        if u.intent in known or (situations and u.confidence >= MIN_CONFIDENCE):
            primary = u.intent if u.intent in known else situations[0]
            flow = known[primary]
            return await self.ph.ask.start_flow(st, flow, situations, said=text, entities=u.entities)
        if u.intent == "human":
            self._back_to_menu(st)
            return [self.menu("conversation.choose_human")]
        if u.intent == "out_of_scope" and u.confidence >= MIN_CONFIDENCE:
            self._back_to_menu(st)
            return [Text(
                self._t.text("conversation.out_of_scope", ward_name=self._desk.ward_name),
                quick_replies=(self._pb_button("conversation.consult_anyway", "consult"),),
            )]
        if u.intent == "greet" or u.intent in ("affirm", "deny", "stop", "restart", "back", "delete_data"):
            self._back_to_menu(st)
            return [self.menu()]
        # Unclear: the open, general path.
        return await self.ph.ask.start_flow(st, self._flows[GENERAL_FLOW], ["other_welfare"], said=text, entities=u.entities)

    def menu(self, key: str = "conversation.choose") -> Text:
        buttons = tuple(self._pb_button(flow.choice or "", "start", f=flow.id) for flow in self.talk.menu)
        return Text(self._t.text(key), quick_replies=buttons)

    async def text_choose(self, resident: str, st: State, text: str) -> Out:
        typed = text.strip()
        for flow in self.talk.menu:
            if typed == self._t.text(flow.choice or ""):
                return await self._start_chosen(st, flow.id)
        understanding = await self._nlu.understand(text)
        if understanding.crisis:
            return await self.ph.danger.start(st, text, understanding)
        offer = await self.ph.speech.hear(st, understanding)
        return self.ph.speech.offered(offer, await self.understood(st, text, understanding))

    async def _start_chosen(self, st: State, choice: str) -> Out:
        flow = self._flows.get(choice) or self._flows[GENERAL_FLOW]
        situations = list(flow.situations[:1]) or ["other_welfare"]
        return await self.ph.ask.start_flow(st, flow, situations, said=None, entities=[])

    async def pb_start(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if f.get("f") not in self._flows:
            return await self._stale(st)
        return await self._start_chosen(st, f["f"])

    async def pb_consult(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        self._back_to_menu(st)
        return [self.menu()]
