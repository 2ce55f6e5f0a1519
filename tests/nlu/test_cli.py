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
