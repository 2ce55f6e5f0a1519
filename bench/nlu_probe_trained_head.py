"""Would a danger head trained on the probe batches written BEFORE a commit have caught more of
the batches written AFTER it, at their first run?  A replay of history, not a tuning run.

    .venv/bin/python bench/nlu_probe_trained_head.py [--quick]

For each snapshot commit C of the honest-estimates table (nlu/README.md), the batches first run
on C are the targets.  From C itself (``git archive``) come the lexicons, the cue rules and the
training data; ``data/nlu_dev/danger_probe.jsonl`` as committed at C, minus the targets, is
what a probe-trained head may learn from.  Two danger heads are fitted with the repo's recipe
(TF-IDF over ``nlu.features.analyze``, idiom-masked text, LinearSVC, C=0.5, sigmoid(4 x margin)):

- ``shipped``: the head C shipped (training rows only, C=0.5);
- ``+probes``: ``nlu.model.train`` as it is now: the same rows plus every earlier line of the
  danger probe and every line of the intent probe as of C (danger or not), C=1.0, the
  vocabulary still that of the training rows.

Each head goes into today's ``DangerDetector`` with C's lexicons and cue rules at the
production thresholds (0.5; 0.7 after a masked idiom; 0.35 with an alarm word), and is also
read at two stricter thresholds.  Printed per target batch: danger lines caught, false alarms
on its non-danger lines, and false alarms on every non-crisis line of ``data/nlu_dev/dev.jsonl``
and ``multilingual.jsonl`` (never trained on by either head).  The intent head's crisis
probability, a second weak signal in the pipeline, is left out of both sides.
Never reads data/nlu_heldout.  About 25 minutes on the 2 shared cores.

Printed 2026-12-03 (13 target batches, 467 danger lines, 672 not; dev alarms summed over the
six snapshots, 738 dev lines each)::

    shipped   0.5  caught 337/467 = 0.722   alarms 113/672 = 0.168   dev alarms 18/4428 = 0.004
    +probes   0.5  caught 442/467 = 0.946   alarms 187/672 = 0.278   dev alarms 131/4428 = 0.030
    +probes   0.6  caught 435/467 = 0.931   alarms 169/672 = 0.251   dev alarms 83/4428 = 0.019
    +probes   0.7  caught 427/467 = 0.914   alarms 145/672 = 0.216   dev alarms 63/4428 = 0.014

The ``shipped`` rows reproduce the first runs of nlu/README.md's honest-estimates table exactly
(65: 25/36, 68: 15/37, 79: 22/35 ...).  Shipped: the ``+probes`` head at 0.6 (0.75 after a masked
idiom, 0.45 with an alarm word).  Measured on the f8d9a94 snapshot and not kept: the old C=0.5
with the vocabulary fitted on the probe lines too (0.965 caught, 28 dev alarms at 0.5; 0.958
and 16 at 0.6); C=2 (0.932, 13 at 0.6, pooled 0.940 / 13.2 per snapshot); probe danger lines
weighted down per language so each language's classes balance (0.5: 135/143, dev 19; 0.6:
131/143, dev 12: the threshold's own trade); the learnt head heard only when a word of an
alarm concept is present (110/143, dev 4: the lines it adds mostly carry no alarm word).
The dev alarms are long, calm family narratives (a withdrawn nephew, a father after surgery and
a toddler) in vi, tl, ne, ko, en, zh and kana-only Japanese: the price of the recall.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.danger import DangerDetector, DangerLexicon  # noqa: E402
from nlu.danger_cues import DangerCues  # noqa: E402
from nlu.data import jsonl_rows, load_training_data  # noqa: E402
from nlu.model import EmbeddedModel, TrainConfig, train  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PROBE = "data/nlu_dev/danger_probe.jsonl"
INTENT_PROBE = "data/nlu_dev/intent_probe.jsonl"
DEV_FILES = ["data/nlu_dev/dev.jsonl", "data/nlu_dev/multilingual.jsonl"]
# (commit the batches were first run on, the batches) from nlu/README.md "Honest estimates".
SNAPSHOTS: list[tuple[str, list[int]]] = [
    ("383825c", [65, 66, 67, 68]),
    ("82c7f46", [70]),
    ("1c14efe", [71, 72]),
    ("5f71171", [78]),
    ("264cb86", [77]),
    ("f8d9a94", [79, 80, 81, 82]),
]
# (threshold, after a masked idiom, with an alarm word): production first, then stricter.
THRESHOLDS = [(0.5, 0.7, 0.35), (0.6, 0.75, 0.45), (0.7, 0.8, 0.55)]


@dataclass
class Row:
    text: str
    crisis: bool
    batch: int


def _git_tree(commit: str, dest: Path) -> Path:
    raw = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "data/nlu", PROBE, INTENT_PROBE],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _rows(path: Path) -> list[Row]:
    return [Row(r["text"], bool(r["crisis"]), int(r.get("batch", 0))) for r in jsonl_rows(path)]


def _dev_negatives() -> list[str]:
    return [r["text"] for name in DEV_FILES for r in jsonl_rows(REPO / name) if not r.get("crisis")]


def _detector(
    lexicon: DangerLexicon, cues: DangerCues, model: EmbeddedModel, thr: tuple[float, float, float]
) -> DangerDetector:
    """Today's detector around ``model``'s danger head at the thresholds ``thr``."""
    return DangerDetector(
        lexicon,
        model.danger_probability,
        threshold=thr[0],
        threshold_after_idiom=thr[1],
        cues=cues,
        threshold_with_cue=thr[2],
    )


def _calm(batch: int) -> None:
    """Danger caught and false alarms on one intent-probe batch (long, calm messages written
    blind) for the head before the probes were learnt and for heads learning the intent probe
    up to ``batch - 1`` and up to ``batch - 2``: a first run when ``batch`` is above the cut-off
    of data/nlu/danger_head.yml."""
    lexicon, cues, data = DangerLexicon.load(), DangerCues.load(), load_training_data()
    danger = [(r.text, r.crisis) for r in _rows(REPO / PROBE) if r.batch <= 82]
    ordinary = _rows(REPO / INTENT_PROBE)
    target = [r for r in ordinary if r.batch == batch]
    dev_neg = _dev_negatives()
    heads = [("before the probes (0.5)", train(data, TrainConfig(danger_c=0.5)), THRESHOLDS[0])]
    for through in (batch - 2, batch - 1):
        learnt = danger + [(r.text, r.crisis) for r in ordinary if r.batch <= through]
        heads.append((f"intent probe <= {through}", train(data, danger_rows=learnt), THRESHOLDS[1]))
    for name, model, thr in heads:
        detector = _detector(lexicon, cues, model, thr)
        caught = sum(detector.check(r.text).danger for r in target if r.crisis)
        alarms = sum(detector.check(r.text).danger for r in target if not r.crisis)
        dev = sum(detector.check(t).danger for t in dev_neg)
        n = sum(r.crisis for r in target)
        print(
            f"{name:24} batch {batch}: caught {caught}/{n}  alarms {alarms}/{len(target) - n}"
            f"  dev alarms {dev}/{len(dev_neg)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the last snapshot only")
    parser.add_argument(
        "--intent-probe-now",
        action="store_true",
        help="learn from today's intent probe (ordinary messages, written later) at every snapshot",
    )
    parser.add_argument("--calm", type=int, help="only: this intent-probe batch, see _calm")
    args = parser.parse_args()
    if args.calm is not None:
        _calm(args.calm)
        return
    snapshots = SNAPSHOTS[-1:] if args.quick else SNAPSHOTS
    current = _rows(REPO / PROBE)
    dev_neg = _dev_negatives()
    # (head, threshold) -> caught, danger lines, alarms, other lines, dev alarms, dev lines
    totals: dict[tuple[str, float], list[int]] = {}
    print(f"dev non-crisis lines: {len(dev_neg)}")
    for commit, targets in snapshots:
        with tempfile.TemporaryDirectory() as tmp:
            root = _git_tree(commit, Path(tmp))
            data_dir = root / "data" / "nlu"
            lexicon = DangerLexicon.load(data_dir / "danger")
            cues = DangerCues.load(data_dir / "danger_cues.yml")
            earlier = [r for r in _rows(root / PROBE) if r.batch not in targets]
            ordinary = _rows((REPO if args.intent_probe_now else root) / INTENT_PROBE)
            learnt = [(r.text, r.crisis) for r in earlier + ordinary]
            data = load_training_data(data_dir)
            heads: dict[str, EmbeddedModel] = {
                "shipped": train(data, TrainConfig(danger_c=0.5), data_dir / "danger"),
                "+probes": train(data, danger_lexicon_dir=data_dir / "danger", danger_rows=learnt),
            }
        print(
            f"\n{commit}: learns from {len(earlier)} earlier danger-probe lines "
            f"({sum(r.crisis for r in earlier)} danger) and {len(learnt) - len(earlier)} "
            f"intent-probe lines; targets {targets}"
        )
        print(f"{'batch':>5} {'head':8} {'thr':>4} {'caught':>9} {'alarms':>8} {'dev alarms':>10}")
        for name, model in heads.items():
            for thr in THRESHOLDS if name != "shipped" else THRESHOLDS[:1]:
                detector = _detector(lexicon, cues, model, thr)
                dev_fa = sum(detector.check(t).danger for t in dev_neg)
                t = totals.setdefault((name, thr[0]), [0, 0, 0, 0, 0, 0])
                t[4] += dev_fa
                t[5] += len(dev_neg)
                for batch in targets:
                    rows = [r for r in current if r.batch == batch]
                    pos = [r for r in rows if r.crisis]
                    neg = [r for r in rows if not r.crisis]
                    caught = sum(detector.check(r.text).danger for r in pos)
                    fa = sum(detector.check(r.text).danger for r in neg)
                    t[0] += caught
                    t[1] += len(pos)
                    t[2] += fa
                    t[3] += len(neg)
                    print(
                        f"{batch:5} {name:8} {thr[0]:4} {caught:4}/{len(pos):<4} "
                        f"{fa:3}/{len(neg):<4} {dev_fa:5}/{len(dev_neg)}"
                    )
    print("\nall target batches, first runs replayed")
    for (name, thr), (c, n, fa, nn, d, dn) in totals.items():
        print(
            f"{name:8} {thr:4}  caught {c}/{n} = {c / max(n, 1):.3f}   "
            f"alarms {fa}/{nn} = {fa / max(nn, 1):.3f}   dev alarms {d}/{dn} = {d / max(dn, 1):.3f}"
        )


if __name__ == "__main__":
    main()
