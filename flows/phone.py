"""Japanese phone numbers a centre can call back: the one rule, for the conversation and
for the case record (``handoff.cases.normalise_phone``).

Full-width digits, spaces, hyphens, brackets and +81 are accepted. Landlines have 10
digits; mobiles (070/080/090) and IP phones (050) 11. Free-dial, navi-dial and premium
numbers are written right but reach no person, so they are refused.
"""

from __future__ import annotations

import re
import unicodedata

# Mobile and IP numbers (070/080/090/050) have 11 digits, landlines 10.
_CALLABLE = re.compile(r"0[5789]0\d{8}|0(?![5789]0)[1-9]\d{8}")
# Numbers a centre cannot call a person back on (free-dial, navi-dial, premium).
NOT_PERSONAL = ("0120", "0800", "0570", "0990", "0180")


def phone_digits(text: str) -> str:
    digits = re.sub(r"[\s\-‐−ー()（）]", "", unicodedata.normalize("NFKC", text).strip())
    return "0" + digits[3:] if digits.startswith("+81") else digits


def callable_number(text: str) -> str | None:
    """The number as plain digits, or None if a centre could not call it back."""
    digits = phone_digits(text)
    if not _CALLABLE.fullmatch(digits) or digits.startswith(NOT_PERSONAL):
        return None
    return digits


def cannot_call_back(text: str) -> bool:
    """Digits of a free-dial, navi-dial or premium number: written right, but not callable."""
    digits = phone_digits(text)
    return re.fullmatch(r"\d{10,11}", digits) is not None and digits.startswith(NOT_PERSONAL)
