#!/usr/bin/env bash
# Cross-validate each pipeline on data/nlu/*.yml and print one PIPELINES.md table row each.
# Usage: nlu/rasa/compare-pipelines.sh [FOLDS] [CONFIG...]   (default 5 folds, pipelines/*.yml)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

folds="${1:-5}"
shift || true
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=("$RASA_PROJECT"/pipelines/*.yml)
staged="$(stage_rasa_data)"
results="${RASA_RESULTS:-$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-rasa-cv.XXXXXX")}"
trap 'rm -rf "$staged"' EXIT
cd "$RASA_PROJECT"
examples="$("$RASA_VENV/bin/python" - "$staged" <<'PY'
import sys
from rasa.shared.nlu.training_data.loading import load_data
print(len(load_data(sys.argv[1]).intent_examples))
PY
)"
echo "# $examples intent examples, $folds-fold cross-validation, results in $results" >&2
echo "| pipeline | accuracy | macro-F1 | weighted-F1 | entity micro-F1 (extractor) | CV wall time | per fold |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for config in "${configs[@]}"; do
    name="$(basename "$config" .yml)"
    out="$results/$name"
    start=$SECONDS
    if ! "$RASA_VENV/bin/rasa" test nlu --cross-validation --folds "$folds" \
        --config "$config" --nlu "$staged" --out "$out" --quiet >"$results/$name.log" 2>&1; then
        echo "| $name | failed: $(grep -m1 -E 'Error|Exception' "$results/$name.log" || tail -1 "$results/$name.log") | | | | | |"
        continue
    fi
    took=$((SECONDS - start))
    "$RASA_VENV/bin/python" - "$out" "$name" "$took" "$folds" <<'PY'
import json, pathlib, sys
out, name, took, folds = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
intent = json.loads((out / "intent_report.json").read_text())
entity_cells = []
for report in sorted(out.glob("*Extractor_report.json")) + sorted(out.glob("DIETClassifier_report.json")):
    data = json.loads(report.read_text())
    avg = data.get("micro avg") or data.get("weighted avg") or {}
    entity_cells.append(f"{avg.get('f1-score', 0):.3f} ({report.stem.removesuffix('_report')})")
print(
    f"| {name} | {intent['accuracy']:.3f} | {intent['macro avg']['f1-score']:.3f} "
    f"| {intent['weighted avg']['f1-score']:.3f} | {', '.join(entity_cells) or '-'} "
    f"| {took}s | {took / folds:.0f}s |"
)
PY
done
