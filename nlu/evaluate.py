"""``python -m nlu evaluate``: both backends side by side on a split or on the held-out set.

Split mode trains on a stratified 75 % of ``data/nlu`` (seed 13) and scores the rest;
``--cv K`` pools K stratified folds over several seeds (every example scored once per seed);
``--dev`` trains on all of ``data/nlu`` and scores ``data/nlu_dev/dev.jsonl`` and
``multilingual.jsonl`` (our own tuning sets, never trained on); ``--heldout`` trains on all of
``data/nlu`` and scores ``data/nlu_heldout/heldout.jsonl`` and ``multilingual.jsonl``, which
are written independently and must never be used to tune anything.  Every mode ends with a
per-language table (nlu/evaluate_languages.py).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlu.contract import SITUATIONS, IntentRanking, Understanding
from nlu.danger import DangerLexicon
from nlu.data import (
    DEV_FILE,
    DEV_LANGUAGE_FILE,
    DEV_MULTILINGUAL_FILE,
    HELDOUT_FILE,
    HELDOUT_LANGUAGE_FILE,
    HELDOUT_MULTILINGUAL_FILE,
    NLU_DATA_DIR,
    REPO_ROOT,
    Example,
    TrainingData,
    danger_head_rows,
    jsonl_rows,
    load_training_data,
)
from nlu.embedded import EmbeddedClassifier
from nlu.evaluate_languages import (
    LanguageCase,
    language_id_cases,
    language_report,
    language_tag,
)
from nlu.model import EmbeddedModel, TrainConfig, train
from nlu.normalize import normalize
from nlu.pipeline import Thresholds, Understander

SEED = 13
TEST_FRACTION = 0.25


@dataclass(frozen=True)
class Case:
    text: str
    intent: str | None  # None: only situations are known (situations.jsonl rows)
    situations: tuple[str, ...]
    crisis: bool
    # The language tag (ja, ja-easy, en, ...) when the source names it; None otherwise.
    language: str | None = None


@dataclass
class Scores:
    backend: str
    n_intent: int = 0
    accuracy: float = 0.0
    macro_f1: float = 0.0
    per_intent_f1: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, Counter[str]] = field(default_factory=dict)
    danger_recall: float = 0.0
    danger_precision: float = 0.0
    danger_counts: tuple[int, int, int] = (0, 0, 0)  # tp, fn, fp
    multi_recall: float = 0.0
    multi_n: int = 0
    extra_situations: float = 0.0  # wrong situations returned per message
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def split_data(data: TrainingData, seed: int = SEED) -> tuple[TrainingData, list[Case]]:
    """Stratified by intent (and by situation set for situations.jsonl rows)."""
    rng = random.Random(seed)
    train_part = TrainingData()
    cases: list[Case] = []
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for e in data.intent_examples:
        by_intent[e.intent].append(e)
    for intent in sorted(by_intent):
        group = by_intent[intent][:]
        rng.shuffle(group)
        n_test = max(1, round(len(group) * TEST_FRACTION)) if len(group) > 3 else 0
        for e in group[:n_test]:
            situations = (intent,) if intent in SITUATIONS else ()
            cases.append(Case(e.text, intent, situations, intent == "crisis", e.language))
        train_part.intent_examples.extend(group[n_test:])
    by_set: dict[tuple[str, ...], list[Example]] = defaultdict(list)
    for e in data.situation_examples:
        by_set[tuple(sorted(e.situations))].append(e)
    for key in sorted(by_set):
        group = by_set[key][:]
        rng.shuffle(group)
        n_test = round(len(group) * TEST_FRACTION) if len(group) > 1 else 0
        for e in group[:n_test]:
            cases.append(Case(e.text, None, e.situations, False, e.language))
        train_part.situation_examples.extend(group[n_test:])
    return train_part, cases


def heldout_cases(path: Path = HELDOUT_FILE) -> list[Case]:
    cases = []
    for row in jsonl_rows(path):
        cases.append(
            Case(
                str(row["text"]),
                str(row["intent"]),
                tuple(row.get("situations") or ()),
                bool(row.get("crisis")),
                language_tag(row),
            )
        )
    return cases


def score(backend: str, cases: Sequence[Case], results: Sequence[Understanding]) -> Scores:
    s = Scores(backend)
    pairs = [(c.intent, r.intent) for c, r in zip(cases, results, strict=True) if c.intent]
    s.n_intent = len(pairs)
    if pairs:
        s.accuracy = sum(t == p for t, p in pairs) / len(pairs)
        labels = sorted({t for t, _ in pairs})
        for label in labels:
            tp = sum(t == label and p == label for t, p in pairs)
            fp = sum(t != label and p == label for t, p in pairs)
            fn = sum(t == label and p != label for t, p in pairs)
            s.per_intent_f1[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        s.macro_f1 = sum(s.per_intent_f1.values()) / len(labels)
        s.confusion = defaultdict(Counter)
        for t, p in pairs:
            s.confusion[t][p] += 1
    tp = sum(c.crisis and r.crisis for c, r in zip(cases, results, strict=True))
    fn = sum(c.crisis and not r.crisis for c, r in zip(cases, results, strict=True))
    fp = sum(r.crisis and not c.crisis for c, r in zip(cases, results, strict=True))
    s.danger_counts = (tp, fn, fp)
    s.danger_recall = tp / (tp + fn) if tp + fn else 1.0
    s.danger_precision = tp / (tp + fp) if tp + fp else 1.0
    multi = [(c, r) for c, r in zip(cases, results, strict=True) if len(c.situations) >= 2]
    s.multi_n = len(multi)
    wanted = sum(len(c.situations) for c, _ in multi)
    found = sum(len(set(c.situations) & set(r.situations)) for c, r in multi)
    s.multi_recall = found / wanted if wanted else 0.0
    # Single-intent lines name one situation only, so this counts some right answers as
    # wrong: read it as a flooding alarm, not as precision.
    extra = sum(
        len(set(r.situations) - set(c.situations)) for c, r in zip(cases, results, strict=True)
    )
    s.extra_situations = extra / len(cases) if cases else 0.0
    for c, r in zip(cases, results, strict=True):
        if c.crisis and not r.crisis:
            s.misses.append(f"danger missed: {c.text}")
        elif r.crisis and not c.crisis:
            s.misses.append(f"danger false alarm: {c.text}")
    return s


def run_embedded(
    model: EmbeddedModel, cases: Sequence[Case], thresholds: Thresholds
) -> tuple[list[Understanding], Understander]:
    understander = Understander(EmbeddedClassifier(model), model, DangerLexicon.load(), thresholds)
    classifier = EmbeddedClassifier(model)
    results = []
    for c in cases:
        norm = normalize(c.text)
        results.append(understander.compose(norm, classifier.rank(c.text), "embedded"))
    return results, understander


def run_rasa(
    train_data: TrainingData,
    model: EmbeddedModel,
    cases: Sequence[Case],
    thresholds: Thresholds,
) -> tuple[list[Understanding] | None, str]:
    """Rasa's rankings composed with the same danger/situation/fact layers; or why skipped."""
    # The same venv nlu.rasa_eval uses: $RASA_VENV, else .venv-rasa in the repo.
    venv = Path(os.environ.get("RASA_VENV", REPO_ROOT / ".venv-rasa"))
    if not venv.exists():
        return None, f"{venv} is absent (run scripts/setup-rasa.sh or the README's Rasa step)"
    try:
        from nlu import rasa_eval
    except ImportError as exc:
        return None, f"nlu.rasa_eval is not importable ({exc})"
    predict: Callable[[list[Path], list[str]], list[IntentRanking]] = rasa_eval.predict_with_rasa
    understander = Understander(EmbeddedClassifier(model), model, DangerLexicon.load(), thresholds)
    with tempfile.TemporaryDirectory(prefix="nlu-eval-") as tmp:
        files = write_rasa_training_files(train_data, Path(tmp))
        try:
            rankings = predict(files, [normalize(c.text).text for c in cases])
        except Exception as exc:  # noqa: BLE001 - report and keep the embedded column
            return None, f"predict_with_rasa failed: {type(exc).__name__}: {exc}"
    results = [
        understander.compose(normalize(c.text), ranking, "rasa")
        for c, ranking in zip(cases, rankings, strict=True)
    ]
    return results, ""


