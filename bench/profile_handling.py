"""Where a worker's CPU goes when it handles the realistic mix (issue 13: ≤ 4 ms per event).

Starts the stack with one worker under a profiler (bench/profiled.py), stages the mix's
residents, switches the profiler on, sends the mix, waits for the answers, switches it off,
and prints the worker's CPU per event and where it went: functions by own time, project
functions with all they call, the innermost project function of each sample, and packages
or libraries.

    .venv/bin/python -m bench.profile_handling                       # 40 events/s for 10 s
    .venv/bin/python -m bench.profile_handling --profiler cprofile   # exact, with call counts

Sampling (the default) adds little; cProfile makes the worker several times slower, so read
its shares, not its milliseconds. Only the worker's main thread is profiled (threads NLU
may use are not).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import pstats
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/profile_handling.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BENCH_ROOT, Stack, StackOptions
from bench.latency import add_run_arguments, drive
from bench.load import LineSender, Redelivery
from bench.mix import plan_mix, stage
from bench.procs import thread_cpu_seconds

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


def report_cprofile(path: Path, repo: Path, events: int, top: int, main_cpu_s: float) -> None:
    table = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())
    per_event = 1000 / max(events, 1)
    print(f"\nprofiled CPU: {total * per_event:.2f} ms per event (cProfile, with its overhead)")
    print(f"\ntop {top} functions by own time (ms per event, share, calls):")
    for key, row in sorted(table.items(), key=lambda kv: -kv[1][2])[:top]:
        print(f"  {row[2] * per_event:7.3f}  {row[2] / total:6.1%}  {row[1]:>8}  {where(key, repo)}")
    _print_shares("own time by package or library", _sum_by(table, lambda k: area(k[0], repo), 2),
                  total, per_event, top)


def report_samples(path: Path, repo: Path, events: int, top: int, main_cpu_s: float) -> None:
    """Shares from the samples, milliseconds from the main thread's measured CPU (the kernel
    fires CPU-time timers on its clock tick, so a sample stands for ~4 ms, not the interval asked)."""
    with path.open("rb") as fh:
        profile = pickle.load(fh)
    stacks: dict[tuple[Key, ...], int] = profile["stacks"]
    total = sum(stacks.values())
    per_event = main_cpu_s * 1000 / max(total, 1) / max(events, 1)
    print(f"\n{total} samples of the main thread's stack, one per {main_cpu_s * 1000 / max(total, 1):.1f} ms "
          f"of CPU; its {main_cpu_s / max(events, 1) * 1000:.2f} ms per event shared out as follows")
    own: dict[Key, int] = defaultdict(int)
    inclusive: dict[Key, int] = defaultdict(int)
    ours: dict[str, int] = defaultdict(int)
    libraries: dict[str, int] = defaultdict(int)
    for stack, count in stacks.items():
        own[stack[0]] += count
        libraries[area(stack[0][0], repo)] += count
        project = [f for f in stack if area(f[0], repo).split(".")[0] in PROJECT and not f[0].endswith("__main__.py")]
        for function in set(project):
            inclusive[function] += count
        ours[where(project[0], repo) if project else "event loop and I/O (no project frame)"] += count
    _print_shares(f"top {top} functions by own time", {where(k, repo): v for k, v in own.items()},
                  total, per_event, top)
    _print_shares(f"top {top} project functions, with all they call", {where(k, repo): v for k, v in inclusive.items()},
                  total, per_event, top)
    _print_shares("by the innermost project function (its own time and the libraries it calls)", ours,
                  total, per_event, top)
    _print_shares("own time by package or library", libraries, total, per_event, top)


def _sum_by(table: dict[Key, tuple[Any, ...]], name: Callable[[Key], str], column: int) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for key, row in table.items():
        sums[name(key)] += row[column]
    return sums


def _print_shares(title: str, costs: Mapping[str, float], total: float, per_event: float, top: int) -> None:
    print(f"\n{title} (ms per event, share):")
    for name, spent in sorted(costs.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {spent * per_event:7.3f}  {spent / total:6.1%}  {name}")


def _fresh_path(save: str | None) -> Path:
    out = Path(save or "/tmp/tsunagu-worker.prof").resolve()
    out.unlink(missing_ok=True)
    return out


async def main_async(args: argparse.Namespace) -> int:
    out = _fresh_path(args.save)
    options = StackOptions.from_args(
        args, workers=1, db_proxy=False, redis_fsync="everysec",
        worker_wrapper=[str(BENCH_ROOT / "bench" / "profiled.py")],
        extra_env={"PROFILE_OUT": str(out), "PROFILER": args.profiler},
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
            cpu_before, threads_before = worker.cpu(), thread_cpu_seconds(worker.pid)
            os.kill(worker.pid, signal.SIGUSR1)
            outcomes, _, _ = await drive(stack.line, sender, plan.events, args)
            os.kill(worker.pid, signal.SIGUSR2)
        handled = sum(o.answered for o in outcomes)
        cpu = worker.cpu() - cpu_before
        threads = {name: spent - threads_before.get(name, 0.0) for name, spent in thread_cpu_seconds(worker.pid).items()}
        print(f"events sent {len(outcomes)}, answered {handled}; worker CPU {cpu / max(handled, 1) * 1000:.2f} ms "
              "per answered event (profiler on); by thread: "
              + ", ".join(f"{name} {spent / max(handled, 1) * 1000:.2f}" for name, spent in threads.items() if spent))
        for _ in range(100):  # the worker writes the stats when the signal arrives
            await asyncio.sleep(0.1)
            if await asyncio.to_thread(lambda: out.exists() and out.stat().st_size > 0):
                break
        report = report_samples if args.profiler == "sample" else report_cprofile
        report(out, options.repo, handled, args.top, threads.get("main", cpu))
    if args.save:
        print(f"\nprofile saved to {out}")
    else:
        _fresh_path(str(out))
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=40, help="events per second (one worker keeps up)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", help="keep the profile in this file")
    parser.add_argument("--profiler", choices=("sample", "cprofile"), default="sample",
                        help="CPU-time stack sampling (default) or cProfile (exact, slow)")
    add_run_arguments(parser)
    parser.set_defaults(warmup=0)
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
