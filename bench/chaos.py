"""Chaos benchmark (issue 9): one-message residents while one production fault happens.

For each fault: 150 residents write one message each over 10 s, LINE-style redelivery on,
against web + 2 workers + a redis-server with an append-only file (fsync always) + the
bench PostgreSQL database behind a fault proxy + the fake Messaging API. The fault starts
3 s in and lasts 10 s; then the bench waits (bounded) for the system to settle and prints
acknowledged / answered / lost / answered twice and answer latency per fault.

    .venv/bin/python -m bench.chaos                       # every row
    .venv/bin/python -m bench.chaos --faults none,api_500 # some rows
    .venv/bin/python -m bench.chaos --repo /work/wt/outbox

Targets: 0 lost and 0 answered twice in every row; the crisis resident gets the emergency
lines after recovery and an urgent case exists; answers after a worker kill within 15 s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # python bench/chaos.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bench.answers import Outcome, attribute, percentile, seconds
from bench.harness import Stack, StackOptions
from bench.load import LineSender, Planned, Redelivery, Sent, text
from bench.mix import FIRST_MESSAGES, resident_id
from bot.deadletters import INDEX as DEAD_LETTER_INDEX

CRISIS_TEXT = "死にたい"
Step = Callable[[Stack, float], Awaitable[None]]


async def _nothing(stack: Stack, seconds: float) -> None:
    return None


async def _redis_restart(stack: Stack, seconds: float) -> None:
    await asyncio.to_thread(stack.redis_server.start)


async def _worker_restart(stack: Stack, seconds: float) -> None:
    stack.restart_worker(0)


async def _db_pass(stack: Stack, seconds: float) -> None:
    assert stack.db_proxy is not None
    await stack.db_proxy.set_mode("pass")


async def _db_refuse(stack: Stack, seconds: float) -> None:
    assert stack.db_proxy is not None
    await stack.db_proxy.set_mode("refuse")


async def _db_hang(stack: Stack, seconds: float) -> None:
    assert stack.db_proxy is not None
    await stack.db_proxy.set_mode("hang")


async def _worker_kill(stack: Stack, seconds: float) -> None:
    stack.kill_worker(0)


async def _redis_kill(stack: Stack, seconds: float) -> None:
    stack.redis_server.kill9()


async def _api_500(stack: Stack, seconds: float) -> None:
    await stack.line.fail(500, seconds)


async def _api_429(stack: Stack, seconds: float) -> None:
    await stack.line.fail(429, seconds, retry_after=5)


async def _api_refuse(stack: Stack, seconds: float) -> None:
    await stack.line.refuse(seconds)


async def _api_slow(stack: Stack, seconds: float) -> None:
    await stack.line.slow(1.0, 3600)


@dataclass(frozen=True)
class Fault:
    label: str
    start: Step = _nothing
    end: Step = _nothing  # for faults the bench itself must lift
    before: Step = _nothing  # from the start of the row (a slow API)
    crisis: bool = False


FAULTS: dict[str, Fault] = {
    "none": Fault("none"),
    "api_500": Fault("Messaging API answers 500", _api_500),
    "api_429": Fault("Messaging API answers 429 (Retry-After: 5)", _api_429),
    "api_unreachable": Fault("Messaging API unreachable (refused, kept-alive reset)", _api_refuse),
    "worker_kill": Fault("a worker killed -9 (restarted after the fault)", _worker_kill, _worker_restart),
    "worker_kill_slow_api": Fault("a worker killed -9, Messaging API answering in 1 s", _worker_kill,
                                  _worker_restart, before=_api_slow),
    "redis_kill": Fault("Redis killed -9, restarted after the fault", _redis_kill, _redis_restart),
    "db_refuse": Fault("database refuses connections (and resets open ones)", _db_refuse, _db_pass),
    "db_hang": Fault("database hung (accepts, forwards nothing)", _db_hang, _db_pass),
    "crisis": Fault(f"「{CRISIS_TEXT}」 sent during a Messaging API 500 outage", _api_500, crisis=True),
}


@dataclass
class Row:
    fault: Fault
    outcomes: list[Outcome]
    crisis: Outcome | None
    urgent_cases: str
    staff_alerts: int
    emergency_number: str
    dead_letters: str

    def cells(self) -> list[str]:
        acked = sum(o.sent.acked for o in self.outcomes)
        answered = sum(o.answered for o in self.outcomes)
        latencies = [o.latency for o in self.outcomes if o.latency is not None]
        redelivered = sum(len(o.sent.attempts) > 1 for o in self.outcomes)
        return [self.fault.label, str(acked), str(answered), str(len(self.outcomes) - answered),
                str(sum(o.twice for o in self.outcomes)), seconds(percentile(latencies, 50)),
                seconds(percentile(latencies, 95)), seconds(max(latencies, default=float("nan"))),
                f"{redelivered} redelivered, dead letters {self.dead_letters}"]

    def crisis_line(self) -> str:
        assert self.crisis is not None
        lines = [a for a in self.crisis.answers if any(self.emergency_number in t for t in a.texts)]
        arrived = f"yes, after {lines[0].at - self.crisis.sent.first_sent:.1f} s" if lines else "no"
        acked = "acknowledged" if self.crisis.sent.acked else "never acknowledged"
        return (f"crisis resident ({acked}): emergency lines arrived: {arrived}; urgent cases in the "
                f"database: {self.urgent_cases}; staff alerts: {self.staff_alerts}")


def emergency_number(repo: Path) -> str:
    """A number every danger answer shows (the first national line), from the target's data."""
    try:
        lines = yaml.safe_load((repo / "data" / "emergency" / "lines.yml").read_text(encoding="utf-8"))
        return str(lines["lines"][0]["number"])
    except (OSError, KeyError, IndexError, TypeError):
        return "0120-279-338"


