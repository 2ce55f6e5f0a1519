"""The staff side of tsunagu on the main app: inbox, case pages, statistics, admin, JSON API.

``mount_staff`` adds the routes, the security headers and the handlers of refused requests,
and wraps the app's lifespan so the staff services (sessions, LINE pusher, urgent-case
notifier) start after the bot's own services.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.config import Settings
from bot.logs import get_logger
from bot.staff import api, pages_account, pages_admin, pages_cases
from bot.staff.deps import (
    POLL_HEADER,
    SESSION_COOKIE,
    STATIC_DIR,
    LoginRequired,
    Refused,
    StaffServices,
)
from bot.staff.render import problem
from bot.staff.security import StaffHeaders

log = get_logger("bot.staff")
NOTIFY_EVERY_S = 3.0


def mount_staff(app: FastAPI, settings: Settings) -> None:
    for router in (pages_account.router, pages_cases.router, pages_admin.router, api.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(StaffHeaders)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Refused, _refused)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[None]:
        async with inner(running):
            staff = StaffServices.build(settings, running.state.services)
            running.state.staff = staff
            notifier = asyncio.create_task(_notify_loop(staff))
            try:
                yield
            finally:
                notifier.cancel()
                with suppress(asyncio.CancelledError):
                    await notifier
                await staff.aclose()

    app.router.lifespan_context = lifespan


async def _login_required(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        staff: StaffServices = request.app.state.staff
        return JSONResponse({"code": "login", "detail": staff.words.error("login")}, status_code=401)
    if POLL_HEADER in request.headers or request.method != "GET":
        return Response(status_code=401)  # the page's script shows the expiry and keeps drafts
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    expired = "&error=expired" if SESSION_COOKIE in request.cookies else ""
    return RedirectResponse(f"/login?next={quote(here, safe='')}{expired}", status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    code = exc.code if isinstance(exc, Refused) else "forbidden"
    staff: StaffServices = request.app.state.staff
    if request.url.path.startswith("/api/"):
        return JSONResponse({"code": code, "detail": staff.words.error(code)}, status_code=403)
    return problem(staff, request, None, code, 403)


async def _notify_loop(staff: StaffServices) -> None:
    """Tell centres of new urgent cases promptly (webhook)."""
    while True:
        try:
            await staff.notify_once()
        except Exception as exc:  # noqa: BLE001 - a failing webhook must not stop the loop
            log.warning("inbox.notify_failed", error=type(exc).__name__)
        await asyncio.sleep(NOTIFY_EVERY_S)
