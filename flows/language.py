"""The language a resident is answered in: chosen, remembered, and spoken for one turn.

A resident's language lives in their conversation state (``lang``, ``Speaker``). The first message
chooses it from what the NLU read (English → ``en``, kana-only Japanese → ``ja-easy``, a
partial language → that language; nothing to go on → keep the current one, ``ja`` at
first). A language the resident asks for (a typed command, the rich menu's language tile)
is marked ``lang_chosen`` and is never overridden by detection afterwards.

The conversation is shared by every resident, so the language of the turn being handled is
a context variable (``Voices.speaking``), not an attribute: ``SpokenCatalogue`` hands every
lookup to the catalogue of the current turn's language, so code that renders messages
keeps calling ``catalogue.text(key)`` and needs no language argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from flows.catalogue import DEFAULT_LANGUAGE, Catalogue, load_catalogue, load_languages
from flows.notices import ConsentText, EmergencyLines, load_consent, load_emergency

STAFF = "ja"  # the language of the case summary staff read

_speaking: ContextVar[str | None] = ContextVar("tsunagu_language", default=None)


def spoken() -> str:
    """The language of the turn being handled (statistics count residents by it)."""
    return _speaking.get() or DEFAULT_LANGUAGE


def supported(code: str | None) -> bool:
    return code is not None and code in load_languages()


def detected(language: str | None, easy_japanese: bool = False) -> str | None:
    """The answer language for what the NLU read (``Understanding.language`` and
    ``easy_japanese``), or None when it says nothing we can answer in."""
    tag = "ja-easy" if language == "ja" and easy_japanese else language
    return tag if supported(tag) else None


class Speaker(Protocol):
    """The part of a conversation state that is about language (``flows.phases.state``)."""

    lang: str | None  # the language code the resident is answered in
    lang_chosen: bool  # the resident asked for it; detection leaves it alone


def of(st: Speaker) -> str | None:
    return st.lang if supported(st.lang) else None


def adopt(st: Speaker, code: str | None) -> bool:
    """Take a detected language unless the resident chose one; True if it changed."""
    if code is None or st.lang_chosen or not supported(code) or st.lang == code:
        return False
    st.lang = code
    return True


def choose(st: Speaker, code: str) -> None:
    """The resident asked for ``code``: kept, and detection no longer changes it."""
    st.lang = code
    st.lang_chosen = True


def text_in(key: str, code: str | None) -> str:
    """One message in ``code`` (the default language if it is not one we answer in): for a
    notice sent outside the resident's turn (a takeover, a handback, in the case's language)."""
    return load_catalogue(code if code is not None and supported(code) else DEFAULT_LANGUAGE).text(key)


def partial(code: str) -> bool:
    declared = load_languages().get(code)
    return declared is not None and not declared.complete


@dataclass(frozen=True)
class Voice:
    """Everything said in one language: messages, the consent text, the emergency lines."""

    language: str
    catalogue: Catalogue
    consent: ConsentText
    emergency: EmergencyLines


class Voices:
    """One voice per declared language, loaded once; the conversation's own catalogue (and
    consent text and lines, when given) are the default language's."""

    def __init__(self, catalogue: Catalogue, consent: ConsentText | None = None,
                 emergency: EmergencyLines | None = None) -> None:
        self.default = catalogue.language
        self._voices = {self.default: Voice(
            self.default, catalogue, consent or load_consent(self.default), emergency or load_emergency(self.default),
        )}

    def voice(self, code: str | None = None) -> Voice:
        """The voice for ``code``; the current turn's when None; the default if unknown."""
        code = code or _speaking.get() or self.default
        if not supported(code):
            code = self.default
        if code not in self._voices:
            self._voices[code] = Voice(code, load_catalogue(code), load_consent(code), load_emergency(code))
        return self._voices[code]

    def load_all(self) -> None:
        """Every declared language's voice now (start-up), not at its first resident: its
        catalogue's YAML then costs nobody's answer, and the heap freeze keeps it (bot.heap)."""
        for code in load_languages():
            self.voice(code)

    @property
    def current(self) -> str:
        return self.voice().language

    @staticmethod
    @contextmanager
    def speaking(code: str | None) -> Iterator[None]:
        """Answer in ``code`` (None: the default) until the block ends."""
        token = _speaking.set(code)
        try:
            yield
        finally:
            _speaking.reset(token)

    @staticmethod
    def switch(code: str) -> None:
        """Within ``speaking``: every message made from now on in this turn is in ``code``."""
        _speaking.set(code)


class SpokenCatalogue(Catalogue):
    """The catalogue of the language being spoken in this turn, key by key."""

    def __init__(self, voices: Voices) -> None:
        super().__init__({}, voices.default)
        self._voices = voices

    def _now(self) -> Catalogue:
        return self._voices.voice().catalogue

    def __contains__(self, key: str) -> bool:
        return key in self._now()

    def keys(self) -> list[str]:
        return self._now().keys()

    def own_keys(self) -> list[str]:
        return self._now().own_keys()

    def language_of(self, key: str) -> str:
        return self._now().language_of(key)

    def template(self, key: str) -> str:
        return self._now().template(key)
