"""Webhook benchmark: many simulated residents against the real stack on loopback.

Starts the stack (``bench.harness``: a redis-server of its own, the bench PostgreSQL
database, the fake Messaging API, the web process without in-process workers, worker
processes), then sends signed text events at a fixed rate (open loop: the schedule does not
wait for answers). Prints acknowledgement latency p50/p99, answers per second, events lost
(accepted but never answered; must be 0), and the CPU each process spent per event.

    .venv/bin/python bench/webhook.py --rate 200 --seconds 15 --residents 500 --workers 2

Workers and the fake LINE API run at idle priority by default (``--worker-priority``); the
load generator builds every signed body before the clock starts and does not collect
garbage while it sends, so neither it nor the handling backlog is measured as the
webhook's latency. The first second (``--warmup-seconds``) is sent but not measured.
For answer latency from the resident's side, see ``bench/latency.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # python bench/webhook.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answers import attribute, percentile
from bench.harness import Stack, StackOptions
from bench.load import LineSender, Redelivery, text

MESSAGES = ["借金が返せなくて困っています", "こんにちは", "息子がずっと部屋から出てきません", "家を借りられない", "相談したいです"]


async def run(args: argparse.Namespace) -> int:
    options = StackOptions.from_args(args, workers=args.workers, db_proxy=False, redis_fsync="everysec")
    async with Stack(options) as stack:
        residents = [f"U{random.getrandbits(128):032x}" for _ in range(args.residents)]
        warmup = int(args.rate * args.warmup_seconds)
        total = int(args.rate * args.seconds) + warmup
        events = [text(random.choice(residents), random.choice(MESSAGES), "first", offset=i / args.rate,
                       measured=i >= warmup) for i in range(total)]
        start = time.time() + 1.0
        for planned in events:
            planned.seal(start)
        await stack.line.register_tokens([(p.reply_token, p.resident, start + p.offset) for p in events])
        # No redelivery: this measures the acknowledgement; a 10 s client timeout.
        async with LineSender(stack.webhook_url, Redelivery(enabled=False, timeout_s=10)) as sender:
            before = stack.cpu_snapshot()
            client_before = time.process_time()
            sent = await sender.run(events, start)
            await sender.drain(time.monotonic() + 30)
            send_done = time.time()
            accepted = [s for s in sent if s.acked]
            deadline = time.monotonic() + args.drain_timeout
            answered = 0
            while args.workers and answered < len(accepted) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                answered = sum(o.answered for o in attribute(accepted, await stack.line.deliveries()))
            finished = time.time()
            cpu = stack.cpu_since(before)
            cpu["load generator"] = time.process_time() - client_before
    latencies = [s.ack_latency for s in sent if s.planned.measured and s.ack_latency is not None]
    statuses: dict[str, int] = {}
    for s in sent:
        statuses[s.attempts[-1]] = statuses.get(s.attempts[-1], 0) + 1
    print(f"events sent            {total} at {args.rate}/s: {args.warmup_seconds}s warm-up + {args.seconds}s measured,"
          f" {args.residents} residents, {args.workers} workers (priority {args.worker_priority})")
    print(f"http statuses          {dict(sorted(statuses.items()))}")
    print(f"ack latency p50        {statistics.median(latencies) * 1000:.2f} ms")
    print(f"ack latency p99        {percentile(latencies, 99) * 1000:.2f} ms")
    print(f"ack latency max        {max(latencies) * 1000:.2f} ms")
    lost = len(accepted) - answered if args.workers else 0
    if args.workers:
        print(f"events answered        {answered} of {len(accepted)} accepted")
        print(f"answered per second    {answered / (finished - start):.1f} (drained {finished - send_done:.2f}s after the last send)")
        print(f"events lost            {lost}")
    print("cpu ms per event       " + ", ".join(f"{name} {s / total * 1000:.2f}" for name, s in cpu.items()))
    if args.timeline:
        for second in range(int(args.seconds) + 1):
            window = [s.ack_latency for s in sent if s.ack_latency is not None
                      and second <= s.first_sent - start - args.warmup_seconds < second + 1]
            if window:
                print(f"  second {second:2d}: {len(window)} sent, p50 {statistics.median(window) * 1000:.1f} ms,"
                      f" max {max(window) * 1000:.1f} ms")
    return 0 if lost == 0 and statuses.get("200", 0) == total else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200, help="events per second")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--residents", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--warmup-seconds", type=int, default=1, help="sent at the rate, not measured")
    parser.add_argument("--timeline", action="store_true", help="also print latency per second of the run")
    StackOptions.add_arguments(parser)
    parser.set_defaults(worker_priority="idle")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
