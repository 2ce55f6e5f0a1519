"""The loops a process runs beside (or instead of) serving HTTP, started and stopped together.

Stream workers, outbox retries, callback reminders, housekeeping and the urgent-case notifier
each have ``run`` (until stopped) and ``stop``; the web app's lifespan (bot/app.py) and a
worker process (``python -m bot worker``) run theirs through this one class.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.logs import get_logger

log = get_logger("bot.background")


class Loop(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None: ...


class Every:
    """A ``Loop`` that runs ``step`` every ``interval_s`` until stopped; a failed step is
    logged as ``failed_event`` and the next one retries (a store or webhook may be away)."""

    def __init__(self, step: Callable[[], Awaitable[Any]], interval_s: float, failed_event: str) -> None:
        self._step = step
        self._interval_s = interval_s
        self._failed_event = failed_event
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._step()
            except Exception as exc:  # noqa: BLE001 - logged; the next step retries
                log.warning(self._failed_event, error=type(exc).__name__)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval_s)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()


class Background:
    def __init__(self, loops: list[Loop]) -> None:
        self.loops = loops
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(loop.run()) for loop in self.loops]

    async def stop(self) -> list[BaseException]:
        """Ask every loop to finish what it holds, wait for all; the failures, if any."""
        for loop in self.loops:
            loop.stop()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        return [result for result in results if isinstance(result, BaseException)]

    async def run_until(self, stopping: asyncio.Event) -> None:
        """Until ``stopping`` is set or a loop ends on its own (it failed); then stop them
        all, and raise the first failure."""
        stop = asyncio.create_task(stopping.wait())
        try:
            await asyncio.wait({*self._tasks, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        failures = await self.stop()
        if failures:
            raise failures[0]
