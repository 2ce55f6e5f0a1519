"""Char n-gram TF-IDF features and linear heads, with an inference path that needs only numpy.

Training uses scikit-learn (``nlu.train``); the fitted vocabulary, idf weights and
coefficients are then copied into these small classes, so parsing a message neither imports
scikit-learn nor pays for its per-call overhead (a parse is well under a millisecond).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nlu.reading import reading

NGRAM_MIN, NGRAM_MAX = 1, 4


def char_ngrams(text: str) -> list[str]:
    """Character 1-4 grams of normalised text; the TF-IDF analyzer for training and parsing."""
    grams: list[str] = []
    padded = f" {text} "  # word edges are informative (e.g. a message that is just 借金)
    for n in range(NGRAM_MIN, NGRAM_MAX + 1):
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return [g for g in grams if g.strip()]


def analyze(text: str) -> list[str]:
    """Features of folded text: its char n-grams plus those of its kana reading (R-prefixed)."""
    return char_ngrams(text) + ["R" + g for g in char_ngrams(reading(text))]


@dataclass
class Vectorizer:
    """A frozen sublinear-tf, l2-normalised TF-IDF over ``analyze``."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        vocab = self.vocabulary
        for gram in analyze(text):
            j = vocab.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        vals = (1.0 + np.log(tf)) * self.idf[idx]
        norm = float(np.sqrt(vals @ vals))
        return idx, vals / norm if norm else vals


@dataclass
class LinearHead:
    """``scores = x · coef + intercept``; probabilities by softmax (one label of many) or by
    a sigmoid per label (independent labels, binary models)."""

    labels: list[str]
    coef: np.ndarray  # (n_features, n_labels)
    intercept: np.ndarray  # (n_labels,)
    multilabel: bool = False

    def probabilities(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        scores = vals @ self.coef[idx] + self.intercept if len(idx) else self.intercept.copy()
        if self.multilabel:
            return 1.0 / (1.0 + np.exp(-scores))
        scores = scores - scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()

    def ranking(self, idx: np.ndarray, vals: np.ndarray) -> list[tuple[str, float]]:
        probs = self.probabilities(idx, vals)
        order = np.argsort(-probs)
        return [(self.labels[i], float(probs[i])) for i in order]
