# Sourced by scripts/rasa-*.sh: one place for the Rasa venv, import path and quiet defaults.
# shellcheck shell=bash

REPO_ROOT="${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
RASA_VENV="${RASA_VENV:-$REPO_ROOT/.venv-rasa}"
RASA_PROJECT="$REPO_ROOT/nlu/rasa"
RASA_MODEL_DIR="${RASA_MODEL_DIR:-$RASA_PROJECT/models}"
RASA_CONFIG="${RASA_CONFIG:-$RASA_PROJECT/config.yml}"

# config.yml names nlu.rasa.components.sudachi_tokenizer, which imports nlu.japanese_tokens.
export PYTHONPATH="$REPO_ROOT${PYTHONPATH:+:$PYTHONPATH}"
# No network here and no wish to phone home; keep TensorFlow and SQLAlchemy noise down.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
# Rasa caches trained graph nodes under ./.rasa by default; keep it beside the models.
export RASA_CACHE_DIRECTORY="${RASA_CACHE_DIRECTORY:-$RASA_MODEL_DIR/.cache}"

# Copy Rasa's training data into a fresh directory and print its path: the data/nlu/*.yml
# (Japanese) and data/nlu/<lang>/*.yml files with a top-level `nlu:` key (not
# situations.jsonl, not the danger lexicons in data/nlu/danger/, which other parts of tsunagu
# read), plus our entity regexes and lookup tables. Files of a language folder get its name
# as a prefix (en/nlu.yml -> en_nlu.yml) so that languages do not overwrite each other.
stage_rasa_data() {
    local staged file lang
    staged="$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-rasa-data.XXXXXX")"
    for file in "$REPO_ROOT"/data/nlu/*.yml "$REPO_ROOT"/data/nlu/*/*.yml "$RASA_PROJECT"/data/*.yml; do
        [[ -f "$file" ]] || continue
        if grep -q '^nlu:' "$file"; then
            lang="$(basename "$(dirname "$file")")"
            case "$file" in
                "$REPO_ROOT"/data/nlu/*/*.yml) cp "$file" "$staged/${lang}_$(basename "$file")" ;;
                *) cp "$file" "$staged/" ;;
            esac
        fi
    done
    echo "$staged"
}
