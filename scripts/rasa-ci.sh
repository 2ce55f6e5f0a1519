#!/usr/bin/env bash
# Rasa end to end: set up .venv-rasa, train, serve on a free loopback port, run the
# `rasa`-marked tests in tests/nlu against it, stop the server. Extra args go to pytest.
# Env: RASA_CI_WAIT (seconds to wait for the model to load, default 240), MAIN_PYTHON.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../nlu/rasa/env.sh"
main_python="${MAIN_PYTHON:-$REPO_ROOT/.venv/bin/python}"
started=$SECONDS

bash "$REPO_ROOT/scripts/setup-rasa.sh"
bash "$REPO_ROOT/scripts/rasa-train.sh"

port="$("$main_python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
server_log="$(mktemp "${TMPDIR:-/tmp}/tsunagu-rasa-server.XXXXXX")"
RASA_PORT="$port" bash "$REPO_ROOT/scripts/rasa-serve.sh" >"$server_log" 2>&1 &
server_pid=$!
stop_server() {
    kill "$server_pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 "$server_pid" 2>/dev/null || true
}
trap stop_server EXIT

export RASA_URL="http://127.0.0.1:$port"
deadline=$((SECONDS + ${RASA_CI_WAIT:-240}))
until "$main_python" - "$RASA_URL" <<'PY' 2>/dev/null
import sys, httpx
sys.exit(0 if httpx.get(sys.argv[1] + "/status", timeout=2).json().get("model_file") else 1)
PY
do
    if ! kill -0 "$server_pid" 2>/dev/null || ((SECONDS > deadline)); then
        echo "rasa-ci: server on $RASA_URL did not load a model; its log:" >&2
        tail -40 "$server_log" >&2
        exit 1
    fi
    sleep 1
done
echo "rasa-ci: model loaded on $RASA_URL after $((SECONDS - started))s"

cd "$REPO_ROOT"
status=0
"$main_python" -m pytest -m rasa tests/nlu "$@" || status=$?
echo "rasa-ci: done in $((SECONDS - started))s"
exit "$status"
