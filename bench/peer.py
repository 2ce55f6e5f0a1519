"""tsunagu and the peer (bench/peer_app.py) under the same load, side by side (issue 13).

Run through ``python -m bench.latency --peer``: the peer gets the same mix at the same
rates in the same run, with LINE's redelivery and its 2 s webhook timeout, and the bench
prints for both the ack p99, the answers delivered, the requests LINE would have given up
on, and the ratios.
"""

from __future__ import annotations

import argparse
import time

from bench.answers import milliseconds, seconds
from bench.harness import Stack
from bench.latency import RateResult, drive
from bench.load import LineSender, Redelivery
from bench.mix import plan_mix


async def measure_peer(stack: Stack, rate: float, args: argparse.Namespace) -> RateResult:
    """The same plan as tsunagu's at ``rate`` (no staging: the peer keeps no conversation)."""
    peer = stack.peer or await stack.start_peer()
    plan = plan_mix(args.mix, rate, args.seconds, args.warmup, stack.options.repo / "data" / "flows")
    await peer.line.clear()
    cpu_before = peer.app.cpu(), peer.fake.cpu()
    async with LineSender(peer.webhook_url, Redelivery(window_s=args.settle_max)) as sender:
        outcomes, spent, throughput = await drive(peer.line, sender, plan.events, args)
    total = len(plan.events)
    cpu = {"peer": (peer.app.cpu() - cpu_before[0]) / total * 1000,
           "fake LINE API": (peer.fake.cpu() - cpu_before[1]) / total * 1000,
           "load generator": spent / total * 1000}
    return RateResult(rate, [o for o in outcomes if o.sent.planned.measured], cpu, throughput, 0, "none")


def _row(rate: float, name: str, r: RateResult) -> str:
    return (f"| {rate:g} | {name} | {milliseconds(r.ack_p99)} | {r.answered} of {len(r.outcomes)} | "
            f"{r.over_timeout} | {seconds(r.p(95))} |")


def _ratio(a: float, b: float) -> str:
    """a/b, or a dash where either is missing (NaN) or timed out (infinite)."""
    finite = all(x == x and x != float("inf") for x in (a, b))
    return f"{a / b:.1f}×" if finite and b else "—"


async def side_by_side(stack: Stack, tsunagu: dict[float, RateResult], args: argparse.Namespace) -> None:
    print("\npeer side by side (same mix, same rates, LINE's redelivery and 2 s timeout):")
    print("| events/s | system | ack p99 | answers delivered | requests over 2 s | answer p95 |")
    print("| --- | --- | --- | --- | --- | --- |", flush=True)
    ratios = []
    for rate, ours in tsunagu.items():
        started = time.monotonic()
        peer = await measure_peer(stack, rate, args)
        print(_row(rate, "tsunagu", ours))
        print(_row(rate, "peer", peer), flush=True)
        ratios.append(
            f"  {rate:g}/s: ack p99 peer/tsunagu {_ratio(peer.ack_p99, ours.ack_p99)}, answers delivered "
            f"tsunagu/peer {_ratio(ours.answered, peer.answered)}; peer CPU ms per event "
            + ", ".join(f"{k} {v:.2f}" for k, v in peer.cpu_ms.items())
            + f" ({time.monotonic() - started:.0f}s)"
        )
    print("\nratios:")
    print("\n".join(ratios), flush=True)
