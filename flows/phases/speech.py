"""The resident's language in the conversation (``flows.language`` keeps it in the state):
heard from what they wrote, switched when they ask, offered when only partly translated.
Not a phase: the language menu's ``lang`` taps are valid in every phase."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flows import language, postback
from flows.catalogue import supported_languages
from flows.limits import QUICK_REPLIES_MAX
from flows.outgoing import Button, Text
from flows.phases.base import Out, PhaseBase, State
from nlu.contract import Understanding


class Speech(PhaseBase):
    async def understand_for_language(self, text: str) -> Understanding | None:
        try:
            return await self._nlu.understand(text)
        except Exception:  # noqa: BLE001 - the emergency lines go out whatever the NLU does
            return None

    async def heard_language(self, text: str) -> str | None:
        """The language ``text`` is written in, if the NLU can tell one we answer in."""
        return _code(await self.understand_for_language(text))

    async def hear(self, st: State, heard: Understanding | None) -> Out:
        """Answer in the language the resident wrote (unless they chose one); a partial
        language is told at once, in itself, that English and やさしい日本語 are there too."""
        code = _code(heard)
        if not language.adopt(st, code):
            return []
        assert code is not None
        self._voices.switch(code)
        return [self.offer(first=True)] if language.partial(code) else []

    async def switch(self, st: State, code: str | None) -> Out:
        if code is None:
            return [self.menu()]
        language.choose(st, code)
        self._voices.switch(code)
        out: Out = [Text(self._t.text("language.switched"))]
        # The same place in the flow, in the new language.
        return out + self.offered([self.offer()] if language.partial(code) else [], await self._prompt(st))

    def menu(self) -> Text:
        buttons = tuple(Button(label=x.name, data=postback.encode("lang", v=x.code), display_text=x.name)
                        for x in supported_languages())
        return Text(self._t.text("language.ask"), quick_replies=buttons)

    def offered(self, offer: Out, answer: Out) -> Out:
        """The offer of other languages (from ``hear`` or ``offer``) before ``answer``, its
        buttons moved onto the answer's last message: LINE shows the quick replies of the last
        message of a reply only, so on the offer itself they never appeared."""
        if not offer or not answer:
            return [*offer, *answer]
        buttons = tuple(b for message in offer for b in message.quick_replies)
        *before, last = answer
        if len(last.quick_replies) + len(buttons) > QUICK_REPLIES_MAX:
            return [*answer, *offer]  # the offer last, so its buttons show; the question can be typed
        bare = [replace(message, quick_replies=()) for message in offer]
        return [*bare, *before, replace(last, quick_replies=(*last.quick_replies, *buttons))]

    def offer(self, first: bool = False) -> Text:
        # English and やさしい日本語 for the reader, and standard Japanese for one who reads it.
        offered = [x for x in supported_languages() if x.code in ("en", "ja-easy", "ja")]
        buttons = tuple(Button(label=x.name, data=postback.encode("lang", v=x.code), display_text=x.name)
                        for x in offered)
        offer = self._t.text("language.offer")
        return Text(self._t.text("language.heard") + "\n" + offer if first else offer, quick_replies=buttons)

    async def pb_language(self, resident: str, st: State, f: dict[str, str], _: dict[str, Any]) -> Out:
        code = f.get("v")
        if not language.supported(code):
            return [Text(self._t.text("conversation.unclear_button")), *await self._prompt(st)]
        return await self.switch(st, code)


def _code(heard: Understanding | None) -> str | None:
    """The language we answer in that the NLU heard (None: it could not tell, or failed)."""
    return language.detected(heard.language, heard.easy_japanese) if heard else None
