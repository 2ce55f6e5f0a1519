"""Would training on the labelled intent probe lines help on probe batches the model has not seen?

    .venv/bin/python bench/nlu_intent_probe_trained.py [--first 1] [--no-prior]
        [--history-from 10] [--only-history]

For each batch B of data/nlu_dev/intent_probe.jsonl it scores B, as bench/nlu_intent_cv.py
``--batch B`` does (the composed intent of nlu.evaluate.run_embedded, so a crisis line is right
when the danger layer or the intent head says crisis), with three models trained by the
unchanged recipe (nlu.model.train):

    a  data/nlu only (today's model; the same for every batch)
    b  data/nlu + every OTHER probe batch, each line an intent example with its ``intent`` label
    c  data/nlu + only the batches numbered below B (a stricter replay: what the model would
       have known when B was written); not for the first batch

Columns: accuracy overall, on ja, ja-easy and the other languages (oth), then crisis lines
caught (understanding.crisis) / crisis lines, and false crisis alarms on the other lines.
The probe lines stay in memory: nothing is written to data/.  Nothing under data/nlu_heldout
is read.  ``--history-from N`` adds, for batches N and later,

    h  data/nlu as it was in the commit that added batch B (what B's first run saw; the
       current recipe and danger lexicon), so B's misses have not been fixed by hand yet
    hc h + the batches numbered below B

because data/nlu rounds were written after each batch's first run for the families it missed,
so ``a`` on an old batch is no longer an unseen-data figure (B15: h 0.912 / ja 0.891 is the
first run its commit message reports; a is 0.938 after round 18).

Printed on 2026-12-03 (main 7fcc3f4, 1454 probe lines), shared 2-core machine, ~28 s a model:

    .venv/bin/python bench/nlu_intent_probe_trained.py                  # 869 s wall

(printed by this script before h/hc were added: same a/b/c figures; the summary lines have
since been relabelled and widened, not recomputed)

    1454 probe lines in 15 batches (2 texts in more than one batch); base: 6759 intent + 274 situation rows
                      all     ja ja-easy    oth crisis fa
    B1  n=203 a     0.995  0.988  1.000  1.000 19/19  1
    B1  n=203 b     0.990  0.988  0.960  1.000 19/19  1
    B2  n=60  a     0.950  0.875  1.000  1.000  7/7   0
    B2  n=60  b     0.950  0.875  1.000  1.000  7/7   0
    B2  n=60  c     0.950  0.875  1.000  1.000  7/7   0
    B3  n=100 a     0.990  1.000  0.950  1.000  9/9   0
    B3  n=100 b     0.990  1.000  0.950  1.000  9/9   0
    B3  n=100 c     0.990  1.000  0.950  1.000  9/9   0
    B4  n=102 a     0.990  0.987  1.000    --   0/0   0
    B4  n=102 b     0.990  0.987  1.000    --   0/0   0
    B4  n=102 c     0.990  0.987  1.000    --   0/0   0
    B5  n=105 a     0.981  0.975  1.000    --   5/5   0
    B5  n=105 b     1.000  1.000  1.000    --   5/5   0
    B5  n=105 c     0.990  0.988  1.000    --   5/5   0
    B6  n=96  a     1.000    --     --   1.000  6/6   0
    B6  n=96  b     1.000    --     --   1.000  6/6   0
    B6  n=96  c     1.000    --     --   1.000  6/6   0
    B7  n=100 a     0.930  0.920  0.960    --   6/6   0
    B7  n=100 b     0.940  0.933  0.960    --   6/6   0
    B7  n=100 c     0.930  0.920  0.960    --   6/6   0
    B8  n=96  a     0.896    --     --   0.896  6/6   0
    B8  n=96  b     0.917    --     --   0.917  6/6   0
    B8  n=96  c     0.906    --     --   0.906  6/6   0
    B9  n=96  a     1.000  1.000  1.000  1.000  8/8   0
    B9  n=96  b     1.000  1.000  1.000  1.000  8/8   0
    B9  n=96  c     1.000  1.000  1.000  1.000  8/8   0
    B10 n=80  a     0.963  0.963    --     --   0/0   0
    B10 n=80  b     0.950  0.950    --     --   0/0   0
    B10 n=80  c     0.950  0.950    --     --   0/0   0
    B11 n=96  a     0.990    --     --   0.990  0/0   0
    B11 n=96  b     0.990    --     --   0.990  0/0   0
    B11 n=96  c     0.990    --     --   0.990  0/0   0
    B12 n=80  a     1.000  1.000  1.000    --   0/0   0
    B12 n=80  b     1.000  1.000  1.000    --   0/0   0
    B12 n=80  c     1.000  1.000  1.000    --   0/0   0
    B13 n=80  a     0.975  0.983  0.950    --   4/4   0
    B13 n=80  b     1.000  1.000  1.000    --   4/4   0
    B13 n=80  c     1.000  1.000  1.000    --   4/4   0
    B14 n=80  a     0.950  0.950    --     --   6/6   2
    B14 n=80  b     0.950  0.950    --     --   6/6   2
    B14 n=80  c     0.950  0.950    --     --   6/6   2
    B15 n=80  a     0.938  0.922  1.000    --   5/5   1
    B15 n=80  b     0.938  0.922  1.000    --   5/5   1
    B15 n=80  c     0.938  0.922  1.000    --   5/5   1

    pooled lines (micro), and mean of per-batch accuracy (macro) with gain over a
                      all     ja ja-easy    oth crisis fa
    B1-15      a pool  0.972  0.963  0.986  0.980 81/81  4
    B1-15      a mean  0.970  0.964  0.986  0.984
    B1-15      b pool  0.976  0.967  0.986  0.983 81/81  4
    B1-15      b mean  0.974  0.967  0.987  0.987
    B1-15      b gain +0.004 +0.004 +0.001 +0.003  (better in 4, worse in 2 of 15 batches)
    B2-15      c pool  0.971  0.961  0.989  0.978 62/62  3
    B2-15      c mean  0.970  0.963  0.990  0.983
    B2-15      c gain +0.002 +0.002 +0.006 +0.002  (better in 3, worse in 1 of 14 batches)

    869 s wall

    .venv/bin/python bench/nlu_intent_probe_trained.py --first 10 --history-from 10 --only-history
                                                                        # 338 s wall

    1454 probe lines in 15 batches (2 texts in more than one batch); base: 6759 intent + 274 situation rows
                      all     ja ja-easy    oth crisis fa
    B10 n=80  a     0.963  0.963    --     --   0/0   0
    B10 n=80  h     0.900  0.900    --     --   0/0   0
    B10 n=80  hc    0.925  0.925    --     --   0/0   0
    B11 n=96  a     0.990    --     --   0.990  0/0   0
    B11 n=96  h     0.865    --     --   0.865  0/0   0
    B11 n=96  hc    0.917    --     --   0.917  0/0   0
    B12 n=80  a     1.000  1.000  1.000    --   0/0   0
    B12 n=80  h     0.950  1.000  0.900    --   0/0   0
    B12 n=80  hc    0.963  1.000  0.925    --   0/0   1
    B13 n=80  a     0.975  0.983  0.950    --   4/4   0
    B13 n=80  h     0.963  0.983  0.900    --   4/4   0
    B13 n=80  hc    0.988  0.983  1.000    --   4/4   0
    B14 n=80  a     0.950  0.950    --     --   6/6   2
    B14 n=80  h     0.900  0.900    --     --   6/6   2
    B14 n=80  hc    0.912  0.912    --     --   6/6   2
    B15 n=80  a     0.938  0.922  1.000    --   5/5   1
    B15 n=80  h     0.912  0.891  1.000    --   5/5   1
    B15 n=80  hc    0.938  0.922  1.000    --   5/5   1

    pooled lines (micro); mean of per-batch accuracy (macro); its gain over the reference
    (b, c over a; h over a; hc over h)
                      all     ja ja-easy    oth crisis fa
    B10-15   a  pool  0.970  0.960  0.987  0.990 15/15  3
    B10-15   a  mean  0.969  0.964  0.983  0.990
    B10-15   h  pool  0.913  0.926  0.921  0.865 15/15  3
    B10-15   h  mean  0.915  0.935  0.933  0.865
    B10-15   h  gain -0.054 -0.029 -0.050 -0.125  (over a: better in 0, worse in 6 of 6 batches)
    B10-15   hc pool  0.940  0.941  0.961  0.917 15/15  4
    B10-15   hc mean  0.940  0.949  0.975  0.917
    B10-15   hc gain +0.025 +0.014 +0.042 +0.052  (over h: better in 6, worse in 0 of 6 batches)

    338 s wall
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.contract import Understanding  # noqa: E402
from nlu.data import Example, TrainingData, jsonl_rows, load_training_data  # noqa: E402
from nlu.evaluate import Case, run_embedded  # noqa: E402
from nlu.evaluate_languages import language_tag  # noqa: E402
from nlu.model import train  # noqa: E402
from nlu.pipeline import Thresholds  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PROBE_FILE = REPO / "data" / "nlu_dev" / "intent_probe.jsonl"
PROBE_PATH = "data/nlu_dev/intent_probe.jsonl"
GROUPS = ("all", "ja", "ja-easy", "oth")
VARIANTS = ("a", "b", "c", "h", "hc")
REFERENCE = {"b": "a", "c": "a", "h": "a", "hc": "h"}


@dataclass
class Tally:
    ok: Counter[str] = field(default_factory=Counter)
    n: Counter[str] = field(default_factory=Counter)
    crisis_caught: int = 0
    crisis_n: int = 0
    false_alarms: int = 0

    def add(self, cases: list[Case], results: list[Understanding]) -> None:
        for case, got in zip(cases, results, strict=True):
            lang = case.language or "ja"
            group = lang if lang in ("ja", "ja-easy") else "oth"
            for key in ("all", group):
                self.n[key] += 1
                self.ok[key] += case.intent == got.intent
            if case.crisis:
                self.crisis_n += 1
                self.crisis_caught += got.crisis
            else:
                self.false_alarms += got.crisis

    def merge(self, other: Tally) -> None:
        self.ok.update(other.ok)
        self.n.update(other.n)
        self.crisis_caught += other.crisis_caught
        self.crisis_n += other.crisis_n
        self.false_alarms += other.false_alarms

    def acc(self, group: str) -> float | None:
        return self.ok[group] / self.n[group] if self.n[group] else None

    def cells(self) -> str:
        accs = [self.acc(g) for g in GROUPS]
        text = " ".join("   -- " if a is None else f"{a:6.3f}" for a in accs)
        return f"{text} {self.crisis_caught:2}/{self.crisis_n:<2} {self.false_alarms:2}"


def load_probe() -> dict[int, list[dict[str, object]]]:
    batches: dict[int, list[dict[str, object]]] = {}
    for row in jsonl_rows(PROBE_FILE):
        batches.setdefault(int(row["batch"]), []).append(row)
    return dict(sorted(batches.items()))


def to_case(row: dict[str, object]) -> Case:
    situations = row.get("situations") or ()
    assert isinstance(situations, (list, tuple))
    return Case(
        str(row["text"]),
        str(row["intent"]),
        tuple(str(s) for s in situations),
        bool(row.get("crisis")),
        language_tag(row),
    )


def to_example(row: dict[str, object]) -> Example:
    # ja-easy is Japanese for the training files (data/nlu/ja-easy/ is a folder of its own, but
    # Example.language is not used by the recipe).
    return Example(
        str(row["text"]),
        str(row["intent"]),
        source=PROBE_FILE.name,
        language=language_tag(row) or "ja",
    )


def with_rows(base: TrainingData, rows: list[dict[str, object]]) -> TrainingData:
    return TrainingData(
        intent_examples=base.intent_examples + [to_example(r) for r in rows],
        situation_examples=list(base.situation_examples),
    )


def score(data: TrainingData, cases: list[Case]) -> Tally:
    results, _ = run_embedded(train(data), cases, Thresholds())
    tally = Tally()
    tally.add(cases, results)
    return tally


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True).stdout


def batch_commits() -> dict[int, str]:
    """The commit that first holds each probe batch (its first run came right after)."""
    first: dict[int, str] = {}
    for commit in git("log", "--reverse", "--format=%H", "--", PROBE_PATH).decode().split():
        text = git("show", f"{commit}:{PROBE_PATH}").decode()
        for line in text.splitlines():
            if line.strip():
                first.setdefault(int(json.loads(line)["batch"]), commit)
    return first


def data_at(commit: str, into: Path) -> TrainingData:
    """data/nlu as it was at ``commit`` (only that folder is extracted)."""
    archive = into / "nlu.tar"
    archive.write_bytes(git("archive", commit, "data/nlu"))
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return load_training_data(into / "data" / "nlu")


def header() -> str:
    cols = " ".join(f"{g:>6}" for g in GROUPS)
    return f"{'':14} {cols} crisis fa"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first", type=int, default=1, help="first batch to score")
    parser.add_argument("--no-prior", action="store_true", help="skip variant c")
    parser.add_argument(
        "--history-from",
        type=int,
        default=0,
        help="from this batch on, also h (data/nlu as committed with B) and hc (h + batches < B)",
    )
    parser.add_argument("--only-history", action="store_true", help="skip a/b/c")
    args = parser.parse_args()
    started = time.perf_counter()
    base = load_training_data()
    batches = load_probe()
    texts: dict[str, set[int]] = {}
    for b, rows in batches.items():
        for r in rows:
            texts.setdefault(str(r["text"]).strip(), set()).add(b)
    repeats = sum(len(bs) > 1 for bs in texts.values())
    cases = {b: [to_case(r) for r in rows] for b, rows in batches.items()}
    scored = [b for b in batches if b >= args.first]

    # a: one model for every batch.
    all_cases = [c for b in scored for c in cases[b]]
    results, _ = run_embedded(train(base), all_cases, Thresholds())
    per: dict[tuple[str, int], Tally] = {}
    pos = 0
    for b in scored:
        per[("a", b)] = Tally()
        per[("a", b)].add(cases[b], results[pos : pos + len(cases[b])])
        pos += len(cases[b])

    print(
        f"{sum(len(r) for r in batches.values())} probe lines in {len(batches)} batches "
        f"({repeats} texts in more than one batch); base: {len(base.intent_examples)} intent + "
        f"{len(base.situation_examples)} situation rows"
    )
    print(header())
    commits = batch_commits() if args.history_from else {}
    for b in scored:
        prior = [r for o, rows in batches.items() if o < b for r in rows]
        if not args.only_history:
            others = [r for o, rows in batches.items() if o != b for r in rows]
            per[("b", b)] = score(with_rows(base, others), cases[b])
            if prior and not args.no_prior:
                per[("c", b)] = score(with_rows(base, prior), cases[b])
        if args.history_from and b >= args.history_from:
            with tempfile.TemporaryDirectory(prefix="intentreplay-") as tmp:
                then = data_at(commits[b], Path(tmp))
            per[("h", b)] = score(then, cases[b])
            per[("hc", b)] = score(with_rows(then, prior), cases[b])
        for v in VARIANTS:
            if (v, b) in per:
                label = f"B{b:<2} n={len(cases[b]):<3} {v:2}"
                print(f"{label:14} {per[(v, b)].cells()}")
        sys.stdout.flush()

    print("\npooled lines (micro); mean of per-batch accuracy (macro); its gain over the reference")
    print("(b, c over a; h over a; hc over h)")
    print(header())
    for v in VARIANTS:
        batches_v = [b for b in scored if (v, b) in per]
        if not batches_v:
            continue
        ref = REFERENCE.get(v)
        pooled = Tally()
        for b in batches_v:
            pooled.merge(per[(v, b)])
        span = f"B{batches_v[0]}-{batches_v[-1]}"
        print(f"{span:8} {v:2} pool {pooled.cells()}")
        means: list[str] = []
        gains: list[str] = []
        for g in GROUPS:
            ms = [m for b in batches_v if (m := per[(v, b)].acc(g)) is not None]
            means.append(f"{sum(ms) / len(ms):6.3f}" if ms else "   -- ")
            if ref:
                ds = [
                    m - was
                    for b in batches_v
                    if (m := per[(v, b)].acc(g)) is not None
                    and (was := per[(ref, b)].acc(g)) is not None
                ]
                gains.append(f"{sum(ds) / len(ds):+6.3f}" if ds else "   -- ")
        print(f"{span:8} {v:2} mean {' '.join(means)}")
        if ref:
            won = sum(per[(v, b)].ok["all"] > per[(ref, b)].ok["all"] for b in batches_v)
            lost = sum(per[(v, b)].ok["all"] < per[(ref, b)].ok["all"] for b in batches_v)
            print(
                f"{span:8} {v:2} gain {' '.join(gains)}  (over {ref}: better in {won}, "
                f"worse in {lost} of {len(batches_v)} batches)"
            )
    print(f"\n{time.perf_counter() - started:.0f} s wall")


if __name__ == "__main__":
    main()
