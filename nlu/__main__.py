"""``python -m nlu {train,parse,evaluate}``; see nlu/README.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path


def _train(args: argparse.Namespace) -> int:
    from nlu.model import current_data_hash, load_or_train, model_path

    started = time.perf_counter()
    model = load_or_train(force=args.force)
    print(
        f"nlu model ready: {model_path(current_data_hash())} "
        f"({len(model.intent.labels)} intents, {len(model.vectorizer.vocabulary)} features, "
        f"trained in {model.train_seconds:.1f}s, ready in {time.perf_counter() - started:.1f}s)"
    )
    return 0


async def _parse(backend: str) -> int:
    import structlog

    from nlu.pipeline import build_understander
    from settings import NluSettings, read_group

    # stdout carries exactly one JSON line per input; log events (nlu.rasa_fallback) go to stderr.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))

    rasa = read_group(NluSettings)  # RASA_URL, RASA_TIMEOUT_S; the backend is the argument's
    understander = await build_understander(backend, rasa_url=rasa.rasa_url, rasa_timeout_s=rasa.rasa_timeout_s)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                text = json.loads(line)["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
            except (ValueError, KeyError, TypeError) as exc:
                out: dict[str, object] = {"error": f"bad input line: {exc}"}
            else:
                out = (await understander.understand(text)).to_json()
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        await understander.aclose()
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from nlu.evaluate import evaluate
    from nlu.evaluate_cv import cross_validate

    if args.cv:
        seeds = tuple(13 + 16 * i for i in range(args.seeds))
        text, _ = cross_validate(args.cv, seeds)
    else:
        text, _ = evaluate(
            heldout=args.heldout,
            heldout_file=args.heldout_file,
            dev=args.dev,
            with_rasa=not args.no_rasa,
            show_misses=args.misses,
        )
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train (or reuse) the cached embedded model")
    train.add_argument("--force", action="store_true", help="retrain even if cached")
    parse = sub.add_parser("parse", help='JSON lines {"text": ...} on stdin -> understanding')
    parse.add_argument("--backend", choices=("embedded", "rasa"), default="embedded")
    ev = sub.add_parser("evaluate", help="score both backends on a split or the held-out set")
    mode = ev.add_mutually_exclusive_group()
    mode.add_argument("--heldout", action="store_true", help="train on all, score held-out")
    mode.add_argument("--dev", action="store_true", help="train on all, score data/nlu_dev")
    mode.add_argument("--heldout-file", type=Path, metavar="JSONL",
                      help="train on all, score one held-out file alone (e.g. multilingual_v2.jsonl)")
    mode.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation (embedded)")
    ev.add_argument("--seeds", type=int, default=3, help="seeds for --cv (default 3)")
    ev.add_argument("--no-rasa", action="store_true", help="embedded column only")
    ev.add_argument("--misses", action="store_true", help="list danger misses and false alarms")
    args = parser.parse_args(argv)
    if args.command == "train":
        return _train(args)
    if args.command == "parse":
        return asyncio.run(_parse(args.backend))
    return _evaluate(args)


if __name__ == "__main__":
    raise SystemExit(main())
