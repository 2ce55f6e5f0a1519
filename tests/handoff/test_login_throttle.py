"""Login throttling per account, per address and per known device; aggregated audit of
failures; argon2 off the event loop. Real PostgreSQL and Redis; the delays are shortened
by the policy so waiting them out is quick."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading

import pytest

from handoff.auth import AuthError, Gatekeeper, Throttled, create_user, off_loop
from handoff.login_guard import (
    ANY,
    AUDIT_PAIRS_PER_WINDOW,
    LoginGuard,
    ThrottlePolicy,
    delay_after,
    worth_a_row,
)

PASSWORD = "a-long-staff-password"
QUICK = ThrottlePolicy(account_free_failures=3, address_free_failures=4, device_free_failures=2,
                       base_delay_s=0.3, max_delay_s=0.6)
# For tests that must still be throttled after several (slow) password checks.
HELD = ThrottlePolicy(account_free_failures=3, address_free_failures=4, device_free_failures=2,
                      base_delay_s=60, max_delay_s=120)


async def _users(sessions, *emails: str) -> None:
    async with sessions() as session, session.begin():
        for email in emails:
            await create_user(session, email=email, password=PASSWORD, role="staff", centre_codes=["kurashigoto"])


async def _attempt(gate: Gatekeeper, sessions, email: str, password: str, ip: str, tokens=None):
    async with sessions() as session:
        result = await gate.login(session, email=email, password=password, client_ip=ip, device_tokens=tokens)
        await session.commit()
        return result


async def _fail(gate: Gatekeeper, sessions, email: str, ip: str) -> None:
    with pytest.raises(AuthError) as raised:
        await _attempt(gate, sessions, email, "a-wrong-guess", ip)
    assert not isinstance(raised.value, Throttled)


async def test_one_account_guessed_from_many_addresses_is_throttled(pg_sessions, redis_client) -> None:
    await _users(pg_sessions, "sato@ward.example")
    gate = Gatekeeper(redis_client, throttle=QUICK)
    for i in range(QUICK.account_free_failures):
        await _fail(gate, pg_sessions, "sato@ward.example", f"10.1.0.{i}")
    with pytest.raises(Throttled) as throttled:  # a fresh address, the right password: not now
        await _attempt(gate, pg_sessions, "sato@ward.example", PASSWORD, "10.9.9.9")
    assert 0 < throttled.value.retry_after_s <= QUICK.max_delay_s
    await asyncio.sleep(throttled.value.retry_after_s)  # a wait, never a lock
    assert (await _attempt(gate, pg_sessions, "sato@ward.example", PASSWORD, "10.9.9.9")).user.email == "sato@ward.example"


async def test_many_accounts_guessed_from_one_address_are_throttled(pg_sessions, redis_client) -> None:
    emails = [f"user{i}@ward.example" for i in range(HELD.address_free_failures + 1)]
    await _users(pg_sessions, *emails)
    gate = Gatekeeper(redis_client, throttle=HELD)
    for email in emails[:-1]:  # one guess per account: no account counter is near its limit
        await _fail(gate, pg_sessions, email, "10.2.0.1")
    with pytest.raises(Throttled):
        await _attempt(gate, pg_sessions, emails[-1], "another-guess", "10.2.0.1")
    # The same accounts from another address are not held up.
    assert (await _attempt(gate, pg_sessions, emails[-1], PASSWORD, "10.2.0.2")).user.email == emails[-1]


async def test_a_throttled_address_does_not_block_a_colleague_on_a_known_browser(pg_sessions, redis_client) -> None:
    """The shared ward PC: someone exhausts the address's allowance on other accounts; a
    colleague who has signed in on this browser before still gets in with the right password."""
    emails = [f"guess{i}@ward.example" for i in range(HELD.address_free_failures)]
    await _users(pg_sessions, "kato@ward.example", *emails)
    gate = Gatekeeper(redis_client, throttle=HELD)
    earlier = await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "10.3.0.1")
    cookie = earlier.device_tokens
    for email in emails:
        await _fail(gate, pg_sessions, email, "10.3.0.1")
    with pytest.raises(Throttled):  # an unknown browser at this address waits
        await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "10.3.0.1")
    again = await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "10.3.0.1", tokens=cookie)
    assert again.user.email == "kato@ward.example"
    assert again.device_tokens == cookie  # the known token is kept, not multiplied
    # The token speaks for kato only: it does not open the address's throttle for others.
    with pytest.raises(Throttled):
        await _attempt(gate, pg_sessions, emails[0], PASSWORD, "10.3.0.1", tokens=cookie)


async def test_an_attacker_elsewhere_cannot_lock_a_colleague_out_of_a_known_browser(pg_sessions, redis_client) -> None:
    await _users(pg_sessions, "kato@ward.example")
    gate = Gatekeeper(redis_client, throttle=HELD)
    cookie = (await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "10.4.0.1")).device_tokens
    for i in range(HELD.account_free_failures + 2):
        try:
            await _attempt(gate, pg_sessions, "kato@ward.example", "guess", f"172.16.0.{i}")
        except AuthError:
            pass
    with pytest.raises(Throttled):
        await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "172.16.0.99")
    signed = await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "10.4.0.1", tokens=cookie)
    assert signed.user.email == "kato@ward.example"


async def test_guessing_on_a_known_browser_revokes_its_token(pg_sessions, redis_client) -> None:
    await _users(pg_sessions, "kato@ward.example")
    gate = Gatekeeper(redis_client, throttle=HELD)
    cookie = (await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD, "10.5.0.1")).device_tokens
    for _ in range(HELD.device_free_failures):
        with pytest.raises(AuthError):
            await _attempt(gate, pg_sessions, "kato@ward.example", "guess", "10.5.0.1", tokens=cookie)
    guard = LoginGuard(redis_client, HELD)
    assert await guard.device_for(cookie, (await _attempt(gate, pg_sessions, "kato@ward.example", PASSWORD,
                                                          "10.5.0.2")).user.id) is None


def test_delays_grow_and_are_capped() -> None:
    policy = ThrottlePolicy()
    delays = [delay_after(n, 5, policy) for n in range(0, 30)]
    assert delays[:5] == [0.0] * 5
    assert delays[5:9] == [1.0, 2.0, 4.0, 8.0]
    assert max(delays) == policy.max_delay_s  # never a permanent lock
    assert delay_after(10**6, 5, policy) == policy.max_delay_s


async def test_failed_logins_are_audited_in_aggregate(redis_client) -> None:
    guard = LoginGuard(redis_client, ThrottlePolicy(account_free_failures=10**6, address_free_failures=10**6))
    tallies = [await guard.failed(email="sato@ward.example", client_ip="10.6.0.1", device=None) for _ in range(150)]
    rows = [t for t in tallies if worth_a_row(t)]
    assert [(r.email, r.client_ip, r.failures) for r in rows] == [
        ("sato@ward.example", "10.6.0.1", 1), ("sato@ward.example", "10.6.0.1", 10),
        ("sato@ward.example", "10.6.0.1", 100),
    ]


async def test_a_flood_of_distinct_accounts_and_addresses_adds_a_bounded_number_of_rows(redis_client) -> None:
    guard = LoginGuard(redis_client, ThrottlePolicy(account_free_failures=10**6, address_free_failures=10**6))
    flood = AUDIT_PAIRS_PER_WINDOW + 300
    tallies = [await guard.failed(email=f"x{i}@example", client_ip=f"10.7.{i // 250}.{i % 250}", device=None)
               for i in range(flood)]
    rows = [t for t in tallies if worth_a_row(t)]
    rolled = [t for t in rows if t.email == ANY]
    assert len(rows) == AUDIT_PAIRS_PER_WINDOW + len(rolled)
    assert [t.failures for t in rolled] == [1, 10, 100]  # 300 rolled-up failures: three rows


async def test_argon2_runs_in_its_low_priority_thread_not_on_the_loop() -> None:
    def where() -> tuple[str, int]:
        return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    name, niceness = await off_loop(where)
    assert name.startswith("argon2") and name != threading.current_thread().name
    assert niceness >= 10


async def test_throttle_keys_name_no_email_or_address_even_by_a_plain_hash(pg_sessions, redis_client) -> None:
    """A plain SHA-256 of an e-mail is reversed by hashing a list of likely addresses: the
    keys carry a keyed hash only."""
    await _users(pg_sessions, "kimura@ward.example")
    gate = Gatekeeper(redis_client, throttle=QUICK)
    await _fail(gate, pg_sessions, "kimura@ward.example", "10.7.7.7")
    keys = [k.decode() if isinstance(k, bytes) else k async for k in redis_client.scan_iter("*")]
    assert keys, "the failure left no throttle key: nothing was checked"
    for value in ("kimura@ward.example", "10.7.7.7"):
        plain = hashlib.sha256(value.encode()).hexdigest()
        assert not [k for k in keys if value in k or plain in k], value
