"""Where the NLU's CPU work runs: never on the event loop.

A 5,000-character message costs tens to hundreds of milliseconds of normalising, Sudachi,
n-grams and regular expressions; run inline, that time is a stall of every other resident's
webhook on the same loop (issue 11 measured 0.7 s).  ``bench/nlu_loop_lag.py`` measured the
loop's lag during such parses inline, in a thread and in a process pool; a single worker
thread keeps the lag at the interpreter's switch interval (a few ms) without a second copy of
the model in memory or pickling per call, so that is the default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

T = TypeVar("T")

OffloadMode = Literal["thread", "inline"]


class Offloader:
    """``await offloader.run(fn, *args)``: ``fn(*args)`` in one dedicated worker thread (so
    parses never run two at a time and the model's caches see one thread), or inline."""

    def __init__(self, mode: OffloadMode = "thread") -> None:
        self.mode = mode
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self.mode == "inline":
            return fn(*args)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
