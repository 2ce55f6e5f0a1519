"""The loops a process runs beside (or instead of) serving HTTP, started and stopped together.

Stream workers, outbox retries, callback reminders, housekeeping and the urgent-case notifier
each have ``run`` (until stopped) and ``stop``; the web app's lifespan (bot/app.py) and a
worker process (``python -m bot worker``) run theirs through this one class.
"""

from __future__ import annotations

import asyncio
from typing import Protocol


class Loop(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None: ...


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
