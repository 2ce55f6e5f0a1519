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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
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
    _effects: int = 0

    def effect_key(self, name: str) -> str:
        """The idempotency key of this turn's next database effect."""
        self._effects += 1
        return f"{self.event_id}:{self._effects}:{name}"

    @staticmethod
    @contextmanager
    def open(event_id: str) -> Iterator[Turn]:
        turn = Turn(event_id)
        token = _current.set(turn)
        try:
            yield turn
        finally:
            _current.reset(token)


def current_turn() -> Turn | None:
    return _current.get()