def plan(residents: int, over_s: float, crisis_at: float | None) -> list[Planned]:
    events = [
        text(resident_id(), FIRST_MESSAGES[i % len(FIRST_MESSAGES)], "first", offset=i * over_s / residents)
        for i in range(residents)
    ]
    if crisis_at is not None:
        events.append(text(resident_id(), CRISIS_TEXT, "crisis", offset=crisis_at))
    return sorted(events, key=lambda p: p.offset)


async def settle(stack: Stack, sender: LineSender, sent: list[Sent], args: argparse.Namespace) -> list[Outcome]:
    """Wait until every acknowledged event is answered, or nothing has changed for
    ``--quiet`` seconds with no redelivery pending and the event stream empty, or
    ``--settle-max`` seconds have passed."""
    deadline = time.monotonic() + args.settle_max
    last_count, last_change = -1, time.monotonic()
    while True:
        outcomes = attribute(sent, await stack.line.deliveries())
        answered = sum(o.answered for o in outcomes)
        if answered != last_count:
            last_count, last_change = answered, time.monotonic()
        done = all(o.answered for o in outcomes if o.sent.acked) and sender.in_flight == 0
        quiet = time.monotonic() - last_change > args.quiet and sender.in_flight == 0
        if done or time.monotonic() > deadline or (quiet and await _stream_empty(stack)):
            return outcomes
        await asyncio.sleep(0.5)


async def _stream_empty(stack: Stack) -> bool:
    # Redis down or the stream renamed: the quiet period decides alone.
    try:
        return int(await stack.redis_call(lambda r: r.xlen("tsunagu:events"))) == 0
    except Exception:
        return True


async def _dead_letters(stack: Stack, otherwise: str) -> str:
    """How many dead letters exist (bot/deadletters.py's index), or ``otherwise`` when Redis
    cannot tell."""
    try:
        return str(await stack.redis_call(lambda r: r.zcard(DEAD_LETTER_INDEX)))
    except Exception:
        return otherwise


