"""Per-language figures for ``python -m nlu evaluate``: intent accuracy, danger recall and
precision for each backend, and language-id accuracy, for ja, ja-easy, en, zh, ko, vi, ne, tl.

Language id is scored on every case that names its language and on the short messages of a
language-id file (``language: null`` there means nobody could tell, and ``None`` is right).
ja-easy counts as ja for language id; whether the やさしい日本語 marker was set is its own
column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlu.contract import Understanding
from nlu.data import jsonl_rows
from nlu.language import LanguageIdentifier, default_identifier

# Rows of a Japanese-only file (heldout.jsonl, dev.jsonl) name no language: their own row.
JAPANESE_FILE = "ja (jp file)"
LANGUAGE_ORDER = (JAPANESE_FILE, "ja", "ja-easy", "en", "zh", "ko", "vi", "ne", "tl")
NO_LANGUAGE = "(none)"


@dataclass(frozen=True)
class LanguageCase:
    """A short message of a language-id file: text and the language it is in (or None)."""

    text: str
    language: str | None


def language_tag(row: Mapping[str, object]) -> str | None:
    """``ja-easy`` for Japanese marked easy (``"language": "ja", "variant": "easy"`` in the
    held-out files, or ``"language": "ja-easy"``), else the row's language."""
    language = row.get("language", row.get("lang"))
    if not language:
        return None
    if language == "ja" and row.get("variant") == "easy":
        return "ja-easy"
    return str(language)


def language_id_cases(path: Path) -> list[LanguageCase]:
    return [LanguageCase(str(row["text"]), language_tag(row)) for row in jsonl_rows(path)]


def iso(tag: str | None) -> str | None:
    """ja-easy is Japanese for language id."""
    return "ja" if tag == "ja-easy" else tag


@dataclass
class _Tally:
    n: int = 0
    right: int = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.right += ok

    def text(self) -> str:
        return f"{self.right / self.n:.3f} ({self.right}/{self.n})" if self.n else "-"


def _row_key(tag: str | None) -> str:
    return tag if tag else NO_LANGUAGE


def language_report(
    cases: Sequence[object],
    results: Mapping[str, Sequence[Understanding]],
    language_cases: Sequence[LanguageCase] = (),
    identifier: LanguageIdentifier | None = None,
) -> str:
    """The per-language table; ``cases`` are ``nlu.evaluate.Case`` (text, intent, crisis,
    language)."""
    identifier = identifier or default_identifier()
    backends = list(results)
    tags = sorted(
        {getattr(c, "language", None) or JAPANESE_FILE for c in cases}
        | {_row_key(c.language) for c in language_cases},
        key=lambda t: (LANGUAGE_ORDER.index(t) if t in LANGUAGE_ORDER else 99, t),
    )
    lines = ["per language" + "".join(f" | {b:^34}" for b in backends), ""]
    head = f"{'language':13}{'n':>5}"
    for _ in backends:
        head += f"{'intent acc':>12}{'danger rec':>11}{'danger prec':>12}"
    head += f"{'language id':>20}{'easy marker':>16}"
    lines.append(head)
    overall_id, overall_easy = _Tally(), _Tally()
    any_named = any(getattr(c, "language", None) for c in cases)
    per_backend_overall: dict[str, list[_Tally]] = {b: [_Tally(), _Tally(), _Tally()] for b in backends}
    for tag in tags:
        mine = [
            i for i, c in enumerate(cases) if (getattr(c, "language", None) or JAPANESE_FILE) == tag
        ]
        row = f"{tag:13}{len(mine):>5}"
        for backend in backends:
            acc, rec, prec = _Tally(), _Tally(), _Tally()
            totals = per_backend_overall[backend]
            for i in mine:
                case, result = cases[i], results[backend][i]
                # The overall row is the multilingual set: cases that name their language.
                tallies = [(acc, rec, prec)]
                if getattr(case, "language", None) or not any_named:
                    tallies.append((totals[0], totals[1], totals[2]))
                for a, r, p in tallies:
                    if getattr(case, "intent", None):
                        a.add(result.intent == case.intent)  # type: ignore[attr-defined]
                    if case.crisis:  # type: ignore[attr-defined]
                        r.add(result.crisis)
                    if result.crisis:
                        p.add(bool(case.crisis))  # type: ignore[attr-defined]
            row += f"{_short(acc):>12}{_short(rec):>11}{_short(prec):>12}"
        lid, easy = _Tally(), _Tally()
        first = results[backends[0]] if backends else []
        for i in mine:
            # Held-out rows of the Japanese-only file do not name a language: not scored here.
            if getattr(cases[i], "language", None):
                lid.add(first[i].language == iso(tag))
                if tag in ("ja", "ja-easy"):
                    easy.add(first[i].easy_japanese == (tag == "ja-easy"))
        for lc in language_cases:
            if _row_key(lc.language) == tag:
                guess = identifier.identify(lc.text)
                lid.add(guess.language == iso(lc.language))
                if lc.language in ("ja", "ja-easy"):
                    easy.add(guess.easy_japanese == (lc.language == "ja-easy"))
        overall_id.n += lid.n
        overall_id.right += lid.right
        overall_easy.n += easy.n
        overall_easy.right += easy.right
        lines.append(row + f"{lid.text():>20}{easy.text():>16}")
    scope = "the messages that name their language" if any_named else "all messages"
    row = f"{'overall':13}{'':>5}"
    for backend in backends:
        acc, rec, prec = per_backend_overall[backend]
        row += f"{_short(acc):>12}{_short(rec):>11}{_short(prec):>12}"
    lines.append(row + f"{overall_id.text():>20}{overall_easy.text():>16}")
    lines.append(
        f"\n(overall intent and danger: {scope}; ja-easy counts as ja"
        " for language id; (none) rows are right when no language is given)"
    )
    return "\n".join(lines)


def _short(t: _Tally) -> str:
    return f"{t.right / t.n:.3f}" if t.n else "-"
