"""What every phase shares: the services of one conversation and a few helpers.

The engine (``flows.conversation.Conversation``) builds one ``Talk`` and one object per phase
module; each phase object reaches the others through ``self.ph`` (``Phases``), so a phase
that hands over (consent → summary card) calls the phase that owns the message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flows import postback
from flows.answers import number_in
from flows.catalogue import Catalogue
from flows.commands import Words
from flows.definition import Flow
from flows.language import Voices
from flows.notices import ConsentText, EmergencyLines
from flows.outgoing import Button, Outgoing, Text
from flows.phases.state import ConversationState
from flows.phases.table import Phase
from flows.ports import DangerKinds, Desk, Routing, Understands
from flows.reminders import ReminderTalk
from flows.slots import SlotPicker

if TYPE_CHECKING:
    from flows.phases.anytime import Commands
    from flows.phases.ask import Ask
    from flows.phases.choose import Choose
    from flows.phases.consent import Consent
    from flows.phases.contact import Contact
    from flows.phases.danger import Danger
    from flows.phases.delete import Delete
    from flows.phases.returning import Returning
    from flows.phases.slot import Slot
    from flows.phases.speech import Speech
    from flows.phases.summary import Summary

State = ConversationState
Out = list[Outgoing]
Prompt = Callable[[State], Awaitable[Out]]


@dataclass
class Phases:
    """One object per phase module, for the phases that hand over to one another."""

    choose: Choose
    ask: Ask
    consent: Consent
    summary: Summary
    slot: Slot
    contact: Contact
    returning: Returning
    danger: Danger
    delete: Delete
    commands: Commands
    speech: Speech


@dataclass
class Talk:
    """The services of one conversation, shared by its phases."""

    catalogue: Catalogue  # speaks the current turn's language (flows.language.SpokenCatalogue)
    voices: Voices
    desk: Desk
    understander: Understands
    words: Words
    flows: dict[str, Flow]
    menu: tuple[Flow, ...]
    situation_flows: dict[str, Flow]
    now: Callable[[], datetime]
    slots: SlotPicker
    danger_kinds: DangerKinds
    prompt: Prompt  # the engine's: where the resident is, asked again
    reminders: ReminderTalk | None = None
    phases: Phases | None = None


class PhaseBase:
    """A phase module's object: the shared services under short names."""

    def __init__(self, talk: Talk) -> None:
        self.talk = talk
        self._t = talk.catalogue
        self._desk = talk.desk
        self._nlu = talk.understander
        self._words = talk.words
        self._flows = talk.flows
        self._slots = talk.slots

    @property
    def ph(self) -> Phases:
        assert self.talk.phases is not None, "the engine sets the phases once it has built them"
        return self.talk.phases

    @property
    def _voices(self) -> Voices:
        return self.talk.voices

    @property
    def _consent(self) -> ConsentText:
        return self.talk.voices.voice().consent

    @property
    def _emergency(self) -> EmergencyLines:
        return self.talk.voices.voice().emergency

    def _now(self) -> datetime:
        return self.talk.now()

    async def _prompt(self, st: State) -> Out:
        return await self.talk.prompt(st)

    async def _stale(self, st: State) -> Out:
        return [Text(self._t.text("conversation.stale_button")), *await self._prompt(st)]

    async def reprompt(self, resident: str, st: State, text: str) -> Out:
        """Free text where only a tap moves on: the same prompt again."""
        return await self._prompt(st)

    @staticmethod
    def _reset(st: State, **keep: Any) -> None:
        st.reset(**keep)  # the resident's language outlives a flow

    @staticmethod
    def _back_to_menu(st: State) -> None:
        """A fresh start at the menu; a danger seen in this conversation still makes it urgent."""
        st.reset(phase=Phase.CHOOSE, urgent=st.urgent)

    def _pb_button(self, label_key: str, action: str, **fields: str) -> Button:
        label = self._t.text(label_key)
        return Button(label=label, data=postback.encode(action, **fields), display_text=label)

    def _two_taps(self, text: str, action: str, first: tuple[str, str], second: tuple[str, str]) -> Text:
        """``text`` with two buttons, each (label key, value): yes / no, phone / LINE."""
        return Text(text, quick_replies=tuple(self._pb_button(key, action, v=value) for key, value in (first, second)))

    def _flow(self, st: State) -> Flow | None:
        return self._flows.get(st.flow or "")

    def _facts(self, st: State) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        flow = self._flow(st)
        if flow is None:
            return facts
        for step_id, value in st.answers.items():
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
            situations=list(st.situations), facts=self._facts(st), urgent=st.urgent,
        )
