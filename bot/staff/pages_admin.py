"""Supervisors' statistics and admins' accounts and audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.staff import services
from bot.staff.deps import Admin, AdminPost, SessionDep, StaffDep, StaffServices, StatsReader
from bot.staff.render import back, problem, render
from bot.staff.views import stats_context
from handoff import accounts, audit
from handoff import stats as stats_mod
from handoff.auth import WeakPassword, create_user
from handoff.slots import TOKYO
from handoff.staff_models import ROLES, AuditEntry, StaffUser

router = APIRouter(include_in_schema=False)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AUDIT_PER_PAGE = 100
WeekParam = Annotated[str | None, Query(max_length=10)]


# ---- statistics ---------------------------------------------------------------------------


@router.get("/stats")
async def stats_page(request: Request, staff: StaffDep, session: SessionDep, who: StatsReader,
                     week_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                     week_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
                     flow: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    try:
        filters = services.stats_filter(week_from, week_to, flow)
    except stats_mod.BadFilter:
        return problem(staff, request, who, "bad_stats_filter")
    report = await services.stats_report(staff, session, who, filters)
    return render(staff, request, "stats.html", who=who, **stats_context(report, staff))


@router.get("/stats/export.csv")
async def stats_export(request: Request, staff: StaffDep, session: SessionDep, who: StatsReader,
                       week_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                       week_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
                       flow: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    try:
        filters = services.stats_filter(week_from, week_to, flow)
    except stats_mod.BadFilter:
        return problem(staff, request, who, "bad_stats_filter")
    report = await services.stats_report(staff, session, who, filters, export=True)
    name = f"tsunagu-stats-{filters.week_from}-{filters.week_to}.csv"
    return Response(stats_mod.to_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- admin --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        def start(day: str) -> datetime | None:
            return datetime.combine(date.fromisoformat(day), datetime.min.time(), TOKYO) if day else None

        until = start(self.until)
        return start(self.since), until + timedelta(days=1) if until else None


@dataclass
class AuditPage:
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // AUDIT_PER_PAGE))


def _detail_text(staff: StaffServices, entry: AuditEntry) -> str:
    """Codes turned into words: 「変更前：新着、変更後：対応中」, never JSON."""
    words = staff.words
    shown = []
    for key, value in (entry.detail or {}).items():
        if value in (None, "", []):
            continue
        if key in ("from", "to") and entry.action == "case_status":
            value = words.label("status", str(value))
        elif key == "centre":
            value = staff.directory.centre_name(str(value))
        elif key == "centres" and isinstance(value, list):
            value = "・".join(staff.directory.centre_name(str(c)) for c in value)
        elif key == "role":
            value = words.label("role", str(value))
        elif key == "kind":
            value = words.label("note_kind", str(value))
        elif key == "flow":
            value = words.label("flow", str(value))
        elif key == "via":
            value = words.label("audit_via", str(value))
        shown.append(f"{words.label('audit_detail', key)}：{value}")
    return "、".join(shown)


def _target_text(staff: StaffServices, target: str | None) -> str:
    if not target:
        return ""
    kind, _, ident = target.partition(":")
    texts = staff.words.pages["admin"]
    if kind == "case":
        return str(texts["target_case"].format(id=ident))
    if kind == "user":
        return str(texts["target_user"].format(id=ident))
    return ""


@router.get("/admin")
async def admin_page(request: Request, staff: StaffDep, session: SessionDep, who: Admin,
                     action: Annotated[str, Query(max_length=48)] = "",
                     actor: Annotated[str, Query(max_length=254)] = "",
                     since: Annotated[str, Query(alias="from", max_length=10)] = "",
                     until: Annotated[str, Query(alias="to", max_length=10)] = "",
                     page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    query = AuditQuery(action=action if action in audit.ACTIONS else "", actor=actor, since=since, until=until,
                       page=page)
    try:
        start, end = query.bounds()
    except ValueError:
        return problem(staff, request, who, "bad_date")
    filters: dict[str, Any] = {"action": query.action or None, "actor": actor or None, "since": start, "until": end}
    async with session.begin():
        users = (await session.scalars(select(StaffUser).order_by(StaffUser.id))).all()
        rows = await audit.entries(session, limit=AUDIT_PER_PAGE, offset=(page - 1) * AUDIT_PER_PAGE, **filters)
        total = await audit.count(session, **filters)
        await audit.record(session, actor=who.principal, action="audit_view", client_ip=who.ip)
    shown = [{"at": r.at, "actor_email": r.actor_email, "action": r.action, "client_ip": r.client_ip,
              "target_text": _target_text(staff, r.target), "detail_text": _detail_text(staff, r)} for r in rows]
    qs = urlencode({k: v for k, v in {"action": query.action, "actor": actor, "from": since, "to": until}.items() if v})
    return render(staff, request, "admin.html", who=who, users=users, audit_rows=shown, actions=audit.ACTIONS,
                  roles=ROLES, audit_query=query, audit_page=AuditPage(page=page, total=total), audit_qs=qs)


@router.post("/admin/users")
async def admin_create_user(staff: StaffDep, session: SessionDep, who: AdminPost,
                            email: Annotated[str, Form(max_length=254)],
                            password: Annotated[str, Form(max_length=1024)],
                            role: Annotated[str, Form(max_length=16)],
                            display_name: Annotated[str, Form(max_length=64)] = "",
                            centre: Annotated[list[str] | None, Form()] = None) -> Response:
    if any(c not in staff.directory.centres for c in centre or []):
        return back("/admin", error="unknown_centre")
    try:
        async with session.begin():
            user = await create_user(session, email=email, password=password, role=role,
                                     centre_codes=centre or [], display_name=display_name or None)
            await audit.record(session, actor=who.principal, action="user_create", target=f"user:{user.id}",
                               detail={"role": role, "centres": centre or []}, client_ip=who.ip)
    except WeakPassword:
        return back("/admin", error="weak")
    except ValueError:
        return back("/admin", error="bad_account")
    except IntegrityError:
        return back("/admin", error="email_taken")
    return back("/admin", done="user_create")


async def _set_active(staff: StaffServices, session: Any, who: Any, user_id: int, active: bool) -> Response:
    if user_id == who.principal.id and not active:
        return back("/admin", error="self_disable")
    try:
        async with session.begin():
            await accounts.set_active(session, user_id, active)
            await audit.record(session, actor=who.principal, action="user_enable" if active else "user_disable",
                               target=f"user:{user_id}", client_ip=who.ip)
    except accounts.NoSuchAccount:
        return back("/admin", error="no_user")
    return back("/admin", done="user_enable" if active else "user_disable")


@router.post("/admin/users/{user_id}/disable")
async def admin_disable(staff: StaffDep, session: SessionDep, who: AdminPost, user_id: UserId) -> Response:
    return await _set_active(staff, session, who, user_id, False)


@router.post("/admin/users/{user_id}/enable")
async def admin_enable(staff: StaffDep, session: SessionDep, who: AdminPost, user_id: UserId) -> Response:
    return await _set_active(staff, session, who, user_id, True)


@router.post("/admin/users/{user_id}/password")
async def admin_reset_password(staff: StaffDep, session: SessionDep, who: AdminPost, user_id: UserId,
                               password: Annotated[str, Form(max_length=1024)]) -> Response:
    try:
        async with session.begin():
            await accounts.reset_password(session, user_id, password)
            await audit.record(session, actor=who.principal, action="password_reset", target=f"user:{user_id}",
                               client_ip=who.ip)
    except accounts.NoSuchAccount:
        return back("/admin", error="no_user")
    except WeakPassword:
        return back("/admin", error="weak")
    return back("/admin", done="password_reset")
