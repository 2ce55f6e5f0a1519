"""What the staff pages and the JSON API both do: sign in, read statistics, act on a case.

Each is one function called by both faces, so a page and its API twin cannot drift apart
in what they check, audit or change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.staff.deps import Signed, StaffServices
from handoff import audit, inbox
from handoff import stats as stats_mod
from handoff.auth import AuthError, SignedIn
from handoff.deliveries import LineSend
from handoff.login_guard import worth_a_row
from nlu.contract import SITUATIONS


async def sign_in(
    staff: StaffServices, session: AsyncSession, *, email: str, password: str, client_ip: str,
    device_tokens: list[str],
) -> SignedIn:
    """Check the password under the throttle, open a session and audit the outcome;
    ``AuthError`` / ``Throttled`` otherwise.

    Failed logins are audited in aggregate (handoff.login_guard.FailureTally); a throttled
    attempt is not checked at all, so it adds no row.
    """
    try:
        signed: SignedIn = await staff.gatekeeper.login(
            session, email=email, password=password, client_ip=client_ip, device_tokens=device_tokens
        )
    except AuthError as exc:
        tally = exc.tally
        if tally is not None and worth_a_row(tally):
            await audit.record(
                session, actor=None, action="login_failed", actor_email=tally.email[:254],
                client_ip=None if tally.client_ip == "*" else tally.client_ip,
                detail={"failures": tally.failures, "window": tally.window, "address": tally.client_ip},
            )
            await session.commit()
        raise
    await audit.record(session, actor=None, action="login", actor_email=signed.user.email,
                       target=f"user:{signed.user.id}", client_ip=client_ip)
    await session.commit()
    return signed


def stats_filter(week_from: date | str | None, week_to: date | str | None, flow: str | None) -> stats_mod.StatsFilter:
    try:
        start = date.fromisoformat(week_from) if isinstance(week_from, str) and week_from else week_from or None
        end = date.fromisoformat(week_to) if isinstance(week_to, str) and week_to else week_to or None
    except ValueError as exc:
        raise stats_mod.BadFilter("dates must be YYYY-MM-DD") from exc
    return stats_mod.StatsFilter.build(week_from=start or None, week_to=end or None, flow=flow or None)


async def stats_report(
    staff: StaffServices, session: AsyncSession, who: Signed, filters: stats_mod.StatsFilter, *,
    export: bool = False, via: str = "page",
) -> stats_mod.StatsReport:
    """The suppressed report for the ward, with its view (or export) in the audit log."""
    async with session.begin():
        report = await stats_mod.report(session, filters, situations=SITUATIONS, ward=staff.directory.ward)
        detail: dict[str, Any] = {"from": str(filters.week_from), "to": str(filters.week_to), "flow": filters.flow}
        if via != "page":
            detail["via"] = via
        await audit.record(session, actor=who.principal, action="stats_export" if export else "stats_view",
                           client_ip=who.ip, detail=detail)
    return report


Action = Callable[..., Awaitable[Any]]


def _actions(staff: StaffServices, session: AsyncSession, who: Signed, case_id: int) -> dict[str, Action]:
    p, ip = who.principal, who.ip
    return {
        "claim": lambda: inbox.claim(session, p, case_id, client_ip=ip),
        "reassign": lambda to_user: inbox.reassign(session, p, case_id, to_user, client_ip=ip),
        "status": lambda status, refer_to=None, note=None, note_kind="call": inbox.change_status(
            session, p, case_id, status, directory=staff.directory, refer_to=refer_to or None, note=note,
            note_kind=note_kind, takeover=staff.takeover, client_ip=ip),
        "reschedule": lambda when: inbox.reschedule(session, p, case_id, when, client_ip=ip),
        "note": lambda text, kind="note": inbox.add_note(session, p, case_id, text, kind=kind, client_ip=ip),
        "message": lambda text: inbox.send_message(session, p, case_id, text, client_ip=ip),
        "takeover": lambda: inbox.take_over(session, p, case_id, notice=staff.notice, client_ip=ip),
        "handback": lambda: inbox.hand_back(session, p, case_id, registry=staff.takeover,
                                            notice=staff.notice, client_ip=ip),
    }


ACTIONS = ("claim", "reassign", "status", "reschedule", "note", "message", "takeover", "handback")


async def act(
    staff: StaffServices, session: AsyncSession, who: Signed, case_id: int, action: str, **form: Any
) -> str | None:
    """Run one case action in its own transaction; raises ``inbox.NotVisible`` or
    ``inbox.BadAction`` (whose ``code`` names the message staff read).

    An action that writes to the resident (message, takeover, handback) is committed first
    and then handed to the outbox (bot.staff_push): its answer is how delivery went so far,
    "delivered", "retrying" or "failed", never an exception. A database or Redis failure is
    ``BadAction("not_saved")``: nothing was kept, staff may try again.
    """
    try:
        async with session.begin():
            result = await _actions(staff, session, who, case_id)[action](**form)
    except (OSError, TimeoutError, RedisError, SQLAlchemyError) as exc:
        raise inbox.BadAction("not_saved") from exc
    if isinstance(result, LineSend):
        return await staff.sender.send(result)
    return None


async def case_summary_row(session: AsyncSession, who: Signed, case_id: int) -> inbox.CaseRow | None:
    """The case as the queue shows it, right after an action on it succeeded."""
    async with session.begin():
        return await inbox.case_row(session, None, case_id, now=datetime.now().astimezone())
