"""The danger head learns from run probe batches (data/nlu/danger_head.yml), never from a batch
waiting for its first run, and never moves the intent head."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlu.data import Example, TrainingData, danger_head_rows
from nlu.model import current_data_hash, train
from nlu.normalize import normalize


def _write_probe(path: Path, rows: list[tuple[str, bool, int]]) -> None:
    path.write_text(
        "".join(
            json.dumps({"text": t, "crisis": c, "language": "en", "batch": b}) + "\n"
            for t, c, b in rows
        ),
        encoding="utf-8",
    )


def _data_dir(tmp_path: Path, through: int) -> Path:
    data_dir = tmp_path / "data" / "nlu"
    (data_dir / "danger").mkdir(parents=True)
    (tmp_path / "data" / "nlu_dev").mkdir()
    (data_dir / "greet.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n', encoding="utf-8"
    )
    (data_dir / "danger_head.yml").write_text(
        f"sources:\n  - file: ../nlu_dev/probe.jsonl\n    through_batch: {through}\n",
        encoding="utf-8",
    )
    _write_probe(
        tmp_path / "data" / "nlu_dev" / "probe.jsonl",
        [("first danger", True, 1), ("first calm", False, 1), ("second danger", True, 2)],
    )
    return data_dir


def test_only_batches_up_to_the_cut_off_are_learnt(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path, through=1)
    assert danger_head_rows(data_dir) == [("first danger", True), ("first calm", False)]


def test_no_config_means_no_extra_rows_and_a_missing_source_is_an_error(tmp_path: Path) -> None:
    assert danger_head_rows(tmp_path) == []
    data_dir = _data_dir(tmp_path, through=1)
    (tmp_path / "data" / "nlu_dev" / "probe.jsonl").unlink()
    with pytest.raises(FileNotFoundError):
        danger_head_rows(data_dir)


def test_a_batch_appended_for_its_first_run_does_not_change_the_model(tmp_path: Path) -> None:
    data_dir = _data_dir(tmp_path, through=2)
    before = current_data_hash(data_dir)
    probe = tmp_path / "data" / "nlu_dev" / "probe.jsonl"
    with probe.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "third danger", "crisis": True, "batch": 3}) + "\n")
    assert current_data_hash(data_dir) == before  # batch 3 waits for its first run
    config = data_dir / "danger_head.yml"
    config.write_text(config.read_text().replace("through_batch: 2", "through_batch: 3"))
    assert current_data_hash(data_dir) != before  # now it is learnt: a new model


def _small_data() -> TrainingData:
    lines = {
        "greet": ["hello there", "good morning", "hi, how are you"],
        "debt": ["i cannot pay my rent", "the loan company keeps calling", "i owe money"],
        "crisis": ["i want to die", "he hits me every night", "i will kill myself"],
    }
    return TrainingData([Example(t, i, language="en") for i, ts in lines.items() for t in ts])


def test_probe_rows_teach_the_danger_head_and_leave_the_intent_head_alone() -> None:
    probe = [
        ("standing on the rail of the bridge tonight", True),
        ("the bridge rail is where i will stand tonight", True),
        ("tonight on the bridge rail, goodbye", True),
        ("the bridge is closed for repairs tonight", False),
        ("bridge club meets tonight", False),
    ]
    plain = train(_small_data())
    taught = train(_small_data(), danger_rows=probe)
    query = normalize("on the bridge rail tonight").folded
    assert plain.danger_probability(query) < 0.5
    assert taught.danger_probability(query) > 0.5
    assert taught.vectorizer.vocabulary == plain.vectorizer.vocabulary
    # LinearSVC is fitted twice: equal up to its solver's own jitter
    np.testing.assert_allclose(taught.intent.coef, plain.intent.coef, atol=1e-3)
