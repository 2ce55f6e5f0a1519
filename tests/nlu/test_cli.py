"""``python -m nlu parse`` round-trip through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nlu.contract import Understanding
from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]


def _parse(lines: list[str], *args: str, env: dict[str, str] | None = None) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "nlu", "parse", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_parse_round_trip_in_order() -> None:
    inputs = [
        {"text": "父85歳、兄50代がひきこもり"},
        {"text": "もう消えたい"},
        {"text": "はい"},
    ]
    out = _parse([json.dumps(x, ensure_ascii=False) for x in inputs])
    assert len(out) == 3
    assert set(out[0]) == set(Understanding("greet", 1.0).to_json())
    assert out[0]["intent"] == "family_8050" and out[0]["language"] == "ja"
    assert out[1]["crisis"] and out[1]["danger_kinds"] == ["suicidal"]
    ages = [
        (e["value"], e["owner"], e["start"], e["end"])
        for e in out[0]["entities"]
        if e["type"] == "age"
    ]
    assert ages == [("85", "父", 1, 4), ("50代", "兄", 6, 9)]
    assert out[1]["intent"] == "crisis" and out[1]["crisis"] is True
    assert out[2]["intent"] == "affirm" and out[2]["crisis"] is False


def test_bad_lines_get_an_error_line_and_do_not_stop_the_stream() -> None:
    out = _parse(["not json", json.dumps({"text": "こんにちは"})])
    assert "error" in out[0]
    assert out[1]["intent"] == "greet"


def test_rasa_backend_falls_back_when_rasa_is_down() -> None:
    env = {"RASA_URL": f"http://127.0.0.1:{free_port()}", "RASA_TIMEOUT_S": "0.3"}
    out = _parse(
        [json.dumps({"text": "借金が返せない"}, ensure_ascii=False)], "--backend", "rasa", env=env
    )
    assert out[0]["intent"] == "debt"


def test_evaluate_scores_one_heldout_file_alone(tmp_path: Path) -> None:
    """``--heldout-file`` scores that file and nothing else: a later, independently written set
    gets figures of its own, not mixed with the sets read before."""
    lines = [
        {"text": "I want to die", "intent": "crisis", "situations": [], "crisis": True, "language": "en"},
        {"text": "hello there", "intent": "greet", "situations": [], "crisis": False, "language": "en"},
        {"text": "我不想活了", "intent": "crisis", "situations": [], "crisis": True, "language": "zh"},
    ]
    scored = tmp_path / "fresh.jsonl"
    scored.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "nlu", "evaluate", "--heldout-file", str(scored), "--no-rasa"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "scored 3 lines of fresh.jsonl" in proc.stdout
    assert "heldout.jsonl" not in proc.stdout and "language_id.jsonl" not in proc.stdout
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line[:3] in ("en ", "zh ")}
    assert rows["en"][1] == "2" and rows["zh"][1] == "1"  # n per language, from this file only
