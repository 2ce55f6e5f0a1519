"""The case worker's pages: the queue and its views, finding a case, the case page and its
actions. Forms post back and redirect with a message code (so a reload never re-sends);
``static/staff.js`` refreshes the queue and the thread in place, keeping focus.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.staff import services
from bot.staff.deps import CaseWorker, CaseWorkerPost, SessionDep, Signed, StaffDep, StaffServices
from bot.staff.render import back, problem, render
from handoff import inbox, lifecycle
from handoff import queue as queue_mod
from handoff.slots import TOKYO
from handoff.staff_models import WORK_STATUSES
from nlu.contract import SITUATIONS

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# The times offered when staff move a callback: every quarter hour of a long desk day.
TIMES = [f"{h}:{m:02d}" for h in range(7, 22) for m in (0, 15, 30, 45)]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise queue_mod.BadFilter("bad_date") from exc


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters as the page and its refresh both take them (query string)."""

    view: str = "queue"
    status: str = "open"
    centre: str = ""
    situation: str = ""
    day: str = ""
    callback_from: str = ""
    callback_to: str = ""
    number: str = ""
    page: int = 1

    def filters(self) -> queue_mod.Filters:
        return queue_mod.Filters(
            view=self.view, status=self.status, centre=self.centre or None, situation=self.situation or None,
            day=_day(self.day), callback_from=_day(self.callback_from), callback_to=_day(self.callback_to),
            number=self.number or None,
        )

    def query_string(self) -> str:
        fields = {k: v for k, v in asdict(self).items() if k != "page" and v not in ("", None)}
        return urlencode(fields)


QueueDep = Annotated[QueueQuery, Depends()]


async def _queue_context(staff: StaffServices, session: Any, who: Signed, query: QueueQuery) -> dict[str, Any]:
    filters = query.filters()
    async with session.begin():
        page = await queue_mod.page_of(session, who.principal, filters, page=query.page)
        counts = await queue_mod.counts(session, who.principal)
        urgent_new = await queue_mod.urgent_new(session, who.principal)
    return {
        "page": page,
        "counts": counts,
        "new_count": sum(1 for r in page.rows if r.handoff.status == "new"),
        "urgent_new": urgent_new,
        "query": query,
        "query_string": query.query_string(),
        "views": queue_mod.VIEWS,
        "filtered": any((query.status != "open", query.centre, query.situation, query.day,
                         query.callback_from, query.callback_to)),
    }


@router.get("/inbox")
async def inbox_page(request: Request, staff: StaffDep, session: SessionDep, who: CaseWorker,
                     query: QueueDep) -> HTMLResponse:
    try:
        context = await _queue_context(staff, session, who, query)
    except queue_mod.BadFilter as exc:
        return problem(staff, request, who, exc.code)
    names = [staff.directory.centres[c].short_name for c in who.principal.centre_codes if c in staff.directory.centres]
    return render(staff, request, "inbox.html", who=who, statuses=WORK_STATUSES, situations=SITUATIONS,
                  centre_names="・".join(names), **context)


@router.get("/inbox/queue")
async def inbox_queue(request: Request, staff: StaffDep, session: SessionDep, who: CaseWorker,
                      query: QueueDep) -> HTMLResponse:
    """The queue fragment the page refreshes: rows, counts, the urgent banner."""
    try:
        context = await _queue_context(staff, session, who, query)
    except queue_mod.BadFilter as exc:
        return problem(staff, request, who, exc.code)
    return render(staff, request, "_queue.html", who=who, **context)


@router.get("/inbox/find")
async def find_case(staff: StaffDep, session: SessionDep, who: CaseWorker, number: str = "") -> Response:
    """A whole case number goes straight to the case; a part lists the cases that match."""
    async with session.begin():
        found = await queue_mod.find_number(session, who.principal, number) if number.strip() else None
    if found is not None:
        return RedirectResponse(f"/inbox/cases/{found}", status_code=303)
    return back(f"/inbox?{urlencode({'view': 'queue', 'status': 'all', 'number': number[:24]})}")


def _dangers(items: list[inbox.ThreadItem]) -> list[dict[str, Any]]:
    """The reasons a case is urgent, newest first; a danger flagged during a takeover has no
    words of its own, so the resident message just before it is shown."""
    found = []
    for index, item in enumerate(items):
        if item.kind != "danger":
            continue
        nearby = next((i.body for i in reversed(items[:index]) if i.kind == "resident" and i.body), None)
        found.append({"at": item.at, "kinds": item.meta.get("kinds") or [], "words": item.body,
                      "source": item.meta.get("source", "conversation"), "nearby": nearby})
    return list(reversed(found))


def _summary_text(staff: StaffServices, summary: str | None) -> str | None:
    """The stored summary, with the labels residents read replaced by the staff's words."""
    if not summary:
        return summary
    for resident_label, staff_label in staff.words.pages["case"]["summary_labels"].items():
        summary = summary.replace(f"{resident_label}:", f"{staff_label}：")
    return summary


