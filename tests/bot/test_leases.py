"""Leases (bot.leases) on the real Redis: renewed while held, released after, lost when taken."""

from __future__ import annotations

import asyncio
import os

import redis.asyncio as redis

from bot import leases
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


async def test_a_lease_is_taken_in_turn_only_and_done_is_read_either_way(redis_client: redis.Redis) -> None:
    await redis_client.set("tsunagu:done:test-turn", "4")
    early = Lease(redis_client, "tsunagu:lock:test-turn", 5.0)
    assert await early.acquire_in_turn("tsunagu:done:test-turn", 6) == (False, 4)  # not its turn
    assert await redis_client.get(early.key) is None  # and no lease taken that would hold up 5
    stale = Lease(redis_client, "tsunagu:lock:test-turn", 5.0)
    assert await stale.acquire_in_turn("tsunagu:done:test-turn", 3) == (False, 4)  # done already
    first = Lease(redis_client, "tsunagu:lock:test-turn", 5.0)
    assert await first.acquire_in_turn("tsunagu:done:test-turn", 5) == (True, 4)
    assert await redis_client.get(first.key) == first.token.encode()
    second = Lease(redis_client, "tsunagu:lock:test-turn", 5.0)
    assert await second.acquire_in_turn("tsunagu:done:test-turn", 5) == (False, 4)  # held
    await first.release()
    assert await redis_client.get(first.key) is None
    fresh = Lease(redis_client, "tsunagu:lock:test-turn-new", 5.0)
    assert await fresh.acquire_in_turn("tsunagu:done:test-turn-missing", 1) == (True, 0)
    await fresh.release()


async def test_a_lease_released_by_a_script_is_not_released_or_renewed_again(redis_client: redis.Redis) -> None:
    lease = Lease(redis_client, "tsunagu:lock:test-elsewhere", 0.3)
    assert await lease.acquire()
    async with lease.renewed():
        await redis_client.delete(lease.key)  # what the commit script does
        lease.released_elsewhere()
        await redis_client.set(lease.key, "next-holder")
        await asyncio.sleep(0.4)  # a renewal would have run here
    assert not lease.lost
    await lease.release()
    assert await redis_client.get(lease.key) == b"next-holder"


async def test_keys_are_read_ahead_only_with_a_lease_taken_in_turn(redis_client: redis.Redis) -> None:
    await redis_client.set("tsunagu:done:test-ahead", "2")
    await redis_client.set("tsunagu:conv:test-ahead", '{"phase": "ask"}')
    keys = ["tsunagu:conv:test-ahead", "tsunagu:conv-seen:test-ahead-missing"]
    early = Lease(redis_client, "tsunagu:lock:test-ahead", 5.0)
    assert await early.acquire_in_turn_reading("tsunagu:done:test-ahead", 4, keys) == (False, 2, {})
    first = Lease(redis_client, "tsunagu:lock:test-ahead", 5.0)
    assert await first.acquire_in_turn_reading("tsunagu:done:test-ahead", 3, keys) == (
        True, 2, {"tsunagu:conv:test-ahead": b'{"phase": "ask"}', "tsunagu:conv-seen:test-ahead-missing": None},
    )
    held = Lease(redis_client, "tsunagu:lock:test-ahead", 5.0)
    assert await held.acquire_in_turn_reading("tsunagu:done:test-ahead", 3, keys) == (False, 2, {})
    await first.release()


def test_tokens_differ_between_leases_and_between_forked_processes() -> None:
    """Fencing needs every holder's token to differ; a forked child must not repeat its
    parent's sequence of tokens."""
    tokens = {leases.new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next token, to the parent
        os.write(write, leases.new_token().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    assert child.split("-")[0] != leases.new_token().split("-")[0]
