"""The cue-gated danger threshold: what lowering the classifier's threshold costs and buys
when a word of an alarm concept is in the message (``pipeline.Thresholds.danger_model_with_cue``).

    .venv/bin/python bench/nlu_danger_threshold.py [--seeds 13 29] [--folds 5]

For each candidate threshold prints, on pooled cross-validation of data/nlu (each line scored
by a model not trained on it): danger recall, precision and false positives; and on the probe
file (data/nlu_dev/danger_probe.jsonl; not trained on when this was measured, the danger head
learns from its run batches since 2026-12-03, data/nlu/danger_head.yml): danger lines that the lexicons and
the classifier catch WITHOUT the cue rules (what the lower threshold adds on lines no rule was
written for) and false alarms on its lines that are not danger (with everything on).
Never reads data/nlu_heldout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.danger import DangerLexicon  # noqa: E402
from nlu.data import load_training_data  # noqa: E402
from nlu.embedded import EmbeddedClassifier  # noqa: E402
from nlu.evaluate_cv import cv_folds  # noqa: E402
from nlu.model import train  # noqa: E402
from nlu.normalize import normalize  # noqa: E402
from nlu.pipeline import Thresholds, Understander, build_embedded_understander_sync  # noqa: E402

PROBE_FILE = Path(__file__).resolve().parent.parent / "data" / "nlu_dev" / "danger_probe.jsonl"
CANDIDATES: list[float | None] = [None, 0.45, 0.40, 0.35, 0.30]


def _label(x: float | None) -> str:
    return "off (0.50)" if x is None else f"{x:.2f}"


def _verdicts(understander: Understander, texts: list[str], crisis: list[float]) -> list[bool]:
    return [
        understander.danger_verdict(normalize(t), p).danger
        for t, p in zip(texts, crisis, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[13])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    data = load_training_data()
    cv = {x: [0, 0, 0] for x in CANDIDATES}  # tp, fn, fp
    for seed in args.seeds:
        for train_part, cases in cv_folds(data, args.folds, seed):
            cases = [c for c in cases if c.intent is not None]
            model = train(train_part)
            classifier = EmbeddedClassifier(model)
            crisis = [dict(classifier.rank(c.text).ranking).get("crisis", 0.0) for c in cases]
            texts = [c.text for c in cases]
            for x in CANDIDATES:
                u = Understander(
                    classifier, model, DangerLexicon.load(), Thresholds(danger_model_with_cue=x)
                )
                for case, said in zip(cases, _verdicts(u, texts, crisis), strict=True):
                    cv[x][0] += case.crisis and said
                    cv[x][1] += case.crisis and not said
                    cv[x][2] += said and not case.crisis
    rows = [json.loads(line) for line in PROBE_FILE.read_text(encoding="utf-8").splitlines()]
    full = build_embedded_understander_sync()
    print(f"cross-validation: {args.folds} folds x seeds {args.seeds}; probes: {len(rows)} lines")
    print(
        f"{'threshold':11} {'cv recall':>9} {'cv prec':>8} {'cv fp':>6}"
        f" {'probe caught w/o rules':>23} {'probe false alarms':>19}"
    )
    for x in CANDIDATES:
        thresholds = Thresholds(danger_model_with_cue=x)
        detector = full.detector
        detector.threshold_with_cue = thresholds.danger_model_with_cue
        rules, detector.cues.rules = detector.cues.rules, []  # type: ignore[union-attr]
        danger = [r for r in rows if r["crisis"]]
        caught = sum(detector.check(r["text"]).danger for r in danger)
        detector.cues.rules = rules  # type: ignore[union-attr]
        calm = [r for r in rows if not r["crisis"]]
        alarms = sum(full.danger(r["text"]) for r in calm)
        tp, fn, fp = cv[x]
        print(
            f"{_label(x):11} {tp / max(tp + fn, 1):9.3f} {tp / max(tp + fp, 1):8.3f} {fp:6}"
            f" {caught:>15}/{len(danger):<7} {alarms:>12}/{len(calm)}"
        )


if __name__ == "__main__":
    main()
