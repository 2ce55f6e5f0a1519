"""The conversation core: what tsunagu says back to a resident.

Channel-neutral: it takes a resident key and what they did, and returns neutral messages.
This module is the small engine: each turn loads the resident's state (expired: said so),
runs what comes before any phase (the danger check on every free text, then the anytime
commands), dispatches to the current phase, and saves the state (or drops it).

The phases are declared as data, one module each (``flows.phases``: choose, ask, consent,
summary, slot, contact, returning, danger, delete, reminder), and checked when the table is
built (``flows.phases.table``). A postback action declared by a phase other than the
resident's is answered as stale here, in one place. The guided questions themselves are data
too (``flows.definition``); ``flows.phases.ask`` only walks them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

from flows import language, postback
from flows.catalogue import Catalogue
from flows.commands import Words, load_words
from flows.definition import Flow, load_flows, menu, situation_flows
from flows.language import SpokenCatalogue, Voices
from flows.notices import ConsentText, EmergencyLines
from flows.outgoing import Outgoing, Text
from flows.phases.anytime import Commands
from flows.phases.ask import Ask
from flows.phases.base import Phases, Talk
from flows.phases.choose import Choose
from flows.phases.consent import Consent
from flows.phases.contact import Contact
from flows.phases.danger import Danger
from flows.phases.declared import ANYTIME, MODULES, TABLE
from flows.phases.delete import Delete
from flows.phases.returning import Returning
from flows.phases.slot import Slot
from flows.phases.speech import Speech
from flows.phases.state import ConversationState
from flows.phases.summary import Summary
from flows.phases.table import Phase, PhaseTableError, actions_in
from flows.ports import DangerKinds, Desk, States, Understands, verdict_kinds
from flows.reminders import Reminder, ReminderTalk
from flows.slots import SlotPicker
from flows.turn import current_turn

State = ConversationState
Out = list[Outgoing]
Prompt = Callable[[State], Awaitable[Out]]
TextHandler = Callable[[str, State, str], Awaitable[Out]]
Action = Callable[[str, State, dict[str, str], dict[str, Any]], Awaitable[Out]]


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
        self._nlu = understander
        self._desk = desk
        # The default language's texts; each turn speaks its resident's (flows.language).
        self._voices = Voices(catalogue, consent, emergency)
        self._t: Catalogue = SpokenCatalogue(self._voices)
        self._words = words or load_words()
        self._now = clock or (lambda: datetime.now(UTC))
        flows = flows if flows is not None else load_flows(catalogue)
        slots = SlotPicker(catalogue=self._t, desk=desk, choices=slot_choices)
        talk = Talk(
            catalogue=self._t, voices=self._voices, desk=desk, understander=understander, words=self._words,
            # The menu and the situation -> flow map come from the flows' own data.
            flows=flows, menu=menu(flows), situation_flows=situation_flows(flows), now=self._now, slots=slots,
            danger_kinds=danger_kinds or verdict_kinds(understander), prompt=self._prompt,
        )
        self._phases = talk.phases = Phases(
            choose=Choose(talk), ask=Ask(talk), consent=Consent(talk), summary=Summary(talk), slot=Slot(talk),
            contact=Contact(talk), returning=Returning(talk), danger=Danger(talk), delete=Delete(talk),
            commands=Commands(talk), speech=Speech(talk),
        )
        self._reminders = talk.reminders = ReminderTalk(
            catalogue=self._t, desk=desk, words=self._words, slots=slots, resume=self._prompt,
        )
        self._bind()

    def _holder(self, name: str) -> object:
        return self._reminders if name == "reminders" else getattr(self._phases, name)

    def _method(self, holder: str, name: str) -> Callable[..., Awaitable[Out]]:
        method = getattr(self._holder(holder), name, None)
        if not callable(method):
            raise PhaseTableError(f"{holder} has no method {name!r}")
        return cast(Callable[..., Awaitable[Out]], method)

    def _bind(self) -> None:
        """The checked table (flows.phases.declared) bound to this conversation's phase objects."""
        self._prompts: dict[Phase, Prompt] = {}
        self._texts: dict[Phase, TextHandler] = {}
        self._actions: dict[Phase, dict[str, Action]] = {}
        for holder, entries in MODULES:
            for entry in entries:
                self._prompts[entry.phase] = self._method(holder, entry.prompt)
                self._texts[entry.phase] = self._method(holder, entry.text)
                self._actions[entry.phase] = {a: self._method(holder, m) for a, m in entry.actions.items()}
        self._anytime: dict[str, Action] = {
            action: self._method(*target.split(".", 1)) for action, target in ANYTIME.actions.items()
        }
        self._known_actions = actions_in(TABLE)

    # ---- public surface (called by bot/events) -------------------------------------

    async def welcome(self, resident: str, *, returning: bool = False) -> Out:
        raw = await self._state.load(resident)
        known = ConversationState.from_json(raw) if raw else None
        picked = await self._recall(resident, kept := known.kept() if known else ConversationState())
        with self._voices.speaking(language.of(kept)):
            if returning and (case := await self._desk.open_case_for(resident)) is not None:
                # Back after blocking: their open case, not a new flow.
                st = kept
                st.phase, st.case = Phase.RETURNING, case.case_number
                await self._save(resident, st, picked)
                return [self._phases.returning.status(case.case_number, case.status, case.centre_name)]
            if returning and raw:
                return [Text(self._t.text("welcome_back", ward_name=self._desk.ward_name))]
            # Before a word is written the language is unknown: each one is a tap away.
            return [Text(self._t.text("welcome", ward_name=self._desk.ward_name),
                         quick_replies=self._phases.speech.menu().quick_replies)]

    def load_languages(self) -> None:
        """Load every language's texts now (a process's start-up), not on first use."""
        self._voices.load_all()

    async def forget(self, resident: str) -> None:
        await self._state.drop(resident)

    async def on_text(self, resident: str, text: str) -> Out:
        st, lapsed, picked = await self._load(resident)
        with self._voices.speaking(language.of(st)):
            out = self._expired(lapsed)
            # Danger first: before any command, answer or question.
            if self._nlu.danger(text):
                out += await self._phases.danger.start(st, text)
            elif (switch := self._words.switch_language(text)) is not None:
                out += await self._phases.speech.switch(st, switch.language)
            elif (command := self._words.command(text)) is not None:
                out += await self._phases.commands.command(resident, st, command)
            else:
                out += await self._texts[st.phase](resident, st, text)
            await self._save(resident, st, picked)
        return out

    async def on_postback(self, resident: str, data: str, params: dict[str, Any] | None) -> Out:
        st, lapsed, picked = await self._load(resident)
        fields = postback.decode(data)
        if language.of(st) is None:  # a reminder's button names the language it was sent in
            language.adopt(st, language.detected(fields.get("l")))
        with self._voices.speaking(language.of(st)):
            out = self._expired(lapsed)
            name = fields.get("a", "")
            action = self._anytime.get(name) or self._actions[st.phase].get(name)
            if action is not None:
                out += await action(resident, st, fields, params or {})
            elif name in self._known_actions:  # a button of a phase the resident has left
                out += [Text(self._t.text("conversation.stale_button")), *await self._prompt(st)]
            else:
                out += [Text(self._t.text("conversation.unclear_button")), *await self._prompt(st)]
            await self._save(resident, st, picked)
        return out

    def reminder(self, reminder: Reminder) -> Out:
        """The callback reminder ``bot.reminders`` pushes, with keep / move / cancel buttons,
        in the language the case was made in."""
        with self._voices.speaking(reminder.language):
            return self._reminders.message(reminder)

    def emergency_lines(self, language_code: str | None = None) -> Text:
        """The emergency contacts in ``language_code`` (None: this turn's language), from the
        catalogue alone: also the worker's last resort (bot.lastresort) when a danger message
        cannot be handled."""
        return self._phases.danger.emergency_lines(language_code)

    async def danger_during_takeover(self, resident: str, text: str) -> Out:
        """The emergency lines for a danger message while a person at a centre has the
        conversation (bot.events.message): in the language the resident picked, else the one
        the message was written in, else their conversation's; the state is left as it is."""
        raw = await self._state.load(resident)
        st = (ConversationState.from_json(raw) if raw else None) or ConversationState()
        await self._recall(resident, st)
        language.adopt(st, await self._phases.speech.heard_language(text))
        code = language.of(st) or self._voices.default
        if (turn := current_turn()) is not None:
            turn.language = code  # staff alerted about this answer see it
        return [self.emergency_lines(code)]

    async def on_media(self, resident: str, kind: str) -> Out:
        # "edited": LINE sent an edited message we cannot read (bot/events/message.py).
        key = {"location": "media.location", "edited": "media.edited"}.get(kind, "media.ask_words")
        raw = await self._state.load(resident)
        st = (ConversationState.from_json(raw) if raw else None) or ConversationState()
        await self._recall(resident, st)
        with self._voices.speaking(language.of(st)):
            if st.phase in (Phase.NEW, Phase.CHOOSE):
                return [Text(self._t.text(key))]
            return [Text(self._t.text(key)), *await self._prompt(st)]

    # ---- state -------------------------------------------------------------------------

    async def _load(self, resident: str) -> tuple[State, bool, str | None]:
        """The resident's state (a fresh one holds the language they picked before), whether
        a conversation lapsed since, and the picked language as remembered."""
        raw = await self._state.load(resident)
        if raw is None:
            lapsed = await self._state.lapsed(resident)
            st = ConversationState()
        elif (read := ConversationState.from_json(raw)) is None:
            lapsed, st = True, ConversationState()  # a state this release cannot read: start again
        elif self._now().timestamp() - read.last > self._state.ttl_s:
            lapsed, st = True, read.kept()
        else:
            lapsed, st = False, read
        if lapsed:
            await self._state.drop(resident)
        return st, lapsed, await self._recall(resident, st)

    async def _recall(self, resident: str, st: State) -> str | None:
        """The language the resident picked in an earlier conversation, taken into ``st``
        unless it holds a choice of its own; what is remembered now (a code this release no
        longer answers in is returned too, so the next save forgets it)."""
        if st.lang_chosen:
            return st.lang
        remembered = await self._state.language(resident)
        if remembered is not None and language.supported(remembered):
            language.choose(st, remembered)
        return remembered

    def _expired(self, lapsed: bool) -> Out:
        return [Text(self._t.text("conversation.expired"))] if lapsed else []

    async def _save(self, resident: str, st: State, picked: str | None) -> None:
        """Save the state (or drop an ended one); the picked language is remembered when it
        changed (forgotten when erased) and again when a conversation ends with it."""
        ongoing = st.worth_saving()
        if ongoing:
            st.last = self._now().timestamp()
            await self._state.save(resident, st.to_json())
        else:
            await self._state.drop(resident)
        choice = st.lang if st.lang_chosen else None
        if choice != picked or (choice is not None and not ongoing):
            await self._state.remember_language(resident, choice)

    async def _prompt(self, st: State) -> Out:
        """Where the resident is, asked again: the prompt their phase declares."""
        return await self._prompts[st.phase](st)
