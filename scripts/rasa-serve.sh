#!/usr/bin/env bash
# Serve the trained NLU model over HTTP (POST /model/parse, GET /status) in the foreground.
# Env: RASA_PORT (default 5005), RASA_MODEL_DIR (default nlu/rasa/models), RASA_VENV.
# In the background:  scripts/rasa-serve.sh >rasa.log 2>&1 & echo $! >rasa.pid
#   then wait for  curl -s 127.0.0.1:5005/status  to name a model_file (load takes ~20-40 s),
#   and stop it with  kill "$(cat rasa.pid)"  (exec below makes that pid Rasa itself).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../nlu/rasa/env.sh"

[[ -x "$RASA_VENV/bin/rasa" ]] || { echo "rasa-serve: run scripts/setup-rasa.sh first" >&2; exit 1; }
ls "$RASA_MODEL_DIR"/*.tar.gz >/dev/null 2>&1 \
    || { echo "rasa-serve: no model in $RASA_MODEL_DIR; run scripts/rasa-train.sh" >&2; exit 1; }
cd "$RASA_PROJECT"
exec "$RASA_VENV/bin/rasa" run --enable-api \
    --port "${RASA_PORT:-5005}" -i 127.0.0.1 \
    --model "$RASA_MODEL_DIR" "$@"
