"""One turn: the handling of one event, made atomic by the worker that runs it.

While a turn is open (``Turn.open``), the conversation's state is not written to Redis as it
changes: ``flows.state.StateStore`` keeps its saves and drops here, and the worker commits
them in one Redis transaction together with the answer (the outbox entry) and the event's
acknowledgement. A turn that fails leaves nothing behind in Redis, so handling the event
again starts from the same state.

The turn also numbers the turn's effects in the database (``handoff.desk``): the n-th effect
of event E is recorded under the key ``E:n:<name>``, so handling E again returns what the
first run did instead of doing it twice.

Outside a turn (tests of the conversation, the embedded simulator's direct calls) state is
written at once, as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_current: ContextVar[Turn | None] = ContextVar("tsunagu_turn", default=None)


@dataclass
class Turn:
    event_id: str
    # resident -> the state to save, or None to drop it
    states: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    # Raw Redis commands to run in the commit (e.g. a once-a-day group note marker).
    writes: list[list[str]] = field(default_factory=list)
    # The conversation recorded a danger outcome: its answer is a danger answer.
    danger: bool = False
    # The resident erased what they gave, or refused consent: the commit also removes what
    # Redis still holds of them (dead letters) and asks for the append-only file to be
    # compacted (bot.erasure).
    forget: bool = False
    # resident -> whether Redis held their state and their last-activity marker when the
    # turn first read them (``flows.state``: one round trip for both; nothing is written
    # to Redis during a turn, so the answer holds for the whole turn).
    stored: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    # resident -> the language they picked, as Redis held it when the turn first read their
    # state (read in the same round trip), or as this turn changed it (``flows.state``).
    languages: dict[str, str | None] = field(default_factory=dict)
    # Anonymous statistics rows (``handoff.events.row_record``, with their effect key): the
    # worker commits them with the answer, and ``bot.maintenance`` writes them to the
    # database, in batches, once each (the desk's costliest write, off the answer's path).
    rows: list[dict[str, Any]] = field(default_factory=list)
    # The language that danger answer was in: staff alerted about it see it on the case.
    language: str | None = None
    # Redis key -> its value, read by the worker with the resident's lease (``reading_ahead``):
    # the state, its marker, the picked language and the takeover record, read there instead
    # of by a round trip each.
    read_ahead: Mapping[str, bytes | None] = field(default_factory=dict)
    # This turn may have opened a case: what was read ahead about open cases no longer holds.
    case_opened: bool = False
    _effects: int = 0

    def effect_key(self, name: str) -> str:
        """The idempotency key of this turn's next database effect."""
        self._effects += 1
        return f"{self.event_id}:{self._effects}:{name}"

    def ahead(self, key: str) -> tuple[bool, bytes | None]:
        """(True, value) if ``key`` was read ahead for this turn, else (False, None)."""
        if key in self.read_ahead:
            return True, self.read_ahead[key]
        return False, None

    @staticmethod
    @contextmanager
    def open(event_id: str) -> Iterator[Turn]:
        turn = Turn(event_id, read_ahead=_read_ahead.get())
        token = _current.set(turn)
        try:
            yield turn
        finally:
            _current.reset(token)


def current_turn() -> Turn | None:
    return _current.get()


_NOTHING_AHEAD: Mapping[str, bytes | None] = MappingProxyType({})
_read_ahead: ContextVar[Mapping[str, bytes | None]] = ContextVar("tsunagu_read_ahead", default=_NOTHING_AHEAD)


@contextmanager
def reading_ahead(values: Mapping[str, bytes | None]) -> Iterator[None]:
    """The turn opened inside this block starts with ``values`` (Redis key -> value), read
    under the resident's lease just before: nothing else writes those keys of the resident
    meanwhile but a commit under that lease, or a staff takeover, which may come as well a
    moment after the turn's own read."""
    token = _read_ahead.set(values)
    try:
        yield
    finally:
        _read_ahead.reset(token)
