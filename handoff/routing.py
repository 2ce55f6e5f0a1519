"""Choose the centre(s) for a case from the ward's rules.

One situation goes to its centre; a compound situation (8050, double care) or several
situations at once go to the ward's multi-agency coordinator with every centre involved
listed, as the seeds describe (多機関協働). Facts about the person (age, children,
disability) bring in the centre for that person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handoff.directory import Centre, Directory, DirectoryError

CRISIS = "crisis"


@dataclass(frozen=True)
class Route:
    primary: Centre
    involved: list[Centre]  # primary first, then every other centre touched, no repeats
    multi_agency: bool
    reason_key: str  # message key in data/messages (placeholders {centre}, {centres})
    urgent: bool

    @property
    def centre_codes(self) -> list[str]:
        return [centre.code for centre in self.involved]


def route(
    directory: Directory,
    *,
    situations: list[str],
    facts: Mapping[str, Any] | None = None,
    urgent: bool = False,
) -> Route:
    """The centre that takes the case, every centre involved, and why."""
    facts = facts or {}
    rules = directory.rules
    urgent = urgent or CRISIS in situations
    named = [name for name in dict.fromkeys(situations) if name != CRISIS]
    if unknown := [name for name in named if name not in rules.situations]:
        raise DirectoryError(f"unknown situations {unknown}")

    centres: list[str] = []
    primary: str | None = None
    reason = "route.other_welfare"
    for name in named:
        rule = rules.situations[name]
        taken = next(
            (
                f
                for f in rules.facts
                if f.take == "primary" and name in f.situations and f.matches(facts)
            ),
            None,
        )
        if taken is not None:
            centres.append(taken.centre)
            primary = primary or taken.centre
            reason = taken.reason
        else:
            centres.extend(rule.centres)
            primary = primary or rule.centres[0]
            reason = rule.reason
        centres.extend(
            f.centre
            for f in rules.facts
            if f.take == "involve" and name in f.situations and f.matches(facts)
        )
    if primary is None:  # nothing named but crisis (or nothing at all): the general desk
        fallback = rules.situations["other_welfare"]
        primary = rules.crisis if urgent else fallback.centres[0]
        reason = fallback.reason
    involved = list(dict.fromkeys(centres))

    compound = any(len(rules.situations[name].centres) > 1 for name in named)
    multi_agency = len(named) > 1 or compound
    if multi_agency:
        primary = rules.coordinator
        if len(named) > 1:
            reason = "route.multi_agency"
    if urgent:
        primary = rules.crisis if not multi_agency else primary
        reason = "route.crisis"
    ordered = [primary, *(code for code in involved if code != primary)]
    return Route(
        primary=directory.centre(primary),
        involved=[directory.centre(code) for code in ordered],
        multi_agency=multi_agency,
        reason_key=reason,
        urgent=urgent,
    )
