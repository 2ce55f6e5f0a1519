"""Run a module with a CPU profiler that signals switch on and off (bench/profile_handling.py).

    PROFILE_OUT=/tmp/w.prof python bench/profiled.py -m bot worker
    # SIGUSR1: start profiling; SIGUSR2: stop and write the profile to $PROFILE_OUT

``PROFILER=sample`` (default) samples the stack every millisecond of CPU time (SIGPROF), so
costs add up to 100% whatever awaits, greenlet switches (SQLAlchemy's asyncio) or C calls
happen; a C function's time goes to the Python function that called it. ``PROFILER=cprofile``
is exact per function with call counts, but about eight times slower, and its cumulative
times double-count across awaits. Only the measured window is profiled, not the start-up,
and only the main thread (where the event loop runs). Run as a file so that it works with
any checkout's python; it imports nothing of the bench.
"""

from __future__ import annotations

import collections
import cProfile
import os
import pickle
import runpy
import signal
import sys
import time
from types import FrameType

try:  # SQLAlchemy's asyncio runs its sync code in greenlets: follow them to their caller
    from greenlet import getcurrent
except ImportError:  # pragma: no cover - a checkout without greenlet
    getcurrent = None

Function = tuple[str, int, str]  # file, first line, name
stacks: collections.Counter[tuple[Function, ...]] = collections.Counter()
# CPU time of the thread, not wall time: an asyncio worker waits in epoll most of the time.
exact = cProfile.Profile(time.thread_time)
SAMPLING = os.environ.get("PROFILER", "sample") == "sample"
INTERVAL_S = float(os.environ.get("PROFILE_INTERVAL_MS", "1")) / 1000


def _sample(signum: int, frame: FrameType | None) -> None:
    stack: list[Function] = []
    # A greenlet's outermost frame has no f_back: go on from where its parent switched
    # into it (greenlet_spawn, awaited by the project's caller), so SQLAlchemy's work in
    # greenlets is charged to the function that asked for it.
    current = getcurrent() if getcurrent is not None else None
    while len(stack) < 120:
        while frame is not None and len(stack) < 120:
            code = frame.f_code
            stack.append((code.co_filename, code.co_firstlineno, code.co_name))
            frame = frame.f_back
        current = current.parent if current is not None else None
        if current is None:
            break
        frame = current.gr_frame
    stacks[tuple(stack)] += 1  # innermost first


def _start(signum: int, frame: FrameType | None) -> None:
    if SAMPLING:
        signal.signal(signal.SIGPROF, _sample)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL_S, INTERVAL_S)
    else:
        exact.enable()


def _stop(signum: int, frame: FrameType | None) -> None:
    out = os.environ["PROFILE_OUT"]
    if SAMPLING:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        with open(out + ".tmp", "wb") as fh:
            pickle.dump({"interval_s": INTERVAL_S, "stacks": dict(stacks)}, fh)
        os.replace(out + ".tmp", out)
    else:
        exact.disable()
        exact.dump_stats(out)


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        sys.exit(__doc__)
    module, rest = sys.argv[2], sys.argv[3:]
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
