"""Rendering a staff page: the common context, a problem page, a redirect with a code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.staff.deps import StaffServices


def render(staff: StaffServices, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("centres", staff.directory.centres)
    context.setdefault("who", None)
    words = staff.words
    context.setdefault("flash_error", words.error(request.query_params.get("error")))
    context.setdefault("flash_done", words.done(request.query_params.get("done")))
    return staff.templates.TemplateResponse(request, f"staff/{name}", context, status_code=status_code)


def problem(staff: StaffServices, request: Request, who: Any, code: str, status_code: int = 400) -> HTMLResponse:
    pages = staff.words.pages["problem"]
    heading = pages["forbidden_title"] if code == "forbidden" else pages["title"]
    return render(staff, request, "problem.html", status_code, who=who, heading=heading,
                  message=staff.words.error(code), flash_error=None, flash_done=None)


def back(url: str, **codes: str) -> RedirectResponse:
    """Redirect after a form (so a reload never re-sends), carrying only a message code."""
    query = urlencode({k: v for k, v in codes.items() if v})
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{query}" if query else url, status_code=303)
