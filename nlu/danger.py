"""The danger detector: curated lexicons OR-ed with classifier signals.

Run on every message, including free text typed in the middle of a flow.  The lexicon layer
(``data/nlu/danger/<lang>.yml``, one file per language) is the one that must not miss: every
language's idioms are masked first, then every language's patterns are tried, whatever
language the message was identified as (so danger never depends on language id), on the
normalised, kana-folded text: spaced, compact, without ー, and with accents removed (for
Vietnamese typed without them).  Classifier probabilities are computed on the same
idiom-masked text, so a figure of speech cannot reach the classifier either.

Patterns must stay bounded (no ``.*``, ``.+`` or ``{n,}``; tests/nlu/test_danger.py checks),
so a 5,000-character message costs a few milliseconds, never a catastrophic backtrack.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.danger_cues import DangerCues
from nlu.data import DANGER_DIR
from nlu.normalize import Normalized, compact, fold_kana, normalize, strip_accents
from nlu.patterns import PatternSet, Substituter

# Stands in for a masked idiom, so patterns do not join the words on either side of it.
MASK = _MASK = "〓"
# Hiragana, katakana (folded, but ー and ゠ stay) and CJK ideographs.
_JAPANESE_LETTER = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]"
_JAPANESE = re.compile(_JAPANESE_LETTER)
# A space between two Japanese letters: やさしい日本語 puts one between every phrase.
_JAPANESE_SPACE = re.compile(rf"(?<={_JAPANESE_LETTER}) +(?={_JAPANESE_LETTER})")


def _join_japanese(text: str) -> str:
    """``text`` without the spaces between Japanese words (おなか が すいて -> おなかがすいて),
    sentence ends kept: the cue stems are written for unspaced Japanese and a rule needs its
    sentences, which ``compact`` would merge into one. Batch 58: 7 of 12 やさしい日本語 danger
    lines were missed, most of them for a space inside a stem."""
    if " " not in text or not _JAPANESE.search(text):
        return text
    return _JAPANESE_SPACE.sub("", text)


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
    source: str = ""  # "lexicon", "cues" (nlu/danger_cues.py), "classifier" or ""

    @property
    def categories(self) -> list[str]:
        return sorted({h.category for h in self.hits})

    @property
    def kinds(self) -> tuple[str, ...]:
        """What staff see on the urgent case: the lexicon's categories, or "unspecified"
        when only a classifier fired."""
        if not self.danger:
            return ()
        return tuple(self.categories) or ("unspecified",)

    def __bool__(self) -> bool:
        return self.danger


def _fold_pattern(pattern: str) -> str:
    # Patterns are folded like the text: NFKC and katakana -> hiragana (not lower-cased, so
    # escapes such as \d keep their meaning; matching ignores case instead).
    return fold_kana(unicodedata.normalize("NFKC", pattern))


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_fold_pattern(pattern), re.IGNORECASE)


@dataclass
class DangerLexicon:
    categories: dict[str, list[re.Pattern[str]]]
    idioms: list[re.Pattern[str]]
    examples_danger: list[str] = field(default_factory=list)
    examples_not_danger: list[str] = field(default_factory=list)

    # Per language: (danger examples, not-danger examples), for the tests and the README.
    examples_by_language: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = DANGER_DIR) -> DangerLexicon:
        """Every ``<lang>.yml`` in a folder (or one file), merged category by category."""
        files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
        lexicon = cls(categories={}, idioms=[])
        for file in files:
            doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            for name, patterns in (doc.get("categories") or {}).items():
                lexicon.categories.setdefault(str(name), []).extend(
                    _compile(str(p)) for p in patterns or []
                )
            lexicon.idioms.extend(_compile(str(p)) for p in doc.get("idioms") or [])
            examples = doc.get("examples") or {}
            danger = [str(x) for x in examples.get("danger") or []]
            not_danger = [str(x) for x in examples.get("not_danger") or []]
            lexicon.examples_danger.extend(danger)
            lexicon.examples_not_danger.extend(not_danger)
            lexicon.examples_by_language[str(doc.get("language") or file.stem)] = (
                danger,
                not_danger,
            )
        lexicon.__post_init__()
        return lexicon

    def mask_idioms(self, folded: str) -> str:
        masked = self._masker.sub(folded)
        return self._mask_across_spaces(masked) if " " in masked else masked

    def _mask_across_spaces(self, text: str) -> str:
        """Idioms written with spaces between phrases, as やさしい日本語 is (しぬ ほど,
        ぎゃくたいの ニュース): matched on the text without its spaces, masked in the spaced
        text, so the spaced variant and the cues never read the danger word inside them.
        Only spans with Japanese letters: Latin words joined across a space are not one word."""
        keep = [i for i, ch in enumerate(text) if ch != " "]
        spans = self._masker.spans("".join(text[i] for i in keep))
        merged: list[list[int]] = []
        for start, end in sorted((keep[a], keep[b - 1] + 1) for a, b in spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, last = [], 0
        for start, end in merged:
            piece = text[start:end]
            if " " not in piece or not _JAPANESE.search(piece):
                continue  # already masked without the spaces, or not Japanese
            out += [text[last:start], _MASK]
            last = end
        if not out:
            return text
        return "".join([*out, text[last:]])

    def masked_forms(self, norm: Normalized) -> tuple[str, str]:
        """The folded text idiom-masked, and the same without accents (Vietnamese and others
        typed without them): what the patterns, the cues and the classifier all start from,
        masked once per check (``DangerDetector.check``)."""
        folded = norm.folded
        masked = self.mask_idioms(folded)
        bare = strip_accents(folded)
        # Masking is a function of the text: a text with no accent to strip (Japanese,
        # English, most messages) is masked once, not twice (bench/profile_handling.py).
        return masked, masked if bare == folded else self.mask_idioms(bare)

    def variants(self, norm: Normalized, forms: tuple[str, str] | None = None) -> list[str]:
        """The idiom-masked texts the patterns are tried on; ``forms``: ``masked_forms(norm)``
        if the caller has it."""
        masked, plain = forms or self.masked_forms(norm)
        tight = compact(masked)
        # Masking again after compaction catches idioms split by spaces or punctuation; when
        # compaction gives back the folded text itself (no space, no punctuation, no idiom
        # masked), its masking is ``masked`` already.
        tight = masked if tight == norm.folded else self.mask_idioms(tight)
        # Vietnamese (and others) typed without accents: accent-free patterns match both.
        return list(dict.fromkeys([masked, tight, tight.replace("ー", ""), plain]))

    def __post_init__(self) -> None:
        # Every pattern of every category in one linear-time scan per text variant
        # (nlu/patterns.py); the ``re`` pattern that matched is run only on a hit, to report it.
        self._owners = [
            (name, pattern) for name, patterns in self.categories.items() for pattern in patterns
        ]
        self._scanner = PatternSet([p.pattern for _, p in self._owners])
        self._masker = Substituter([p.pattern for p in self.idioms], _MASK)

    def match(self, norm: Normalized, forms: tuple[str, str] | None = None) -> list[DangerHit]:
        hits: dict[str, DangerHit] = {}
        for text in self.variants(norm, forms):
            for index in self._scanner.which(text):
                category, pattern = self._owners[index]
                if category in hits:
                    continue
                m = pattern.search(text)
                # RE2's \b is ASCII-only and may match where Python's does not: trust RE2.
                hits[category] = DangerHit(category, pattern.pattern, m.group(0) if m else "")
        return sorted(hits.values(), key=lambda h: list(self.categories).index(h.category))


# A classifier signal: idiom-masked normalised text -> probability of danger.
DangerScorer = Callable[[str], float]
# The classifier reads the first 1,000 characters (features of 5,000 cost ~40 ms on the event
# loop, where danger() runs); the lexicons read all of the message.
SCORER_MAX_CHARS = 1000
# Below this many characters the classifier has too little to read (たくさん, 思った scored
# 0.55 after crisis lines about taking たくさん pills were added); short danger is the
# lexicons' job (死にたい, 消えたい, help me are all in them).
CLASSIFIER_MIN_CHARS = 6


class DangerDetector:
    """Lexicon first; a classifier score at or above ``threshold`` also counts."""

    def __init__(
        self,
        lexicon: DangerLexicon,
        scorer: DangerScorer | None = None,
        threshold: float = 0.5,
        threshold_after_idiom: float = 0.7,
        cues: DangerCues | None = None,
        threshold_with_cue: float | None = None,
    ) -> None:
        self.lexicon = lexicon
        # Combined weak cues (words, not phrases), after the lexicons; None: lexicons alone.
        self.cues = cues
        self.scorer = scorer
        self.threshold = threshold
        # What is left of 息が止まるかと思った once the idiom is masked (" 思った") is too little
        # for the classifier to read; after a masked idiom it must be surer.
        self.threshold_after_idiom = threshold_after_idiom
        # With a word of an alarm concept in the message (danger_cues.yml ``alarm_concepts``)
        # the classifier needs only this much: fresh danger lines that no rule caught often
        # scored 0.40-0.49.  None: the same threshold as without.
        self.threshold_with_cue = threshold_with_cue

    def masked_text(self, norm: Normalized, forms: tuple[str, str] | None = None) -> str:
        """The folded text with its idioms blanked: what the classifier reads; ``forms``:
        ``lexicon.masked_forms(norm)`` if the caller has it."""
        masked = forms[0] if forms is not None else self.lexicon.mask_idioms(norm.folded)
        return masked.replace(_MASK, " ")

    def check(self, text: str | Normalized, extra_score: float = 0.0) -> DangerVerdict:
        """``extra_score``: e.g. the intent classifier's crisis probability for this text."""
        norm = text if isinstance(text, Normalized) else normalize(text)
        # Masked once here, not again by each step below (six masking passes were three).
        forms = self.lexicon.masked_forms(norm)
        hits = self.lexicon.match(norm, forms)
        score = extra_score
        threshold = self.threshold
        if self.scorer is not None and norm.folded:
            masked = self.masked_text(norm, forms)
            if masked != norm.folded:
                threshold = max(threshold, self.threshold_after_idiom)
            if len(masked.replace(" ", "")) >= CLASSIFIER_MIN_CHARS:
                score = max(score, self.scorer(masked[:SCORER_MAX_CHARS]))
        if hits:
            return DangerVerdict(True, tuple(hits), score, "lexicon")
        texts: list[str] = []
        if self.cues is not None:
            texts = list(dict.fromkeys((*forms, _join_japanese(forms[0]))))
            found = self.cues.match(texts)
            if found:
                cue_hits = tuple(DangerHit(kind, rule, where[:80]) for kind, rule, where in found)
                return DangerVerdict(True, cue_hits, score, "cues")
        if score >= threshold:
            return DangerVerdict(True, (), score, "classifier")
        lower = self.threshold_with_cue
        if (
            lower is not None
            and self.cues is not None
            and threshold == self.threshold  # not after a masked idiom
            and score >= lower
            and self.cues.alarming(texts)
        ):
            return DangerVerdict(True, (), score, "classifier")
        return DangerVerdict(False, (), score, "")

    def __call__(self, text: str) -> bool:
        return self.check(text).danger
