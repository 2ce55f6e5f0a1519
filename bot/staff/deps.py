"""Shared pieces of the staff web layer: services, the signed-in person and their role,
CSRF, templates.

A route states who may call it in its signature (``CaseWorker``, ``CaseWorkerPost``,
``StatsReader``, ``Admin``, ``AdminPost``); the dependency refuses everyone else, as a page
or as JSON, so no handler checks a role by hand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.logs import get_logger
from bot.staff import text
from bot.staff_push import StaffSender
from flows.catalogue import DEFAULT_LANGUAGE, Catalogue, load_catalogue, load_languages
from flows.definition import Flow, load_flows
from handoff import alerts
from handoff.auth import Principal, csrf_matches
from handoff.directory import Directory
from handoff.staff_sessions import DayGatekeeper
from handoff.takeover import TakeoverRegistry
from settings import DATA_DIR, StaffSettings

if TYPE_CHECKING:
    from bot.services import Services

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "tsunagu_staff"
LOGIN_CSRF_COOKIE = "tsunagu_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Background refreshes send this header: they show what changed, but they are not activity
# and do not keep an idle session alive.
POLL_HEADER = "X-Staff-Poll"
# The urgent-case webhook may take this long.
WEBHOOK_TIMEOUT_S = 5.0
log = get_logger("bot.staff")


class LoginRequired(Exception):
    """No live staff session: pages redirect to /login, the API answers 401."""


class Refused(Exception):
    """A signed-in person asked for something their role or the form does not allow."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "forbidden" (role) or "csrf"


def build_templates(words: text.StaffText) -> Jinja2Templates:
    # Autoescape everything: resident text is shown as text, never as markup.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["jdate"] = text.jdate
    env.filters["jday"] = lambda value: text.jdate(value, time=False)
    env.filters["jtime"] = text.jtime
    env.filters["phone"] = text.phone_display
    env.filters["tel"] = text.tel_href
    env.filters["consent_version"] = text.consent_version
    env.globals["t"] = words.pages
    env.globals["words"] = words
    return Jinja2Templates(env=env)


@dataclass
class StaffServices:
    settings: StaffSettings
    sessions: async_sessionmaker[AsyncSession]
    gatekeeper: DayGatekeeper
    takeover: TakeoverRegistry
    sender: StaffSender  # what staff send on LINE goes through the outbox
    directory: Directory
    catalogue: Catalogue
    flows: dict[str, Flow]
    words: text.StaffText
    templates: Jinja2Templates
    http: httpx.AsyncClient

    @property
    def labels(self) -> dict[str, Any]:
        return self.words.labels

    @classmethod
    def build(cls, settings: StaffSettings, services: Services) -> StaffServices:
        """From the clients and stores the composition root built (bot/services.py)."""
        words = text.StaffText.load(DATA_DIR / "staff")
        return cls(
            settings=settings,
            sessions=services.sessions,
            gatekeeper=DayGatekeeper(
                services.redis, idle=timedelta(seconds=settings.session_idle_s),
                absolute=timedelta(seconds=settings.session_ttl_s),
            ),
            takeover=services.takeover,
            sender=services.staff_sender,
            directory=services.directory,
            catalogue=services.catalogue,
            flows=load_flows(services.catalogue),
            words=words,
            templates=build_templates(words),
            http=services.http,
        )

    def notice(self, key: str, language: str = DEFAULT_LANGUAGE) -> str:
        """A resident-facing notice (takeover, handback) in the language of their case."""
        return (load_catalogue(language) if language in load_languages() else self.catalogue).text(key)

    async def alert(self, payload: dict[str, Any]) -> None:
        """Tell the outside world of an urgent case: codes and a link, no personal data."""
        log.info("inbox.urgent_case", case=payload.get("case_number"), centre=payload.get("centre"))
        if self.settings.webhook_url:
            response = await self.http.post(self.settings.webhook_url, json=payload, timeout=WEBHOOK_TIMEOUT_S)
            response.raise_for_status()

    async def notify_once(self) -> int:
        async with self.sessions() as session, session.begin():
            return await alerts.notify_urgent(session, self.alert, inbox_url=self.settings.public_base_url)


def get_staff(request: Request) -> StaffServices:
    staff: StaffServices = request.app.state.staff  # set by the app's lifespan (bot/app.py)
    return staff


StaffDep = Annotated[StaffServices, Depends(get_staff)]


async def get_db(staff: StaffDep) -> AsyncIterator[AsyncSession]:
    async with staff.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@dataclass(frozen=True)
class Signed:
    principal: Principal
    csrf: str
    ip: str | None
    expires_in_s: int = 0  # seconds until the session ends without activity


async def signed_in(request: Request, staff: StaffDep, session: SessionDep) -> Signed:
    resumed = await staff.gatekeeper.resume_day(
        session, request.cookies.get(SESSION_COOKIE), touch=POLL_HEADER not in request.headers
    )
    await session.commit()  # end the read so each route opens its own transaction
    if resumed is None:
        raise LoginRequired()
    left = int((resumed.expires_at - staff.gatekeeper.clock()).total_seconds())
    request.state.session_expires_in = left
    return Signed(principal=resumed.principal, csrf=resumed.csrf,
                  ip=request.client.host if request.client else None, expires_in_s=left)


SignedDep = Annotated[Signed, Depends(signed_in)]


async def csrf_checked(request: Request, who: SignedDep) -> Signed:
    """Every state-changing request carries the session's CSRF token (form field or header)."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = str((await request.form()).get(CSRF_FIELD) or "") or None
    if not csrf_matches(who.csrf, given):
        raise Refused("csrf")
    return who


CsrfDep = Annotated[Signed, Depends(csrf_checked)]


def _role(allowed: Callable[[Principal], bool], base: Any) -> Callable[..., Coroutine[Any, Any, Signed]]:
    async def check(who: Signed = Depends(base)) -> Signed:  # noqa: B008 - a closure over ``base``
        if not allowed(who.principal):
            raise Refused("forbidden")
        return who

    return check


CaseWorker = Annotated[Signed, Depends(_role(lambda p: p.sees_cases, signed_in))]
CaseWorkerPost = Annotated[Signed, Depends(_role(lambda p: p.sees_cases, csrf_checked))]
StatsReader = Annotated[Signed, Depends(_role(lambda p: p.sees_stats, signed_in))]
Admin = Annotated[Signed, Depends(_role(lambda p: p.is_admin, signed_in))]
AdminPost = Annotated[Signed, Depends(_role(lambda p: p.is_admin, csrf_checked))]


def set_session_cookie(response: Any, token: str, settings: StaffSettings) -> None:
    # No max-age: the cookie ends with the browser (a shared PC), the session with its limits.
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/",
    )
