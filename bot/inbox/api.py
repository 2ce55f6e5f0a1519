"""JSON API for the same data as the pages, under the same sessions and rules.

``POST /api/login`` opens a session (cookie) and returns the CSRF token every later POST
must send in the ``X-CSRF-Token`` header. Staff see only their centres' cases; statistics
are suppressed exactly as on the page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.inbox.deps import CsrfDep, SessionDep, SignedDep, StaffDep, require, set_session_cookie
from bot.inbox.login import set_device_cookie, sign_in
from handoff import audit, inbox
from handoff import stats as stats_mod
from handoff.auth import AuthError, Throttled
from handoff.directory import SITUATIONS
from handoff.staff_models import WORK_STATUSES

router = APIRouter(prefix="/api", tags=["staff"])
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="case id")]


class LoginRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class LoginResponse(BaseModel):
    csrf_token: str
    email: str
    role: str
    centres: list[str]


class CaseSummary(BaseModel):
    id: int
    case_number: str
    status: str
    urgent: bool
    centre: str
    centres: list[str]
    situations: list[str]
    contact_method: str
    callback_at: datetime | None
    callback_state: str
    claimed_by: str | None
    created_at: datetime


class ThreadEntry(BaseModel):
    at: datetime
    kind: str
    body: str | None
    author: str | None


class CaseDetail(CaseSummary):
    summary: str | None
    answers: dict[str, Any] | None
    phone: str | None
    consent_scope: list[str]
    consent_text_version: str
    consented_at: datetime
    thread: list[ThreadEntry]


class StatusChange(BaseModel):
    status: str = Field(description=f"one of {', '.join(WORK_STATUSES)}", max_length=16)
    refer_to: str | None = Field(None, description="centre code, for status referred", max_length=64)
    note: str | None = Field(None, max_length=inbox.MAX_TEXT)


class StatsCell(BaseModel):
    row: str
    column: str
    value: str = Field(description='a count of 5 or more, or "<5"')


class StatsTable(BaseModel):
    key: str
    cells: list[StatsCell]


class StatsResponse(BaseModel):
    week_from: date
    week_to: date
    flow: str | None
    tables: list[StatsTable]


def _summary(row: inbox.CaseRow) -> CaseSummary:
    h, w = row.handoff, row.work
    return CaseSummary(
        id=h.id, case_number=h.case_number, status=w.status, urgent=row.urgent, centre=w.current_centre,
        centres=sorted(inbox.visible_centres(h, w)), situations=list(h.situations or []),
        contact_method=h.contact_method, callback_at=row.callback_at, callback_state=row.callback_state,
        claimed_by=row.claimed_by_name, created_at=h.created_at,
    )


@router.post("/login", response_model=LoginResponse, responses={401: {}, 429: {}})
async def api_login(body: LoginRequest, request: Request, staff: StaffDep, session: SessionDep) -> JSONResponse:
    """Sign in with e-mail and password; the session cookie is set on the response."""
    try:
        signed = await sign_in(request, staff, session, email=body.email, password=body.password)
    except Throttled as exc:
        raise HTTPException(status_code=429, detail="too many failed logins; try again later",
                            headers={"Retry-After": str(max(1, round(exc.retry_after_s)))}) from None
    except AuthError:
        raise HTTPException(status_code=401, detail="wrong e-mail or password") from None
    user, opened = signed.user, signed.session
    response = JSONResponse(LoginResponse(csrf_token=opened.csrf_token, email=user.email, role=user.role,
                                          centres=list(user.centre_codes)).model_dump())
    set_session_cookie(response, opened.token, staff.settings)
    set_device_cookie(response, signed, staff.settings)
    return response


@router.get("/cases", response_model=list[CaseSummary])
async def api_cases(
    session: SessionDep, who: SignedDep,
    status: Annotated[str, Query(description=f"open, all, or one of {', '.join(WORK_STATUSES)}")] = "open",
    centre: str | None = None, situation: str | None = None,
    day: Annotated[date | None, Query(description="received on this date (Tokyo)")] = None,
) -> list[CaseSummary]:
    """The queue of my centres' cases: urgent first, then overdue, then by callback time."""
    require(who, cases=True)
    try:
        filters = inbox.Filters(status=status, centre=centre, situation=situation, day=day)
    except inbox.BadAction as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    async with session.begin():
        rows = await inbox.queue(session, who.principal, filters)
    return [_summary(r) for r in rows]


