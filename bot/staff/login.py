"""The browser side of signing in, shared by the login page and ``POST /api/login``.

The client address is ``request.client`` as the proxy-header setting left it
(``FORWARDED_ALLOW_IPS``, bot.security): a header a client sets itself is never believed.
The device cookie remembers which accounts signed in on this browser (handoff.login_guard),
so a throttled shared address never locks a colleague out.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from handoff.auth import SignedIn
from handoff.login_guard import device_tokens
from settings import StaffSettings

DEVICE_COOKIE = "tsunagu_device"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def devices_of(request: Request) -> list[str]:
    """The device tokens this browser holds."""
    return device_tokens(request.cookies.get(DEVICE_COOKIE))


def set_device_cookie(response: Any, signed: SignedIn, settings: StaffSettings) -> None:
    """Remember this browser for the accounts that signed in on it (handoff.login_guard)."""
    response.set_cookie(
        DEVICE_COOKIE, ".".join(signed.device_tokens), httponly=True, samesite="strict",
        secure=settings.cookie_secure, max_age=90 * 24 * 3600, path="/",
    )
