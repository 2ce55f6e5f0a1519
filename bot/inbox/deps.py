"""Shared pieces of the staff web layer: services, the signed-in person, CSRF, templates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import yaml
from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DATA_DIR, Settings
from bot.logs import get_logger
from bot.staff_push import StaffSender
from flows.catalogue import Catalogue, load_catalogue
from handoff import inbox
from handoff.auth import Gatekeeper, Principal, csrf_matches
from handoff.db import session_factory
from handoff.directory import Directory, load_directory
from handoff.slots import TOKYO
from handoff.takeover import TakeoverRegistry

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "tsunagu_staff"
LOGIN_CSRF_COOKIE = "tsunagu_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
log = get_logger("bot.inbox")


class LoginRequired(Exception):
    """No live staff session: pages redirect to /login, the API answers 401."""


def _tokyo(value: datetime | None, fmt: str = "%m/%d %H:%M") -> str:
    return value.astimezone(TOKYO).strftime(fmt) if value else "—"


def build_templates() -> Jinja2Templates:
    # Autoescape everything: resident text is shown as text, never as markup.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["tokyo"] = _tokyo
    return Jinja2Templates(env=env)


@dataclass
class StaffServices:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    gatekeeper: Gatekeeper
    takeover: TakeoverRegistry
    sender: StaffSender  # what staff send on LINE goes through the outbox
    directory: Directory
    catalogue: Catalogue
    labels: dict[str, Any]
    reply_templates: list[dict[str, str]]
    templates: Jinja2Templates
    http: httpx.AsyncClient

    @classmethod
    def build(cls, settings: Settings, services: Any) -> StaffServices:
        staff_dir = DATA_DIR / "staff"
        return cls(
            settings=settings,
            sessions=session_factory(services.db_engine),
            gatekeeper=Gatekeeper(services.redis, session_ttl_s=settings.staff_session_ttl_s),
            takeover=TakeoverRegistry(services.redis),
            sender=services.staff_sender,
            directory=load_directory(settings.ward),
            catalogue=load_catalogue(),
            labels=yaml.safe_load((staff_dir / "labels.yml").read_text(encoding="utf-8")),
            reply_templates=yaml.safe_load((staff_dir / "reply_templates.yml").read_text(encoding="utf-8")),
            templates=build_templates(),
            http=httpx.AsyncClient(timeout=5),
        )

    def notice(self, key: str) -> str:
        return self.catalogue.text(key)

    def delivery_text(self, key: str) -> str:
        """Staff-facing words about LINE delivery (data/staff/labels.yml)."""
        return str(self.labels["delivery"][key])

    async def alert(self, payload: dict[str, Any]) -> None:
        """Tell the outside world of an urgent case: codes and a link, no personal data."""
        log.info("inbox.urgent_case", case=payload.get("case_number"), centre=payload.get("centre"))
        if self.settings.staff_webhook_url:
            response = await self.http.post(self.settings.staff_webhook_url, json=payload)
            response.raise_for_status()

    async def notify_once(self) -> int:
        async with self.sessions() as session, session.begin():
            return await inbox.notify_urgent(session, self.alert, inbox_url=self.settings.public_base_url)

    async def aclose(self) -> None:
        await self.http.aclose()


def get_staff(request: Request) -> StaffServices:
    return request.app.state.staff  # type: ignore[no-any-return]


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


async def signed_in(request: Request, staff: StaffDep, session: SessionDep) -> Signed:
    resumed = await staff.gatekeeper.resume(session, request.cookies.get(SESSION_COOKIE))
    await session.commit()  # end the read so each route opens its own transaction
    if resumed is None:
        raise LoginRequired()
    principal, csrf = resumed
    return Signed(principal=principal, csrf=csrf, ip=request.client.host if request.client else None)


SignedDep = Annotated[Signed, Depends(signed_in)]


async def csrf_checked(request: Request, who: SignedDep) -> Signed:
    """Every state-changing request carries the session's CSRF token (form field or header)."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = str((await request.form()).get(CSRF_FIELD) or "") or None
    if not csrf_matches(who.csrf, given):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong; reload the page")
    return who


CsrfDep = Annotated[Signed, Depends(csrf_checked)]


def require(who: Signed, *, cases: bool = False, stats: bool = False, admin: bool = False) -> None:
    p = who.principal
    if (cases and not p.sees_cases) or (stats and not p.sees_stats) or (admin and not p.is_admin):
        raise HTTPException(status_code=403, detail="your role does not allow this")


def set_session_cookie(response: Any, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax",
        secure=settings.staff_cookie_secure, max_age=settings.staff_session_ttl_s, path="/",
    )
