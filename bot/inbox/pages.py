"""Server-rendered staff pages: login, inbox queue, case page, statistics, admin.

Forms post back and redirect (so a reload never re-sends); HTMX only polls fragments so
new cases and resident messages appear without a reload.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.inbox.deps import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfDep,
    SessionDep,
    SignedDep,
    StaffDep,
    require,
    set_session_cookie,
)
from bot.inbox.views import stats_context
from handoff import audit, inbox
from handoff import stats as stats_mod
from handoff.auth import AuthError, Throttled, WeakPassword, change_password, create_user
from handoff.directory import SITUATIONS
from handoff.slots import TOKYO
from handoff.staff_models import ROLES, WORK_STATUSES, StaffUser

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _render(staff: Any, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("labels", staff.labels)
    context.setdefault("centres", staff.directory.centres)
    return staff.templates.TemplateResponse(request, name, context, status_code=status_code)


def _problem(staff: Any, request: Request, who: Any, message: str, status_code: int = 400) -> HTMLResponse:
    return _render(staff, request, "inbox/problem.html", status_code, who=who, message=message)


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---- login --------------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, staff: StaffDep, error: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _render(staff, request, "inbox/login.html", who=None, login_csrf=token, error=error)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=staff.settings.staff_cookie_secure, max_age=1800)
    return response


@router.post("/login")
async def login_submit(
    request: Request, staff: StaffDep, session: SessionDep,
    email: Annotated[str, Form(max_length=254)], password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong; reload the page")
    ip = request.client.host if request.client else "?"
    try:
        user, opened = await staff.gatekeeper.login(session, email=email, password=password, client_ip=ip)
    except Throttled:
        return _back("/login?error=throttled")
    except AuthError:
        await audit.record(session, actor=None, action="login_failed", actor_email=email[:254], client_ip=ip)
        await session.commit()
        return _back("/login?error=wrong")
    await audit.record(session, actor=None, action="login", actor_email=user.email, target=f"user:{user.id}", client_ip=ip)
    await session.commit()
    response = _back("/stats" if user.role == "admin" else "/inbox")
    set_session_cookie(response, opened.token, staff.settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, staff: StaffDep, session: SessionDep, who: CsrfDep) -> Response:
    await staff.gatekeeper.logout(request.cookies.get(SESSION_COOKIE))
    async with session.begin():
        await audit.record(session, actor=who.principal, action="logout", client_ip=who.ip)
    response = _back("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account/password")
async def password_page(request: Request, staff: StaffDep, who: SignedDep, error: str | None = None, done: bool = False) -> HTMLResponse:
    return _render(staff, request, "inbox/password.html", who=who, error=error, done=done)


@router.post("/account/password")
async def password_submit(
    request: Request, staff: StaffDep, session: SessionDep, who: CsrfDep,
    current: Annotated[str, Form(max_length=1024)], new: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        async with session.begin():
            await change_password(session, who.principal.id, current=current, new=new)
            await audit.record(session, actor=who.principal, action="password_change", client_ip=who.ip)
    except AuthError:
        return _back("/account/password?error=current")
    except WeakPassword:
        return _back("/account/password?error=weak")
    # Every older session (other PCs) is now invalid; this one gets a fresh session.
    opened = await staff.gatekeeper.open_session(who.principal.id)
    response = _back("/account/password?done=1")
    set_session_cookie(response, opened.token, staff.settings)
    return response


# ---- inbox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters as the page and its HTMX poll both take them (query string)."""

    status: str = "open"
    centre: str | None = None
    situation: str | None = None
    day: str | None = None

    def filters(self) -> inbox.Filters:
        try:
            parsed_day = date.fromisoformat(self.day) if self.day else None
        except ValueError as exc:
            raise inbox.BadAction("day must be YYYY-MM-DD") from exc
        return inbox.Filters(
            status=self.status, centre=self.centre or None, situation=self.situation or None, day=parsed_day
        )


QueueDep = Annotated[QueueQuery, Depends()]


