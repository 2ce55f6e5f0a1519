"""``python -m nlu evaluate --cv K``: pooled stratified K-fold cross-validation (embedded).

Every example is predicted once per seed by a model not trained on it; the report is the mean
over seeds, and ends with the per-language table of the last seed.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from nlu.contract import SITUATIONS, Understanding
from nlu.data import NLU_DATA_DIR, Example, TrainingData, load_training_data
from nlu.evaluate import Case, Scores, report, run_embedded, score
from nlu.evaluate_languages import language_report
from nlu.model import TrainConfig, train
from nlu.pipeline import Thresholds


def cv_folds(data: TrainingData, k: int, seed: int) -> list[tuple[TrainingData, list[Case]]]:
    """K stratified folds (by intent, and by situation set for situations.jsonl rows)."""
    rng = random.Random(seed)
    fold_of: list[list[tuple[bool, Example]]] = [[] for _ in range(k)]
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for e in data.intent_examples:
        by_intent[e.intent].append(e)
    by_set: dict[tuple[str, ...], list[Example]] = defaultdict(list)
    for e in data.situation_examples:
        by_set[tuple(sorted(e.situations))].append(e)
    # Groups in a fixed order (intents by name, then situation sets), so a seed gives one split.
    ordered = [(False, by_intent[key]) for key in sorted(by_intent)]
    ordered += [(True, by_set[key]) for key in sorted(by_set)]
    offset = 0
    for is_situation_row, members in ordered:
        group = members[:]
        rng.shuffle(group)
        for i, e in enumerate(group):
            # A running offset spreads the remainders of small groups over all folds.
            fold_of[(i + offset) % k].append((is_situation_row, e))
        offset += len(group)
    folds = []
    for f in range(k):
        train_part = TrainingData()
        for g in range(k):
            if g == f:
                continue
            for is_situation_row, e in fold_of[g]:
                target = (
                    train_part.situation_examples
                    if is_situation_row
                    else train_part.intent_examples
                )
                target.append(e)
        cases = [
            Case(e.text, None, e.situations, False, e.language)
            if is_situation_row
            else Case(
                e.text,
                e.intent,
                (e.intent,) if e.intent in SITUATIONS else (),
                e.intent == "crisis",
                e.language,
            )
            for is_situation_row, e in fold_of[f]
        ]
        folds.append((train_part, cases))
    return folds


def cross_validate(
    k: int,
    seeds: Sequence[int] = (13, 29, 47),
    *,
    config: TrainConfig | None = None,
    thresholds: Thresholds | None = None,
    data_dir: Path = NLU_DATA_DIR,
) -> tuple[str, list[Scores]]:
    """One pooled ``Scores`` per seed (each example predicted by the model not trained on it),
    and a report of their mean."""
    thresholds = thresholds or Thresholds()
    data = load_training_data(data_dir)
    per_seed: list[Scores] = []
    last: tuple[list[Case], list[Understanding]] = ([], [])
    for seed in seeds:
        started = time.perf_counter()
        cases: list[Case] = []
        results: list[Understanding] = []
        for train_part, fold_cases in cv_folds(data, k, seed):
            model = train(train_part, config)
            fold_results, _ = run_embedded(model, fold_cases, thresholds)
            cases.extend(fold_cases)
            results.extend(fold_results)
        scores = score(f"seed {seed}", cases, results)
        scores.seconds = time.perf_counter() - started
        per_seed.append(scores)
        last = (cases, results)
    mean = mean_scores(per_seed)
    title = f"cross-validation: {k} stratified folds x seeds {list(seeds)}; mean in the last column"
    per_language = language_report(last[0], {f"seed {seeds[-1]}": last[1]})
    text = report([*per_seed, mean], "not in cross-validation", title, False, per_language)
    return text, per_seed


def mean_scores(columns: Sequence[Scores]) -> Scores:
    """Averages of the numeric metrics (the confusion is summed)."""
    n = len(columns)
    mean = Scores("mean")
    mean.n_intent = columns[0].n_intent
    for name in (
        "accuracy",
        "macro_f1",
        "danger_recall",
        "danger_precision",
        "multi_recall",
        "extra_situations",
        "seconds",
    ):
        setattr(mean, name, sum(getattr(c, name) for c in columns) / n)
    mean.multi_n = columns[0].multi_n
    tp, fn, fp = (sum(c.danger_counts[i] for c in columns) for i in range(3))
    mean.danger_counts = (tp, fn, fp)
    labels = sorted({k for c in columns for k in c.per_intent_f1})
    mean.per_intent_f1 = {
        label: sum(c.per_intent_f1.get(label, 0.0) for c in columns) / n for label in labels
    }
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for c in columns:
        for true, row in c.confusion.items():
            confusion[true].update(row)
    mean.confusion = confusion
    return mean
