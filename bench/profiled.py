"""Run a module under cProfile that signals switch on and off (used by bench/profile_handling.py).

    python bench/profiled.py -m bot worker      # SIGUSR1: start profiling; SIGUSR2: stop and
                                                # write the stats to $PROFILE_OUT

Only the measured window is profiled, not the start-up (model loading, imports), and only
the main thread (where the event loop runs). Run as a
file so that it works with any checkout's python; it imports nothing of the bench.
"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
import sys
import time
from types import FrameType

# CPU time of the thread, not wall time: an asyncio worker spends most of its wall time
# waiting in epoll, which is not a cost.
profile = cProfile.Profile(time.thread_time)


def _start(signum: int, frame: FrameType | None) -> None:
    profile.enable()


def _stop(signum: int, frame: FrameType | None) -> None:
    profile.disable()
    profile.dump_stats(os.environ["PROFILE_OUT"])


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
