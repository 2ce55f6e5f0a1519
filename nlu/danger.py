"""The danger detector: a curated lexicon OR-ed with classifier signals.

Run on every message, including free text typed in the middle of a flow.  The lexicon layer
(``data/nlu/danger_lexicon.yml``) is the one that must not miss: idioms are masked first, then
every category's patterns are tried on the normalised, kana-folded text (spaced, compact and
without ー).  Classifier probabilities are computed on the same idiom-masked text, so a figure
of speech cannot reach the classifier either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.data import DANGER_LEXICON_FILE
from nlu.normalize import Normalized, compact, fold_kana, normalize

# Stands in for a masked idiom, so patterns do not join the words on either side of it.
MASK = _MASK = "〓"


@dataclass(frozen=True)
class DangerHit:
    category: str
    pattern: str
    matched: str


@dataclass(frozen=True)
class DangerVerdict:
    danger: bool
    hits: tuple[DangerHit, ...] = ()
    classifier_score: float = 0.0
    source: str = ""  # "lexicon", "classifier" or ""

    @property
    def categories(self) -> list[str]:
        return sorted({h.category for h in self.hits})


def _compile(pattern: str) -> re.Pattern[str]:
    # Patterns are folded like the text: NFKC and katakana -> hiragana (not lower-cased, so
    # escapes such as \d keep their meaning; matching ignores case instead).
    return re.compile(fold_kana(unicodedata.normalize("NFKC", pattern)), re.IGNORECASE)


@dataclass
class DangerLexicon:
    categories: dict[str, list[re.Pattern[str]]]
    idioms: list[re.Pattern[str]]
    examples_danger: list[str] = field(default_factory=list)
    examples_not_danger: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = DANGER_LEXICON_FILE) -> DangerLexicon:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        categories = {
            str(name): [_compile(str(p)) for p in patterns or []]
            for name, patterns in (doc.get("categories") or {}).items()
        }
        examples = doc.get("examples") or {}
        return cls(
            categories=categories,
            idioms=[_compile(str(p)) for p in doc.get("idioms") or []],
            examples_danger=[str(x) for x in examples.get("danger") or []],
            examples_not_danger=[str(x) for x in examples.get("not_danger") or []],
        )

    def mask_idioms(self, folded: str) -> str:
        for idiom in self.idioms:
            folded = idiom.sub(_MASK, folded)
        return folded

    def variants(self, norm: Normalized) -> list[str]:
        """The idiom-masked texts the patterns are tried on."""
        masked = self.mask_idioms(norm.folded)
        tight = compact(masked)
        # Masking again after compaction catches idioms split by spaces or punctuation.
        tight = self.mask_idioms(tight)
        return list(dict.fromkeys([masked, tight, tight.replace("ー", "")]))

    def __post_init__(self) -> None:
        # One alternation per category scans a text once; the single pattern that matched is
        # looked up only on a hit (rare), to report it.
        self._combined = {
            name: re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
            for name, patterns in self.categories.items()
            if patterns
        }

    def match(self, norm: Normalized) -> list[DangerHit]:
        hits: list[DangerHit] = []
        texts = self.variants(norm)
        for category, combined in self._combined.items():
            text = next((t for t in texts if combined.search(t)), None)
            if text is None:
                continue
            for pattern in self.categories[category]:
                m = pattern.search(text)
                if m:
                    hits.append(DangerHit(category, pattern.pattern, m.group(0)))
                    break
        return hits


# A classifier signal: idiom-masked normalised text -> probability of danger.
DangerScorer = Callable[[str], float]


class DangerDetector:
    """Lexicon first; a classifier score at or above ``threshold`` also counts."""

    def __init__(
        self,
        lexicon: DangerLexicon,
        scorer: DangerScorer | None = None,
        threshold: float = 0.5,
    ) -> None:
        self.lexicon = lexicon
        self.scorer = scorer
        self.threshold = threshold

    def masked_text(self, norm: Normalized) -> str:
        return self.lexicon.mask_idioms(norm.folded).replace(_MASK, " ")

    def check(self, text: str | Normalized, extra_score: float = 0.0) -> DangerVerdict:
        """``extra_score``: e.g. the intent classifier's crisis probability for this text."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        hits = self.lexicon.match(norm)
        score = extra_score
        if self.scorer is not None and norm.folded:
            score = max(score, self.scorer(self.masked_text(norm)))
        if hits:
            return DangerVerdict(True, tuple(hits), score, "lexicon")
        if score >= self.threshold:
            return DangerVerdict(True, (), score, "classifier")
        return DangerVerdict(False, (), score, "")

    def __call__(self, text: str) -> bool:
        return self.check(text).danger
