#!/usr/bin/env bash
# Train and score each pipeline on one fixed stratified 80/20 split of data/nlu/*.yml and
# print PIPELINES.md table rows. Usage: nlu/rasa/compare-pipelines.sh [CONFIG...]
# (default nlu/rasa/pipelines/*.yml). Env: SPLIT_SEED (42), TEST_FRACTION (0.2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

[[ $# -gt 0 ]] || set -- "$RASA_PROJECT"/pipelines/*.yml
configs=()
for config in "$@"; do
    # Absolute paths: Rasa silently falls back to ./config.yml for a path it cannot find.
    [[ -f "$config" ]] || { echo "compare-pipelines: no such config $config" >&2; exit 1; }
    configs+=("$(realpath "$config")")
done
staged="$(stage_rasa_data)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-rasa-compare.XXXXXX")"
trap 'rm -rf "$staged" "$work"' EXIT
cd "$work"
RASA_CACHE_DIRECTORY="$work/cache" "$RASA_VENV/bin/python" "$RASA_PROJECT/compare_pipelines.py" \
    --seed "${SPLIT_SEED:-42}" --test-fraction "${TEST_FRACTION:-0.2}" "$staged" "${configs[@]}" \
    2> >(grep --line-buffered -E '^#|^[A-Za-z_.]*(Error|Exception)' >&2) | grep --line-buffered '^|'
# (Rasa logs each parse to stdout; only the table rows are kept.)
