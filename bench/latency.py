"""Answer latency at fixed offered rates (issue 13), from the resident's side.

Latency runs from sending a webhook to the answer reaching the (fake) Messaging API. The
traffic is a mix (``bench.mix``): first messages, flow answers of residents already in a
flow, and returning residents writing to their open case; LINE's redelivery is on. Web,
workers, a redis-server (append-only file, fsync every second as in production), the
bench PostgreSQL database, the fake API and this generator all share the machine.

    .venv/bin/python -m bench.latency                    # 50/100/200 events/s, then the highest rate at p95 ≤ 1 s
    .venv/bin/python -m bench.latency --rates 100 --no-search
    .venv/bin/python -m bench.latency --workers 1,2,4    # scale-out: throughput with 1, 2, 4 workers
    .venv/bin/python -m bench.latency --peer             # the usual LINE-bot shape side by side (bench.peer)

For each rate it prints answer p50/p95/p99, ack p99, and CPU ms per event of each process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # python bench/latency.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answers import Outcome, attribute, milliseconds, percentile, seconds
from bench.harness import Stack, StackOptions
from bench.line_control import LineControl
from bench.load import LineSender, Planned, Redelivery, Sent
from bench.mix import Mix, plan_mix, stage, stale_texts

TARGET_P95_S = 1.0


@dataclass
class RateResult:
    rate: float
    outcomes: list[Outcome]  # measured events only
    cpu_ms: dict[str, float]  # per event sent, by process
    throughput: float  # answers per second from the first send to the last answer
    stale: int  # answers saying a button was stale or unclear (the mix went wrong)
    staged: str

    @property
    def latencies(self) -> list[float]:
        """Unanswered events count as never answered, so a loss shows in the percentiles."""
        return [o.latency if o.latency is not None else float("inf") for o in self.outcomes]

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def ack_p99(self) -> float:
        """Of first deliveries: how long LINE waited for the webhook's answer (infinite when
        it gave up), so a slow handler shows here and not only in redeliveries."""
        return percentile([o.sent.first_answer for o in self.outcomes], 99)

    @property
    def over_timeout(self) -> int:
        """Webhook requests LINE gave up waiting on (its 2 s timeout), redeliveries included."""
        return sum(o.sent.attempts.count("timeout") for o in self.outcomes)

    @property
    def answered(self) -> int:
        return sum(o.answered for o in self.outcomes)


async def settle(line: LineControl, sender: LineSender, sent: list[Sent], quiet_s: float, max_s: float) -> list[Outcome]:
    """Until every event is answered, or no new answer for ``quiet_s``, or ``max_s``."""
    deadline = time.monotonic() + max_s
    last, changed = -1, time.monotonic()
    while True:
        outcomes = attribute(sent, await line.deliveries())
        answered = sum(o.answered for o in outcomes)
        if answered != last:
            last, changed = answered, time.monotonic()
        if (answered == len(outcomes) and sender.in_flight == 0) or time.monotonic() > deadline \
                or time.monotonic() - changed > quiet_s:
            return outcomes
        await asyncio.sleep(0.5)


async def measure_rate(stack: Stack, rate: float, args: argparse.Namespace) -> RateResult:
    """One offered rate through the tsunagu stack."""
    plan = plan_mix(args.mix, rate, args.seconds, args.warmup, stack.options.repo / "data" / "flows")
    await stack.line.clear()
    async with LineSender(stack.webhook_url, Redelivery(window_s=args.settle_max)) as sender:
        reached = await stage(plan, sender, stack.line)
        await sender.drain(time.monotonic() + 30)
        await stack.line.clear()
        before = stack.cpu_snapshot()
        outcomes, spent, throughput = await drive(stack.line, sender, plan.events, args)
        cpu = stack.cpu_since(before)
    cpu["load generator"] = spent
    staged = f"{reached['flow']}/{len(plan.flow_starts)} in a flow, {reached['returning']}/{len(plan.returning)} with a case"
    stale = stale_texts(stack.options.repo)
    bad = sum(any(s in t for a in o.answers for t in a.texts for s in stale) for o in outcomes)
    total = len(plan.events)
    return RateResult(rate, [o for o in outcomes if o.sent.planned.measured],
                      {name: s / total * 1000 for name, s in cpu.items()}, throughput, bad, staged)


async def drive(line: LineControl, sender: LineSender, events: list[Planned], args: argparse.Namespace) -> tuple[list[Outcome], float, float]:
    """Seal, register the reply tokens, send on schedule, wait for the answers.

    Returns the outcomes, the generator's own CPU seconds, and answers per second."""
    start = time.time() + 1.0
    for planned in events:
        planned.seal(start)
    await line.register_tokens([(p.reply_token, p.resident, start + p.offset) for p in events])
    cpu_before = time.process_time()
    sent = await sender.run(events, start)
    outcomes = await settle(line, sender, sent, args.quiet, args.settle_max)
    spent = time.process_time() - cpu_before
    answers = [o.answers[0].at for o in outcomes if o.answers]
    span = (max(answers) - start) if answers else float("nan")
    return outcomes, spent, len(answers) / span if answers else 0.0


