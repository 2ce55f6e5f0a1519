"""The embedded model: training from ``data/nlu`` and the cached artefact under ``var/nlu/``.

One TF-IDF vocabulary feeds three linear heads: the intent classifier (all intents, softmax),
a binary danger model (crisis vs everything else), and a one-vs-rest situation model
(several situations at once).  scikit-learn is imported only to train.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlu.contract import SITUATIONS
from nlu.danger import MASK, DangerLexicon
from nlu.data import (
    DANGER_DIR,
    DANGER_DIR_NAME,
    NLU_DATA_DIR,
    REPO_ROOT,
    TrainingData,
    danger_files,
    danger_head_rows,
    data_hash,
    load_training_data,
    nlu_files,
)
from nlu.features import LinearHead, Vectorizer, analyze
from nlu.normalize import normalize

if TYPE_CHECKING:
    from scipy import sparse  # ships no types: csr_matrix is Any to mypy

MODEL_DIR = REPO_ROOT / "var" / "nlu"
# Bump when the features or the training recipe change, so stale caches are not reused.
RECIPE_VERSION = "11"


# LinearSVC margins are multiplied by this before a softmax / sigmoid.
MARGIN_SCALE = 4.0


@dataclass(frozen=True)
class TrainConfig:
    intent_algorithm: str = "svc"  # "svc" (LinearSVC) or "logreg"
    intent_c: float = 2.0
    situation_c: float = 0.5
    # 1.0 since the head also learns from the probe lines (data/nlu/danger_head.yml): replayed
    # on history it caught as much as 0.5 with fewer false alarms (bench/nlu_probe_trained_head.py)
    danger_c: float = 1.0
    # Use situations.jsonl rows as intent examples too (their first situation is the intent).
    situation_rows_as_intents: bool = True


@dataclass
class EmbeddedModel:
    vectorizer: Vectorizer
    intent: LinearHead
    danger: LinearHead
    situations: LinearHead
    data_hash: str = ""
    train_seconds: float = 0.0
    config: TrainConfig = field(default_factory=TrainConfig)

    def features(self, folded: str) -> tuple[np.ndarray, np.ndarray]:
        """Features of folded text; the last few are kept, since the intent, danger and
        situation heads usually ask about the same text in a row.  The sync ``danger()``
        on the event loop and the NLU worker thread may both ask: the cache has a lock."""
        cache: dict[str, tuple[np.ndarray, np.ndarray]] = self.__dict__.setdefault("_cache", {})
        lock = self.__dict__.setdefault("_cache_lock", threading.Lock())
        with lock:
            hit = cache.get(folded)
        if hit is None:
            hit = self.vectorizer.transform(folded)
            with lock:
                if len(cache) >= 8:
                    cache.pop(next(iter(cache)))
                cache[folded] = hit
        return hit

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_cache", None)
        state.pop("_cache_lock", None)
        return state

    def danger_probability(self, folded: str) -> float:
        idx, vals = self.features(folded)
        return float(self.danger.probabilities(idx, vals)[0])


def _text_for_model(text: str) -> str:
    return normalize(text).folded


def _intent_rows(data: TrainingData, config: TrainConfig) -> tuple[list[str], list[str]]:
    texts = [_text_for_model(e.text) for e in data.intent_examples]
    labels = [e.intent for e in data.intent_examples]
    if config.situation_rows_as_intents:
        for e in data.situation_examples:
            if e.situations:
                texts.append(_text_for_model(e.text))
                labels.append(e.situations[0])
    return texts, labels


def _situation_rows(data: TrainingData) -> tuple[list[str], list[list[str]]]:
    texts: list[str] = []
    targets: list[list[str]] = []
    for e in data.intent_examples:
        if e.intent == "crisis":
            continue  # crisis lines often also name a situation that is not labelled
        texts.append(_text_for_model(e.text))
        targets.append([e.intent] if e.intent in SITUATIONS else [])
    for e in data.situation_examples:
        texts.append(_text_for_model(e.text))
        targets.append([s for s in e.situations if s in SITUATIONS])
    return texts, targets


def _fit_multiclass(
    x: sparse.csr_matrix, labels: list[str], config: TrainConfig
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(labels, coef, intercept) of the intent head."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if config.intent_algorithm == "logreg":
        clf = LogisticRegression(
            C=config.intent_c, solver="saga", max_iter=300, class_weight="balanced"
        )
        clf.fit(x, labels)
        coef, intercept = clf.coef_.T, clf.intercept_
    else:
        clf = LinearSVC(C=config.intent_c, class_weight="balanced")
        clf.fit(x, labels)
        # Margins, not probabilities: scaled so the softmax gives usable confidences.
        coef, intercept = clf.coef_.T * MARGIN_SCALE, clf.intercept_ * MARGIN_SCALE
    return [str(c) for c in clf.classes_], np.ascontiguousarray(coef), np.asarray(intercept)


def _fit_binary(x: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """A linear SVM whose scaled margin goes through a sigmoid (0 margin = 0.5)."""
    from sklearn.svm import LinearSVC

    clf = LinearSVC(C=c, class_weight="balanced")
    clf.fit(x, y)
    return clf.coef_[0] * MARGIN_SCALE, float(clf.intercept_[0]) * MARGIN_SCALE


def train(
    data: TrainingData,
    config: TrainConfig | None = None,
    danger_lexicon_dir: Path = DANGER_DIR,
    danger_rows: Sequence[tuple[str, bool]] = (),
) -> EmbeddedModel:
    """Fit the vectorizer and the three heads.  ``danger_rows``: (text, is danger) that the
    danger head alone learns from besides the intent rows (``nlu.data.danger_head_rows``); the
    vocabulary stays that of the training rows, so the intent and situation heads do not move."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    config = config or TrainConfig()
    started = time.perf_counter()
    intent_texts, intent_labels = _intent_rows(data, config)
    situation_texts, situation_targets = _situation_rows(data)

    tfidf = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, lowercase=False)
    tfidf.fit(intent_texts + situation_texts)
    vectorizer = Vectorizer(
        vocabulary={str(k): int(v) for k, v in tfidf.vocabulary_.items()},
        idf=np.asarray(tfidf.idf_, dtype=np.float64),
    )

    x_intent = tfidf.transform(intent_texts)
    intent_head = LinearHead(*_fit_multiclass(x_intent, intent_labels, config))

    # The danger head is only ever asked about idiom-masked text (DangerDetector.masked_text),
    # so it learns from the same: 死ぬほど疲れた is a negative example of " 疲れた".
    lexicon = DangerLexicon.load(danger_lexicon_dir)
    danger_texts = intent_texts + [_text_for_model(text) for text, _ in danger_rows]
    masked_texts = [lexicon.mask_idioms(t).replace(MASK, " ") for t in danger_texts]
    is_crisis = np.array(
        [label == "crisis" for label in intent_labels] + [danger for _, danger in danger_rows],
        dtype=int,
    )
    coef, intercept = _fit_binary(tfidf.transform(masked_texts), is_crisis, config.danger_c)
    danger_head = LinearHead(["crisis"], coef[:, None], np.array([intercept]), multilabel=True)

    x_sit = tfidf.transform(situation_texts)
    sit_coef = np.zeros((x_sit.shape[1], len(SITUATIONS)))
    sit_intercept = np.full(len(SITUATIONS), -10.0)
    for j, situation in enumerate(SITUATIONS):
        y = np.array([situation in t for t in situation_targets], dtype=int)
        if y.min() == y.max():
            continue  # no examples of this situation yet: it never fires
        sit_coef[:, j], sit_intercept[j] = _fit_binary(x_sit, y, config.situation_c)
    situation_head = LinearHead(list(SITUATIONS), sit_coef, sit_intercept, multilabel=True)

    return EmbeddedModel(
        vectorizer=vectorizer,
        intent=intent_head,
        danger=danger_head,
        situations=situation_head,
        train_seconds=time.perf_counter() - started,
        config=config,
    )


