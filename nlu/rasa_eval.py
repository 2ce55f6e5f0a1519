"""Train a throw-away Rasa model on given YAML files and predict texts with it.

Runs in the bot's venv and never imports rasa: training and prediction happen in
``.venv-rasa`` subprocesses, so ``python -m nlu evaluate`` can put Rasa beside the embedded
model on the same split.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nlu.contract import IntentRanking
from nlu.rasa_client import parse_response

REPO_ROOT = Path(__file__).resolve().parents[1]
RASA_PROJECT = REPO_ROOT / "nlu" / "rasa"
DEFAULT_RASA_VENV = REPO_ROOT / ".venv-rasa"


class RasaEvalError(RuntimeError):
    """Training or prediction in .venv-rasa failed; the message carries Rasa's stderr tail."""


def is_rasa_nlu_file(path: Path) -> bool:
    """Rasa NLU YAML has a top-level ``nlu:`` key; data/nlu also holds files others read."""
    if path.suffix not in {".yml", ".yaml"}:
        return False
    return any(line.startswith("nlu:") for line in path.read_text(encoding="utf-8").splitlines())


def rasa_env(cache_dir: Path) -> dict[str, str]:
    """The environment scripts/rasa-*.sh set up (nlu/rasa/env.sh), for a subprocess."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore::DeprecationWarning",
        RASA_CACHE_DIRECTORY=str(cache_dir),
    )
    return env


def predict_with_rasa(
    train_files: list[Path],
    texts: list[str],
    *,
    config: Path | None = None,
    venv: Path | None = None,
    include_patterns: bool = True,
    timeout: float = 1800.0,
) -> list[IntentRanking]:
    """Rankings for ``texts`` from a model trained on ``train_files`` (Rasa NLU YAML).

    Files that are not Rasa NLU YAML (``situations.jsonl``, ``data/nlu/danger/*.yml``) are skipped.
    ``include_patterns`` adds nlu/rasa/data/*.yml (entity regexes and lookup tables).
    """
    venv = venv or Path(os.environ.get("RASA_VENV", DEFAULT_RASA_VENV))
    rasa_bin, python_bin = venv / "bin" / "rasa", venv / "bin" / "python"
    if not rasa_bin.exists():
        raise RasaEvalError(f"{rasa_bin} missing: run scripts/setup-rasa.sh first")
    config = config or RASA_PROJECT / "config.yml"
    with tempfile.TemporaryDirectory(prefix="tsunagu-rasa-eval-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        data_dir.mkdir()
        sources = [p for p in train_files if is_rasa_nlu_file(p)]
        if include_patterns:
            sources += sorted((RASA_PROJECT / "data").glob("*.yml"))
        if not sources:
            raise RasaEvalError("no Rasa YAML among the training files")
        for index, source in enumerate(sources):
            # Prefix keeps files of the same name from different folders apart.
            shutil.copy(source, data_dir / f"{index:03d}_{source.name}")
        env = rasa_env(tmp / "cache")
        _run(
            [
                str(rasa_bin),
                "train",
                "nlu",
                "--config",
                str(config),
                "--nlu",
                str(data_dir),
                "--out",
                str(tmp / "models"),
                "--fixed-model-name",
                "eval",
                "--quiet",
            ],
            env=env,
            cwd=RASA_PROJECT,
            timeout=timeout,
            what="rasa train nlu",
        )
        lines = "".join(json.dumps(text, ensure_ascii=False) + "\n" for text in texts)
        output = _run(
            [
                str(python_bin),
                str(RASA_PROJECT / "predict.py"),
                str(tmp / "models" / "eval.tar.gz"),
            ],
            env=env,
            cwd=RASA_PROJECT,
            timeout=timeout,
            what="predict.py",
            stdin=lines,
        )
    results = [json.loads(line) for line in output.splitlines() if line.strip()]
    if len(results) != len(texts):
        raise RasaEvalError(f"predict.py returned {len(results)} results for {len(texts)} texts")
    return [parse_response(result) for result in results]


def _run(
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    timeout: float,
    what: str,
    stdin: str | None = None,
) -> str:
    try:
        completed = subprocess.run(
            command,
            env=env,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RasaEvalError(f"{what} took longer than {timeout:.0f}s") from exc
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.splitlines()[-15:])
        raise RasaEvalError(f"{what} exited {completed.returncode}:\n{tail}")
    return completed.stdout
