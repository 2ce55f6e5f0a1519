"""The conversation core: what tsunagu says back to a resident.

Channel-neutral: it takes a resident key and what they did, and returns neutral messages.
Each turn loads the resident's state, runs the handler of the current phase, and saves
the state (or drops it).  Two things come before any phase: the danger check on every
free text, and the anytime commands.  The guided questions themselves are data
(``flows.definition``); this module only walks them.

Phases: choose -> ask -> consent -> summary (<-> fix) -> slot -> contact [-> phone] -> done,
with danger_offer, confirm_delete and returning beside them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flows import language, postback
from flows.answers import (
    cannot_call_back,
    number_in,
    prefill_text,
    read_answer,
    read_phone,
    shown_value,
)
from flows.catalogue import Catalogue, supported_languages
from flows.commands import LANGUAGE_COMMAND, Words, load_words
from flows.definition import END, Flow, Step, flow_for_situation, load_flows, menu, situation_flows
from flows.language import SpokenCatalogue, Voices
from flows.limits import QUICK_REPLIES_MAX
from flows.notices import ConsentText, EmergencyLines
from flows.outgoing import Button, Card, Outgoing, Text
from flows.ports import (
    CaseRequest,
    DangerKinds,
    Desk,
    PhoneRefused,
    Routing,
    SlotUnavailable,
    States,
    Understands,
    verdict_kinds,
)
from flows.reminders import Reminder, ReminderTalk
from flows.slots import SlotPicker, Taps, chosen_day, chosen_slot
from flows.turn import current_turn
from nlu.contract import Entity, Understanding

GENERAL_FLOW = "general"
# Below this the NLU is guessing: take the open, general path rather than a wrong one.
MIN_CONFIDENCE = 0.4
# The slot phase's buttons: a=slot&v=<start>, a=day (date picker, later times).
SLOT_TAPS = Taps(slot_action="slot", day_action="day")

State = dict[str, Any]
Out = list[Outgoing]


class Conversation:
    def __init__(
        self,
        *,
        state: States,
        catalogue: Catalogue,
        understander: Understands,
        desk: Desk,
        flows: dict[str, Flow] | None = None,
        words: Words | None = None,
        consent: ConsentText | None = None,
        emergency: EmergencyLines | None = None,
        clock: Callable[[], datetime] | None = None,
        slot_choices: int = 4,
        danger_kinds: DangerKinds | None = None,
    ) -> None:
        self._state = state
        self._danger_kinds = danger_kinds or verdict_kinds(understander)
        # The default language's texts; each turn speaks its resident's (flows.language).
        self._voices = Voices(catalogue, consent, emergency)
        self._t: Catalogue = SpokenCatalogue(self._voices)
        self._nlu = understander
        self._desk = desk
        self._flows = flows if flows is not None else load_flows(catalogue)
        # The menu and the situation -> flow map come from the flows' own data.
        self._menu = menu(self._flows)
        self._situation_flows = situation_flows(self._flows)
        self._words = words or load_words()
        self._now = clock or (lambda: datetime.now(UTC))
        self._slots = SlotPicker(catalogue=self._t, desk=desk, choices=slot_choices)
        self._reminders = ReminderTalk(
            catalogue=self._t, desk=desk, words=self._words, slots=self._slots, resume=self._prompt,
        )
        self._text_phases: dict[str, Callable[[str, State, str], Awaitable[Out]]] = {
            "choose": self._text_choose,
            "ask": self._text_ask,
            "consent": self._text_consent,
            "summary": self._text_reprompt,
            "fix_pick": self._text_fix_pick,
            "slot": self._text_reprompt,
            "contact": self._text_contact,
            "phone": self._text_phone,
            "danger_offer": self._text_danger_offer,
            "confirm_delete": self._text_confirm_delete,
            "returning": self._text_returning,
            "rem_move": self._reminders.text_move,
            "rem_cancel": self._reminders.text_cancel,
        }
        self._actions: dict[str, Callable[[str, State, dict[str, str], dict[str, Any]], Awaitable[Out]]] = {
            "start": self._pb_start,
            "consult": self._pb_consult,
            "answer": self._pb_answer,
            "consent": self._pb_consent,
            "send": self._pb_send,
            "fix": self._pb_fix,
            "fixstep": self._pb_fixstep,
            "slot": self._pb_slot,
            "day": self._pb_day,
            "contact": self._pb_contact,
            "urgent": self._pb_urgent,
            "erase": self._pb_erase,
            "cmd": self._pb_command,
            "skip": self._pb_skip,
            "addmsg": self._pb_add_message,
            "new": self._pb_new,
            "rem": self._reminders.on_postback,
            "lang": self._pb_language,
        }

    @property
    def _consent(self) -> ConsentText:
        return self._voices.voice().consent

    @property
    def _emergency(self) -> EmergencyLines:
        return self._voices.voice().emergency

    # ---- public surface (called by bot/events) -------------------------------------

    async def welcome(self, resident: str, *, returning: bool = False) -> Out:
        known = await self._state.load(resident)
        with self._voices.speaking(language.of(known or {})):
            if returning and (case := await self._desk.open_case_for(resident)) is not None:
                # Back after blocking: their open case, not a new flow.
                await self._save(resident, {**language.kept(known or {}), "phase": "returning",
                                            "case": case.case_number})
                return [self._returning_status(case.case_number, case.status, case.centre_name)]
            if returning and known:
                return [Text(self._t.text("welcome_back", ward_name=self._desk.ward_name))]
            # Before a word is written the language is unknown: each one is a tap away.
            return [Text(self._t.text("welcome", ward_name=self._desk.ward_name),
                         quick_replies=self._language_menu().quick_replies)]

    async def forget(self, resident: str) -> None:
        await self._state.drop(resident)

    async def on_text(self, resident: str, text: str) -> Out:
        st, lapsed = await self._load(resident)
        with self._voices.speaking(language.of(st)):
            out = self._expired(lapsed)
            # Danger first: before any command, answer or question.
            if self._nlu.danger(text):
                out += await self._danger(st, text)
            elif (switch := self._words.switch_language(text)) is not None:
                out += await self._switch_language(st, switch.language)
            elif (command := self._words.command(text)) is not None:
                out += await self._command(resident, st, command)
            else:
                handler = self._text_phases.get(st.get("phase", ""), self._first_message)
                out += await handler(resident, st, text)
            await self._save(resident, st)
        return out

    async def on_postback(self, resident: str, data: str, params: dict[str, Any] | None) -> Out:
        st, lapsed = await self._load(resident)
        fields = postback.decode(data)
        if language.of(st) is None:  # a reminder's button names the language it was sent in
            language.adopt(st, language.detected(fields.get("l")))
        with self._voices.speaking(language.of(st)):
            out = self._expired(lapsed)
            action = self._actions.get(fields.get("a", ""))
            if action is None:
                out += [Text(self._t.text("conversation.unclear_button")), *await self._prompt(st)]
            else:
                out += await action(resident, st, fields, params or {})
            await self._save(resident, st)
        return out

    def reminder(self, reminder: Reminder) -> Out:
        """The callback reminder ``bot.reminders`` pushes, with keep / move / cancel buttons,
        in the language the case was made in."""
        with self._voices.speaking(reminder.language):
            return self._reminders.message(reminder)

    async def on_media(self, resident: str, kind: str) -> Out:
        # "edited": LINE sent an edited message we cannot read (bot/events/message.py).
        key = {"location": "media.location", "edited": "media.edited"}.get(kind, "media.ask_words")
        st = await self._state.load(resident) or {}
        with self._voices.speaking(language.of(st)):
            if st.get("phase") in (None, "choose"):
                return [Text(self._t.text(key))]
            return [Text(self._t.text(key)), *await self._prompt(st)]

    # ---- state -------------------------------------------------------------------------

    async def _load(self, resident: str) -> tuple[State, bool]:
        st = await self._state.load(resident)
        lapsed = False
        if st is None:
            lapsed = await self._state.lapsed(resident)
            st = {}
        elif self._now().timestamp() - float(st.get("last", 0)) > self._state.ttl_s:
            lapsed, st = True, language.kept(st)
        if lapsed:
            await self._state.drop(resident)
        return st, lapsed

    def _expired(self, lapsed: bool) -> Out:
        return [Text(self._t.text("conversation.expired"))] if lapsed else []

    async def _save(self, resident: str, st: State) -> None:
        if language.worth_saving(st):
            st["last"] = self._now().timestamp()
            await self._state.save(resident, st)
        else:
            await self._state.drop(resident)

    @staticmethod
    def _reset(st: State, **keep: Any) -> None:
        kept = language.kept(st)  # the resident's language outlives a flow
        st.clear()
        st.update(kept, **keep)

    # ---- danger ------------------------------------------------------------------------

    async def _danger(self, st: State, text: str | None = None, heard: Understanding | None = None) -> Out:
        if text and not st.get(language.CHOSEN):  # answered in the language it was written in
            await self._hear(st, heard or await self._understand_for_language(text))
        if text:  # kept for the case staff read, only if the resident consents to one
            st["danger"] = {"kinds": self._danger_kinds(text), "words": text[:1000]}
        await self._desk.record_event(
            flow=st.get("flow") or "none", kind="outcome", outcome="danger", step=st.get("step"),
            situation=(st.get("situations") or [None])[0],
        )
        st["urgent"] = True
        st["phase"] = "danger_offer"
        if (turn := current_turn()) is not None:
            turn.language = self._voices.current
        return [self.emergency_lines(), self._danger_offer()]

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

    def _danger_offer(self) -> Text:
        return Text(
            self._t.text("danger.offer"),
            quick_replies=(
                self._pb_button("danger.offer_yes", "urgent", v="yes"),
                self._pb_button("danger.offer_no", "urgent", v="no"),
            ),
        )

    async def _pb_urgent(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "danger_offer":
            return await self._stale(st)
        return await self._urgent_choice(st, f.get("v") == "yes")

    async def _text_danger_offer(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [self._danger_offer()]
        return await self._urgent_choice(st, choice)

    async def _urgent_choice(self, st: State, wants_callback: bool) -> Out:
        if not wants_callback:
            self._reset(st, urgent=True)
            return [Text(self._t.text("danger.declined"))]
        st.setdefault("situations", [])
        st.setdefault("answers", {})
        st.setdefault("history", [])
        st["flow"] = st.get("flow") or "urgent"
        return self._to_consent(st)

    # ---- anytime commands -------------------------------------------------------------

    async def _command(self, resident: str, st: State, command: str) -> Out:
        if command == "stop":
            if st.get("flow"):
                await self._desk.record_event(flow=st["flow"], kind="outcome", outcome="stopped", step=st.get("step"))
            self._reset(st)
            return [Text(self._t.text("conversation.stopped"))]
        if command == "restart":
            self._reset(st, phase="choose", urgent=st.get("urgent", False))
            return [Text(self._t.text("conversation.restarted")), self._choose_menu()]
        if command == "back":
            return await self._back(st)
        if command == "human":
            return self._human(st)
        st["return_phase"] = st.get("phase")
        st["phase"] = "confirm_delete"
        return [self._confirm_delete()]

    async def _pb_command(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        command = f.get("v", "")
        if command == LANGUAGE_COMMAND:  # the rich menu's language tile
            return [self._language_menu()]
        if command not in self._words.commands:
            return [Text(self._t.text("conversation.unclear_button")), *await self._prompt(st)]
        return await self._command(resident, st, command)

    async def _back(self, st: State) -> Out:
        history: list[str] = st.get("history", [])
        phase = st.get("phase")
        if phase == "ask" and st.get("fixing"):
            st.pop("fixing", None)
            st["phase"] = "summary"
            return [self._summary_card(st)]
        if phase == "ask" and len(history) > 1:
            history.pop()
            st["step"] = history[-1]
            st["answers"].pop(st["step"], None)
            return [self._question(st)]
        if phase in ("consent", "summary", "fix_pick") and history:
            st["phase"], st["step"] = "ask", history[-1]
            st["answers"].pop(st["step"], None)
            return [self._question(st)]
        return [Text(self._t.text("conversation.nothing_to_go_back")), *await self._prompt(st)]

    def _human(self, st: State) -> Out:
        if st.get("phase") == "ask":
            skip = self._pb_button("conversation.skip_to_consent", "skip")
            return [Text(self._t.text("conversation.human")), self._question(st, extra=(skip,))]
        self._reset(st, phase="choose", urgent=st.get("urgent", False))
        return [self._choose_menu("conversation.choose_human")]

    async def _pb_skip(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "ask":
            return await self._stale(st)
        return self._to_consent(st)

    def _confirm_delete(self) -> Text:
        return Text(
            self._t.text("conversation.confirm_delete"),
            quick_replies=(
                self._pb_button("conversation.delete_yes", "erase", v="yes"),
                self._pb_button("conversation.delete_no", "erase", v="no"),
            ),
        )

    async def _pb_erase(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "confirm_delete":
            return await self._stale(st)
        return await self._erase_choice(resident, st, f.get("v") == "yes")

    async def _text_confirm_delete(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [self._confirm_delete()]
        return await self._erase_choice(resident, st, choice)

    async def _erase_choice(self, resident: str, st: State, erase: bool) -> Out:
        if erase:
            await self._desk.erase_resident(resident)
            st.clear()  # the language too; this answer is still in it
            return [Text(self._t.text("conversation.deleted"))]
        previous = st.pop("return_phase", None)
        if previous:
            st["phase"] = previous
        else:
            self._reset(st)
        return [Text(self._t.text("conversation.nothing_deleted")), *await self._prompt(st)]

    # ---- the resident's language (flows.language) --------------------------------------

    async def _understand_for_language(self, text: str) -> Understanding | None:
        try:
            return await self._nlu.understand(text)
        except Exception:  # noqa: BLE001 - the emergency lines go out whatever the NLU does
            return None

    async def _hear(self, st: State, heard: Understanding | None) -> Out:
        """Answer in the language the resident wrote (unless they chose one); a partial
        language is told at once, in itself, that English and やさしい日本語 are there too."""
        code = language.detected(heard.language, heard.easy_japanese) if heard else None
        if not language.adopt(st, code):
            return []
        assert code is not None
        self._voices.switch(code)
        return [self._language_offer(first=True)] if language.partial(code) else []

    async def _switch_language(self, st: State, code: str | None) -> Out:
        if code is None:
            return [self._language_menu()]
        language.choose(st, code)
        self._voices.switch(code)
        out: Out = [Text(self._t.text("language.switched"))]
        if language.partial(code):
            out.append(self._language_offer())
        return out + await self._prompt(st)  # the same place in the flow, in the new language

    def _language_menu(self) -> Text:
        buttons = tuple(Button(label=x.name, data=postback.encode("lang", v=x.code), display_text=x.name)
                        for x in supported_languages())
        return Text(self._t.text("language.ask"), quick_replies=buttons)

    def _language_offer(self, first: bool = False) -> Text:
        offered = [x for x in supported_languages() if x.code in ("en", "ja-easy")]
        buttons = tuple(Button(label=x.name, data=postback.encode("lang", v=x.code), display_text=x.name)
                        for x in offered)
        offer = self._t.text("language.offer")
        return Text(self._t.text("language.heard") + "\n" + offer if first else offer, quick_replies=buttons)

    async def _pb_language(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        code = f.get("v")
        if not language.supported(code):
            return [Text(self._t.text("conversation.unclear_button")), *await self._prompt(st)]
        return await self._switch_language(st, code)

    # ---- first message and the choice of a flow ----------------------------------------

    async def _first_message(self, resident: str, st: State, text: str) -> Out:
        understanding = await self._nlu.understand(text)
        if understanding.crisis:
            return await self._danger(st, text, understanding)
        out = await self._hear(st, understanding)
        case = await self._desk.open_case_for(resident)
        if case is not None:
            self._reset(st, phase="returning", case=case.case_number, pending=text[:1000],
                        urgent=st.get("urgent", False))
            return [*out, self._returning_status(case.case_number, case.status, case.centre_name)]
        return out + await self._understood(st, text, understanding)

    async def _understood(self, st: State, text: str, u: Understanding) -> Out:
        known = self._situation_flows
        situations = [s for s in u.situations if s in known]
        if u.intent in known and u.intent not in situations:
            situations.insert(0, u.intent)
        if len(situations) > 1 and "other_welfare" in situations:
            # "Something else" beside a named situation adds no centre, only noise.
            situations.remove("other_welfare")
        if u.intent in known or (situations and u.confidence >= MIN_CONFIDENCE):
            primary = u.intent if u.intent in known else situations[0]
            flow = known[primary]
            return await self._start_flow(st, flow, situations, said=text, entities=u.entities)
        if u.intent == "human":
            self._reset(st, phase="choose", urgent=st.get("urgent", False))
            return [self._choose_menu("conversation.choose_human")]
        if u.intent == "out_of_scope" and u.confidence >= MIN_CONFIDENCE:
            self._reset(st, phase="choose", urgent=st.get("urgent", False))
            return [Text(
                self._t.text("conversation.out_of_scope", ward_name=self._desk.ward_name),
                quick_replies=(self._pb_button("conversation.consult_anyway", "consult"),),
            )]
        if u.intent == "greet" or u.intent in ("affirm", "deny", "stop", "restart", "back", "delete_data"):
            self._reset(st, phase="choose", urgent=st.get("urgent", False))
            return [self._choose_menu()]
        # Unclear: the open, general path.
        return await self._start_flow(st, self._flows[GENERAL_FLOW], ["other_welfare"], said=text, entities=u.entities)

    def _choose_menu(self, key: str = "conversation.choose") -> Text:
        buttons = tuple(self._pb_button(flow.choice or "", "start", f=flow.id) for flow in self._menu)
        return Text(self._t.text(key), quick_replies=buttons)

    async def _text_choose(self, resident: str, st: State, text: str) -> Out:
        typed = text.strip()
        for flow in self._menu:
            if typed == self._t.text(flow.choice or ""):
                return await self._start_chosen(st, flow.id)
        understanding = await self._nlu.understand(text)
        if understanding.crisis:
            return await self._danger(st, text, understanding)
        return await self._hear(st, understanding) + await self._understood(st, text, understanding)

    async def _start_chosen(self, st: State, choice: str) -> Out:
        flow = self._flows.get(choice) or self._flows[GENERAL_FLOW]
        situations = list(flow.situations[:1]) or ["other_welfare"]
        return await self._start_flow(st, flow, situations, said=None, entities=[])

    async def _pb_start(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") not in (None, "choose") or f.get("f") not in self._flows:
            return await self._stale(st)
        return await self._start_chosen(st, f["f"])

    async def _pb_consult(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        self._reset(st, phase="choose", urgent=st.get("urgent", False))
        return [self._choose_menu()]

    # ---- walking a flow ------------------------------------------------------------------

    async def _start_flow(
        self, st: State, flow: Flow, situations: list[str], *, said: str | None, entities: list[Entity]
    ) -> Out:
        self._reset(
            st, phase="ask", flow=flow.id, situations=situations or list(flow.situations[:1]),
            answers={}, prefilled=[], history=[], urgent=st.get("urgent", False),
        )
        if said:
            st["said"] = said[:400]
        for step in flow.steps.values():
            value = self._prefilled_value(step, entities)
            if value is not None:
                st["answers"][step.id] = value
                st["prefilled"].append(step.id)
        await self._desk.record_event(flow=flow.id, kind="start", situation=st["situations"][0])
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
        while target != END and target in st["prefilled"]:
            step = flow.step(target)
            option = step.option(st["answers"][target])
            target = (option.next if option and option.next else None) or step.next
        if target == END:
            return self._to_consent(st)
        st["step"] = target
        st["history"].append(target)
        return [self._question(st)]

    def _flow(self, st: State) -> Flow | None:
        return self._flows.get(st.get("flow", ""))

    def _question(self, st: State, extra: tuple[Button, ...] = (), reask: bool = False) -> Text:
        flow = self._flow(st)
        assert flow is not None
        step = flow.step(st["step"])
        buttons = [
            self._pb_button(o.label, "answer", s=step.id, v=o.value) for o in step.options
        ]
        if len(st.get("history", [])) > 1 or st.get("fixing"):
            buttons.append(Button(label=self._t.text("flows.common.back"), text=self._t.text("flows.common.back")))
        text = self._t.text(step.ask)
        if reask:
            key = step.reask if step.options else "flows.common.reask_free"
            text = self._t.text(key) + "\n\n" + text
        return Text(text, quick_replies=(*extra, *buttons)[:QUICK_REPLIES_MAX])

    async def _text_ask(self, resident: str, st: State, text: str) -> Out:
        flow = self._flow(st)
        if flow is None:
            self._reset(st)
            return await self._first_message(resident, st, text)
        step = flow.step(st["step"])
        value = read_answer(step, text, self._t)
        if value is None:
            return [self._question(st, reask=True)]
        return await self._answered(st, flow, step, value)

    async def _pb_answer(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        flow = self._flow(st)
        if st.get("phase") != "ask" or flow is None or f.get("s") != st.get("step"):
            return await self._stale(st)
        step = flow.step(st["step"])
        if step.option(f.get("v", "")) is None:
            return [Text(self._t.text("conversation.unclear_button")), self._question(st)]
        return await self._answered(st, flow, step, f["v"])

    async def _answered(self, st: State, flow: Flow, step: Step, value: str) -> Out:
        await self._desk.record_event(flow=flow.id, kind="step", step=step.id)
        st["answers"][step.id] = value
        if step.id in st["prefilled"]:
            st["prefilled"].remove(step.id)
        if st.pop("fixing", False):
            st["phase"] = "summary"
            return [self._summary_card(st)]
        option = step.option(value)
        target = (option.next if option and option.next else None) or step.next
        return self._advance_to(st, flow, target)

    # ---- consent -----------------------------------------------------------------------

    def _facts(self, st: State) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        flow = self._flow(st)
        if flow is None:
            return facts
        for step_id, value in st.get("answers", {}).items():
            step = flow.steps.get(step_id)
            if step is None:
                continue
            option = step.option(value)
            if option:
                facts.update(dict(option.facts))
            elif step.fact and (number := number_in(value)) is not None:
                facts[step.fact] = number
        return facts

    def _routing(self, st: State) -> Routing:
        return self._desk.route(
            situations=list(st.get("situations") or []), facts=self._facts(st),
            urgent=bool(st.get("urgent")),
        )

    def _to_consent(self, st: State) -> Out:
        st["phase"] = "consent"
        st.pop("step", None)
        return [self._consent_prompt(st)]

    def _consent_prompt(self, st: State) -> Text:
        routing = self._routing(st)
        parts = []
        if routing.reason in self._t:
            parts.append(self._t.text(
                # {centres}: the others the taking centre works with, never itself again.
                routing.reason, centre=routing.centre.name, centres="、".join(routing.involved[1:])
            ))
        parts.append(self._t.text("consent.intro"))
        parts.append(self._consent.text(routing.centre.name))
        return Text(
            "\n\n".join(parts),
            quick_replies=(
                self._pb_button("consent.agree", "consent", v="yes"),
                self._pb_button("consent.refuse", "consent", v="no"),
            ),
        )

    async def _pb_consent(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "consent":
            return await self._stale(st)
        return await self._consent_choice(st, f.get("v") == "yes")

    async def _text_consent(self, resident: str, st: State, text: str) -> Out:
        choice = self._words.yes_no(text)
        if choice is None:
            return [Text(self._t.text("flows.common.reask")), self._consent_prompt(st)]
        return await self._consent_choice(st, choice)

    async def _consent_choice(self, st: State, agreed: bool) -> Out:
        flow_id = st.get("flow") or "none"
        await self._desk.record_event(
            flow=flow_id, kind="outcome", outcome="consent_given" if agreed else "consent_refused"
        )
        if not agreed:
            centre = self._routing(st).centre
            self._reset(st)  # nothing about the person is kept
            info = self._t.text("consent.centre_info", centre=centre.name, phone=centre.phone, hours=centre.hours)
            return [Text(self._t.text("consent.refused") + "\n\n" + info)]
        st["consent"] = {
            "version": self._consent.version,
            "scope": list(self._consent.scope),
            "at": self._now().isoformat(),
        }
        if st.get("urgent"):
            st["phase"] = "contact"
            return [Text(self._t.text("danger.urgent_contact")), self._contact_prompt()]
        st["phase"] = "summary"
        return [self._summary_card(st)]

    # ---- summary and 直す -----------------------------------------------------------------

    def _answer_rows(self, st: State, t: Catalogue | None = None) -> list[tuple[str, str]]:
        """Labels and chosen options in ``t`` (default: the resident's); free text as typed."""
        t = t or self._t
        flow = self._flow(st)
        if flow is None:
            return []
        rows = []
        for step_id, step in flow.steps.items():
            value = st.get("answers", {}).get(step_id)
            if value is not None:
                rows.append((t.text(step.label), shown_value(step, value, t)))
        return rows

    def _situation_titles(self, st: State, t: Catalogue | None = None) -> str:
        t = t or self._t
        titles = []
        for situation in st.get("situations") or []:
            flow = flow_for_situation(self._flows, situation)
            if flow is not None:
                titles.append(t.text(flow.title))
        return "・".join(dict.fromkeys(titles))

    def _summary_card(self, st: State) -> Card:
        routing = self._routing(st)
        rows = [(self._t.text("summary.situation"), self._situation_titles(st))]
        if st.get("said"):
            rows.append((self._t.text("summary.said"), st["said"]))
        rows += self._answer_rows(st)
        rows.append((self._t.text("summary.centre"), "、".join(routing.involved)))
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

    async def _pb_fix(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") not in ("summary", "fix_pick"):
            return await self._stale(st)
        st["phase"] = "fix_pick"
        return [self._fix_menu(st)]

    def _fix_menu(self, st: State) -> Text:
        flow = self._flow(st)
        assert flow is not None
        buttons = tuple(
            Button(label=self._t.text(step.label), data=postback.encode("fixstep", s=step.id),
                   display_text=self._t.text(step.label))
            for step in flow.steps.values()
            if step.id in st.get("answers", {})
        )
        return Text(self._t.text("summary.fix_which"), quick_replies=buttons)

    async def _pb_fixstep(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        flow = self._flow(st)
        if st.get("phase") != "fix_pick" or flow is None or f.get("s") not in flow.steps:
            return await self._stale(st)
        return self._refix(st, f["s"])

    def _refix(self, st: State, step_id: str) -> Out:
        st.update(phase="ask", step=step_id, fixing=True)
        return [self._question(st)]

    async def _text_fix_pick(self, resident: str, st: State, text: str) -> Out:
        flow = self._flow(st)
        assert flow is not None
        for step in flow.steps.values():
            if text.strip() == self._t.text(step.label) and step.id in st.get("answers", {}):
                return self._refix(st, step.id)
        return [self._fix_menu(st)]

    async def _text_reprompt(self, resident: str, st: State, text: str) -> Out:
        return await self._prompt(st)

    # ---- callback slot and contact --------------------------------------------------------

    async def _pb_send(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "summary":
            return await self._stale(st)
        st["phase"] = "slot"
        st["centre"] = self._routing(st).centre.code
        return [await self._slot_prompt(st)]

    def _when(self, moment: datetime, key: str = "slot.when") -> str:
        return self._slots.when(moment, key)

    async def _slot_prompt(self, st: State, key: str = "slot.ask") -> Text:
        return Text(self._t.text(key), quick_replies=await self._slots.next_free(st["centre"], SLOT_TAPS))

    async def _pb_day(self, resident: str, st: State, f: dict[str, str], params: dict[str, Any]) -> Out:
        if st.get("phase") != "slot":
            return await self._stale(st)
        asked = chosen_day(f, params)
        if asked is None:
            return [await self._slot_prompt(st)]
        buttons = await self._slots.day_page(st["centre"], *asked, SLOT_TAPS)
        if buttons is None:
            return [await self._slot_prompt(st, "slot.none_that_day")]
        return [Text(self._t.text("slot.ask"), quick_replies=buttons)]

    async def _pb_slot(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "slot":
            return await self._stale(st)
        chosen = chosen_slot(f)
        if chosen is None:
            return [Text(self._t.text("conversation.unclear_button")), await self._slot_prompt(st)]
        st["slot"] = chosen.isoformat()
        st["phase"] = "contact"
        return [self._contact_prompt()]

    def _contact_prompt(self) -> Text:
        return Text(
            self._t.text("contact.ask"),
            quick_replies=(
                self._pb_button("contact.phone", "contact", v="phone"),
                self._pb_button("contact.line", "contact", v="line"),
            ),
        )

    async def _pb_contact(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "contact" or f.get("v") not in ("phone", "line"):
            return await self._stale(st)
        if f["v"] == "phone":
            st["phase"] = "phone"
            return [Text(self._t.text("contact.ask_phone"))]
        return await self._hand_off(resident, st, "line", None)

    async def _text_contact(self, resident: str, st: State, text: str) -> Out:
        phone = read_phone(text)
        if phone:
            return await self._hand_off(resident, st, "phone", phone)
        return [self._contact_prompt()]

    async def _text_phone(self, resident: str, st: State, text: str) -> Out:
        phone = read_phone(text)
        if phone is None:
            return [Text(self._t.text(self._phone_refusal(text)))]
        return await self._hand_off(resident, st, "phone", phone)

    @staticmethod
    def _phone_refusal(typed: str) -> str:
        """A free-dial number is digits too: say why it cannot be used, not 'write digits'."""
        return "contact.free_dial" if cannot_call_back(typed) else "contact.bad_phone"

    async def _hand_off(self, resident: str, st: State, method: str, phone: str | None) -> Out:
        routing = self._routing(st)
        staff = self._voices.voice(language.STAFF).catalogue  # staff read Japanese
        rows = self._answer_rows(st, staff)
        summary_lines = [f"{staff.text('summary.situation')}: {self._situation_titles(st, staff)}"]
        if st.get("said"):
            summary_lines.append(f"{staff.text('summary.said')}: {st['said']}")
        summary_lines += [f"{label}: {value}" for label, value in rows]
        consent = st["consent"]
        request = CaseRequest(
            resident=resident,
            flow=st.get("flow") or "none",
            situations=list(st.get("situations") or []),
            facts=self._facts(st),
            answers=dict(rows),
            summary="\n".join(summary_lines),
            contact_method=method,
            phone=phone,
            urgent=bool(st.get("urgent")),
            slot_start=datetime.fromisoformat(st["slot"]) if st.get("slot") else None,
            consent_version=consent["version"],
            consent_scope=list(consent["scope"]),
            consented_at=datetime.fromisoformat(consent["at"]),
            danger_kinds=tuple(st.get("danger", {}).get("kinds", ())),
            danger_words=st.get("danger", {}).get("words"),
            language=self._voices.current,
        )
        try:
            receipt = await self._desk.create_case(request)
        except SlotUnavailable:
            st.pop("slot", None)
            st["phase"] = "slot"
            return [await self._slot_prompt(st, "slot.taken")]
        except PhoneRefused:
            st["phase"] = "phone"
            return [Text(self._t.text(self._phone_refusal(phone or "")))]
        await self._desk.record_event(
            flow=request.flow, kind="outcome", outcome="handoff",
            situation=request.situations[0] if request.situations else None,
        )
        when = self._when(receipt.slot_start) if receipt.slot_start else self._t.text("confirmed.asap")
        how = (self._t.text("confirmed.by_phone", phone=phone) if method == "phone"
               else self._t.text("confirmed.by_line"))
        out: Out = [Text(self._t.text("confirmed.text", centre=routing.centre.name, when=when, how=how,
                                      case=receipt.case_number))]
        if receipt.staffed_from > self._now() + timedelta(minutes=1):
            out.append(Text(self._t.text("confirmed.off_hours", when=self._when(receipt.staffed_from))))
        self._reset(st)  # the case now lives in the database; the transient copy goes
        return out

    # ---- returning residents -------------------------------------------------------------

    def _returning_status(self, case: str, status: str, centre: str) -> Text:
        key = f"returning.statuses.{status}"
        shown = self._t.text(key) if key in self._t else status
        return Text(
            self._t.text("returning.status", case=case, status=shown, centre=centre),
            quick_replies=(
                self._pb_button("returning.add", "addmsg"),
                self._pb_button("returning.new", "new"),
            ),
        )

    async def _pb_add_message(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "returning":
            return await self._stale(st)
        pending = st.pop("pending", None)
        if not pending:
            return [Text(self._t.text("returning.ask_message"))]
        await self._desk.add_message(resident, st["case"], pending)
        self._reset(st)
        return [Text(self._t.text("returning.added"))]

    async def _text_returning(self, resident: str, st: State, text: str) -> Out:
        await self._desk.add_message(resident, st["case"], text[:1000])
        self._reset(st)
        return [Text(self._t.text("returning.added"))]

    async def _pb_new(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        if st.get("phase") != "returning":
            return await self._stale(st)
        pending = st.get("pending")
        self._reset(st, phase="choose", urgent=st.get("urgent", False))
        if pending:
            return await self._understood(st, pending, await self._nlu.understand(pending))
        return [self._choose_menu()]

    # ---- "here is where we are" ----------------------------------------------------------

    async def _stale(self, st: State) -> Out:
        return [Text(self._t.text("conversation.stale_button")), *await self._prompt(st)]

    async def _prompt(self, st: State) -> Out:
        phase = st.get("phase")
        if phase == "ask" and self._flow(st) is not None:
            return [self._question(st)]
        if phase == "consent":
            return [self._consent_prompt(st)]
        if phase == "summary":
            return [self._summary_card(st)]
        if phase == "fix_pick":
            return [self._fix_menu(st)]
        if phase == "slot":
            return [await self._slot_prompt(st)]
        if phase == "contact":
            return [self._contact_prompt()]
        if phase == "phone":
            return [Text(self._t.text("contact.ask_phone"))]
        if phase == "danger_offer":
            return [self._danger_offer()]
        if phase == "confirm_delete":
            return [self._confirm_delete()]
        if phase == "returning":
            return [Text(self._t.text("returning.ask_message"))]
        if phase in ("rem_move", "rem_cancel"):
            return await self._reminders.prompt(st)
        self._reset(st, phase="choose", urgent=st.get("urgent", False))
        return [self._choose_menu()]

    def _pb_button(self, label_key: str, action: str, **fields: str) -> Button:
        label = self._t.text(label_key)
        return Button(label=label, data=postback.encode(action, **fields), display_text=label)