async def _queue_context(staff: Any, session: Any, who: Any, query: QueueQuery) -> dict[str, Any]:
    filters = query.filters()
    async with session.begin():
        rows = await inbox.queue(session, who.principal, filters)
    open_rows = [r for r in rows if r.work.status != "closed"]
    return {
        "rows": rows,
        "filters": filters,
        "open_count": len(open_rows),
        "urgent_new": [r for r in open_rows if r.urgent and r.work.status == "new"],
        "query": {"status": query.status, "centre": query.centre or "", "situation": query.situation or "",
                  "day": query.day or ""},
    }


@router.get("/inbox")
async def inbox_page(
    request: Request, staff: StaffDep, session: SessionDep, who: SignedDep,
    query: QueueDep,
) -> HTMLResponse:
    require(who, cases=True)
    try:
        context = await _queue_context(staff, session, who, query)
    except inbox.BadAction as exc:
        return _problem(staff, request, who, str(exc))
    return _render(staff, request, "inbox/inbox.html", who=who, statuses=WORK_STATUSES,
                   situations=SITUATIONS, **context)


@router.get("/inbox/queue")
async def inbox_queue(
    request: Request, staff: StaffDep, session: SessionDep, who: SignedDep,
    query: QueueDep,
) -> HTMLResponse:
    """The queue fragment HTMX polls; it also refreshes the count badge and urgent banner."""
    require(who, cases=True)
    try:
        context = await _queue_context(staff, session, who, query)
    except inbox.BadAction as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return _render(staff, request, "inbox/_queue.html", who=who, oob=True, **context)


async def _case_context(staff: Any, session: Any, who: Any, case_id: int) -> dict[str, Any]:
    async with session.begin():
        handoff, work, items = await inbox.view_case(session, who.principal, case_id, client_ip=who.ip)
        colleagues = await inbox.colleagues(session, handoff, work)
        claimed_by = await session.get(StaffUser, work.claimed_by) if work.claimed_by else None
    owner = await inbox.owner_of(staff.takeover, handoff)
    return {
        "case": handoff,
        "work": work,
        "items": items,
        "colleagues": colleagues,
        "claimed_by": claimed_by,
        "taken_over": owner is not None,
        "callback_at": inbox.callback_time(handoff, work),
        "callback_state": inbox.callback_state(handoff, work, datetime.now(UTC)),
        "next_statuses": inbox.TRANSITIONS[work.status],
        "reply_templates": staff.reply_templates,
    }


@router.get("/inbox/cases/{case_id}")
async def case_page(request: Request, staff: StaffDep, session: SessionDep, who: SignedDep, case_id: CaseId,
                    error: str | None = None) -> HTMLResponse:
    require(who, cases=True)
    try:
        context = await _case_context(staff, session, who, case_id)
    except inbox.NotVisible:
        return _problem(staff, request, who, "この案件は見つからないか、閲覧できません。", 404)
    return _render(staff, request, "inbox/case.html", who=who, error=error, **context)


@router.get("/inbox/cases/{case_id}/thread")
async def case_thread(request: Request, staff: StaffDep, session: SessionDep, who: SignedDep, case_id: CaseId) -> HTMLResponse:
    """The live thread fragment (resident messages, notes, history), polled by HTMX."""
    require(who, cases=True)
    try:
        async with session.begin():
            handoff, _ = await inbox.load_case(session, who.principal, case_id)
            items = await inbox.thread(session, case_id)
    except inbox.NotVisible as exc:
        raise HTTPException(status_code=404, detail="no such case") from exc
    return _render(staff, request, "inbox/_thread.html", who=who, items=items, case=handoff)


async def _act(staff: Any, session: Any, who: Any, case_id: int, action: Any) -> Response:
    try:
        async with session.begin():
            await action()
    except inbox.NotVisible:
        raise HTTPException(status_code=404, detail="no such case") from None
    except inbox.BadAction as exc:
        return _back(f"/inbox/cases/{case_id}?error={_quote(str(exc))}")
    return _back(f"/inbox/cases/{case_id}")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:200])


@router.post("/inbox/cases/{case_id}/claim")
async def case_claim(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId) -> Response:
    require(who, cases=True)
    return await _act(staff, session, who, case_id,
                      lambda: inbox.claim(session, who.principal, case_id, client_ip=who.ip))


