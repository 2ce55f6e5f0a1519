"""Intent accuracy under cross-validation, per language, content intents apart from the short
flow-control replies; and how a fresh dev probe scores (the honest estimate is its first run).

    .venv/bin/python bench/nlu_intent_cv.py [--seeds 13,29] [--c 2.0] [--confusions 20]
    .venv/bin/python bench/nlu_intent_cv.py --probe intent-4 [--misses]
    .venv/bin/python bench/nlu_intent_cv.py --batch 1 [--misses]   # data/nlu_dev/intent_probe.jsonl

``python -m nlu evaluate --cv`` pools every intent; the control replies (はい, 네, hoina ...)
are one or two words each and, in a fold, mostly unseen, so they move the pooled figure
whenever lines are added.  Feature choices in nlu/features.py were made on the ``content``
column.  ``--probe`` trains on all of data/nlu and scores the data/nlu_dev lines whose
``probe`` field is the given name (written before the change they check).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.data import REPO_ROOT, load_training_data  # noqa: E402
from nlu.evaluate import Case, run_embedded  # noqa: E402
from nlu.evaluate_cv import cv_folds  # noqa: E402
from nlu.evaluate_languages import language_tag  # noqa: E402
from nlu.model import TrainConfig, train  # noqa: E402
from nlu.pipeline import Thresholds  # noqa: E402

CONTROL = {"affirm", "deny", "stop", "restart", "back", "delete_data"}
LANGUAGES = ["ja", "ja-easy", "en", "zh", "ko", "vi", "ne", "tl"]
DEV_FILES = [REPO_ROOT / "data" / "nlu_dev" / n for n in ("dev.jsonl", "multilingual.jsonl")]
# Intent probes written in batches, each committed before the training change it checks.
PROBE_FILE = REPO_ROOT / "data" / "nlu_dev" / "intent_probe.jsonl"


def tally(cases: list[Case], intents: list[str]) -> tuple[Counter[tuple[str, str]], ...]:
    ok: Counter[tuple[str, str]] = Counter()
    n: Counter[tuple[str, str]] = Counter()
    confused: Counter[tuple[str, str]] = Counter()
    for case, got in zip(cases, intents, strict=True):
        if case.intent is None:
            continue
        key = (case.language or "ja", "control" if case.intent in CONTROL else "content")
        n[key] += 1
        ok[key] += case.intent == got
        if case.intent != got:
            confused[(case.language or "ja", f"{case.intent} -> {got}")] += 1
    return ok, n, confused


def print_table(ok: Counter[tuple[str, str]], n: Counter[tuple[str, str]]) -> None:
    for kind in ("content", "control", None):
        keys = [
            (lang, k) for lang in LANGUAGES for k in ("content", "control") if k == kind or not kind
        ]
        total = sum(n[k] for k in keys)
        if not total:
            continue
        row = [
            f"{lang} {ok[(lang, kind)] / n[(lang, kind)]:.3f}"
            for lang in LANGUAGES
            if kind and n[(lang, kind)]
        ]
        label = kind or "all"
        print(f"{label:8} {sum(ok[k] for k in keys) / total:.4f} ({total})  " + "  ".join(row))


def cross_validation(seeds: list[int], c: float, confusions: int) -> None:
    data = load_training_data()
    for seed in seeds:
        started = time.process_time()
        cases: list[Case] = []
        intents: list[str] = []
        for train_part, fold_cases in cv_folds(data, 5, seed):
            results, _ = run_embedded(
                train(train_part, TrainConfig(intent_c=c)), fold_cases, Thresholds()
            )
            cases += fold_cases
            intents += [r.intent for r in results]
        ok, n, confused = tally(cases, intents)
        print(f"--cv 5, seed {seed}, C={c} ({time.process_time() - started:.0f} s CPU)")
        print_table(ok, n)
        for (lang, pair), count in confused.most_common(confusions):
            print(f"  {count:3}  {lang:7} {pair}")


def probe(name: str, misses: bool, batch: int | None = None) -> None:
    """Score the dev lines of one probe: named ``name`` in the dev files, or ``batch`` of
    intent_probe.jsonl."""
    cases = []
    for path in [PROBE_FILE] if batch is not None else DEV_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if (row.get("batch") == batch) if batch is not None else row.get("probe") == name:
                situations = tuple(row.get("situations") or ())
                cases.append(
                    Case(
                        row["text"],
                        row["intent"],
                        situations,
                        bool(row.get("crisis")),
                        language_tag(row),
                    )
                )
    results, _ = run_embedded(train(load_training_data()), cases, Thresholds())
    ok, n, _ = tally(cases, [r.intent for r in results])
    print(f"probe {name}: {len(cases)} lines, trained on all of data/nlu")
    print_table(ok, n)
    if misses:
        for case, r in zip(cases, results, strict=True):
            if case.intent != r.intent:
                print(f"  {case.language or 'ja':7} {case.intent} -> {r.intent}  {case.text[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="13", help="comma-separated CV seeds")
    parser.add_argument("--c", type=float, default=TrainConfig().intent_c)
    parser.add_argument("--confusions", type=int, default=20)
    parser.add_argument("--probe", help="score the dev lines with this probe name instead")
    parser.add_argument("--batch", type=int, help="score this batch of intent_probe.jsonl")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    if args.batch is not None:
        probe(f"batch {args.batch}", args.misses, args.batch)
    elif args.probe:
        probe(args.probe, args.misses)
    else:
        cross_validation([int(s) for s in args.seeds.split(",")], args.c, args.confusions)


if __name__ == "__main__":
    main()
