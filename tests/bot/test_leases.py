"""Leases (bot.leases) on the real Redis: renewed while held, released after, lost when taken."""

from __future__ import annotations

import asyncio

import redis.asyncio as redis

from bot.leases import Lease


async def test_a_lease_held_past_its_length_is_renewed_then_released(redis_client: redis.Redis) -> None:
    lease = Lease(redis_client, "tsunagu:lock:test-renewed", 0.3)
    assert await lease.acquire()
    async with lease.renewed():
        await asyncio.sleep(0.9)  # three lease lengths: only renewals keep it
        assert await redis_client.get(lease.key) == lease.token.encode()
    assert not lease.lost
    await lease.release()
    assert await redis_client.get(lease.key) is None


async def test_a_lease_taken_by_another_is_lost_and_not_renewed(redis_client: redis.Redis) -> None:
    lease = Lease(redis_client, "tsunagu:lock:test-lost", 0.3)
    assert await lease.acquire()
    async with lease.renewed():
        await redis_client.set(lease.key, "someone-else")
        await asyncio.sleep(0.5)
    assert lease.lost
    assert await redis_client.get(lease.key) == b"someone-else"
    await lease.release()  # only the holder's token releases
    assert await redis_client.get(lease.key) == b"someone-else"


async def test_acquiring_reads_the_key_under_the_lease(redis_client: redis.Redis) -> None:
    await redis_client.set("tsunagu:done:test", "7")
    first = Lease(redis_client, "tsunagu:lock:test-reading", 5.0)
    assert await first.acquire_reading("tsunagu:done:test") == (True, b"7")
    second = Lease(redis_client, "tsunagu:lock:test-reading", 5.0)
    acquired, _value = await second.acquire_reading("tsunagu:done:test")
    assert not acquired
    await first.release()
    assert (await second.acquire_reading("tsunagu:done:missing")) == (True, None)
