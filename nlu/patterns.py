"""Many regular expressions over one text in linear time (RE2), for the danger lexicons.

Python's backtracking ``re`` tried ~400 danger patterns on a 5,000-character message in
100-300 ms on this machine (and a single alternation of them took seconds); RE2 compiles
them into one automaton and scans the text once, in a few milliseconds, with no
catastrophic backtracking whatever the input.  RE2 has no look-around: the few patterns that
need one stay on ``re`` (bounded, and tried only on those few).  Without the ``re2`` package
(e.g. in the Rasa venv) everything runs on ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:
    import re2 as _re2
except ImportError:  # pragma: no cover - the bot's venv has google-re2 (pyproject.toml)
    _re2 = None

_LOOKAROUND = re.compile(r"\(\?<?[=!]")
# RE2's default 8 MiB is not enough for a DFA over every language's patterns.
_RE2_MAX_MEM = 64 << 20


def needs_backtracking(pattern: str) -> bool:
    """True when RE2 cannot run ``pattern`` (look-ahead or look-behind)."""
    return bool(_LOOKAROUND.search(pattern))


def _re2_options() -> Any:
    options = _re2.Options()
    options.case_sensitive = False
    options.max_mem = _RE2_MAX_MEM
    return options


class PatternSet:
    """``which(text)``: indices of the patterns that match somewhere in ``text``."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = list(patterns)
        self._slow: list[tuple[int, re.Pattern[str]]] = []
        self._set: Any = None
        self._set_index: list[int] = []
        fast = [i for i, p in enumerate(self.patterns) if _re2 is not None and not needs_backtracking(p)]
        if fast:
            self._set = _re2.Set.SearchSet(_re2_options())
            for i in fast:
                self._set.Add(self.patterns[i])
                self._set_index.append(i)
            self._set.Compile()
        fast_set = set(fast)
        self._slow = [
            (i, re.compile(p, re.IGNORECASE))
            for i, p in enumerate(self.patterns)
            if i not in fast_set
        ]

    def which(self, text: str) -> list[int]:
        found = [self._set_index[j] for j in self._set.Match(text) or ()] if self._set else []
        found += [i for i, pattern in self._slow if pattern.search(text)]
        return sorted(found)


class Substituter:
    """``sub(text)``: every pattern replaced by ``replacement``, one pattern after another
    (the order of the list decides overlaps, as with successive ``re.sub``)."""

    def __init__(self, patterns: Sequence[str], replacement: str) -> None:
        self.replacement = replacement
        self._compiled: list[Any] = [
            _re2.compile(p, _re2_options())
            if _re2 is not None and not needs_backtracking(p)
            else re.compile(p, re.IGNORECASE)
            for p in patterns
        ]
        # One RE2 scan says whether any idiom is there at all: most messages have none.
        self._any = PatternSet(patterns)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``[start, end)`` of every non-empty match of every pattern (overlaps included)."""
        if not self._any.which(text):
            return []
        return [
            m.span()
            for pattern in self._compiled
            for m in pattern.finditer(text)
            if m.end() > m.start()
        ]

    def sub(self, text: str) -> str:
        if not self._any.which(text):
            return text
        replacement = self.replacement
        for pattern in self._compiled:
            # A function, not a string: google-re2 mangles a non-ASCII replacement string.
            text = pattern.sub(lambda _: replacement, text)
        return text