def current_data_hash(
    data_dir: Path = NLU_DATA_DIR, danger_rows: Sequence[tuple[str, bool]] | None = None
) -> str:
    """``danger_rows``: ``danger_head_rows(data_dir)`` when the caller already read them."""
    # The lexicon's idioms shape the danger head's training text, so they are part of the key;
    # so are the probe lines it learns from (not the whole probe files: a batch appended for
    # its first run must not retrain the model).
    files = [*nlu_files(data_dir), *danger_files(data_dir)]
    if danger_rows is None:
        danger_rows = danger_head_rows(data_dir)
    rows = hashlib.sha256(json.dumps(list(danger_rows), ensure_ascii=False).encode())
    return data_hash(files, extra=f"recipe={RECIPE_VERSION};danger_rows={rows.hexdigest()}")


def model_path(digest: str, model_dir: Path = MODEL_DIR) -> Path:
    return model_dir / f"embedded-{digest}.pkl"


def load_or_train(
    data_dir: Path = NLU_DATA_DIR, model_dir: Path = MODEL_DIR, *, force: bool = False
) -> EmbeddedModel:
    """The cached model for the current data, training (and caching) it when missing."""
    danger_rows = danger_head_rows(data_dir)  # read once: for the key and, on a miss, training
    digest = current_data_hash(data_dir, danger_rows)
    path = model_path(digest, model_dir)
    if path.exists() and not force:
        try:
            with path.open("rb") as fh:
                model = pickle.load(fh)
            if isinstance(model, EmbeddedModel) and model.data_hash == digest:
                return model
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # a stale or broken cache is retrained below
    model = train(
        load_training_data(data_dir),
        danger_lexicon_dir=data_dir / DANGER_DIR_NAME,
        danger_rows=danger_rows,
    )
    model.data_hash = digest
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in model_dir.glob("embedded-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout still works, it just trains at each start
    return model


__all__ = [
    "DANGER_DIR",
    "EmbeddedModel",
    "TrainConfig",
    "load_or_train",
    "train",
]
