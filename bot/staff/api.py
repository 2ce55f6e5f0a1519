"""JSON API for the same data as the pages, under the same sessions, roles and services.

``POST /api/login`` opens a session (cookie) and returns the CSRF token every later POST
must send in the ``X-CSRF-Token`` header. Staff see only their centres' cases; statistics
are suppressed exactly as on the page. Errors carry a ``code`` and its Japanese message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.staff import services
from bot.staff.deps import (
    CaseWorker,
    CaseWorkerPost,
    SessionDep,
    StaffDep,
    StaffServices,
    StatsReader,
    set_session_cookie,
)
from bot.staff.login import client_address, devices_of, set_device_cookie
from handoff import inbox
from handoff import queue as queue_mod
from handoff import stats as stats_mod
from handoff.auth import AuthError, Throttled
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
    situations: list[str]
    contact_method: str
    callback_at: datetime | None
    callback_state: str
    claimed_by: str | None
    created_at: datetime
    language: str = Field(description="the language the resident was answered in: ja, ja-easy, en, zh, ...")
    interpreter_needed: bool = Field(description="通訳が必要: the resident reads neither standard nor plain Japanese")


class ThreadEntry(BaseModel):
    at: datetime
    kind: str
    body: str | None
    author: str | None


class CaseDetail(CaseSummary):
    summary: str | None
    answers: dict[str, Any] | None
    phone: str | None
    flow: str
    consent_scope: list[str]
    consent_text_version: str
    consented_at: datetime
    thread: list[ThreadEntry]


class StatusChange(BaseModel):
    status: str = Field(description=f"one of {', '.join(WORK_STATUSES)}", max_length=16)
    refer_to: str | None = Field(None, description="centre code, for status referred", max_length=64)
    note: str | None = Field(None, max_length=inbox.MAX_TEXT, description="call record written with the change")


class NoteIn(BaseModel):
    text: str = Field(max_length=inbox.MAX_TEXT)
    kind: str = Field("note", description="call (電話記録) or note (メモ); never changes the status", max_length=8)


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


def _problem(staff: StaffServices, code: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"code": code, "detail": staff.words.error(code) or code}, status_code=status_code)


def _summary(row: queue_mod.CaseRow) -> CaseSummary:
    h, w = row.handoff, row.work
    return CaseSummary(
        id=h.id, case_number=h.case_number, status=h.status, urgent=row.urgent, centre=w.current_centre,
        situations=list(h.situations or []), contact_method=h.contact_method, callback_at=row.callback_at,
        callback_state=row.callback_state, claimed_by=row.claimed_by_name, created_at=h.created_at,
        language=h.language, interpreter_needed=h.interpreter_needed,
    )


@router.post("/login", response_model=LoginResponse, responses={401: {}, 429: {}})
async def api_login(body: LoginRequest, request: Request, staff: StaffDep, session: SessionDep) -> Response:
    """Sign in with e-mail and password; the session cookie is set on the response."""
    try:
        signed = await services.sign_in(staff, session, email=body.email, password=body.password,
                                        client_ip=client_address(request), device_tokens=devices_of(request))
    except Throttled as exc:
        problem = _problem(staff, "throttled", 429)
        problem.headers["Retry-After"] = str(max(1, round(exc.retry_after_s)))
        return problem
    except AuthError:
        return _problem(staff, "wrong", 401)
    user, opened = signed.user, signed.session
    response = JSONResponse(LoginResponse(csrf_token=opened.csrf_token, email=user.email, role=user.role,
                                          centres=list(user.centre_codes)).model_dump())
    set_session_cookie(response, opened.token, staff.settings)
    set_device_cookie(response, signed, staff.settings)
    return response


@router.get("/cases", response_model=list[CaseSummary], responses={400: {}})
async def api_cases(
    response: Response, staff: StaffDep, session: SessionDep, who: CaseWorker,
    status: Annotated[str, Query(description=f"open, all, or one of {', '.join(WORK_STATUSES)}")] = "open",
    view: Annotated[str, Query(description="queue, today (today's callbacks), mine, overdue")] = "queue",
    centre: str | None = None, situation: str | None = None,
    day: Annotated[date | None, Query(description="received on this date (Tokyo)")] = None,
    callback_from: Annotated[date | None, Query(description="callback on or after this date")] = None,
    callback_to: Annotated[date | None, Query(description="callback on or before this date")] = None,
    number: Annotated[str | None, Query(max_length=24, description="case number, whole or part")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=queue_mod.MAX_PER_PAGE)] = queue_mod.PER_PAGE,
) -> Any:
    """My centres' cases, a page at a time: urgent first, then overdue, then by callback time
    (``X-Total-Count`` gives the number of matching cases)."""
    try:
        filters = queue_mod.Filters(status=status, view=view, centre=centre, situation=situation, day=day,
                                    callback_from=callback_from, callback_to=callback_to, number=number)
    except queue_mod.BadFilter as exc:
        return _problem(staff, exc.code)
    async with session.begin():
        found = await queue_mod.page_of(session, who.principal, filters, page=page, per_page=per_page)
    response.headers["X-Total-Count"] = str(found.total)
    return [_summary(r) for r in found.rows]


@router.get("/cases/{case_id}", response_model=CaseDetail, responses={404: {}})
async def api_case(case_id: CaseId, staff: StaffDep, session: SessionDep, who: CaseWorker) -> Any:
    """One case with its personal data and thread; the view is written to the audit log."""
    try:
        async with session.begin():
            h, _, items = await inbox.view_case(session, who.principal, case_id, client_ip=who.ip, via="api")
            row = await queue_mod.case_row(session, who.principal, case_id, personal=True)
    except inbox.NotVisible:
        return _problem(staff, "not_found", 404)
    assert row is not None
    return CaseDetail(
        **_summary(row).model_dump(), summary=h.summary, answers=h.answers, phone=h.phone, flow=h.flow,
        consent_scope=list(h.consent_scope or []), consent_text_version=h.consent_text_version,
        consented_at=h.consented_at,
        thread=[ThreadEntry(at=i.at, kind=i.kind, body=i.body, author=i.author) for i in items],
    )


async def _act(staff: StaffServices, session: Any, who: Any, case_id: int, action: str, **form: Any) -> Any:
    try:
        await services.act(staff, session, who, case_id, action, **form)
    except inbox.NotVisible:
        return _problem(staff, "not_found", 404)
    except inbox.BadAction as exc:
        # A store that failed is the service's fault, not the request's: 503, try again.
        return _problem(staff, exc.code, 503 if exc.code == "not_saved" else 400)
    row = await services.case_summary_row(session, who, case_id)
    assert row is not None
    return _summary(row)


@router.post("/cases/{case_id}/status", response_model=CaseSummary, responses={400: {}, 403: {}, 404: {}})
async def api_case_status(case_id: CaseId, body: StatusChange, staff: StaffDep, session: SessionDep,
                          who: CaseWorkerPost) -> Any:
    """Move a case along (send the CSRF token from /api/login in X-CSRF-Token)."""
    return await _act(staff, session, who, case_id, "status", status=body.status, refer_to=body.refer_to,
                      note=body.note)


@router.post("/cases/{case_id}/claim", response_model=CaseSummary, responses={400: {}, 403: {}, 404: {}})
async def api_case_claim(case_id: CaseId, staff: StaffDep, session: SessionDep, who: CaseWorkerPost) -> Any:
    """Take the case (a new or referred case becomes 対応中)."""
    return await _act(staff, session, who, case_id, "claim")


@router.post("/cases/{case_id}/notes", response_model=CaseSummary, responses={400: {}, 403: {}, 404: {}})
async def api_case_note(case_id: CaseId, body: NoteIn, staff: StaffDep, session: SessionDep,
                        who: CaseWorkerPost) -> Any:
    """Add a call record or a private note; the status does not change."""
    return await _act(staff, session, who, case_id, "note", text=body.text, kind=body.kind)


@router.get("/stats", response_model=StatsResponse, responses={400: {}})
async def api_stats(
    staff: StaffDep, session: SessionDep, who: StatsReader,
    week_from: Annotated[date | None, Query(alias="from", description="first week (any day of it)")] = None,
    week_to: Annotated[date | None, Query(alias="to", description="last week (any day of it)")] = None,
    flow: Annotated[str | None, Query(max_length=64)] = None,
) -> Any:
    """Anonymised statistics; cells under 5 people are "<5" and cannot be recovered."""
    try:
        filters = services.stats_filter(week_from, week_to, flow)
    except stats_mod.BadFilter:
        return _problem(staff, "bad_stats_filter")
    report = await services.stats_report(staff, session, who, filters, via="api")
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
