"""Parse JSON-lines texts with a trained Rasa model; run by ``nlu/rasa_eval.py`` in .venv-rasa.

stdin: one JSON string (or ``{"text": ...}``) per line.  stdout: one Rasa parse result per
line, in order.  Loading the model once and parsing in-process avoids a server for evaluation.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import IO, Any


def _text(line: str) -> str:
    item: Any = json.loads(line)
    return item["text"] if isinstance(item, dict) else str(item)


def _claim_stdout() -> IO[str]:
    """Keep fd 1 for results only: Rasa and TensorFlow print to stdout, send that to stderr."""
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return results


async def _main(model_path: str, results: IO[str]) -> None:
    from rasa.core.agent import Agent  # after _claim_stdout: importing rasa prints

    agent = Agent.load(model_path)
    for line in sys.stdin:
        if not line.strip():
            continue
        result = await agent.parse_message(_text(line))
        results.write(json.dumps(result, ensure_ascii=False, default=float) + "\n")
    results.flush()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: predict.py MODEL.tar.gz < texts.jsonl")
    asyncio.run(_main(sys.argv[1], _claim_stdout()))
