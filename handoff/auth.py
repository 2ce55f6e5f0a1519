"""Staff accounts: argon2 passwords, server-side sessions in Redis, CSRF tokens, throttling.

A session is a random token in an HttpOnly cookie; Redis holds only its hash, the user id
and the session's CSRF token, so a stolen Redis dump opens no session and logging out (or
changing the password) ends it at once. Failed logins are counted per e-mail and client
address so a shared ward PC cannot be used to guess a colleague's password.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.staff_models import ROLES, StaffUser

SESSION_PREFIX = "tsunagu:staff:session:"
THROTTLE_PREFIX = "tsunagu:staff:login-fail:"
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("tsunagu-no-such-user")


class AuthError(Exception):
    """Wrong e-mail or password (deliberately not saying which)."""


class Throttled(AuthError):
    """Too many failed logins from this address for this e-mail; try again later."""


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
        password_hash=hash_password(password),
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
    if user is None or not _verify(user.password_hash, current):
        raise AuthError("current password is wrong")
    check_password_strength(new, user.email)
    user.password_hash = hash_password(new)
    user.password_changed_at = datetime.now(UTC)
    await session.flush()
    return user


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class Gatekeeper:
    """Logins, sessions and CSRF tokens, over Redis."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        session_ttl_s: int = 8 * 3600,
        max_failures: int = 5,
        failure_window_s: int = 15 * 60,
    ) -> None:
        self._redis = client
        self._ttl = session_ttl_s
        self._max_failures = max_failures
        self._window = failure_window_s

    @staticmethod
    def _digest(value: str) -> str:
        return hashlib.sha256(value.encode("utf-8")).hexdigest()

    def _throttle_key(self, email: str, client_ip: str) -> str:
        return THROTTLE_PREFIX + self._digest(f"{normalise_email(email)}|{client_ip}")

    async def login(
        self, session: AsyncSession, *, email: str, password: str, client_ip: str
    ) -> tuple[StaffUser, StaffSession]:
        """Check the password and open a session; AuthError / Throttled otherwise."""
        key = self._throttle_key(email, client_ip)
        failures = int(await self._redis.get(key) or 0)
        if failures >= self._max_failures:
            raise Throttled("too many failed logins; wait and try again")
        user = await session.scalar(
            select(StaffUser).where(StaffUser.email == normalise_email(email))
        )
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not ok or not user.active:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._window)
                await pipe.execute()
            raise AuthError("wrong e-mail or password")
        await self._redis.delete(key)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return user, await self.open_session(user.id)

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
