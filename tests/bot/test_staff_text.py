"""Staff-facing formats: Japanese dates, phone numbers as dialled, consent versions."""

from __future__ import annotations

from datetime import date, datetime

from bot.staff.text import consent_version, jdate, phone_display, tel_href
from handoff.slots import TOKYO

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)


def test_dates_read_as_staff_write_them() -> None:
    assert jdate(datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO), now=NOW) == "12月1日（火）9:00"
    assert jdate(datetime(2026, 12, 1, 0, 5, tzinfo=TOKYO), now=NOW) == "12月1日（火）0:05"
    assert jdate(datetime(2025, 12, 1, 14, 30, tzinfo=TOKYO), now=NOW) == "2025年12月1日（月）14:30"
    assert jdate(date(2026, 12, 6), now=NOW) == "12月6日（日）"
    assert jdate(None) == "—"


def test_phone_numbers_are_grouped_and_dialled() -> None:
    assert phone_display("07055556666") == "070-5555-6666"
    assert phone_display("0312345678") == "03-1234-5678"
    assert phone_display("0451234567") == "045-123-4567"
    assert tel_href("07055556666") == "tel:07055556666"
    assert tel_href("not a number") == ""


def test_consent_versions_read_as_a_month_not_a_hash() -> None:
    assert consent_version("2026-11-3fa2b9c0") == "2026年11月版（文面 3fa2）"
    assert consent_version("2026-11") == "2026年11月版"
