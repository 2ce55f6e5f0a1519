"""Signing in, shared by the login page and ``POST /api/login``: one throttle, one audit.

The client address is ``request.client`` as the proxy-header setting left it
(``FORWARDED_ALLOW_IPS``, bot.security): a header a client sets itself is never believed.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import audit
from handoff.auth import AuthError, SignedIn
from handoff.login_guard import device_tokens, worth_a_row

DEVICE_COOKIE = "tsunagu_device"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def sign_in(request: Request, staff: Any, session: AsyncSession, *, email: str, password: str) -> SignedIn:
    """Check the password under the throttle and audit the outcome; AuthError / Throttled.

    Failed logins are audited in aggregate (handoff.login_guard.FailureTally); a throttled
    attempt is not checked at all, so it adds no row.
    """
    ip = client_address(request)
    tokens = device_tokens(request.cookies.get(DEVICE_COOKIE))
    try:
        signed: SignedIn = await staff.gatekeeper.login(
            session, email=email, password=password, client_ip=ip, device_tokens=tokens
        )
    except AuthError as exc:
        tally = exc.tally
        if tally is not None and worth_a_row(tally):
            await audit.record(
                session, actor=None, action="login_failed", actor_email=tally.email[:254],
                client_ip=None if tally.client_ip == "*" else tally.client_ip,
                detail={"failures": tally.failures, "window": tally.window, "address": tally.client_ip},
            )
            await session.commit()
        raise
    await audit.record(session, actor=None, action="login", actor_email=signed.user.email,
                       target=f"user:{signed.user.id}", client_ip=ip)
    await session.commit()
    return signed


def set_device_cookie(response: Any, signed: SignedIn, settings: Any) -> None:
    """Remember this browser for the accounts that signed in on it (handoff.login_guard)."""
    response.set_cookie(
        DEVICE_COOKIE, ".".join(signed.device_tokens), httponly=True, samesite="strict",
        secure=settings.staff_cookie_secure, max_age=90 * 24 * 3600, path="/",
    )
