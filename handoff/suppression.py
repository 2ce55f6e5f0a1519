"""Complementary (secondary) cell suppression over linear relations, as official statistics do it.

A group of counts is described by **values** (true counts of cells, including *implicit*
cells that are never published, such as "started but did not consent") and **equations**
``parent = sum(children)`` that a reader knows (a table's total, a funnel step and the next,
weekday cells adding up to everyone who started). Cells of 1-4 are *sensitive*: they are
withheld (primary suppression), and so are further cells (complementary suppression) until:

(a) no sensitive cell, published or implicit, can be worked out exactly from what is shown
    (closure: an equation with one unknown member gives that member away), and
(b) wherever an equation's parent is known, its unknown children add up to 0 or to at least
    the threshold, so "total minus what is shown" never counts 1-4 people.

Each round withholds the cheapest, then smallest, shown cell among those that give a
violation away, so the loss is small; it ends because every round withholds one more cell. The exact audit (the
tightest bounds a reader can derive for each cell, by integer programming) lives in the
tests, where it checks this on many random groups.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Var = TypeVar("Var", bound=Hashable)


@dataclass(frozen=True)
class Equation(Generic[Var]):
    parent: Var
    children: tuple[Var, ...]

    @property
    def members(self) -> tuple[Var, ...]:
        return (self.parent, *self.children)


def _closure(shown: set[Var], equations: Sequence[Equation[Var]]) -> dict[Var, int | None]:
    """Every member a reader can work out: shown ones (None) and derived ones (the index of
    the equation that gives them away)."""
    known: dict[Var, int | None] = dict.fromkeys(shown)
    changed = True
    while changed:
        changed = False
        for index, equation in enumerate(equations):
            unknown = [m for m in equation.members if m not in known]
            if len(unknown) == 1:
                known[unknown[0]] = index
                changed = True
    return known


def _support(start: Sequence[Var], known: dict[Var, int | None], equations: Sequence[Equation[Var]]) -> set[Var]:
    """The shown cells that ``start`` (known members) rest on."""
    shown: set[Var] = set()
    stack, seen = list(start), set()
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        source = known.get(var)
        if source is None:
            shown.add(var)
        else:
            stack.extend(m for m in equations[source].members if m != var)
    return shown


def _violations(
    values: Mapping[Var, int], known: dict[Var, int | None], equations: Sequence[Equation[Var]], threshold: int
) -> Iterator[set[Var]]:
    """For each disclosure, the shown cells that give it away."""
    for var, source in known.items():
        if source is not None and 0 < values.get(var, 0) < threshold:
            yield _support([m for m in equations[source].members if m != var], known, equations)
    for equation in equations:
        if equation.parent not in known:
            continue
        unknown_mass = sum(values.get(c, 0) for c in equation.children if c not in known)
        if 0 < unknown_mass < threshold:
            yield _support([m for m in equation.members if m in known], known, equations)


def protect(
    values: Mapping[Var, int],
    equations: Sequence[Equation[Var]],
    *,
    publishable: Callable[[Var], bool],
    threshold: int,
    cost: Callable[[Var], int] = lambda var: 0,
) -> set[Var]:
    """The publishable cells to show: those of ``threshold`` or more, less complements.

    The complement chosen is the cheapest by ``cost`` (a cell tied to many relations, whose
    loss forces more), then the smallest.
    """
    # A relation that does not hold in these counts (an event counted in another week) gives
    # a reader nothing exact, so only the ones that hold are defended.
    holding = [e for e in equations if values.get(e.parent, 0) == sum(values.get(c, 0) for c in e.children)]
    shown = {v for v, n in values.items() if publishable(v) and n >= threshold}
    while True:
        known = _closure(shown, holding)
        behind = next((s for s in _violations(values, known, holding, threshold) if s), None)
        if behind is None:
            return shown
        shown.discard(min(behind, key=lambda v: (cost(v), values.get(v, 0), repr(v))))
