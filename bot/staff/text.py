"""Staff-facing words and formats: every label and message from ``data/staff/``, dates as
「12月1日（火）9:00」, phone numbers as staff dial them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from handoff.slots import TOKYO

WEEKDAYS = "月火水木金土日"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class StaffText:
    """data/staff: labels (codes → words), messages (by code) and page texts."""

    labels: dict[str, Any]
    messages: dict[str, dict[str, str]]
    pages: dict[str, Any]
    reply_templates: list[dict[str, str]]

    @classmethod
    def load(cls, staff_dir: Path) -> StaffText:
        return cls(
            labels=load_yaml(staff_dir / "labels.yml"),
            messages=load_yaml(staff_dir / "messages.yml"),
            pages=load_yaml(staff_dir / "pages.yml"),
            reply_templates=load_yaml(staff_dir / "reply_templates.yml"),
        )

    def error(self, code: str | None) -> str | None:
        """The message of a known error code; an unknown code shows nothing (never echoed)."""
        return self.messages["error"].get(code) if code else None

    def done(self, code: str | None) -> str | None:
        return self.messages["done"].get(code) if code else None

    def label(self, group: str, code: str | None) -> str:
        """A code's label; a code without one reads as a neutral 「その他」, never as the code."""
        if code is None:
            return ""
        return str(self.labels.get(group, {}).get(code, self.pages["common"]["other"]))


def jdate(value: datetime | date | None, *, time: bool = True, now: datetime | None = None) -> str:
    """「12月1日（火）9:00」 in Tokyo time; the year is written when it is not this year."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        value, time = datetime.combine(value, datetime.min.time(), TOKYO), False
    local = value.astimezone(TOKYO)
    this_year = (now or datetime.now(TOKYO)).astimezone(TOKYO).year
    year = f"{local.year}年" if local.year != this_year else ""
    text = f"{year}{local.month}月{local.day}日（{WEEKDAYS[local.weekday()]}）"
    return text + (f"{local.hour}:{local.minute:02d}" if time else "")


def jtime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone(TOKYO)
    return f"{local.hour}:{local.minute:02d}"


# Area codes of two digits (Tokyo, Osaka); others are written 0xx-xxx-xxxx.
_TWO_DIGIT_AREAS = ("03", "06")


def phone_display(digits: str | None) -> str:
    """090-1234-5678, 03-1234-5678, 045-123-4567: grouped as Japanese numbers are read."""
    if not digits or not re.fullmatch(r"0\d{9,10}", digits):
        return digits or ""
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits.startswith(_TWO_DIGIT_AREAS):
        return f"{digits[:2]}-{digits[2:6]}-{digits[6:]}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def tel_href(digits: str | None) -> str:
    return f"tel:{digits}" if digits and re.fullmatch(r"0\d{9,10}", digits) else ""


def consent_version(version: str | None) -> str:
    """「2026年11月版（文面 3fa2）」 from "2026-11-3fa2…" (the hash tells reworded texts apart)."""
    if not version:
        return "—"
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-([0-9a-f]+))?", version)
    if not match:
        return version
    year, month, digest = match.groups()
    return f"{int(year)}年{int(month)}月版" + (f"（文面 {digest[:4]}）" if digest else "")