def write_rasa_training_files(data: TrainingData, out_dir: Path) -> list[Path]:
    """The split's intent examples as Rasa 3 YAML, entity annotations restored."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for e in data.intent_examples:
        by_intent[e.intent].append(_annotate(e))
    for e in data.situation_examples:
        if e.situations:
            by_intent[e.situations[0]].append(_annotate(e))
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in by_intent[intent])
    path = out_dir / "nlu.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]


def _annotate(e: Example) -> str:
    text = e.text
    for ent in sorted(e.entities, key=lambda a: a.start, reverse=True):
        text = text[: ent.start] + f"[{text[ent.start : ent.end]}]({ent.type})" + text[ent.end :]
    return text.replace("\n", " ")


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def report(
    columns: list[Scores],
    skipped: str,
    title: str,
    show_misses: bool,
    per_language: str = "",
) -> str:
    out = [title, ""]
    names = [c.backend for c in columns]
    width = 26
    out.append("metric".ljust(width) + "".join(n.rjust(12) for n in names))

    def row(label: str, values: list[str]) -> None:
        out.append(label.ljust(width) + "".join(v.rjust(12) for v in values))

    row("messages (with intent)", [str(c.n_intent) for c in columns])
    row("top-intent accuracy", [_fmt(c.accuracy) for c in columns])
    row("macro-F1", [_fmt(c.macro_f1) for c in columns])
    row("danger recall", [_fmt(c.danger_recall) for c in columns])
    row("danger precision", [_fmt(c.danger_precision) for c in columns])
    row("danger tp/fn/fp", ["/".join(map(str, c.danger_counts)) for c in columns])
    row("multi-situation recall", [_fmt(c.multi_recall) for c in columns])
    row("multi-situation messages", [str(c.multi_n) for c in columns])
    row("wrong situations / msg", [_fmt(c.extra_situations) for c in columns])
    row("seconds", [f"{c.seconds:.1f}" for c in columns])
    if skipped:
        out.append(f"\nRasa column skipped: {skipped}")
    out.append("\nper-intent F1")
    labels = sorted({k for c in columns for k in c.per_intent_f1})
    for label in labels:
        row(f"  {label}", [_fmt(c.per_intent_f1.get(label, 0.0)) for c in columns])
    for c in columns:
        out.append(f"\nconfusion ({c.backend}): true -> predicted (errors only)")
        for true in sorted(c.confusion):
            errors = {p: n for p, n in c.confusion[true].items() if p != true}
            if errors:
                total = sum(c.confusion[true].values())
                detail = ", ".join(
                    f"{p} {n}" for p, n in sorted(errors.items(), key=lambda x: -x[1])
                )
                out.append(f"  {true} ({c.confusion[true][true]}/{total} right): {detail}")
        if show_misses and c.misses:
            out.append(f"\ndanger errors ({c.backend}):")
            out.extend(f"  {m}" for m in c.misses)
    if per_language:
        out.extend(["", per_language])
    return "\n".join(out)


def evaluate(
    *,
    heldout: bool = False,
    dev: bool = False,
    config: TrainConfig | None = None,
    thresholds: Thresholds | None = None,
    with_rasa: bool = True,
    show_misses: bool = False,
    data_dir: Path = NLU_DATA_DIR,
    heldout_file: Path | None = None,
) -> tuple[str, list[Scores]]:
    """Score a split, the dev sets, the held-out sets, or one held-out file (``heldout_file``:
    a later, independently written set, scored alone so its figures stand apart)."""
    thresholds = thresholds or Thresholds()
    data = load_training_data(data_dir)
    language_cases: list[LanguageCase] = []
    if heldout or dev or heldout_file is not None:
        no_file = Path("/nonexistent")
        files = (
            (heldout_file, no_file, no_file)
            if heldout_file is not None
            else (HELDOUT_FILE, HELDOUT_MULTILINGUAL_FILE, HELDOUT_LANGUAGE_FILE)
            if heldout
            else (DEV_FILE, DEV_MULTILINGUAL_FILE, DEV_LANGUAGE_FILE)
        )
        if not files[0].exists():
            raise FileNotFoundError(f"{files[0]} is missing")
        train_data, cases = data, []
        scored = []
        for path in files[:2]:
            if path.exists():
                more = heldout_cases(path)
                cases.extend(more)
                scored.append(f"{len(more)} lines of {path.name}")
        if files[2].exists():
            language_cases = language_id_cases(files[2])
            scored.append(f"{len(language_cases)} language-id lines of {files[2].name}")
        kind = "dev" if dev else "held-out"
        title = f"{kind}: trained on all of data/nlu, scored " + ", ".join(scored)
    else:
        train_data, cases = split_data(data)
        title = (
            f"split: stratified {int((1 - TEST_FRACTION) * 100)}/{int(TEST_FRACTION * 100)}, "
            f"seed {SEED}; {len(cases)} test messages"
        )
    started = time.perf_counter()
    model = train(train_data, config, danger_rows=danger_head_rows(data_dir))
    results, _ = run_embedded(model, cases, thresholds)
    embedded = score("embedded", cases, results)
    embedded.seconds = time.perf_counter() - started
    columns = [embedded]
    by_backend = {"embedded": results}
    skipped = "not requested (--no-rasa)"
    if with_rasa:
        started = time.perf_counter()
        rasa_results, skipped = run_rasa(train_data, model, cases, thresholds)
        if rasa_results is not None:
            rasa = score("rasa", cases, rasa_results)
            rasa.seconds = time.perf_counter() - started
            columns.append(rasa)
            by_backend["rasa"] = rasa_results
    per_language = language_report(cases, by_backend, language_cases)
    return report(columns, skipped, title, show_misses, per_language), columns
