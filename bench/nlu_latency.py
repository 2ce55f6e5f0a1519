"""Parse latency of the embedded NLU pipeline: p50/p95/p99 over a few hundred varied messages.

    .venv/bin/python bench/nlu_latency.py [--rounds 3]

Messages are the training examples of data/nlu plus long, emoji, half-width and English
variants, so short and paragraph-long inputs are both measured.  Target: p50 < 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.data import load_training_data  # noqa: E402
from nlu.pipeline import build_embedded_understander_sync  # noqa: E402

EXTRA = [
    "ｼｬｯｷﾝｶﾞｶｴｾﾅｲ😢😢😢",
    "父85歳、兄50代がひきこもりで借金300万円、家賃も3か月滞納しています！！！",
    "I lost my job and can't pay rent",
    "死ぬほど忙しい",
    "もう消えたい",
    "はい",
    "こんにちは〜〜〜",
]


def messages(n: int, seed: int = 3) -> list[str]:
    data = load_training_data()
    texts = [e.text for e in data.intent_examples + data.situation_examples]
    rng = random.Random(seed)
    rng.shuffle(texts)
    long = ["。".join(rng.sample(texts, 8)) for _ in range(20)]  # paragraph-long messages
    return (EXTRA + long + texts)[:n]


def percentile(sorted_ms: list[float], p: float) -> float:
    k = min(len(sorted_ms) - 1, max(0, round(p / 100 * (len(sorted_ms) - 1))))
    return sorted_ms[k]


async def run(n: int, rounds: int) -> None:
    started = time.perf_counter()
    understander = build_embedded_understander_sync()
    load_s = time.perf_counter() - started
    texts = messages(n)
    await understander.understand("ウォームアップ")
    timings: list[float] = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            await understander.understand(text)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    lengths = [len(t) for t in texts]
    print(f"embedded NLU pipeline: {len(texts)} messages x {rounds} rounds")
    print(
        f"message length: min {min(lengths)}, median {statistics.median(lengths):.0f}, max {max(lengths)} chars"
    )
    print(f"model load: {load_s * 1000:.0f} ms")
    print(
        f"parse latency: p50 {percentile(timings, 50):.2f} ms, p95 {percentile(timings, 95):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms, max {timings[-1]:.2f} ms"
    )
    target = "met" if percentile(timings, 50) < 5 else "NOT met"
    print(f"target p50 < 5 ms: {target}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=400, help="messages")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.n, args.rounds))


if __name__ == "__main__":
    main()
