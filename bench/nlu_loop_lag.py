"""How late the event loop runs while the NLU parses 5,000-character messages.

    .venv/bin/python bench/nlu_loop_lag.py [--parses 20]

A ticker task sleeps 1 ms at a time and records how late it wakes (the loop's lag), while
parses of LINE's longest message (5,000 characters, Japanese prose) run one after another:
inline on the loop (as before issue 11's finding), in nlu.offload's worker thread (what
``Understander.understand`` does), and in a one-process pool (the model loaded in the child).
Prints p50 / p99 / max lag and the parse time per mode.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlu.offload import Offloader  # noqa: E402
from nlu.pipeline import MAX_MESSAGE_CHARS, Understander, build_embedded_understander_sync  # noqa: E402

_SENTENCE = "父は85歳で認知症、兄は50代で仕事をしておらず、借金が300万円あって家賃も三か月滞納しています。"
LONG_MESSAGE = (_SENTENCE * (MAX_MESSAGE_CHARS // len(_SENTENCE) + 1))[:MAX_MESSAGE_CHARS]

_child: Understander | None = None


def _child_init() -> None:
    global _child
    _child = build_embedded_understander_sync()


def _child_parse(text: str) -> dict:
    assert _child is not None
    return _child.understand_sync(text).to_json()


async def _measure(parse: Callable[[str], Awaitable[object]], parses: int) -> tuple[list[float], list[float]]:
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - started - 0.001) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    lags.clear()
    durations = []
    for i in range(parses):
        started = time.perf_counter()
        await parse(LONG_MESSAGE + str(i))  # a new text each time: no feature cache hit
        durations.append((time.perf_counter() - started) * 1000)
    stop.set()
    await task
    return lags, durations


def _row(name: str, lags: list[float], durations: list[float]) -> str:
    lags = sorted(lags)
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    return (
        f"{name:28}{statistics.median(lags):10.1f}{p99:10.1f}{lags[-1]:10.1f}"
        f"{statistics.median(durations):14.1f}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parses", type=int, default=20)
    args = parser.parse_args()
    understander = build_embedded_understander_sync()
    understander.understand_sync("ウォームアップ")
    print(f"{args.parses} parses of a {len(LONG_MESSAGE)}-character message per mode")
    print(f"{'mode':28}{'lag p50':>10}{'lag p99':>10}{'lag max':>10}{'parse p50 ms':>14}")

    async def inline(text: str) -> object:
        return understander.understand_sync(text)

    print(_row("inline on the loop", *await _measure(inline, args.parses)))

    understander.offloader = Offloader("thread")
    print(_row("worker thread (default)", *await _measure(understander.understand, args.parses)))
    understander.offloader.close()

    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=1, initializer=_child_init) as pool:
        await loop.run_in_executor(pool, _child_parse, "ウォームアップ")

        async def in_process(text: str) -> object:
            return await loop.run_in_executor(pool, _child_parse, text)

        print(_row("process pool (1 worker)", *await _measure(in_process, args.parses)))
    print("(lag = how late a 1 ms sleep wakes, in ms; parse = time per 5,000-character message)")
    timings = []
    for i in range(args.parses):
        started = time.perf_counter()
        understander.danger(LONG_MESSAGE + str(i))
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"sync danger() on the loop, 5,000 characters: p50 {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
