"""The ward directory: centres, their services, hours and routing rules, read from data.

``data/centres/<ward>.yml`` holds everything a deployment changes; code never names a
centre. A directory is checked when it is loaded (every rule names a real centre, every
sample field has a note) so a bad edit fails at start-up, not in front of a resident.

What a resident reads (the ward's name, a centre's name and short name, its hours, the
sample notes) may be written per language, ``{ja: …, en: …, ja-easy: …}``; a plain string is
Japanese only. Japanese is the source of truth and what staff read (``Centre.name``);
``name_in`` / ``shown(field, language)`` give a resident's language (``Wording.in_``).
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

from flows.catalogue import load_languages
from nlu.contract import SITUATIONS  # the situation labels are the NLU contract's

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONTACT_FIELDS = ("phone", "address", "hours")
SOURCE = "ja"  # the language every directory text is written in first


def reading_order(language: str) -> tuple[str, ...]:
    """Where a text for ``language`` is looked for: its own, then (for a language other than
    Japanese) English, whose Latin letters every partial language's reader can read and say
    on the phone, then the Japanese, which is always there."""
    if language in (SOURCE, "ja-easy"):
        return (language, SOURCE)
    return (language, "en", SOURCE)


@dataclass(frozen=True)
class Wording:
    """One resident-facing directory text in every language it is written in."""

    texts: Mapping[str, str]

    @property
    def ja(self) -> str:
        return self.texts[SOURCE]

    def in_(self, language: str) -> str:
        return next(self.texts[code] for code in reading_order(language) if code in self.texts)


def _wording(value: Any, where: str) -> Wording:
    """A directory text from its YAML: a string (Japanese only) or ``{ja: …, en: …}``."""
    texts = value if isinstance(value, Mapping) else {SOURCE: value}
    if SOURCE not in texts or not all(isinstance(t, str) and t for t in texts.values()):
        raise DirectoryError(f"{where}: a Japanese text ({SOURCE}) and no empty translation")
    if unknown := set(texts) - set(load_languages()):
        raise DirectoryError(f"{where}: no such language {sorted(unknown)}")
    return Wording({str(code): text for code, text in texts.items()})


class DirectoryError(ValueError):
    """The ward data is inconsistent; raised at load time."""


@dataclass(frozen=True)
class Centre:
    ward: str
    code: str
    name: str  # Japanese, as staff read it (name_in: a resident's language)
    short_name: str
    field: str
    sites: int
    services: tuple[str, ...]
    phone: str
    address: str
    hours: str  # Japanese
    # weekday index (0 = Monday) -> staffed (open, close) periods
    weekly: Mapping[int, tuple[tuple[time, time], ...]]
    slot_minutes: int
    capacity: int
    booking_horizon_days: int
    min_lead_minutes: int
    sample_fields: frozenset[str]
    closures: frozenset[tuple[int, int]]  # (month, day) closed every year
    sample_notes: Mapping[str, Wording] = dc_field(repr=False)
    # name, short_name, hours in every language they are written in
    wordings: Mapping[str, Wording] = dc_field(default_factory=dict, repr=False)
    # Overdue clocks of a case with no callback time: urgent ones in staffed minutes,
    # the others ("as soon as possible") in hours since it arrived.
    urgent_overdue_minutes: int = 30
    asap_overdue_hours: int = 24

    def is_closure(self, day: date) -> bool:
        return (day.month, day.day) in self.closures

    def is_sample(self, field_name: str) -> bool:
        return field_name in self.sample_fields

    def text_in(self, field_name: str, language: str = SOURCE) -> str:
        """A field in ``language`` where it is written in it (phone and address are as given)."""
        wording = self.wordings.get(field_name)
        return wording.in_(language) if wording else str(getattr(self, field_name))

    def name_in(self, language: str) -> str:
        return self.text_in("name", language)

    def shown(self, field_name: str, language: str = SOURCE) -> str:
        """The value for a resident in ``language``, with the sample note when the value is
        not official."""
        value = self.text_in(field_name, language)
        if self.is_sample(field_name):
            return value + self.sample_notes[field_name].in_(language)
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
    ward_name: str  # Japanese (ward_name_in: a resident's language)
    case_prefix: str
    centres: Mapping[str, Centre]
    rules: Rules
    closures: frozenset[tuple[int, int]]  # (month, day) closed every year
    ward_names: Wording | None = None

    def ward_name_in(self, language: str) -> str:
        return self.ward_names.in_(language) if self.ward_names else self.ward_name

    def centre(self, code: str) -> Centre:
        try:
            return self.centres[code]
        except KeyError as exc:
            raise DirectoryError(f"{self.ward}: no centre {code!r}") from exc

    def centre_name(self, code: str, language: str = SOURCE) -> str:
        """The centre's name in ``language`` (staff: Japanese); its code if the directory no
        longer lists it (a case can outlive a change of directory)."""
        centre = self.centres.get(code)
        return centre.name_in(language) if centre else code

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
    notes: Mapping[str, Wording],
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
    wordings = {
        "name": _wording(raw["name"], f"centre {code} name"),
        "short_name": _wording(raw.get("short_name", raw["name"]), f"centre {code} short_name"),
        "hours": _wording(raw["hours_text"], f"centre {code} hours_text"),
    }
    return Centre(
        ward=ward,
        code=code,
        name=wordings["name"].ja,
        short_name=wordings["short_name"].ja,
        field=raw.get("field", ""),
        sites=int(raw.get("sites", 1)),
        services=tuple(raw.get("services", ())),
        phone=str(raw["phone"]),
        address=str(raw.get("address", "")),
        hours=wordings["hours"].ja,
        weekly=weekly,
        slot_minutes=int(raw["slot_minutes"]),
        capacity=int(raw["capacity"]),
        booking_horizon_days=int(raw["booking_horizon_days"]),
        min_lead_minutes=int(raw["min_lead_minutes"]),
        sample_fields=sample_fields,
        closures=closures,
        sample_notes=notes,
        wordings=wordings,
        urgent_overdue_minutes=int(raw.get("urgent_overdue_minutes", 30)),
        asap_overdue_hours=int(raw.get("asap_overdue_hours", 24)),
    )


def parse_directory(raw: dict[str, Any]) -> Directory:
    """Build and check a directory from its YAML mapping."""
    notes = {name: _wording(text, f"sample note {name}") for name, text in raw.get("sample_notes", {}).items()}
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
    ward_names = _wording(raw["name"], f"{raw['code']}: name")
    return Directory(
        ward=raw["code"],
        ward_name=ward_names.ja,
        ward_names=ward_names,
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
