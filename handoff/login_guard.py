"""Login throttling with growing delays, known devices, and failed-login aggregation (Redis).

Three counters slow down guessing, each forgetting an hour after its last failure:

* **per account**, from any address: after 5 failures each further one doubles the wait
  (1 s, 2 s, 4 s … at most 15 min). Guessing one password from many addresses is slowed.
* **per address**, across accounts: after 20 failures the same doubling. Guessing many
  accounts from one address (password spraying) is slowed.
* **per known device**: a browser where an account signed in before holds a device token for
  it (an HttpOnly cookie). Its attempts on *that* account skip the two counters above and
  have their own: 5 failures revoke the token.

So a colleague on a shared ward PC, whose address is throttled by someone else's typos or
by an attacker, still signs in with a correct password from a browser where they signed
in before, and an attacker elsewhere hammering their account cannot lock them out either.
Nothing is a permanent lock: every wait ends on its own.

Failed logins are audited in aggregate (``FailureTally``): one row when an account+address
pair first fails in an hour, then at its 10th, 100th … failure, and past 200 pairs an hour
all further failures share one "*" row, so a flood cannot grow the audit log without bound.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as redis

from flows import redis_keys

PREFIX = "tsunagu:staff:login:"
DEVICE_PREFIX = "tsunagu:staff:device:"
MAX_DEVICE_TOKENS = 6  # accounts remembered by one browser (a shared PC)
AUDIT_WINDOW_S = 3600
AUDIT_PAIRS_PER_WINDOW = 200
ANY = "*"


@dataclass(frozen=True)
class ThrottlePolicy:
    account_free_failures: int = 5
    address_free_failures: int = 20
    device_free_failures: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 15 * 60
    memory_s: int = 3600
    device_ttl_s: int = 90 * 24 * 3600


@dataclass(frozen=True)
class FailureTally:
    """An audit row to write for a failed login: its bucket and the count reached."""

    email: str
    client_ip: str
    failures: int
    window: str


def delay_after(failures: int, free: int, policy: ThrottlePolicy) -> float:
    """Seconds to wait after ``failures`` failures, when the first ``free`` cost nothing."""
    if failures < free:
        return 0.0
    return float(min(policy.max_delay_s, policy.base_delay_s * 2 ** min(failures - free, 30)))


def _digest(value: str) -> str:
    """E-mails, addresses and device tokens name throttle keys by a keyed hash only."""
    return redis_keys.keyed(value)


def device_tokens(cookie: str | None) -> list[str]:
    return [t for t in (cookie or "").split(".") if 20 <= len(t) <= 64][:MAX_DEVICE_TOKENS]


class LoginGuard:
    def __init__(self, client: redis.Redis, policy: ThrottlePolicy | None = None) -> None:
        self._redis = client
        self.policy = policy or ThrottlePolicy()

    # ---- known devices -----------------------------------------------------------------

    async def device_for(self, tokens: list[str], user_id: int) -> str | None:
        """The token among ``tokens`` that marks this browser as known for ``user_id``."""
        if not tokens:
            return None
        owners = await self._redis.mget([DEVICE_PREFIX + _digest(t) for t in tokens])
        for token, owner in zip(tokens, owners, strict=True):
            if owner is not None and int(owner) == user_id:
                return token
        return None

    async def remember_device(self, tokens: list[str], user_id: int, known: str | None) -> list[str]:
        """The cookie's new token list: ``known`` kept, or a new token for ``user_id`` added
        (the oldest dropped past MAX_DEVICE_TOKENS)."""
        if known is not None:
            return tokens
        token = secrets.token_urlsafe(24)
        await self._redis.set(DEVICE_PREFIX + _digest(token), user_id, ex=self.policy.device_ttl_s)
        owners = await self._redis.mget([DEVICE_PREFIX + _digest(t) for t in tokens]) if tokens else []
        others = [t for t, owner in zip(tokens, owners, strict=True) if owner is not None and int(owner) != user_id]
        return [*others, token][-MAX_DEVICE_TOKENS:]

    # ---- throttling --------------------------------------------------------------------

    def _keys(self, email: str, client_ip: str, device: str | None) -> list[str]:
        if device is not None:
            return [PREFIX + "device:" + _digest(device)]
        return [PREFIX + "account:" + _digest(email), PREFIX + "address:" + _digest(client_ip)]

    async def wait_s(self, *, email: str, client_ip: str, device: str | None) -> float:
        """Seconds before this attempt may be checked (0: now)."""
        waits = [await self._redis.pttl(key + ":wait") for key in self._keys(email, client_ip, device)]
        return max([w / 1000 for w in waits if w > 0] or [0.0])

    async def failed(self, *, email: str, client_ip: str, device: str | None) -> FailureTally:
        """Count a failure on every counter this attempt was subject to."""
        keys = self._keys(email, client_ip, device)
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.incr(key)
                pipe.expire(key, self.policy.memory_s)
            counts = (await pipe.execute())[0::2]
        free = (
            [self.policy.device_free_failures]
            if device is not None
            else [self.policy.account_free_failures, self.policy.address_free_failures]
        )
        for key, count, allowed in zip(keys, counts, free, strict=True):
            if device is not None and count >= allowed:
                await self._redis.delete(DEVICE_PREFIX + _digest(device), key)
                continue
            wait = delay_after(int(count), allowed, self.policy)
            if wait > 0:
                await self._redis.set(key + ":wait", 1, px=int(wait * 1000))
        return await self._tally(email, client_ip)

    async def succeeded(self, *, email: str, client_ip: str, device: str | None) -> None:
        """A correct password clears its account's counter (never the address's: one valid
        account must not reset a sprayer's count)."""
        keys = [PREFIX + "account:" + _digest(email)]
        if device is not None:
            keys.append(PREFIX + "device:" + _digest(device))
        await self._redis.delete(*keys, *[k + ":wait" for k in keys])

    # ---- audit aggregation -------------------------------------------------------------

    async def _tally(self, email: str, client_ip: str) -> FailureTally:
        window_start = int(time.time()) // AUDIT_WINDOW_S * AUDIT_WINDOW_S
        window = datetime.fromtimestamp(window_start, UTC).strftime("%Y-%m-%dT%H:00Z")
        base = f"{PREFIX}tally:{window_start}:"
        pair = base + _digest(f"{email}|{client_ip}")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(pair)
            pipe.expire(pair, AUDIT_WINDOW_S * 2)
            count = int((await pipe.execute())[0])
        bucket = (email, client_ip)
        if count == 1:
            pairs = await self._redis.incr(base + "pairs")
            await self._redis.expire(base + "pairs", AUDIT_WINDOW_S * 2)
            if pairs > AUDIT_PAIRS_PER_WINDOW:
                await self._redis.set(pair + ":rolled", 1, ex=AUDIT_WINDOW_S * 2)
        if await self._redis.exists(pair + ":rolled"):
            bucket = (ANY, ANY)
            count = int(await self._redis.incr(base + "rollup"))
            await self._redis.expire(base + "rollup", AUDIT_WINDOW_S * 2)
        return FailureTally(email=bucket[0], client_ip=bucket[1], failures=count, window=window)


def worth_a_row(tally: FailureTally) -> bool:
    """Write an audit row at the 1st, 10th, 100th … failure of a bucket in its window."""
    n = tally.failures
    if n < 1:
        return False
    while n % 10 == 0:
        n //= 10
    return n == 1
