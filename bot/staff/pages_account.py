"""Signing in and out, the own password, and keeping a session alive while working."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot.staff import services
from bot.staff.deps import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfDep,
    SessionDep,
    SignedDep,
    StaffDep,
    StaffServices,
    set_session_cookie,
)
from bot.staff.login import client_address, devices_of, set_device_cookie
from bot.staff.render import back, render
from handoff import audit
from handoff.auth import AuthError, Throttled, WeakPassword, change_password

router = APIRouter(include_in_schema=False)


def safe_next(url: str | None) -> str:
    """Only a path of this site (never another host) is a place to return to."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url and url != "/login":
        return url
    return ""


def _login_form(staff: StaffServices, request: Request, *, error: str | None = None, email: str = "",
                next_url: str = "", status_code: int = 200) -> HTMLResponse:
    # A fresh token each time the form is shown, in a cookie that lasts as long as the
    # browser: a login page left open all morning still signs in.
    token = secrets.token_urlsafe(24)
    response = render(staff, request, "login.html", status_code, login_csrf=token, email=email,
                      next_url=safe_next(next_url or request.query_params.get("next")),
                      **({"flash_error": staff.words.error(error)} if error else {}))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=staff.settings.cookie_secure)
    return response


@router.get("/login")
async def login_page(request: Request, staff: StaffDep) -> HTMLResponse:
    return _login_form(staff, request)


@router.post("/login")
async def login_submit(
    request: Request, staff: StaffDep, session: SessionDep,
    email: Annotated[str, Form(max_length=254)], password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=512)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(expected, csrf_token):
        # The form outlived its token (or the browser dropped the cookie): show a renewed
        # form with the e-mail kept, instead of refusing.
        return _login_form(staff, request, error="login_renewed", email=email[:254], next_url=next_url)
    try:
        signed = await services.sign_in(staff, session, email=email, password=password,
                                        client_ip=client_address(request), device_tokens=devices_of(request))
    except Throttled:
        return back("/login", error="throttled")
    except AuthError:
        return back("/login", error="wrong")
    user = signed.user
    response = back(safe_next(next_url) or ("/stats" if user.role == "admin" else "/inbox"))
    set_session_cookie(response, signed.session.token, staff.settings)
    set_device_cookie(response, signed, staff.settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, staff: StaffDep, session: SessionDep, who: CsrfDep) -> Response:
    await staff.gatekeeper.logout(request.cookies.get(SESSION_COOKIE))
    async with session.begin():
        await audit.record(session, actor=who.principal, action="logout", client_ip=who.ip)
    response = back("/login", done="logout")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/session/extend")
async def session_extend(who: CsrfDep) -> JSONResponse:
    """Activity on a page that sends no request (typing a long note) keeps the session."""
    return JSONResponse({"expires_in": who.expires_in_s})


@router.get("/account/password")
async def password_page(request: Request, staff: StaffDep, who: SignedDep) -> HTMLResponse:
    return render(staff, request, "password.html", who=who)


@router.post("/account/password")
async def password_submit(
    staff: StaffDep, session: SessionDep, who: CsrfDep,
    current: Annotated[str, Form(max_length=1024)], new: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        async with session.begin():
            await change_password(session, who.principal.id, current=current, new=new)
            await audit.record(session, actor=who.principal, action="password_change", client_ip=who.ip)
    except WeakPassword:
        return back("/account/password", error="weak")
    except AuthError:
        return back("/account/password", error="current")
    # Every older session (other PCs) is now invalid; this one gets a fresh session.
    opened = await staff.gatekeeper.open_session(who.principal.id)
    response = back("/account/password", done="password")
    set_session_cookie(response, opened.token, staff.settings)
    return response
