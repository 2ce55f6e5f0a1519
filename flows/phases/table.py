"""The conversation's outer phases, declared as data and checked when the table is built.

Each phase module (``flows.phases.<name>``) declares its phases with ``Declared``: the
method that prompts the resident again, the method that reads their free text, the postback
actions it accepts, and the phases it can lead to. ``check`` refuses an inconsistent table
(a phase without a declaration, a target that is not declared, an action that means two
things, a phase nothing leads to) before any resident is answered; ``python -m flows check``
and ``python -m flows diagram`` run it too, and the diagram draws ``leads_to``.

A phase is kept in the state as its value (``"ask"``); no phase at all is ``Phase.NEW``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Phase(StrEnum):
    NEW = "new"  # no conversation under way: the first message chooses what happens
    CHOOSE = "choose"
    ASK = "ask"
    CONSENT = "consent"
    SUMMARY = "summary"
    FIX_PICK = "fix_pick"
    SLOT = "slot"
    CONTACT = "contact"
    PHONE = "phone"
    DANGER_OFFER = "danger_offer"
    CONFIRM_DELETE = "confirm_delete"
    RETURNING = "returning"
    REM_MOVE = "rem_move"
    REM_CANCEL = "rem_cancel"

    @classmethod
    def of(cls, value: object) -> Phase:
        """The phase a state names; none, or one this release does not know, is ``NEW``."""
        try:
            return cls(str(value)) if value else cls.NEW
        except ValueError:
            return cls.NEW


class PhaseTableError(ValueError):
    pass


@dataclass(frozen=True)
class Declared:
    """One phase as its module declares it: method names on the module's phase object."""

    phase: Phase
    prompt: str  # async (st) -> messages: where the resident is, asked again
    text: str  # async (resident, st, text) -> messages
    leads_to: tuple[Phase, ...]
    actions: Mapping[str, str] = field(default_factory=dict)  # postback action -> method
    about: str = ""  # a few words for the diagram
    returns: bool = False  # may go back to whichever phase it interrupted


@dataclass(frozen=True)
class Anytime:
    """Actions and moves valid in every phase (danger, commands, language, reminders)."""

    actions: Mapping[str, str]  # postback action -> method
    leads_to: tuple[Phase, ...]


def check(declared: Iterable[Declared], anytime: Anytime) -> dict[Phase, Declared]:
    """The table by phase, or PhaseTableError naming what is inconsistent."""
    table: dict[Phase, Declared] = {}
    for entry in declared:
        if entry.phase in table:
            raise PhaseTableError(f"phase {entry.phase} declared twice")
        if not entry.prompt or not entry.text:
            raise PhaseTableError(f"phase {entry.phase} needs a prompt and a text handler")
        table[entry.phase] = entry
    missing = set(Phase) - set(table)
    if missing:
        raise PhaseTableError(f"phases without a declaration: {sorted(missing)}")
    for entry in table.values():
        unknown = set(entry.leads_to) - set(table)
        if unknown:
            raise PhaseTableError(f"phase {entry.phase} leads to undeclared {sorted(unknown)}")
        clash = set(entry.actions) & set(anytime.actions)
        if clash:
            raise PhaseTableError(f"phase {entry.phase} redeclares anytime actions {sorted(clash)}")
    meaning: dict[str, str] = {}
    for entry in table.values():
        for action, method in entry.actions.items():
            if meaning.setdefault(action, method) != method:
                raise PhaseTableError(f"action {action!r} means {meaning[action]} and {method}")
    reached = {Phase.NEW, *anytime.leads_to}
    frontier = list(reached)
    while frontier:
        for target in table[frontier.pop()].leads_to:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    unreachable = set(table) - reached
    if unreachable:
        raise PhaseTableError(f"phases nothing leads to: {sorted(unreachable)}")
    return table


def may_move(table: Mapping[Phase, Declared], anytime: Anytime, before: Phase, after: Phase) -> bool:
    """Whether a turn in ``before`` may leave the resident in ``after``, as declared."""
    entry = table[before]
    return after == before or after in entry.leads_to or after in anytime.leads_to or entry.returns


def actions_in(table: Mapping[Phase, Declared]) -> set[str]:
    return {action for entry in table.values() for action in entry.actions}
