"""Fixed texts kept as data beside the catalogue: the consent text (versioned) and the
emergency phone lines shown when danger is detected."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class ConsentText:
    version: str  # "<declared>-<hash of the text>": a reworded text gets a new version
    template: str
    scope: tuple[str, ...] = ("share_answers_with_centre", "sensitive_details", "contact_details")

    def text(self, centre: str) -> str:
        return self.template.format(centre=centre)


@lru_cache
def load_consent(language: str = "ja", data_dir: Path = DATA_DIR) -> ConsentText:
    raw = yaml.safe_load((data_dir / "consent" / f"{language}.yml").read_text(encoding="utf-8"))
    template = str(raw["text"]).rstrip("\n")
    digest = hashlib.sha256(template.encode("utf-8")).hexdigest()[:8]
    return ConsentText(version=f"{raw['version']}-{digest}", template=template)


@dataclass(frozen=True)
class PhoneLine:
    name: str
    number: str
    hours: str


@dataclass(frozen=True)
class EmergencyLines:
    emergency: tuple[PhoneLine, ...]
    lines: tuple[PhoneLine, ...]


@lru_cache
def load_emergency(data_dir: Path = DATA_DIR) -> EmergencyLines:
    raw = yaml.safe_load((data_dir / "emergency" / "lines.yml").read_text(encoding="utf-8"))

    def lines(key: str) -> tuple[PhoneLine, ...]:
        return tuple(PhoneLine(str(x["name"]), str(x["number"]), str(x["hours"])) for x in raw[key])

    return EmergencyLines(emergency=lines("emergency"), lines=lines("lines"))
