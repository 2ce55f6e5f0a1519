"""Danger: the emergency lines at once, in the resident's language, then the offer of an
urgent callback (``danger_offer``). The engine runs ``start`` before any phase or command."""

from __future__ import annotations

from typing import Any

from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.state import DangerRecord
from flows.phases.table import Declared, Phase
from flows.turn import current_turn
from nlu.contract import Understanding

PHASES = (
    Declared(Phase.DANGER_OFFER, prompt="prompt", text="text_danger_offer", actions={"urgent": "pb_urgent"},
             leads_to=(Phase.NEW, Phase.CONSENT), about="緊急の案内・急ぎの連絡を望むか"),
)


class Danger(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [self.offer()]

    async def start(self, st: State, text: str | None = None, heard: Understanding | None = None) -> Out:
        if text and not st.lang_chosen:  # answered in the language it was written in
            await self.ph.speech.hear(st, heard or await self.ph.speech.understand_for_language(text))
        if text:  # kept for the case staff read, only if the resident consents to one
            st.danger = DangerRecord(kinds=self.talk.danger_kinds(text), words=text[:1000])
        await self._desk.record_event(
            flow=st.flow or "none", kind="outcome", outcome="danger", step=st.step,
            situation=st.situations[0] if st.situations else None,
        )
        st.urgent = True
        st.phase = Phase.DANGER_OFFER
        if (turn := current_turn()) is not None:
            turn.language = self._voices.current
        return [self.emergency_lines(), self.offer()]

    def emergency_lines(self, language_code: str | None = None) -> Text:
        """The emergency contacts in ``language_code`` (None: this turn's language), from the
        catalogue alone: also the worker's last resort (bot.lastresort) when a danger message
        cannot be handled."""
        voice = self._voices.voice(language_code)
        t, shown = voice.catalogue, voice.emergency
        lines = [t.text("danger.guidance")]
        lines += [t.text("danger.line", name=x.name, number=x.number, hours=x.hours) for x in shown.emergency]
        lines.append("")
        lines.append(t.text("danger.lines_header"))
        lines += [t.text("danger.line", name=x.name, number=x.number, hours=x.hours) for x in shown.lines]
        return Text("\n".join(lines))

    def offer(self) -> Text:
        return self._two_taps(self._t.text("danger.offer"), "urgent", ("danger.offer_yes", "yes"),
                              ("danger.offer_no", "no"))

    async def pb_urgent(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        return await self._urgent_choice(st, f.get("v") == "yes")

    async def text_danger_offer(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [self.offer()]
        return await self._urgent_choice(st, choice)

    async def _urgent_choice(self, st: State, wants_callback: bool) -> Out:
        if not wants_callback:
            # The topics a tap away: a resident whose calm message was read as danger can go on
            # without writing it again (a tap is never read for danger; the case stays urgent).
            self._reset(st, urgent=True)
            return [Text(self._t.text("danger.declined"), quick_replies=self.ph.choose.menu().quick_replies)]
        st.flow = st.flow or "urgent"
        return self.ph.consent.enter(st)
