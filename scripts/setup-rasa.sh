#!/usr/bin/env bash
# Create .venv-rasa (Python 3.10) with Rasa 3.6 + SudachiPy. Idempotent: a stamp holding the
# hash of the requirement and constraint files lets a second run return in well under a second.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${RASA_VENV:-$repo_root/.venv-rasa}"
requirements="$repo_root/nlu/rasa/requirements.txt"
constraints="$repo_root/nlu/rasa/constraints.txt"
stamp="$venv/.tsunagu-requirements.sha256"

pick_python() {
    local candidate="${PYTHON310:-/root/.pyenv/versions/3.10.13/bin/python}"
    if [[ -x "$candidate" ]]; then
        echo "$candidate"
    elif command -v python3.10 >/dev/null 2>&1; then
        command -v python3.10
    else
        echo "setup-rasa: no Python 3.10 (set PYTHON310)" >&2
        return 1
    fi
}

wanted_hash="$(cat "$requirements" "$constraints" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted_hash" && -x "$venv/bin/rasa" ]]; then
    echo "setup-rasa: $venv is up to date"
    exit 0
fi

start=$SECONDS
if [[ ! -x "$venv/bin/python" ]]; then
    python310="$(pick_python)"
    "$python310" -c 'import sys; assert sys.version_info[:2] == (3, 10), sys.version' \
        || { echo "setup-rasa: $python310 is not Python 3.10" >&2; exit 1; }
    "$python310" -m venv "$venv"
fi
# A newer pip resolves Rasa's large dependency tree far faster than the 23.0 bundled one.
# This machine's pip config lists local find-links/index folders that lack most packages;
# pip warns once per package about each. Drop only those lines.
quiet_pip() {
    "$venv/bin/python" -m pip "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
}
quiet_pip install --quiet --upgrade 'pip>=24' 'setuptools<70' wheel
constraint_args=()
if grep -qv '^\s*\(#.*\)\?$' "$constraints" 2>/dev/null; then
    constraint_args=(--constraint "$constraints")
fi
quiet_pip install --quiet --requirement "$requirements" "${constraint_args[@]}"
# Fail here, not at the first train, if the stack cannot import.
"$venv/bin/python" -c 'import rasa, sudachipy, sudachidict_core; print("setup-rasa: rasa", rasa.__version__)'
echo "$wanted_hash" > "$stamp"
echo "setup-rasa: installed in $((SECONDS - start))s"