@router.post("/inbox/cases/{case_id}/reassign")
async def case_reassign(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId,
                        to_user: Annotated[int, Form(ge=1, le=2**31 - 1)]) -> Response:
    require(who, cases=True)
    return await _act(staff, session, who, case_id,
                      lambda: inbox.reassign(session, who.principal, case_id, to_user, client_ip=who.ip))


@router.post("/inbox/cases/{case_id}/status")
async def case_status(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId,
                      status: Annotated[str, Form(max_length=16)],
                      refer_to: Annotated[str, Form(max_length=64)] = "",
                      note: Annotated[str, Form(max_length=inbox.MAX_TEXT)] = "") -> Response:
    require(who, cases=True)
    return await _act(staff, session, who, case_id, lambda: inbox.change_status(
        session, who.principal, case_id, status, directory=staff.directory, refer_to=refer_to or None,
        note=note, takeover=staff.takeover, client_ip=who.ip))


@router.post("/inbox/cases/{case_id}/reschedule")
async def case_reschedule(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId,
                          when: Annotated[str, Form(max_length=32)]) -> Response:
    require(who, cases=True)
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return _back(f"/inbox/cases/{case_id}?error={_quote('日時の形式が正しくありません')}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TOKYO)  # the form's local time is Tokyo time
    return await _act(staff, session, who, case_id,
                      lambda: inbox.reschedule(session, who.principal, case_id, moment, client_ip=who.ip))


@router.post("/inbox/cases/{case_id}/note")
async def case_note(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId,
                    text: Annotated[str, Form(max_length=inbox.MAX_TEXT)]) -> Response:
    require(who, cases=True)
    return await _act(staff, session, who, case_id,
                      lambda: inbox.add_note(session, who.principal, case_id, text, client_ip=who.ip))


async def _send_act(staff: Any, session: Any, case_id: int, action: Any) -> Response:
    """A staff action that sends on LINE: commit it (the case entry, the audit), then hand
    it to the outbox. LINE or Redis failing is never a 500: the entry is kept, the outbox
    (or the reconciler) sends it later, and staff are told so in plain words."""
    try:
        async with session.begin():
            send = await action()
    except inbox.NotVisible:
        raise HTTPException(status_code=404, detail="no such case") from None
    except inbox.BadAction as exc:
        return _back(f"/inbox/cases/{case_id}?error={_quote(str(exc))}")
    except (OSError, TimeoutError, RedisError, SQLAlchemyError):
        return _back(f"/inbox/cases/{case_id}?error={_quote(staff.delivery_text('not_saved'))}")
    outcome = await staff.sender.send(send)
    if outcome == "retrying":
        return _back(f"/inbox/cases/{case_id}?error={_quote(staff.delivery_text('retrying'))}")
    if outcome == "failed":
        return _back(f"/inbox/cases/{case_id}?error={_quote(staff.delivery_text('failed'))}")
    return _back(f"/inbox/cases/{case_id}")


@router.post("/inbox/cases/{case_id}/message")
async def case_message(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId,
                       text: Annotated[str, Form(max_length=inbox.MAX_TEXT)]) -> Response:
    require(who, cases=True)
    return await _send_act(staff, session, case_id, lambda: inbox.send_message(
        session, who.principal, case_id, text, client_ip=who.ip))


@router.post("/inbox/cases/{case_id}/takeover")
async def case_takeover(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId) -> Response:
    require(who, cases=True)
    return await _send_act(staff, session, case_id, lambda: inbox.take_over(
        session, who.principal, case_id, notice=staff.notice, client_ip=who.ip))


@router.post("/inbox/cases/{case_id}/handback")
async def case_handback(staff: StaffDep, session: SessionDep, who: CsrfDep, case_id: CaseId) -> Response:
    require(who, cases=True)
    return await _send_act(staff, session, case_id, lambda: inbox.hand_back(
        session, who.principal, case_id, registry=staff.takeover, notice=staff.notice, client_ip=who.ip))


# ---- statistics ---------------------------------------------------------------------------


def _stats_filter(week_from: str | None, week_to: str | None, flow: str | None) -> stats_mod.StatsFilter:
    try:
        start = date.fromisoformat(week_from) if week_from else None
        end = date.fromisoformat(week_to) if week_to else None
    except ValueError as exc:
        raise stats_mod.BadFilter("dates must be YYYY-MM-DD") from exc
    return stats_mod.StatsFilter.build(week_from=start, week_to=end, flow=flow or None)


@router.get("/stats")
async def stats_page(request: Request, staff: StaffDep, session: SessionDep, who: SignedDep,
                     week_from: Annotated[str | None, Query(alias="from")] = None, week_to: Annotated[str | None, Query(alias="to")] = None,
                     flow: str | None = None) -> HTMLResponse:
    require(who, stats=True)
    try:
        filters = _stats_filter(week_from, week_to, flow)
    except (stats_mod.BadFilter, ValidationError) as exc:
        return _problem(staff, request, who, str(exc))
    async with session.begin():
        report = await stats_mod.report(session, filters, situations=SITUATIONS, ward=staff.directory.ward)
        await audit.record(session, actor=who.principal, action="stats_view", client_ip=who.ip,
                           detail={"from": str(filters.week_from), "to": str(filters.week_to), "flow": filters.flow})
    return _render(staff, request, "inbox/stats.html", who=who, **stats_context(report, staff))


@router.get("/stats/export.csv")
async def stats_export(staff: StaffDep, session: SessionDep, who: SignedDep,
                       week_from: Annotated[str | None, Query(alias="from")] = None, week_to: Annotated[str | None, Query(alias="to")] = None,
                       flow: str | None = None) -> Response:
    require(who, stats=True)
    try:
        filters = _stats_filter(week_from, week_to, flow)
    except stats_mod.BadFilter as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    async with session.begin():
        report = await stats_mod.report(session, filters, situations=SITUATIONS, ward=staff.directory.ward)
        await audit.record(session, actor=who.principal, action="stats_export", client_ip=who.ip,
                           detail={"from": str(filters.week_from), "to": str(filters.week_to), "flow": filters.flow})
    name = f"tsunagu-stats-{filters.week_from}-{filters.week_to}.csv"
    return Response(stats_mod.to_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- admin --------------------------------------------------------------------------------


@router.get("/admin")
async def admin_page(request: Request, staff: StaffDep, session: SessionDep, who: SignedDep,
                     action: str | None = None, error: str | None = None) -> HTMLResponse:
    require(who, admin=True)
    from sqlalchemy import select

    async with session.begin():
        users = (await session.scalars(select(StaffUser).order_by(StaffUser.id))).all()
        rows = await audit.entries(session, action=action or None)
        await audit.record(session, actor=who.principal, action="audit_view", client_ip=who.ip)
    return _render(staff, request, "inbox/admin.html", who=who, users=users, audit_rows=rows,
                   actions=audit.ACTIONS, roles=ROLES, error=error)


@router.post("/admin/users")
async def admin_create_user(staff: StaffDep, session: SessionDep, who: CsrfDep,
                            email: Annotated[str, Form(max_length=254)],
                            password: Annotated[str, Form(max_length=1024)],
                            role: Annotated[str, Form(max_length=16)],
                            display_name: Annotated[str, Form(max_length=64)] = "",
                            centre: Annotated[list[str] | None, Form()] = None) -> Response:
    require(who, admin=True)
    unknown = [c for c in centre or [] if c not in staff.directory.centres]
    if unknown:
        return _back("/admin?error=" + _quote("unknown centre"))
    try:
        async with session.begin():
            user = await create_user(session, email=email, password=password, role=role,
                                     centre_codes=centre or [], display_name=display_name or None)
            await audit.record(session, actor=who.principal, action="user_create", target=f"user:{user.id}",
                               detail={"role": role, "centres": centre or []}, client_ip=who.ip)
    except (ValueError, WeakPassword) as exc:
        return _back("/admin?error=" + _quote(str(exc)))
    except Exception as exc:  # noqa: BLE001 - most likely the e-mail exists already
        if type(exc).__name__ == "IntegrityError":
            return _back("/admin?error=" + _quote("that e-mail already has an account"))
        raise
    return _back("/admin")
