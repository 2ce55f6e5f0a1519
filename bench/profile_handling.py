"""Where a worker's CPU goes when it handles the realistic mix (issue 13: ≤ 4 ms per event).

Starts the stack with one worker under cProfile (bench/profiled.py), stages the mix's
residents, switches the profiler on, sends the mix, waits for the answers, switches it off,
and prints the worker's CPU per event, the costliest functions by own time, the project's
functions by cumulative time, and own time grouped by package or library.

    .venv/bin/python -m bench.profile_handling                 # 40 events/s for 10 s
    .venv/bin/python -m bench.profile_handling --top 40 --save worker.prof

Profiling roughly doubles the CPU time; read the shares, and the unprofiled figure from
``bench.latency``. Only the worker's main thread is profiled (threads NLU may use are not).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):  # python bench/profile_handling.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BENCH_ROOT, Stack, StackOptions
from bench.latency import add_run_arguments, drive
from bench.load import LineSender, Redelivery
from bench.mix import plan_mix, stage

PROJECT = ("bot", "flows", "nlu", "handoff")
Key = tuple[str, int, str]


def area(filename: str, repo: Path) -> str:
    """The project module, or the library, a function's file belongs to."""
    path = Path(filename)
    if filename.startswith("<") or not path.is_absolute():
        return "builtins (C)" if filename == "~" else filename
    try:
        parts = path.relative_to(repo).parts
        if parts[0] in PROJECT:
            return ".".join(parts[:2]).removesuffix(".py")
    except ValueError:
        pass
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    return f"stdlib {path.stem}"


def where(key: Key, repo: Path) -> str:
    filename, line, name = key
    try:
        filename = str(Path(filename).relative_to(repo))
    except ValueError:
        if "site-packages" in filename:
            filename = filename.split("site-packages/", 1)[1]
        elif filename.startswith("/"):
            filename = Path(filename).name
    return f"{name} ({filename}:{line})" if filename != "~" else name


def report(stats: pstats.Stats, repo: Path, events: int, top: int) -> None:
    table: dict[Key, tuple[int, int, float, float, dict[Key, object]]] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())
    per_event = 1000 / max(events, 1)
    print(f"\nprofiled CPU: {total:.2f} s own time over {events} events = {total * per_event:.2f} ms per event (with profiler)")

    print(f"\ntop {top} functions by own time (ms per event, share):")
    for key, row in sorted(table.items(), key=lambda kv: -kv[1][2])[:top]:
        print(f"  {row[2] * per_event:7.3f}  {row[2] / total:6.1%}  {row[1]:>8} calls  {where(key, repo)}")

    print(f"\ntop {top} project functions by cumulative time (ms per event, share):")
    ours = [(k, r) for k, r in table.items() if area(k[0], repo).split(".")[0] in PROJECT]
    for key, row in sorted(ours, key=lambda kv: -kv[1][3])[:top]:
        print(f"  {row[3] * per_event:7.3f}  {row[3] / total:6.1%}  {row[1]:>8} calls  {where(key, repo)}")

    grouped: dict[str, float] = defaultdict(float)
    for key, row in table.items():
        grouped[area(key[0], repo)] += row[2]
    print("\nown time by package or library (ms per event, share):")
    for name, spent in sorted(grouped.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {spent * per_event:7.3f}  {spent / total:6.1%}  {name}")


def _fresh_path(save: str | None) -> Path:
    out = Path(save or "/tmp/tsunagu-worker.prof").resolve()
    out.unlink(missing_ok=True)
    return out


async def main_async(args: argparse.Namespace) -> int:
    out = _fresh_path(args.save)
    options = StackOptions.from_args(
        args, workers=1, db_proxy=False, redis_fsync="everysec",
        worker_wrapper=[str(BENCH_ROOT / "bench" / "profiled.py")], extra_env={"PROFILE_OUT": str(out)},
    )
    async with Stack(options) as stack:
        print(f"profiling one worker on the mix at {args.rate:g} events/s for {args.seconds:g}s "
              f"(code from {options.repo}, NLU {stack.nlu_backend})", flush=True)
        plan = plan_mix(args.mix, args.rate, args.seconds, args.warmup, options.repo / "data" / "flows")
        async with LineSender(stack.webhook_url, Redelivery(window_s=args.settle_max)) as sender:
            await stage(plan, sender, stack.line)
            await sender.drain(time.monotonic() + 30)
            await stack.line.clear()
            worker = stack.workers[0]
            cpu_before = worker.cpu()
            os.kill(worker.pid, signal.SIGUSR1)
            outcomes, _, _ = await drive(stack.line, sender, plan.events, args)
            os.kill(worker.pid, signal.SIGUSR2)
        handled = sum(o.answered for o in outcomes)
        cpu = worker.cpu() - cpu_before
        print(f"events sent {len(outcomes)}, answered {handled}; worker CPU {cpu / max(handled, 1) * 1000:.2f} ms "
              "per answered event (profiler on)")
        for _ in range(100):  # the worker writes the stats when the signal arrives
            await asyncio.sleep(0.1)
            if await asyncio.to_thread(lambda: out.exists() and out.stat().st_size > 0):
                break
        report(pstats.Stats(str(out)), options.repo, handled, args.top)
    if args.save:
        print(f"\nstats saved to {out} (python -m pstats {out}; or snakeviz)")
    else:
        _fresh_path(str(out))
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=40, help="events per second (one worker keeps up)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", help="keep the cProfile stats in this file")
    add_run_arguments(parser)
    parser.set_defaults(warmup=0)
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
