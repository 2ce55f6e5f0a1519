#!/usr/bin/env bash
# Train the Rasa NLU model into nlu/rasa/models/tsunagu-nlu.tar.gz from data/nlu/*.yml.
# Env: RASA_CONFIG (default nlu/rasa/config.yml), RASA_MODEL_DIR, RASA_VENV.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../nlu/rasa/env.sh"

[[ -x "$RASA_VENV/bin/rasa" ]] || { echo "rasa-train: run scripts/setup-rasa.sh first" >&2; exit 1; }
# Absolute, and checked: Rasa silently falls back to ./config.yml for a path it cannot find.
[[ -f "$RASA_CONFIG" ]] || { echo "rasa-train: no such config $RASA_CONFIG" >&2; exit 1; }
RASA_CONFIG="$(realpath "$RASA_CONFIG")"
staged="$(stage_rasa_data)"
trap 'rm -rf "$staged"' EXIT
mkdir -p "$RASA_MODEL_DIR"
cd "$RASA_PROJECT"
start=$SECONDS
"$RASA_VENV/bin/rasa" train nlu \
    --config "$RASA_CONFIG" \
    --domain "$RASA_PROJECT/domain.yml" \
    --nlu "$staged" \
    --out "$RASA_MODEL_DIR" \
    --fixed-model-name tsunagu-nlu \
    --num-threads 2 \
    --quiet "$@"
echo "rasa-train: $RASA_MODEL_DIR/tsunagu-nlu.tar.gz in $((SECONDS - start))s"
