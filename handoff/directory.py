"""The ward directory: centres, their services, hours and routing rules, read from data.

``data/centres/<ward>.yml`` holds everything a deployment changes; code never names a
centre. A directory is checked when it is loaded (every rule names a real centre, every
sample field has a note) so a bad edit fails at start-up, not in front of a resident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlu.contract import SITUATIONS  # the situation labels are the NLU contract's

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONTACT_FIELDS = ("phone", "address", "hours")


class DirectoryError(ValueError):
    """The ward data is inconsistent; raised at load time."""


@dataclass(frozen=True)
class Centre:
    ward: str
    code: str
    name: str
    short_name: str
    field: str
    sites: int
    services: tuple[str, ...]
    phone: str
    address: str
    hours: str
    # weekday index (0 = Monday) -> staffed (open, close) periods
    weekly: Mapping[int, tuple[tuple[time, time], ...]]
    slot_minutes: int
    capacity: int
    booking_horizon_days: int
    min_lead_minutes: int
    sample_fields: frozenset[str]
    closures: frozenset[tuple[int, int]]  # (month, day) closed every year
    sample_notes: Mapping[str, str] = dc_field(repr=False)
    # Overdue clocks of a case with no callback time: urgent ones in staffed minutes,
    # the others ("as soon as possible") in hours since it arrived.
    urgent_overdue_minutes: int = 30
    asap_overdue_hours: int = 24

    def is_closure(self, day: date) -> bool:
        return (day.month, day.day) in self.closures

    def is_sample(self, field_name: str) -> bool:
        return field_name in self.sample_fields

    def shown(self, field_name: str) -> str:
        """The value for a resident, with the sample note when the value is not official."""
        value = str(getattr(self, field_name))
        if self.is_sample(field_name):
            return value + self.sample_notes[field_name]
        return value


@dataclass(frozen=True)
class FactRule:
    fact: str
    centre: str
    reason: str
    take: str  # "primary" or "involve"
    situations: frozenset[str]
    gte: float | None = None
    equals: Any = None

    def matches(self, facts: Mapping[str, Any]) -> bool:
        if self.fact not in facts or facts[self.fact] is None:
            return False
        value = facts[self.fact]
        if self.gte is not None:
            try:
                return float(value) >= self.gte
            except (TypeError, ValueError):
                return False
        return bool(value == self.equals)


@dataclass(frozen=True)
class SituationRule:
    centres: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Rules:
    coordinator: str
    crisis: str
    situations: Mapping[str, SituationRule]
    facts: tuple[FactRule, ...]


@dataclass(frozen=True)
class Directory:
    ward: str
    ward_name: str
    case_prefix: str
    centres: Mapping[str, Centre]
    rules: Rules
    closures: frozenset[tuple[int, int]]  # (month, day) closed every year

    def centre(self, code: str) -> Centre:
        try:
            return self.centres[code]
        except KeyError as exc:
            raise DirectoryError(f"{self.ward}: no centre {code!r}") from exc

    def centre_name(self, code: str) -> str:
        """The centre's name for a resident; its code if the directory no longer lists it
        (a case can outlive a change of directory)."""
        centre = self.centres.get(code)
        return centre.name if centre else code

    def is_closure(self, day: date) -> bool:
        return (day.month, day.day) in self.closures

    def reason_keys(self) -> set[str]:
        keys = {rule.reason for rule in self.rules.situations.values()}
        keys |= {rule.reason for rule in self.rules.facts}
        return keys | {"route.multi_agency", "route.crisis"}


def _periods(spans: list[str]) -> tuple[tuple[time, time], ...]:
    periods = []
    for span in spans:
        start, end = (time.fromisoformat(part.strip()) for part in span.split("-"))
        if end <= start:
            raise DirectoryError(f"hours {span!r}: close must be after open")
        periods.append((start, end))
    return tuple(sorted(periods))


def _centre(
    ward: str,
    code: str,
    raw: dict[str, Any],
    notes: Mapping[str, str],
    closures: frozenset[tuple[int, int]],
) -> Centre:
    weekly = {WEEKDAYS.index(day): _periods(spans) for day, spans in raw["weekly"].items()}
    sample_fields = frozenset(
        CONTACT_FIELDS if raw.get("sample") is True else raw.get("sample_fields", ())
    )
    unknown = sample_fields - set(CONTACT_FIELDS)
    missing_notes = sample_fields - set(notes)
    if unknown or missing_notes:
        raise DirectoryError(f"centre {code}: bad sample fields {sorted(unknown | missing_notes)}")
    if int(raw["capacity"]) < 1 or 60 % int(raw["slot_minutes"]) and int(raw["slot_minutes"]) % 60:
        raise DirectoryError(f"centre {code}: capacity >= 1 and slots dividing the hour")
    return Centre(
        ward=ward,
        code=code,
        name=raw["name"],
        short_name=raw.get("short_name", raw["name"]),
        field=raw.get("field", ""),
        sites=int(raw.get("sites", 1)),
        services=tuple(raw.get("services", ())),
        phone=str(raw["phone"]),
        address=str(raw.get("address", "")),
        hours=raw["hours_text"],
        weekly=weekly,
        slot_minutes=int(raw["slot_minutes"]),
        capacity=int(raw["capacity"]),
        booking_horizon_days=int(raw["booking_horizon_days"]),
        min_lead_minutes=int(raw["min_lead_minutes"]),
        sample_fields=sample_fields,
        closures=closures,
        sample_notes=notes,
        urgent_overdue_minutes=int(raw.get("urgent_overdue_minutes", 30)),
        asap_overdue_hours=int(raw.get("asap_overdue_hours", 24)),
    )


def parse_directory(raw: dict[str, Any]) -> Directory:
    """Build and check a directory from its YAML mapping."""
    notes = dict(raw.get("sample_notes", {}))
    defaults = raw.get("defaults", {})
    closures = frozenset(
        (int(month), int(day))
        for month, day in (item.split("-") for item in raw.get("closures", ()))
    )
    centres = {
        code: _centre(raw["code"], code, {**defaults, **body}, notes, closures)
        for code, body in raw["centres"].items()
    }
    routing = raw["routing"]
    situations = {
        name: SituationRule(centres=tuple(rule["centres"]), reason=rule["reason"])
        for name, rule in routing["situations"].items()
    }
    facts = tuple(
        FactRule(
            fact=rule["fact"],
            centre=rule["centre"],
            reason=rule["reason"],
            take=rule.get("take", "involve"),
            situations=frozenset(rule.get("situations", SITUATIONS)),
            gte=rule.get("gte"),
            equals=rule.get("equals"),
        )
        for rule in routing.get("facts", ())
    )
    rules = Rules(
        coordinator=routing["coordinator"],
        crisis=routing["crisis"],
        situations=situations,
        facts=facts,
    )
    named = {rules.coordinator, rules.crisis}
    named |= {code for rule in situations.values() for code in rule.centres}
    named |= {rule.centre for rule in facts}
    if missing := named - set(centres):
        raise DirectoryError(f"{raw['code']}: rules name unknown centres {sorted(missing)}")
    if missing_situations := set(SITUATIONS) - set(situations):
        raise DirectoryError(f"{raw['code']}: no rule for {sorted(missing_situations)}")
    if bad_take := [rule for rule in facts if rule.take not in ("primary", "involve")]:
        raise DirectoryError(f"{raw['code']}: take must be primary or involve: {bad_take}")
    return Directory(
        ward=raw["code"],
        ward_name=raw["name"],
        case_prefix=str(raw.get("case_prefix", raw["code"][:1].upper())),
        centres=centres,
        rules=rules,
        closures=closures,
    )


@lru_cache
def load_directory(ward: str, data_dir: Path = DATA_DIR) -> Directory:
    """The directory of one ward (cached: the data does not change while running)."""
    path = data_dir / "centres" / f"{ward}.yml"
    if not path.exists():
        raise DirectoryError(f"no ward directory {path}")
    return parse_directory(yaml.safe_load(path.read_text(encoding="utf-8")))