async def run_row(stack: Stack, fault: Fault, args: argparse.Namespace) -> Row:
    crisis_at = args.fault_at + 1.0 if fault.crisis else None
    events = plan(args.residents, args.seconds, crisis_at)
    policy = Redelivery(window_s=args.seconds + args.fault_seconds + args.settle_max)
    alerts_before = len(await stack.line.staff_alerts())
    start = time.time() + 1.0
    for planned in events:
        planned.seal(start)
    await stack.line.register_tokens([(p.reply_token, p.resident, start + p.offset) for p in events])
    await fault.before(stack, 0)

    async def inject() -> None:
        await asyncio.sleep(start + args.fault_at - time.time())
        await fault.start(stack, args.fault_seconds)
        await asyncio.sleep(args.fault_seconds)
        await fault.end(stack, args.fault_seconds)

    async with LineSender(stack.webhook_url, policy) as sender:
        injector = asyncio.create_task(inject())
        sent = await sender.run(events, start)
        await injector
        outcomes = await settle(stack, sender, sent, args)
    crisis = next((o for o in outcomes if o.sent.planned.kind == "crisis"), None)
    try:
        urgent = str(stack.database.scalar("SELECT count(*) FROM handoffs WHERE urgency = 'urgent'"))
    except Exception as exc:  # the schema changed: say so rather than guess
        urgent = f"? ({type(exc).__name__})"
    dead = await _dead_letters(stack, "?")
    return Row(fault, [o for o in outcomes if o.sent.planned.kind != "crisis"], crisis, urgent,
               len(await stack.line.staff_alerts()) - alerts_before, emergency_number(stack.options.repo), dead)


HEADER = ["fault (10 s, 3 s in)", "acknowledged", "answered", "lost", "answered twice",
          "answer p50", "p95", "max", "notes"]


def print_row(row: Row) -> None:
    print("| " + " | ".join(row.cells()) + " |", flush=True)
    if row.crisis is not None:
        print(f"|  ↳ {row.crisis_line()} |", flush=True)


async def main_async(args: argparse.Namespace) -> int:
    names = args.faults.split(",") if args.faults else list(FAULTS)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        sys.exit(f"unknown faults {unknown}; choose from {', '.join(FAULTS)}")
    options = StackOptions.from_args(args, workers=args.workers, db_proxy=True, redis_fsync="always")
    print(f"chaos: {args.residents} one-message residents over {args.seconds:.0f}s, a {args.fault_seconds:.0f}s "
          f"fault {args.fault_at:.0f}s in, {args.workers} workers, code from {options.repo}; after the fault, "
          f"until every acknowledged event is answered, or {args.quiet:.0f}s pass without a new answer "
          f"(at most {args.settle_max:.0f}s): 'lost' is 'not answered by then'", flush=True)
    rows = []
    async with Stack(options) as stack:
        print(f"NLU backend: {stack.nlu_backend}; logs in {stack.workdir}\n", flush=True)
        print("| " + " | ".join(HEADER) + " |")
        print("|" + " --- |" * len(HEADER), flush=True)
        for i, name in enumerate(names):
            if i:
                await stack.reset()
            rows.append(await run_row(stack, FAULTS[name], args))
            print_row(rows[-1])
    failed = any(sum(not o.answered for o in r.outcomes) or sum(o.twice for o in r.outcomes) for r in rows)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", help=f"comma-separated rows (default all): {', '.join(FAULTS)}")
    parser.add_argument("--residents", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=10, help="residents are spread over this")
    parser.add_argument("--fault-at", type=float, default=3)
    parser.add_argument("--fault-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quiet", type=float, default=45,
                        help="settled after this long without a new answer (longer than delivery backoff)")
    parser.add_argument("--settle-max", type=float, default=180, help="never wait longer than this after the fault")
    StackOptions.add_arguments(parser)
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
