"""Compare Rasa NLU pipelines on one fixed, stratified train/test split of data/nlu.

Runs in .venv-rasa (``nlu/rasa/compare-pipelines.sh`` stages the data and sets the env).
One process imports Rasa once and trains each pipeline on the same 80 %, then parses the same
20 % one message at a time, as the server would.  Prints PIPELINES.md table rows.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import accuracy_score, f1_score


def _entity_set(index: int, entities: list[dict[str, Any]]) -> set[tuple[int, str, int, int]]:
    return {(index, e["entity"], int(e["start"]), int(e["end"])) for e in entities}


async def _evaluate(model: str, examples: list[Any]) -> dict[str, float]:
    agent = Agent.load(model)
    gold, predicted, latencies = [], [], []
    gold_entities: set[tuple[int, str, int, int]] = set()
    found_entities: set[tuple[int, str, int, int]] = set()
    for index, example in enumerate(examples):
        started = time.perf_counter()
        result = await agent.parse_message(example.get("text"))
        latencies.append((time.perf_counter() - started) * 1000)
        gold.append(example.get("intent"))
        predicted.append(result["intent"]["name"])
        gold_entities |= _entity_set(index, example.get("entities") or [])
        found_entities |= _entity_set(index, result.get("entities") or [])
    hits = len(gold_entities & found_entities)
    precision = hits / len(found_entities) if found_entities else 0.0
    recall = hits / len(gold_entities) if gold_entities else 0.0
    latencies.sort()
    return {
        "accuracy": accuracy_score(gold, predicted),
        "macro_f1": f1_score(gold, predicted, average="macro", zero_division=0),
        "entity_f1": 2 * precision * recall / (precision + recall) if hits else 0.0,
        "p50_ms": latencies[len(latencies) // 2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="directory of staged Rasa NLU YAML")
    parser.add_argument("configs", type=Path, nargs="+")
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    data = load_data(str(args.data))
    train, test = data.train_test_split(train_frac=1 - args.test_fraction, random_seed=args.seed)
    test_examples = [e for e in test.intent_examples if e.get("text")]
    print(
        f"# {len(train.intent_examples)} train / {len(test_examples)} test examples, "
        f"{len(data.intents)} intents, split seed {args.seed}",
        file=sys.stderr,
    )
    print(
        "| pipeline | accuracy | macro-F1 | entity micro-F1 | train time | parse p50 (in-process) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="tsunagu-rasa-compare-") as tmp_name:
        tmp = Path(tmp_name)
        train_file = tmp / "train.yml"
        train_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
        for config in args.configs:
            started = time.perf_counter()
            try:
                model = train_nlu(
                    str(config.resolve()),
                    str(train_file),
                    str(tmp / "models"),
                    fixed_model_name=config.stem,
                )
                train_s = time.perf_counter() - started
                if not model:
                    raise RuntimeError("train_nlu returned no model")
                scores = asyncio.run(_evaluate(model, test_examples))
            except Exception as exc:  # noqa: BLE001 - a failing pipeline is a result too
                reason = f"{type(exc).__name__}: {str(exc)[:160]}".replace("|", "/")
                print(f"| {config.stem} | failed: {reason} | | | | |", flush=True)
                continue
            print(
                f"| {config.stem} | {scores['accuracy']:.3f} | {scores['macro_f1']:.3f} "
                f"| {scores['entity_f1']:.3f} | {train_s:.0f}s | {scores['p50_ms']:.1f} ms |",
                flush=True,
            )


if __name__ == "__main__":
    main()
