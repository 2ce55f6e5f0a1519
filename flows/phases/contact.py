"""How the centre gets in touch (``contact``, ``phone``), then the case request: the case
lives in the database from here and the conversation's copy goes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flows import language
from flows.answers import cannot_call_back, read_phone
from flows.outgoing import Text
from flows.phases.base import Out, PhaseBase, State
from flows.phases.table import Declared, Phase
from flows.ports import CaseRequest, PhoneRefused, SlotUnavailable

PHASES = (
    Declared(Phase.CONTACT, prompt="prompt", text="text_contact", actions={"contact": "pb_contact"},
             leads_to=(Phase.PHONE, Phase.SLOT, Phase.NEW), about="連絡の方法（受付で相談窓口へ引き継ぎ）"),
    Declared(Phase.PHONE, prompt="phone_prompt", text="text_phone",
             leads_to=(Phase.SLOT, Phase.NEW), about="電話番号"),
)


class Contact(PhaseBase):
    async def prompt(self, st: State) -> Out:
        return [self.prompt_text()]

    async def phone_prompt(self, st: State) -> Out:
        return [Text(self._t.text("contact.ask_phone"))]

    def prompt_text(self) -> Text:
        return self._two_taps(self._t.text("contact.ask"), "contact", ("contact.phone", "phone"),
                              ("contact.line", "line"))

    async def pb_contact(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if f.get("v") not in ("phone", "line"):
            return await self._stale(st)
        if f["v"] == "phone":
            st.phase = Phase.PHONE
            return [Text(self._t.text("contact.ask_phone"))]
        return await self._hand_off(resident, st, "line", None)

    async def text_contact(self, resident: str, st: State, text: str) -> Out:
        phone = read_phone(text)
        if phone:
            return await self._hand_off(resident, st, "phone", phone)
        return [self.prompt_text()]

    async def text_phone(self, resident: str, st: State, text: str) -> Out:
        phone = read_phone(text)
        if phone is None:
            return [Text(self._t.text(self.phone_refusal(text)))]
        return await self._hand_off(resident, st, "phone", phone)

    @staticmethod
    def phone_refusal(typed: str) -> str:
        """A free-dial number is digits too: say why it cannot be used, not 'write digits'."""
        return "contact.free_dial" if cannot_call_back(typed) else "contact.bad_phone"

    async def _hand_off(self, resident: str, st: State, method: str, phone: str | None) -> Out:
        routing = self._routing(st)
        staff = self._voices.voice(language.STAFF).catalogue  # staff read Japanese
        rows = self.ph.summary.answer_rows(st, staff)
        summary_lines = [f"{staff.text('summary.situation')}: {self.ph.summary.situation_titles(st, staff)}"]
        if st.said:
            summary_lines.append(f"{staff.text('summary.said')}: {st.said}")
        summary_lines += [f"{label}: {value}" for label, value in rows]
        consent = st.consent
        assert consent is not None, "a case is only requested after consent"
        request = CaseRequest(
            resident=resident,
            flow=st.flow or "none",
            situations=list(st.situations),
            facts=self._facts(st),
            answers=dict(rows),
            summary="\n".join(summary_lines),
            contact_method=method,
            phone=phone,
            urgent=st.urgent,
            slot_start=datetime.fromisoformat(st.slot) if st.slot else None,
            consent_version=consent.version,
            consent_scope=list(consent.scope),
            consented_at=datetime.fromisoformat(consent.at),
            danger_kinds=tuple(st.danger.kinds) if st.danger else (),
            danger_words=st.danger.words if st.danger else None,
            language=self._voices.current,
        )
        try:
            receipt = await self._desk.create_case(request)
        except SlotUnavailable:
            st.slot = None
            st.phase = Phase.SLOT
            return [await self.ph.slot.prompt_text(st, "slot.taken")]
        except PhoneRefused:
            st.phase = Phase.PHONE
            return [Text(self._t.text(self.phone_refusal(phone or "")))]
        await self._desk.record_event(
            flow=request.flow, kind="outcome", outcome="handoff",
            situation=request.situations[0] if request.situations else None,
        )
        when = self.ph.slot.when(receipt.slot_start) if receipt.slot_start else self._t.text("confirmed.asap")
        how = (self._t.text("confirmed.by_phone", phone=phone) if method == "phone"
               else self._t.text("confirmed.by_line"))
        out: Out = [Text(self._t.text("confirmed.text", centre=routing.centre.name, when=when, how=how,
                                      case=receipt.case_number))]
        if receipt.staffed_from > self._now() + timedelta(minutes=1):
            out.append(Text(self._t.text("confirmed.off_hours", when=self.ph.slot.when(receipt.staffed_from))))
        self._reset(st)  # the case now lives in the database; the transient copy goes
        return out
