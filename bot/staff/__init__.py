"""The staff side of tsunagu on the main app: inbox, case pages, statistics, admin, JSON API.

``mount_staff`` adds the routes, the security headers and the handlers of refused requests.
The staff services and the urgent-case notifier are built and started by the app's one
lifespan (bot/app.py), from the same clients as the bot's own services.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.background import Every
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

NOTIFY_EVERY_S = 3.0


def mount_staff(app: FastAPI) -> None:
    for router in (pages_account.router, pages_cases.router, pages_admin.router, api.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(StaffHeaders)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Refused, _refused)


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


def urgent_notifier(staff: StaffServices) -> Every:
    """Tells centres of new urgent cases promptly (webhook); a background loop of the web app."""
    return Every(staff.notify_once, NOTIFY_EVERY_S, "inbox.notify_failed")