async def _case_context(staff: StaffServices, session: Any, who: Signed, case_id: int) -> dict[str, Any]:
    async with session.begin():
        handoff, work, items = await inbox.view_case(session, who.principal, case_id, client_ip=who.ip)
        row = await queue_mod.case_row(session, who.principal, case_id, personal=True)
        colleagues = await inbox.colleagues(session, handoff, work)
        related = await queue_mod.same_resident(session, who.principal, handoff)
    owner = await inbox.owner_of(staff.takeover, handoff)
    return {
        "case": handoff,
        "work": work,
        "row": row,
        "items": items,
        "dangers": _dangers(items),
        "resident_messages": [i for i in reversed(items) if i.kind == "resident" and i.body][:5],
        "summary_text": _summary_text(staff, handoff.summary),
        "colleagues": colleagues,
        "related": related,
        "taken_over": owner is not None,
        "next_statuses": lifecycle.TRANSITIONS[handoff.status],
        "note_kinds": inbox.NOTE_KINDS,
        "times": TIMES,
        # The next four weeks, written as staff read dates (a browser's date field follows
        # its own locale, 12/01/2026 on an English one).
        "days": [datetime.now(TOKYO).date() + timedelta(days=i) for i in range(29)],
    }


@router.get("/inbox/cases/{ref}")
async def case_page(request: Request, staff: StaffDep, session: SessionDep, who: CaseWorker,
                    ref: Annotated[str, Path(max_length=32)]) -> Response:
    """A case by id, or by its case number (``/inbox/cases/E-2612-0007``)."""
    if not ref.isdigit():
        async with session.begin():
            found = await queue_mod.find_number(session, who.principal, ref)
        if found is None:
            return problem(staff, request, who, "not_found", 404)
        return RedirectResponse(f"/inbox/cases/{found}", status_code=303)
    case_id = int(ref)
    if not 1 <= case_id < 2**31:
        return problem(staff, request, who, "not_found", 404)
    try:
        context = await _case_context(staff, session, who, case_id)
    except inbox.NotVisible:
        return problem(staff, request, who, "not_found", 404)
    return render(staff, request, "case.html", who=who, **context)


@router.get("/inbox/cases/{case_id}/thread")
async def case_thread(request: Request, staff: StaffDep, session: SessionDep, who: CaseWorker,
                      case_id: CaseId) -> HTMLResponse:
    """The thread fragment the case page refreshes (resident messages, notes, history)."""
    try:
        async with session.begin():
            await inbox.load_case(session, who.principal, case_id)
            items = await inbox.thread(session, case_id)
    except inbox.NotVisible:
        return problem(staff, request, who, "not_found", 404)
    return render(staff, request, "_thread.html", who=who, items=items)


async def _act(staff: StaffServices, session: Any, who: Signed, case_id: int, action: str, **form: Any) -> Response:
    try:
        delivery = await services.act(staff, session, who, case_id, action, **form)
    except inbox.NotVisible:
        return back("/inbox", error="not_found")
    except inbox.BadAction as exc:
        return back(f"/inbox/cases/{case_id}", error=exc.code)
    if delivery in ("retrying", "failed"):
        # Saved, but LINE has not taken it yet: say so plainly (the outbox keeps trying).
        return back(f"/inbox/cases/{case_id}", error=f"delivery_{delivery}")
    return back(f"/inbox/cases/{case_id}", done=action)


@router.post("/inbox/cases/{case_id}/claim")
async def case_claim(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId) -> Response:
    return await _act(staff, session, who, case_id, "claim")


@router.post("/inbox/cases/{case_id}/reassign")
async def case_reassign(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId,
                        to_user: Annotated[int, Form(ge=1, le=2**31 - 1)]) -> Response:
    return await _act(staff, session, who, case_id, "reassign", to_user=to_user)


@router.post("/inbox/cases/{case_id}/status")
async def case_status(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId,
                      status: Annotated[str, Form(max_length=16)] = "",
                      refer_to: Annotated[str, Form(max_length=64)] = "",
                      note: Annotated[str, Form(max_length=inbox.MAX_TEXT)] = "",
                      kind: Annotated[str, Form(max_length=8)] = "call") -> Response:
    return await _act(staff, session, who, case_id, "status", status=status, refer_to=refer_to or None,
                      note=note, note_kind=kind)


@router.post("/inbox/cases/{case_id}/reschedule")
async def case_reschedule(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId,
                          day: Annotated[str, Form(max_length=10)] = "",
                          time_of_day: Annotated[str, Form(alias="time", max_length=5)] = "") -> Response:
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(time_of_day.zfill(5)), TOKYO)
    except ValueError:
        return back(f"/inbox/cases/{case_id}", error="bad_time")
    return await _act(staff, session, who, case_id, "reschedule", when=moment)


@router.post("/inbox/cases/{case_id}/note")
async def case_note(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId,
                    note: Annotated[str, Form(max_length=inbox.MAX_TEXT)] = "",
                    kind: Annotated[str, Form(max_length=8)] = "note") -> Response:
    return await _act(staff, session, who, case_id, "note", text=note, kind=kind)


@router.post("/inbox/cases/{case_id}/message")
async def case_message(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId,
                       text: Annotated[str, Form(max_length=inbox.MAX_TEXT)] = "") -> Response:
    return await _act(staff, session, who, case_id, "message", text=text)


@router.post("/inbox/cases/{case_id}/takeover")
async def case_takeover(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId) -> Response:
    return await _act(staff, session, who, case_id, "takeover")


@router.post("/inbox/cases/{case_id}/handback")
async def case_handback(staff: StaffDep, session: SessionDep, who: CaseWorkerPost, case_id: CaseId) -> Response:
    return await _act(staff, session, who, case_id, "handback")