@router.get("/cases/{case_id}", response_model=CaseDetail, responses={404: {}})
async def api_case(case_id: CaseId, session: SessionDep, who: SignedDep) -> CaseDetail:
    """One case with its personal data and thread; the view is written to the audit log."""
    require(who, cases=True)
    try:
        async with session.begin():
            h, w, items = await inbox.view_case(session, who.principal, case_id, client_ip=who.ip, via="api")
            row = inbox.CaseRow(h, w, None, inbox.callback_time(h, w), inbox.callback_state(h, w, datetime.now(h.created_at.tzinfo)), w.urgent_flag or h.urgency == "urgent")
            names = await inbox._names(session, [w.claimed_by])
    except inbox.NotVisible:
        raise HTTPException(status_code=404, detail="no such case") from None
    row.claimed_by_name = names.get(w.claimed_by or 0)
    return CaseDetail(
        **_summary(row).model_dump(), summary=h.summary, answers=h.answers, phone=h.phone,
        consent_scope=list(h.consent_scope or []), consent_text_version=h.consent_text_version,
        consented_at=h.consented_at,
        thread=[ThreadEntry(at=i.at, kind=i.kind, body=i.body, author=i.author) for i in items],
    )


@router.post("/cases/{case_id}/status", response_model=CaseSummary, responses={400: {}, 403: {}, 404: {}})
async def api_case_status(case_id: CaseId, body: StatusChange, staff: StaffDep, session: SessionDep,
                          who: CsrfDep) -> CaseSummary:
    """Move a case along (send the CSRF token from /api/login in X-CSRF-Token)."""
    require(who, cases=True)
    try:
        async with session.begin():
            await inbox.change_status(session, who.principal, case_id, body.status, directory=staff.directory,
                                      refer_to=body.refer_to, note=body.note, takeover=staff.takeover,
                                      client_ip=who.ip)
            rows = await inbox.queue(session, who.principal, inbox.Filters(status="all"))
    except inbox.NotVisible:
        raise HTTPException(status_code=404, detail="no such case") from None
    except inbox.BadAction as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    for row in rows:
        if row.id == case_id:
            return _summary(row)
    raise HTTPException(status_code=404, detail="the case left your centres")


@router.get("/stats", response_model=StatsResponse)
async def api_stats(
    staff: StaffDep, session: SessionDep, who: SignedDep,
    week_from: Annotated[date | None, Query(alias="from", description="first week (any day of it)")] = None,
    week_to: Annotated[date | None, Query(alias="to", description="last week (any day of it)")] = None,
    flow: Annotated[str | None, Query(max_length=64)] = None,
) -> StatsResponse:
    """Anonymised statistics; cells under 5 people are "<5" and cannot be recovered."""
    require(who, stats=True)
    try:
        filters = stats_mod.StatsFilter.build(week_from=week_from, week_to=week_to, flow=flow)
    except stats_mod.BadFilter as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    async with session.begin():
        report = await stats_mod.report(session, filters, situations=SITUATIONS, ward=staff.directory.ward)
        await audit.record(session, actor=who.principal, action="stats_view", client_ip=who.ip,
                           detail={"from": str(filters.week_from), "to": str(filters.week_to), "flow": filters.flow, "via": "api"})
    return StatsResponse(
        week_from=filters.week_from, week_to=filters.week_to, flow=filters.flow,
        tables=[
            StatsTable(key=t.key, cells=[
                StatsCell(row=r.key, column=c, value=stats_mod.shown(v))
                for r in t.rows for c, v in zip(t.columns, r.cells, strict=True)
            ])
            for t in report.tables.values()
        ],
    )
