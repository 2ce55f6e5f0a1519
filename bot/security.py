"""Who the client is, and which operational surfaces they may see.

* **Proxy headers**: ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only from the
  addresses in ``FORWARDED_ALLOW_IPS`` (default: none). ``python -m bot serve`` turns
  uvicorn's own handling off (it trusts 127.0.0.1 by default), so this is the one place
  that decides ``request.client``: the login throttle, the audit log and the /metrics
  allow-list all read the same address.
* **API documentation** (``/docs``, ``/redoc``, ``/openapi.json``): in DEV_MODE, or for a
  signed-in admin; anyone else gets 404, as if it did not exist.
* **/metrics**: from an address in ``METRICS_ALLOW_IPS``, or with
  ``Authorization: Bearer <METRICS_TOKEN>``, or in DEV_MODE; anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from settings import Settings

OPENAPI_URL = "/openapi.json"


def address_list(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks ("10.0.0.0/8, ::1") as networks."""
    return [ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]


def address_in(host: str | None, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_allowed(request: Request, settings: Settings) -> bool:
    if settings.dev_mode:
        return True
    if address_in(request.client.host if request.client else None, address_list(settings.security.metrics_allow_ips)):
        return True
    token = settings.security.metrics_token.get_secret_value()
    given = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def _admin_signed_in(request: Request) -> bool:
    staff = getattr(request.app.state, "staff", None)
    if staff is None:
        return False
    from bot.staff.deps import SESSION_COOKIE  # the staff side owns the session cookie

    async with staff.sessions() as session:
        # Reading the documentation is not activity that keeps a staff session alive.
        resumed = await staff.gatekeeper.resume_day(session, request.cookies.get(SESSION_COOKIE), touch=False)
        await session.commit()
    return resumed is not None and bool(resumed.principal.is_admin)


def harden(app: FastAPI, settings: Settings) -> None:
    """Proxy-header trust and the gated documentation; call on a FastAPI built with
    ``docs_url=None, redoc_url=None, openapi_url=None``."""
    app.state.settings = settings  # what /metrics checks against
    if settings.security.forwarded_allow_ips.strip():
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.security.forwarded_allow_ips)

    async def documentation_allowed(request: Request) -> None:
        if not settings.dev_mode and not await _admin_signed_in(request):
            raise HTTPException(status_code=404, detail="Not Found")

    @app.get(OPENAPI_URL, include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        await documentation_allowed(request)
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        await documentation_allowed(request)
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title=f"{app.title} API")

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        await documentation_allowed(request)
        return get_redoc_html(openapi_url=OPENAPI_URL, title=f"{app.title} API")


def server_options() -> dict[str, Any]:
    """uvicorn options that leave proxy headers to ``harden`` (uvicorn would otherwise
    believe X-Forwarded-For from 127.0.0.1)."""
    return {"proxy_headers": False, "forwarded_allow_ips": ""}
