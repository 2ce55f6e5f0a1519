"""The staff side of tsunagu on the main app: inbox, case pages, statistics, JSON API.

``mount_staff`` adds the routes and wraps the app's lifespan so the staff services (session
gatekeeper, LINE pusher, urgent-case notifier) start after the bot's own services.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.config import Settings
from bot.inbox import api, pages
from bot.inbox.deps import STATIC_DIR, LoginRequired, StaffServices
from bot.logs import get_logger

log = get_logger("bot.inbox")
NOTIFY_EVERY_S = 3.0


def mount_staff(app: FastAPI, settings: Settings) -> None:
    app.include_router(pages.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
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
        return JSONResponse({"detail": "sign in first (POST /api/login)"}, status_code=401)
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


async def _notify_loop(staff: StaffServices) -> None:
    """Meet new cases promptly and tell centres of urgent ones (webhook, inbox banner)."""
    while True:
        try:
            await staff.notify_once()
        except Exception as exc:  # noqa: BLE001 - a failing webhook must not stop the loop
            log.warning("inbox.notify_failed", error=type(exc).__name__)
        await asyncio.sleep(NOTIFY_EVERY_S)