def print_rate_header() -> None:
    print("| offered events/s | events measured | answered | lost | answer p50 | p95 | p99 | ack p99 | answers/s | stale answers |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)


def print_rate(result: RateResult) -> None:
    n = len(result.outcomes)
    print(f"| {result.rate:g} | {n} | {result.answered} | {n - result.answered} | {seconds(result.p(50))} | "
          f"{seconds(result.p(95))} | {seconds(result.p(99))} | {milliseconds(result.ack_p99)} | "
          f"{result.throughput:.1f} | {result.stale} |", flush=True)


def print_cpu(results: list[RateResult]) -> None:
    print("\nCPU ms per event, by process (all events sent, warm-up included):")
    for r in results:
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in r.cpu_ms.items())
        workers = sum(ms for name, ms in r.cpu_ms.items() if name.startswith("worker"))
        print(f"  {r.rate:g}/s: {parts}; all workers {workers:.2f} (staged: {r.staged})")


async def search(stack: Stack, results: list[RateResult], args: argparse.Namespace) -> float | None:
    """The highest offered rate whose answer p95 stays within 1 s, by bisection."""
    passing = [r.rate for r in results if r.p(95) <= TARGET_P95_S]
    failing = [r.rate for r in results if r.p(95) > TARGET_P95_S]
    low, high = max(passing, default=None), min(failing, default=None)
    for _ in range(args.search_steps):
        if high is None:
            probe = min((low or 25) * 2, args.max_rate)
            if low is not None and probe <= low:
                break
        else:
            probe = round(((low or 0) + high) / 2 / 5) * 5
            if probe in (low, high) or probe <= 0:
                break
        result = await measure_rate(stack, probe, args)
        print_rate(result)
        results.append(result)
        if result.p(95) <= TARGET_P95_S:
            low = probe
        else:
            high = probe
    return low


async def scale_out(args: argparse.Namespace, counts: list[int]) -> None:
    print(f"\nscale-out: {args.scale_rate:g} events/s offered for {args.seconds:g}s, the mix, N workers")
    print("| workers | answers/s | answer p95 | lost | worker CPU ms/event (all workers) | events/s per worker core |")
    print("| --- | --- | --- | --- | --- | --- |", flush=True)
    for count in counts:
        async with Stack(StackOptions.from_args(args, workers=count, db_proxy=False, redis_fsync="everysec")) as stack:
            r = await measure_rate(stack, args.scale_rate, args)
        workers = sum(ms for name, ms in r.cpu_ms.items() if name.startswith("worker"))
        print(f"| {count} | {r.throughput:.1f} | {seconds(r.p(95))} | {len(r.outcomes) - r.answered} | {workers:.2f} "
              f"| {1000 / workers:.0f} |", flush=True)


async def main_async(args: argparse.Namespace) -> int:
    options = StackOptions.from_args(args, workers=args.workers[0], db_proxy=False, redis_fsync="everysec")
    if len(args.workers) > 1:
        await scale_out(args, args.workers)
        return 0
    rates = [float(r) for r in args.rates.split(",")]
    print(f"answer latency: mix {args.mix}, {args.warmup:g}s warm-up + {args.seconds:g}s measured per rate, "
          f"{options.workers} workers, code from {options.repo}", flush=True)
    async with Stack(options) as stack:
        print(f"NLU backend: {stack.nlu_backend}; logs in {stack.workdir}\n", flush=True)
        print_rate_header()
        results = []
        for rate in rates:
            results.append(await measure_rate(stack, rate, args))
            print_rate(results[-1])
        best = await search(stack, results, args) if args.search else None
        print_cpu(results)
        if args.search:
            shown = f"{best:g} events/s" if best is not None else "none of the rates tried"
            print(f"\nhighest offered rate with answer p95 ≤ {TARGET_P95_S:g} s: {shown}")
        if args.peer:
            from bench.peer import side_by_side

            await side_by_side(stack, {r.rate: r for r in results if r.rate in rates}, args)
    return 0


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per rate")
    parser.add_argument("--warmup", type=float, default=1, help="seconds sent first at the same rate, not measured")
    parser.add_argument("--mix", type=Mix.parse, default=Mix(), help="shares, e.g. first=0.5,flow=0.35,returning=0.15")
    parser.add_argument("--quiet", type=float, default=15, help="settled after this long without a new answer")
    parser.add_argument("--settle-max", type=float, default=180)
    StackOptions.add_arguments(parser)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="50,100,200", help="offered events per second")
    parser.add_argument("--workers", type=lambda s: [int(n) for n in s.split(",")], default=[2],
                        help="2 (default); a list such as 1,2,4 measures scale-out instead")
    parser.add_argument("--scale-rate", type=float, default=200, help="offered rate of the scale-out runs")
    parser.add_argument("--no-search", dest="search", action="store_false")
    parser.add_argument("--search-steps", type=int, default=3)
    parser.add_argument("--max-rate", type=float, default=400)
    parser.add_argument("--peer", action="store_true", help="also the peer at the same rates (bench.peer)")
    add_run_arguments(parser)
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
