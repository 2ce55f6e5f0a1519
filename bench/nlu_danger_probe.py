"""Catch rate of fresh danger probes: what the system of the moment catches of lines written
after it (``data/nlu_dev/danger_probe.jsonl``; each batch committed before anything is fixed
for it, so the first run on a batch is the honest estimate).  Since 2026-12-03 the danger
model also learns from the batches already run (data/nlu/danger_head.yml, through_batch): a
batch numbered above the cut-off is still a first run; the ones below it are training lines.

    .venv/bin/python bench/nlu_danger_probe.py [--batch N] [--misses] [--no-cues]

Prints per language: danger lines caught by the lexicons alone and by ``danger()`` (lexicons,
cue combinations and the classifier), and false alarms on the lines that are not danger.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.normalize import normalize  # noqa: E402
from nlu.pipeline import build_embedded_understander_sync  # noqa: E402

PROBE_FILE = Path(__file__).resolve().parent.parent / "data" / "nlu_dev" / "danger_probe.jsonl"
LANGUAGES = ["ja", "ja-easy", "en", "zh", "ko", "vi", "ne", "tl"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--no-cues", action="store_true", help="lexicons and classifier only")
    args = parser.parse_args()
    rows = [
        json.loads(line) for line in PROBE_FILE.read_text(encoding="utf-8").splitlines() if line
    ]
    if args.batch is not None:
        rows = [r for r in rows if r.get("batch") == args.batch]
    understander = build_embedded_understander_sync()
    if args.no_cues:
        understander.detector.cues = None
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # n, lex, all, neg, fa
    for row in rows:
        c = counts[row["language"]]
        verdict = understander.danger(row["text"], detail=True)
        if row["crisis"]:
            lexicon = bool(understander.detector.lexicon.match(normalize(row["text"])))
            c[0] += 1
            c[1] += lexicon
            c[2] += verdict.danger
            if args.misses and not verdict.danger:
                print(f"MISS {row['language']}: {row['text']}  ({verdict.classifier_score:.2f})")
        else:
            c[3] += 1
            c[4] += verdict.danger
            if args.misses and verdict.danger:
                print(f"FALSE ALARM {row['language']}: {row['text']}  {verdict.kinds}")
    print(f"{'language':10} {'danger':>6} {'lexicons':>9} {'danger()':>9} {'not':>4} {'alarms':>7}")
    total = [0, 0, 0, 0, 0]
    for language in LANGUAGES + sorted(set(counts) - set(LANGUAGES)):
        if language not in counts:
            continue
        c = counts[language]
        total = [a + b for a, b in zip(total, c, strict=True)]
        print(f"{language:10} {c[0]:6} {c[1]:6}/{c[0]:<2} {c[2]:6}/{c[0]:<2} {c[3]:4} {c[4]:7}")
    n = max(total[0], 1)
    print(
        f"{'overall':10} {total[0]:6} {total[1] / n:9.3f} {total[2] / n:9.3f} "
        f"{total[3]:4} {total[4]:7}"
    )


if __name__ == "__main__":
    main()
