"""Staff accounts: argon2 passwords, server-side sessions in Redis, CSRF tokens, throttling.

A session is a random token in an HttpOnly cookie; Redis holds only its hash, the user id
and the session's CSRF token, so a stolen Redis dump opens no session and logging out (or
changing the password) ends it at once. Failed logins are throttled per account, per address
and per known device (handoff.login_guard). argon2 runs in one low-priority thread, never on
the event loop, so a flood of logins cannot stall the webhook beside it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.login_guard import FailureTally, LoginGuard, ThrottlePolicy
from handoff.staff_models import ROLES, StaffUser

SESSION_PREFIX = "tsunagu:staff:session:"
MIN_PASSWORD_LENGTH = 12
# argon2 costs ~0.3 s of CPU: one thread does it (a second core stays free for the webhook),
# and past this many waiting the answer is "busy, try again" rather than a growing queue.
HASH_THREADS = 1
MAX_HASHES_WAITING = 16

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("tsunagu-no-such-user")


class AuthError(Exception):
    """Wrong e-mail or password (deliberately not saying which)."""

    def __init__(self, message: str, tally: FailureTally | None = None) -> None:
        super().__init__(message)
        self.tally = tally  # the failed-login audit bucket this failure counted in


class Throttled(AuthError):
    """Too many failed logins for this account, from this address or on this device, or
    too many logins waiting for the password check; try again after ``retry_after_s``."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class WeakPassword(ValueError):
    """The new password is too short or equals the e-mail."""


@dataclass(frozen=True)
class Principal:
    """The signed-in person as the web layer sees them."""

    id: int
    email: str
    display_name: str
    role: str
    centre_codes: tuple[str, ...]

    @property
    def sees_cases(self) -> bool:
        return self.role in ("staff", "supervisor")

    @property
    def sees_stats(self) -> bool:
        return self.role in ("supervisor", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, user: StaffUser) -> Principal:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            centre_codes=tuple(user.centre_codes or ()),
        )


@dataclass(frozen=True)
class StaffSession:
    token: str  # goes in the cookie; never stored
    csrf_token: str
    user_id: int


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _lower_priority() -> None:
    """Let the scheduler prefer the event loop's thread over password hashing."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass


_hashing = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="argon2", initializer=_lower_priority)
_waiting = 0


async def off_loop(work: Any, *args: str) -> Any:
    """Run an argon2 call in the hashing thread; Throttled when too many already wait."""
    global _waiting
    if _waiting >= MAX_HASHES_WAITING:
        raise Throttled("too many logins at once; try again", retry_after_s=1.0)
    _waiting += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_hashing, work, *args)
    finally:
        _waiting -= 1


def check_password_strength(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip().lower() == email.strip().lower():
        raise WeakPassword("password must not be the e-mail address")


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    role: str,
    centre_codes: list[str],
    display_name: str | None = None,
) -> StaffUser:
    """Add an account; staff and supervisors must name at least one centre."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if "@" not in email:
        raise ValueError("email must be an e-mail address")
    if role in ("staff", "supervisor") and not centre_codes:
        raise ValueError(f"a {role} needs at least one --centre")
    check_password_strength(password, email)
    user = StaffUser(
        email=email,
        display_name=display_name or email.split("@", 1)[0],
        password_hash=await off_loop(hash_password, password),
        role=role,
        centre_codes=list(dict.fromkeys(centre_codes)),
        active=True,
    )
    session.add(user)
    await session.flush()
    return user


async def change_password(
    session: AsyncSession, user_id: int, *, current: str, new: str
) -> StaffUser:
    user = await session.get(StaffUser, user_id)
    if user is None or not await off_loop(_verify, user.password_hash, current):
        raise AuthError("current password is wrong")
    check_password_strength(new, user.email)
    user.password_hash = await off_loop(hash_password, new)
    user.password_changed_at = datetime.now(UTC)
    await session.flush()
    return user


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    session: StaffSession
    device_tokens: list[str]  # the browser's new device cookie


class Gatekeeper:
    """Logins, sessions and CSRF tokens, over Redis."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        session_ttl_s: int = 8 * 3600,
        throttle: ThrottlePolicy | None = None,
    ) -> None:
        self._redis = client
        self._ttl = session_ttl_s
        self.guard = LoginGuard(client, throttle)

    @staticmethod
    def _digest(value: str) -> str:
        return hashlib.sha256(value.encode("utf-8")).hexdigest()

    async def login(
        self,
        session: AsyncSession,
        *,
        email: str,
        password: str,
        client_ip: str,
        device_tokens: list[str] | None = None,
    ) -> SignedIn:
        """Check the password and open a session; AuthError / Throttled otherwise.

        A browser holding a device token for this account is judged by that token's own
        counter, not by the account's or the address's (handoff.login_guard).
        """
        email = normalise_email(email)
        tokens = device_tokens or []
        user = await session.scalar(select(StaffUser).where(StaffUser.email == email))
        device = await self.guard.device_for(tokens, user.id) if user is not None else None
        wait = await self.guard.wait_s(email=email, client_ip=client_ip, device=device)
        if wait > 0:
            raise Throttled("too many failed logins; wait and try again", retry_after_s=wait)
        ok = await off_loop(_verify, user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not ok or not user.active:
            tally = await self.guard.failed(email=email, client_ip=client_ip, device=device)
            raise AuthError("wrong e-mail or password", tally)
        await self.guard.succeeded(email=email, client_ip=client_ip, device=device)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = await off_loop(hash_password, password)
        opened = await self.open_session(user.id)
        return SignedIn(user=user, session=opened, device_tokens=await self.guard.remember_device(tokens, user.id, device))

    async def open_session(self, user_id: int) -> StaffSession:
        token = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        record = {"user_id": user_id, "csrf": csrf_token, "since": datetime.now(UTC).isoformat()}
        await self._redis.set(SESSION_PREFIX + self._digest(token), json.dumps(record), ex=self._ttl)
        return StaffSession(token=token, csrf_token=csrf_token, user_id=user_id)

    async def resume(self, session: AsyncSession, token: str | None) -> tuple[Principal, str] | None:
        """The principal and CSRF token of a live session; slides its expiry."""
        if not token:
            return None
        key = SESSION_PREFIX + self._digest(token)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        record = json.loads(raw)
        user = await session.get(StaffUser, int(record["user_id"]))
        since = datetime.fromisoformat(record["since"])
        if user is None or not user.active or user.password_changed_at > since:
            await self._redis.delete(key)
            return None
        await self._redis.expire(key, self._ttl)
        return Principal.of(user), str(record["csrf"])

    async def logout(self, token: str | None) -> None:
        if token:
            await self._redis.delete(SESSION_PREFIX + self._digest(token))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")
