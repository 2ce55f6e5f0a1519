"""Danger from combined weak cues: word stems per concept, danger when concepts meet.

The lexicons (``data/nlu/danger/<lang>.yml``) match phrases; each fresh probe of danger lines
found a third of them outside those phrases, worded in ways their author had not imagined.
``data/nlu/danger_cues.yml`` lists, per concept (a hurt word, a family member, a life/death
word, despair, a means, fear, a sign of neglect...), word stems in every language, and rules
that name which concepts must meet within one sentence or two neighbouring ones ("hurt" with
a partner or "me"; life/death with despair; a child with a sign of neglect).  Words generalise
where phrases do not; the price is some false alarms, which show the emergency lines and a
gentle question, where a miss may cost a life.

Runs on the idiom-masked text the lexicons read (so 死ぬほど, dying to, 累死了 never count),
in one RE2 pass per sentence (``nlu/patterns.py``): linear time on 5,000 characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.data import NLU_DATA_DIR
from nlu.normalize import fold_kana
from nlu.patterns import PatternSet

CUES_FILE = NLU_DATA_DIR / "danger_cues.yml"
# Sentences: cues must meet within one, or two neighbouring ones ("I can't. I wrote letters").
_SENTENCE_END = re.compile(r"[。．.!?！？\n;；]+")
# A 5,000-character message is at most this many sentences of cues (the lexicons read all).
MAX_SENTENCES = 400


# A window is a sentence and the next; sentences that short (やさしい日本語 and hurried
# messages: "かいしゃ の ひと わたし なぐる。 まいにち。 こわい。") are read together up to this many
# letters, at most WINDOW_MAX_SENTENCES of them.
WINDOW_SHORT_CHARS = 40
WINDOW_MAX_SENTENCES = 4


def _window_end(sentences: list[str], i: int) -> int:
    """End (exclusive) of the window that starts at sentence ``i``: the next sentence always,
    and more while the window is shorter than ``WINDOW_SHORT_CHARS`` letters."""
    end = min(i + 2, len(sentences))
    size = sum(len(s.strip()) for s in sentences[i:end])
    while end < len(sentences) and end - i < WINDOW_MAX_SENTENCES and size < WINDOW_SHORT_CHARS:
        size += len(sentences[end].strip())
        end += 1
    return end


@dataclass(frozen=True)
class CueRule:
    kind: str
    groups: tuple[frozenset[str], ...]

    def fires(self, present: set[str]) -> bool:
        return all(group & present for group in self.groups)

    @property
    def name(self) -> str:
        return "cue:" + "+".join("|".join(sorted(g)) for g in self.groups)


@dataclass
class DangerCues:
    owners: list[str]  # concept of each pattern, in order
    patterns: list[str]
    rules: list[CueRule]
    examples_danger: list[str] = field(default_factory=list)
    examples_not_danger: list[str] = field(default_factory=list)
    # Concepts that alone make a message worth a closer look (a hurt word, a means, despair):
    # with one of them present the danger classifier needs less (``DangerDetector``).
    alarm_concepts: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = CUES_FILE) -> DangerCues:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        owners: list[str] = []
        patterns: list[str] = []
        for concept, items in (doc.get("concepts") or {}).items():
            for item in items or []:
                owners.append(str(concept))
                patterns.append(fold_kana(unicodedata.normalize("NFKC", str(item))))
        rules = [
            CueRule(str(r["kind"]), tuple(frozenset(str(c) for c in g) for g in r["all"]))
            for r in doc.get("rules") or []
        ]
        unknown = {c for r in rules for g in r.groups for c in g} - set(owners)
        if unknown:
            raise ValueError(f"danger_cues.yml: rules name unknown concepts {sorted(unknown)}")
        alarm = frozenset(str(c) for c in doc.get("alarm_concepts") or [])
        if alarm - set(owners):
            raise ValueError(f"danger_cues.yml: unknown alarm concepts {sorted(alarm - set(owners))}")
        examples = doc.get("examples") or {}
        return cls(
            owners,
            patterns,
            rules,
            [str(x) for x in examples.get("danger") or []],
            [str(x) for x in examples.get("not_danger") or []],
            alarm,
        )

    def __post_init__(self) -> None:
        self._scanner = PatternSet(self.patterns)
        self._indexed: list[CueRule] | None = None
        self._by_first: dict[str, list[int]] = {}
        self._always: list[int] = []

    def _candidates(self, present: set[str]) -> list[CueRule]:
        """The rules that can fire on ``present``, in the order of ``rules``: those whose
        first group meets it (a rule fires only when every group does). Checking all of them
        cost ~0.4 ms a message, the largest part of the danger check (bench/profile_handling.py).
        The index follows ``rules`` when the list is replaced (bench/nlu_danger_threshold.py)."""
        if self._indexed is not self.rules:
            by_first: dict[str, list[int]] = {}
            for i, rule in enumerate(self.rules):
                for concept in rule.groups[0] if rule.groups else ():
                    by_first.setdefault(concept, []).append(i)
            always = [i for i, rule in enumerate(self.rules) if not rule.groups]
            self._by_first, self._always, self._indexed = by_first, always, self.rules
        found = {i for concept in present for i in self._by_first.get(concept, ())}
        return [self.rules[i] for i in sorted(found.union(self._always))]

    def concepts(self, sentence: str) -> set[str]:
        return {self.owners[i] for i in self._scanner.which(sentence)}

    def alarming(self, texts: list[str]) -> bool:
        """True when any text holds a word of an alarm concept (no rule needs to fire)."""
        return any(self.concepts(text) & self.alarm_concepts for text in texts)

    def match(self, texts: list[str]) -> list[tuple[str, str, str]]:
        """(kind, rule name, the sentences it fired on) for each kind of the first window
        (one sentence and the next, more when they are short: ``_window_end``) where a rule
        fires; [] when none does."""
        found: dict[str, tuple[str, str, str]] = {}
        for text in texts:
            # One pass over the whole text first: most messages satisfy no rule even there.
            whole = self.concepts(text)
            if not any(rule.fires(whole) for rule in self._candidates(whole)):
                continue
            sentences = [s for s in _SENTENCE_END.split(text) if s.strip()][:MAX_SENTENCES]
            present = [self.concepts(s) for s in sentences]
            for i, here in enumerate(present):
                end = _window_end(sentences, i)
                window = here.union(*present[i + 1 : end])
                if len(window) < 2:
                    continue
                for rule in self._candidates(window):
                    if rule.kind not in found and rule.fires(window):
                        found[rule.kind] = (rule.kind, rule.name, " ".join(sentences[i:end]))
                if found:  # one window is enough to answer; the kinds are those it showed
                    return list(found.values())
        return list(found.values())
