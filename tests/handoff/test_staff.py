"""Staff accounts, sessions, throttling, the audit log and the retention purge, on real
PostgreSQL and Redis."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from handoff import audit, inbox, stats
from handoff.auth import (
    AuthError,
    Gatekeeper,
    Principal,
    WeakPassword,
    change_password,
    create_user,
)
from handoff.cases import Consent, add_resident_message, create_handoff
from handoff.directory import SITUATIONS, load_directory
from handoff.models import EventLog, Handoff, HandoffMessage
from handoff.retention import purge_closed
from handoff.routing import route
from handoff.staff_models import AuditEntry, CaseEntry
from settings import REPO_ROOT
from tests.conftest import POSTGRES_URL

EDOGAWA = load_directory("edogawa")
PASSWORD = "a-long-staff-password"


async def _user(sessions, email="sato@ward.example", role="staff", centres=("kurashigoto",)) -> Principal:
    async with sessions() as session, session.begin():
        return Principal.of(await create_user(session, email=email, password=PASSWORD, role=role,
                                              centre_codes=list(centres)))


async def _case(sessions, *, now=None) -> Handoff:
    async with sessions() as session, session.begin():
        return await create_handoff(
            session, route=route(EDOGAWA, situations=["debt"], facts={}, urgent=False), situations=["debt"],
            summary="山田です。借金の相談", answers={"flow": "debt", "内容": "カードの返済"},
            consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
            contact_method="phone", line_user_id="U" + "a" * 32, phone="0312345678", now=now,
        )


async def test_login_sessions_logout_and_password_change(pg_sessions, redis_client) -> None:
    await _user(pg_sessions)
    gate = Gatekeeper(redis_client)
    async with pg_sessions() as session:
        signed = await gate.login(session, email="Sato@Ward.example ", password=PASSWORD, client_ip="10.0.0.1")
        user, opened = signed.user, signed.session
        await session.commit()
        resumed = await gate.resume(session, opened.token)
        assert resumed is not None and resumed[0].email == "sato@ward.example" and resumed[1] == opened.csrf_token
        assert await gate.resume(session, "forged") is None
        # Redis holds a hash of the token, never the token.
        assert not [k for k in await redis_client.keys("*") if opened.token.encode() in k]
        await gate.logout(opened.token)
        assert await gate.resume(session, opened.token) is None

        other = (await gate.login(session, email="sato@ward.example", password=PASSWORD, client_ip="10.0.0.2")).session
        await session.commit()
    async with pg_sessions() as session, session.begin():
        with pytest.raises(AuthError):
            await change_password(session, user.id, current="wrong", new="another-long-password")
        with pytest.raises(WeakPassword):
            await change_password(session, user.id, current=PASSWORD, new="short")
        await change_password(session, user.id, current=PASSWORD, new="another-long-password")
    async with pg_sessions() as session:
        assert await gate.resume(session, other.token) is None  # older sessions end


def test_cli_creates_a_user_with_the_password_from_stdin(tmp_path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", "DEV_MODE": "true", "PATH": "/usr/bin"}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO_ROOT, env=env, check=True,
                   capture_output=True)
    run = subprocess.run(
        [sys.executable, "-m", "handoff.cli", "create-user", "--email", "kato@ward.example", "--role", "staff",
         "--centre", "kurashigoto", "--centre", "nagomi"],
        input="a-long-staff-password\n", text=True, cwd=REPO_ROOT, env=env, capture_output=True,
    )
    assert run.returncode == 0, run.stderr
    assert "kato@ward.example" in run.stdout and "a-long-staff-password" not in run.stdout
    weak = subprocess.run(
        [sys.executable, "-m", "handoff.cli", "create-user", "--email", "x@ward.example", "--role", "staff",
         "--centre", "kurashigoto"], input="short\n", text=True, cwd=REPO_ROOT, env=env, capture_output=True)
    assert weak.returncode == 2 and "12 characters" in weak.stderr


async def test_case_views_and_changes_are_audited(pg_sessions) -> None:
    sato = await _user(pg_sessions)
    case = await _case(pg_sessions)
    async with pg_sessions() as session, session.begin():
        await inbox.view_case(session, sato, case.id, client_ip="10.0.0.1")
        await inbox.claim(session, sato, case.id)
        await inbox.add_note(session, sato, case.id, "本人と話した")
    async with pg_sessions() as session:
        rows = await audit.entries(session, target=f"case:{case.id}")
    assert [r.action for r in rows] == ["case_note", "case_claim", "case_view"]
    assert all(r.actor_email == "sato@ward.example" for r in rows)
    assert "本人と話した" not in repr([r.detail for r in rows])  # codes only, never text


async def test_the_audit_table_refuses_update_and_delete_on_postgresql(pg_engine, pg_sessions) -> None:
    spec = importlib.util.spec_from_file_location("m0003", REPO_ROOT / "migrations/versions/0003_staff_inbox.py")
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    async with pg_engine.begin() as connection:  # the trigger the migration installs
        await connection.execute(text(migration.AUDIT_GUARD))
    async with pg_sessions() as session, session.begin():
        await audit.record(session, actor=None, action="purge")
    for statement in ("UPDATE audit_log SET action = 'login'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with pg_engine.begin() as connection:
                await connection.execute(text(statement))
    async with pg_sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    assert not any(hasattr(audit, name) for name in ("update", "delete", "edit", "remove"))


async def test_purge_removes_personal_data_of_old_closed_cases_and_keeps_statistics(pg_sessions) -> None:
    sato = await _user(pg_sessions)
    old = await _case(pg_sessions, now=datetime.now(UTC) - timedelta(days=400))
    recent = await _case(pg_sessions)
    async with pg_sessions() as session, session.begin():
        await add_resident_message(session, old.id, "山田です、電話番号は03-1234-5678")
        for case in (old, recent):
            await inbox.add_note(session, sato, case.id, "山田さんと電話で話した")
            await inbox.change_status(session, sato, case.id, "contacted", directory=EDOGAWA)
            await inbox.change_status(session, sato, case.id, "closed", directory=EDOGAWA)
        await session.execute(text("UPDATE case_work SET closed_at = now() - interval '400 days' WHERE handoff_id = :i"),
                              {"i": old.id})
    f = stats.StatsFilter.build(week_from=datetime.now(UTC).date() - timedelta(weeks=52), week_to=None, flow=None)
    async with pg_sessions() as session:
        before_rows = await session.scalar(select(func.count()).select_from(EventLog))
        before = stats.to_csv(await stats.report(session, f, situations=SITUATIONS))

    async with pg_sessions() as session, session.begin():
        purged = await purge_closed(session, retention_days=365)
    assert purged == [old.case_number]

    async with pg_sessions() as session:
        gone = await session.get(Handoff, old.id)
        assert gone is not None and gone.status == "closed" and gone.erased_at is not None
        assert (gone.summary, gone.answers, gone.phone, gone.line_user_id, gone.line_user_hash) == (None,) * 5
        assert gone.situations == ["debt"]  # the non-personal shape of the case stays
        assert await session.scalar(select(func.count()).select_from(HandoffMessage)
                                    .where(HandoffMessage.handoff_id == old.id)) == 0
        bodies = (await session.scalars(select(CaseEntry.body).where(CaseEntry.handoff_id == old.id))).all()
        assert bodies and all(b is None for b in bodies)
        kept = await session.get(Handoff, recent.id)
        assert kept is not None and kept.summary == "山田です。借金の相談"
        assert await session.scalar(select(func.count()).select_from(EventLog)) == before_rows
        assert stats.to_csv(await stats.report(session, f, situations=SITUATIONS)) == before
        assert [r.action for r in await audit.entries(session, action="purge")] == ["purge"]


async def test_other_centres_and_admins_see_no_case(pg_sessions) -> None:
    other = await _user(pg_sessions, "tanaka@ward.example", centres=("hikikomori",))
    admin = await _user(pg_sessions, "admin@ward.example", role="admin", centres=())
    case = await _case(pg_sessions)
    async with pg_sessions() as session, session.begin():
        for who in (other, admin):
            assert await inbox.queue(session, who, inbox.Filters(status="all")) == []
            with pytest.raises(inbox.NotVisible):
                await inbox.view_case(session, who, case.id)


def test_postgres_is_the_test_database() -> None:
    assert POSTGRES_URL.startswith("postgresql")


async def test_erasing_a_resident_also_empties_the_case_thread(pg_sessions) -> None:
    from handoff.cases import erase_resident

    sato = await _user(pg_sessions)
    case = await _case(pg_sessions)
    async with pg_sessions() as session, session.begin():
        await inbox.add_note(session, sato, case.id, "山田さん本人と電話で話した")
    async with pg_sessions() as session, session.begin():
        assert await erase_resident(session, "U" + "a" * 32) == [case.case_number]
    async with pg_sessions() as session:
        bodies = (await session.scalars(select(CaseEntry.body).where(CaseEntry.handoff_id == case.id))).all()
    assert bodies and all(body is None for body in bodies)


async def test_staff_rescheduling_frees_the_booked_slot_and_its_reminders(pg_sessions) -> None:
    from handoff import slots
    from handoff.models import SlotBooking
    from handoff.reminders import claim_due_reminders

    sato = await _user(pg_sessions)
    centre = EDOGAWA.centre("kurashigoto")
    # The real clock: staff cannot move a callback to a time already past (inbox.reschedule
    # checks against now), so a fixed date here stops working once the calendar passes it.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    async with pg_sessions() as session, session.begin():
        slot = (await slots.free_slots(session, centre, limit=1, now=now))[0]
        case = await create_handoff(
            session, route=route(EDOGAWA, situations=["debt"], facts={}, urgent=False), situations=["debt"],
            summary="借金の相談", answers={"flow": "debt"},
            consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
            contact_method="line", line_user_id="U" + "b" * 32, callback_slot=slot.start, now=now,
        )
    async with pg_sessions() as session, session.begin():
        await inbox.reschedule(session, sato, case.id, slot.start + timedelta(days=2))
    async with pg_sessions() as session, session.begin():
        assert await session.scalar(select(func.count()).select_from(SlotBooking)) == 0
        assert await claim_due_reminders(session, now=slot.start - timedelta(minutes=30)) == []


async def test_a_callback_the_resident_cancelled_is_not_shown_as_call_now(pg_sessions) -> None:
    """Cancelled means "I will ask again", never "call as soon as possible"."""
    from handoff import slots
    from handoff.desk import HandoffDesk

    sato = await _user(pg_sessions)
    centre = EDOGAWA.centre("kurashigoto")
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    desk = HandoffDesk(directory=EDOGAWA, sessions=pg_sessions, clock=lambda: now)
    user = "U" + "c" * 32
    async with pg_sessions() as session, session.begin():
        first, second = [s.start for s in await slots.free_slots(session, centre, limit=2, now=now)]
        case = await create_handoff(
            session, route=route(EDOGAWA, situations=["debt"], facts={}, urgent=False), situations=["debt"],
            summary="借金の相談", answers={"flow": "debt"},
            consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
            contact_method="phone", line_user_id=user, phone="0312345678", callback_slot=first, now=now,
        )
        asap = await create_handoff(  # chose "as soon as possible" at intake
            session, route=route(EDOGAWA, situations=["debt"], facts={}, urgent=False), situations=["debt"],
            summary="家賃の相談", answers={"flow": "debt"},
            consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
            contact_method="phone", line_user_id="U" + "d" * 32, phone="0312345679", now=now,
        )

    async def states() -> dict[str, str]:
        async with pg_sessions() as session, session.begin():
            rows = await inbox.queue(session, sato, inbox.Filters(), now=first + timedelta(days=3))
        return {row.handoff.case_number: row.callback_state for row in rows}

    assert await desk.cancel_callback(f"user:{user}", case.case_number) == first
    assert await states() == {case.case_number: "cancelled", asap.case_number: "overdue"}
    async with pg_sessions() as session, session.begin():
        rows = await inbox.queue(session, sato, inbox.Filters(), now=first + timedelta(days=3))
    assert [row.handoff.case_number for row in rows] == [asap.case_number, case.case_number]

    # Booking a new time makes it an ordinary scheduled callback again.
    assert await desk.move_callback(f"user:{user}", case.case_number, second) == second
    async with pg_sessions() as session, session.begin():
        row = next(r for r in await inbox.queue(session, sato, inbox.Filters(), now=now)
                   if r.handoff.case_number == case.case_number)
    assert (row.callback_state, row.callback_at) == ("scheduled", second)


async def test_each_urgent_case_is_alerted_once_even_with_two_pollers(pg_sessions) -> None:
    import asyncio

    from handoff.staff_models import CaseWork

    async def urgent_case(user: str) -> Handoff:
        async with pg_sessions() as session, session.begin():
            return await create_handoff(
                session, route=route(EDOGAWA, situations=["debt"], facts={}, urgent=True), situations=["debt"],
                summary="至急の相談", answers={"flow": "debt"},
                consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
                contact_method="line", line_user_id=user,
            )

    normal = await _case(pg_sessions)
    urgent = [await urgent_case("U" + c * 32) for c in "ef"]
    alerts: list[str] = []

    async def slow_alert(payload: dict) -> None:
        await asyncio.sleep(0.3)  # the other poller runs meanwhile
        alerts.append(payload["case_number"])

    async def poll(alert=slow_alert) -> int:
        async with pg_sessions() as session, session.begin():
            return await inbox.notify_urgent(session, alert)

    assert sum(await asyncio.gather(poll(), poll())) == 2
    assert sorted(alerts) == sorted(u.case_number for u in urgent)
    assert await poll() == 0
    async with pg_sessions() as session:  # every case has its work row, the normal one without an alert
        met = set((await session.scalars(select(CaseWork.handoff_id))).all())
    assert met == {normal.id, *(u.id for u in urgent)}

    # An alert that fails is not marked as sent: the next poll sends it.
    late = await urgent_case("U" + "9" * 32)

    async def failing(payload: dict) -> None:
        raise ConnectionError("the centre's webhook is down")

    with pytest.raises(ConnectionError):
        await poll(failing)
    assert await poll() == 1
    assert alerts[-1] == late.case_number
