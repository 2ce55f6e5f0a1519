"""Short Redis leases: one holder at a time, renewed while held, lapsing when the holder dies.

A lease is a key holding a random token with a millisecond expiry. Only the holder's token
renews or releases it, and the worker's commit checks it (fencing): a worker that stalled
past its lease cannot overwrite what the next holder did.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as redis

from bot.logs import get_logger

log = get_logger("bot.leases")

# A lease's token must only differ from every other holder's: a random prefix per process
# and a counter, instead of a uuid4 (a system call and a UUID object) per lease, several
# per event (bench/profile_handling.py). A forked child draws its own prefix.
_prefix = os.urandom(8).hex()
_counter = itertools.count()


def _new_prefix() -> None:
    global _prefix
    _prefix = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_prefix)


def new_token() -> str:
    return f"{_prefix}-{next(_counter):x}"

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# Take the lease only when it is this event's turn (the resident's ``done`` is one short of
# its sequence number); ``done`` is returned either way, so a done event is seen at once.
# Any further keys are read once the lease is taken (``acquire_in_turn_reading``).
_ACQUIRE_IN_TURN = """
local done = tonumber(redis.call('GET', KEYS[2]) or '0')
if done + 1 == tonumber(ARGV[3]) and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local values = {}
  for i = 3, #KEYS do
    values[i - 2] = redis.call('GET', KEYS[i])
  end
  return {1, done, values}
end
return {0, done}
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease:
    def __init__(self, client: redis.Redis, key: str, lease_s: float) -> None:
        self._redis = client
        self.key = key
        self.token = new_token()
        self._lease_ms = max(int(lease_s * 1000), 100)
        self.lost = False
        self.held = False  # False again once released, here or by a script that fenced on it

    async def acquire(self) -> bool:
        self.held = bool(await self._redis.set(self.key, self.token, nx=True, px=self._lease_ms))
        return self.held

    def queue_acquire(self, pipe: Any) -> None:
        """Queue ``acquire`` in a caller's transaction; ``acquired`` reads its reply."""
        pipe.set(self.key, self.token, nx=True, px=self._lease_ms)

    @property
    def lease_ms(self) -> int:
        return self._lease_ms

    def acquired(self, reply: Any) -> bool:
        self.held = bool(reply)
        return self.held

    async def acquire_in_turn(self, done_key: str, seq: int) -> tuple[bool, int]:
        """Acquire only if ``done_key`` is ``seq - 1``; also returns ``done_key``'s value.
        One round trip for the worker's check of the resident's order and its lease, and no
        lease taken by an event whose turn has not come (it would hold up the one whose has)."""
        acquired, done, _values = await self.acquire_in_turn_reading(done_key, seq, ())
        return acquired, done

    async def acquire_in_turn_reading(
        self, done_key: str, seq: int, keys: Sequence[str]
    ) -> tuple[bool, int, dict[str, bytes | None]]:
        """``acquire_in_turn``, and when the lease is taken, the string values of ``keys``
        read under it in the same script (the worker's read-ahead of what the turn will
        read: two round trips fewer per event, bench/profile_handling.py)."""
        reply = await self._redis.eval(
            _ACQUIRE_IN_TURN, 2 + len(keys), self.key, done_key, *keys, self.token, self._lease_ms, seq
        )
        self.held = bool(reply[0])
        values = dict(zip(keys, reply[2], strict=True)) if self.held else {}
        return self.held, int(reply[1]), values

    async def renew(self) -> bool:
        if not self.held:
            return False
        renewed = bool(await self._redis.eval(_RENEW, 1, self.key, self.token, self._lease_ms))
        self.lost = self.lost or not renewed
        return renewed

    async def release(self) -> None:
        if self.held:
            await self._redis.eval(_RELEASE, 1, self.key, self.token)
            self.held = False

    def released_elsewhere(self) -> None:
        """A script that checked the token has deleted the key (``bot.outbox.Commit``)."""
        self.held = False

    @asynccontextmanager
    async def renewed(self) -> AsyncIterator[Lease]:
        """Keep the lease alive while the block runs (renewed three times per lease).

        A timer, not a task waiting on a timeout: most blocks end long before the first
        renewal, and a task per block was a measurable share of a worker's CPU per event
        (two leases per event, bench/profile_handling.py)."""
        loop = asyncio.get_running_loop()
        interval_s = self._lease_ms / 3000
        ended = False
        timer: asyncio.TimerHandle | None = None
        renewing: asyncio.Task[None] | None = None

        async def renew() -> None:
            try:
                if not self.held:
                    return
                if not await self.renew():
                    log.warning("lease.lost", key=self.key.split(":")[1])
                    return
            except (redis.RedisError, OSError):
                pass  # Redis away for a moment: the next renewal may still be in time
            if not ended:
                schedule()

        def start_renewal() -> None:
            nonlocal renewing
            renewing = loop.create_task(renew())

        def schedule() -> None:
            nonlocal timer
            timer = loop.call_later(interval_s, start_renewal)

        schedule()
        try:
            yield self
        finally:
            ended = True
            if timer is not None:
                timer.cancel()
            # A renewal under way is waited for, not cancelled: a cancellation meeting a
            # Redis timeout can be lost on Python 3.11, and the block would never end.
            if renewing is not None:
                await renewing
