"""Consent (``consent``): which centre, why, and what is kept; nothing about the person is
stored before 「同意する」, and a refusal clears everything but the centre's contact."""

from __future__ import annotations

from typing import Any

from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.state import ConsentRecord
from flows.phases.table import Declared, Phase

PHASES = (
    Declared(Phase.CONSENT, prompt="prompt", text="text_consent", actions={"consent": "pb_consent"},
             leads_to=(Phase.SUMMARY, Phase.CONTACT, Phase.NEW), about="同意（しない: 窓口の案内だけ・状態を消す）"),
)


class Consent(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [self.prompt_text(st)]

    def enter(self, st: State) -> Out:
        st.phase = Phase.CONSENT
        st.step = None
        return [self.prompt_text(st)]

    def prompt_text(self, st: State) -> Text:
        routing = self._routing(st)
        parts = []
        if routing.reason in self._t:
            parts.append(self._t.text(
                # {centres}: the others the taking centre works with, never itself again.
                routing.reason, centre=routing.centre.name,
                centres=self._t.text("centres_joined_by").join(routing.involved[1:]),
            ))
        parts.append(self._t.text("consent.intro"))
        parts.append(self._consent.text(routing.centre.name))
        return self._two_taps("\n\n".join(parts), "consent", ("consent.agree", "yes"), ("consent.refuse", "no"))

    async def pb_consent(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        return await self._consent_choice(st, f.get("v") == "yes")

    async def text_consent(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [Text(self._t.text("flows.common.reask")), self.prompt_text(st)]
        return await self._consent_choice(st, choice)

    async def _consent_choice(self, st: State, agreed: bool) -> Out:
        flow_id = st.flow or "none"
        await self._desk.record_event(
            flow=flow_id, kind="outcome", outcome="consent_given" if agreed else "consent_refused"
        )
        if not agreed:
            centre = self._routing(st).centre
            self._reset(st)  # nothing about the person is kept
            st.lang_chosen = False  # not even the language they picked; this answer is still in it
            info = self._t.text("consent.centre_info", centre=centre.name, phone=centre.phone, hours=centre.hours)
            return [Text(self._t.text("consent.refused") + "\n\n" + info)]
        st.consent = ConsentRecord(
            version=self._consent.version,
            scope=list(self._consent.scope),
            at=self._now().isoformat(),
        )
        if st.urgent:
            st.phase = Phase.CONTACT
            return [Text(self._t.text("danger.urgent_contact")), self.ph.contact.prompt_text()]
        st.phase = Phase.SUMMARY
        return [self.ph.summary.card(st)]
