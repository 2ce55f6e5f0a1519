"""Rasa NLU latency as the bot sees it: ``RasaClassifier.classify`` against a running server.

Sends N varied messages one after another (closed loop, one connection reused, as one bot
worker does) after a short warm-up, and prints p50/p95/p99 in milliseconds.  Target: p50 < 40.

    scripts/rasa-serve.sh &   # once scripts/rasa-train.sh has built a model
    RASA_URL=http://127.0.0.1:5005 .venv/bin/python bench/nlu_rasa_latency.py -n 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nlu.rasa_client import DEFAULT_RASA_URL, RasaClassifier  # noqa: E402

# Short and long, polite and blunt, kana, half-width, emoji, English: what residents send.
SUBJECTS = [
    "借金が返せなくて",
    "消費者金融3社から300万円借りていて",
    "80代の母の介護と子育てが重なって",
    "50代の息子がもう10年以上ひきこもっていて",
    "ｶﾞｽ代も家賃も払えなくて",
    "アパートの更新を断られて住むところがなくて",
    "父（85歳）が認知症で",
    "しごとがなくて生活がくるしくて",
    "リボ払いが減らなくて😢",
    "I can't pay my rent and",
]
ENDINGS = [
    "困っています。",
    "どうしたらいいですか？",
    "相談したいです",
    "もう限界です…",
    "",
    "助けて",
]
SHORT = [
    "こんにちは",
    "はい",
    "いいえ",
    "人と話したい",
    "やめる",
    "最初から",
    "戻る",
    "データを消して",
]


def messages(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if rng.random() < 0.25:
            out.append(rng.choice(SHORT))
        else:
            place = rng.choice(["", "小岩に住んでいて、", "西葛西の", "船堀で"])
            out.append(place + rng.choice(SUBJECTS) + rng.choice(ENDINGS))
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(url: str, count: int, warmup: int) -> None:
    rasa = RasaClassifier(url, timeout=10.0)
    try:
        if not await rasa.ready():
            sys.exit(f"no model loaded at {url} (scripts/rasa-serve.sh)")
        for text in messages(warmup, seed=1):
            await rasa.classify(text)
        samples_ms = []
        for text in messages(count):
            started = time.perf_counter()
            await rasa.classify(text)
            samples_ms.append((time.perf_counter() - started) * 1000)
    finally:
        await rasa.aclose()
    print(f"rasa /model/parse via RasaClassifier, {count} messages, {url}")
    print(
        f"p50 {percentile(samples_ms, 50):.1f} ms  p95 {percentile(samples_ms, 95):.1f} ms  "
        f"p99 {percentile(samples_ms, 99):.1f} ms  mean {statistics.fmean(samples_ms):.1f} ms  "
        f"max {max(samples_ms):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--url", default=os.environ.get("RASA_URL", DEFAULT_RASA_URL))
    args = parser.parse_args()
    asyncio.run(run(args.url, args.count, args.warmup))


if __name__ == "__main__":
    main()
