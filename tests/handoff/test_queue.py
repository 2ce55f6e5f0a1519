"""The queue as the database finds it: visibility past 300 ward cases, pagination, the views,
case numbers, urgent clocks, danger reasons, and reads that never write."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from handoff import crypto, inbox, queue
from handoff.auth import Principal, create_user
from handoff.cases import Consent, create_handoff, receive_case
from handoff.directory import load_directory
from handoff.lifecycle import DangerReport
from handoff.models import CaseCentre, EventLog, Handoff, SlotBooking
from handoff.routing import route
from handoff.slots import TOKYO
from handoff.staff_models import AuditEntry, CaseEntry, CaseWork

EDOGAWA = load_directory("edogawa")
PASSWORD = "a-long-staff-password"
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TOKYO)  # a Wednesday, desk hours


async def _user(sessions, email: str, centres: list[str]) -> Principal:
    async with sessions() as session, session.begin():
        return Principal.of(await create_user(session, email=email, password=PASSWORD, role="staff",
                                              centre_codes=centres))


async def _case(session, situations: list[str], *, user: str, now: datetime, urgent: bool = False,
                slot: datetime | None = None, danger: DangerReport | None = None) -> Handoff:
    return await create_handoff(
        session, route=route(EDOGAWA, situations=situations, facts={}, urgent=urgent), situations=situations,
        summary="相談のまとめ", answers={"いつから": "先月"}, flow=situations[0],
        consent=Consent(scope=["share_with_centre"], text_version="2026-11"), contact_method="line",
        line_user_id=user, callback_slot=slot, now=now, danger=danger,
    )


async def _bulk_cases(session, count: int, *, centre: str, now: datetime) -> None:
    """Many ward cases at once (the same rows create_handoff writes, without its booking)."""
    rows = [dict(case_number=f"E-2612-{9000 + i}", ward="edogawa", primary_centre=centre, centre_codes=[centre],
                 situations=["debt"], multi_agency=False, urgency="normal", status="new", flow="debt",
                 summary=None, answers=None, contact_method="line", consent_scope=[], consent_text_version="2026-11",
                 consented_at=now, created_at=now - timedelta(minutes=count - i), updated_at=now)
            for i in range(count)]
    ids = (await session.scalars(insert(Handoff).returning(Handoff.id), rows)).all()
    await session.execute(insert(CaseWork), [dict(handoff_id=i, current_centre=centre, created_at=now,
                                                  updated_at=now) for i in ids])
    await session.execute(insert(CaseCentre), [dict(handoff_id=i, centre_code=centre) for i in ids])


async def test_a_small_centre_still_sees_its_oldest_open_case_past_300_ward_cases(pg_sessions) -> None:
    small = await _user(pg_sessions, "kodomo@ward.example", ["kodomo"])
    big = await _user(pg_sessions, "sato@ward.example", ["kurashigoto"])
    async with pg_sessions() as session, session.begin():
        oldest = await create_handoff(
            session, route=route(EDOGAWA, situations=["double_care"], facts={}, urgent=False),
            situations=["double_care"], summary="古い相談", answers={}, flow="double_care",
            consent=Consent(scope=["share_with_centre"], text_version="2026-11"), contact_method="line",
            line_user_id="U" + "1" * 32, now=NOW - timedelta(days=40),
        )
        await _bulk_cases(session, 350, centre="kurashigoto", now=NOW)
    assert oldest.primary_centre != "kurashigoto"
    small = Principal(small.id, small.email, small.display_name, small.role, (oldest.primary_centre,))
    async with pg_sessions() as session:
        mine = await queue.page_of(session, small, queue.Filters(), now=NOW)
        theirs = await queue.page_of(session, big, queue.Filters(), now=NOW, per_page=100)
        last = await queue.page_of(session, big, queue.Filters(), now=NOW, per_page=100, page=4)
    assert [r.handoff.case_number for r in mine.rows] == [oldest.case_number] and mine.total == 1
    assert theirs.total == 350 and theirs.pages == 4 and len(theirs.rows) == 100
    assert len(last.rows) == 50
    assert oldest.id not in {r.id for r in theirs.rows}


async def test_reads_never_write(pg_sessions) -> None:
    sato = await _user(pg_sessions, "sato@ward.example", ["kurashigoto"])
    async with pg_sessions() as session, session.begin():
        case = await _case(session, ["debt"], user="U" + "2" * 32, now=NOW)

    async def counts() -> tuple[int, ...]:
        async with pg_sessions() as session:
            return tuple([
                await session.scalar(select(func.count()).select_from(table))
                for table in (CaseWork, EventLog, CaseEntry, AuditEntry, CaseCentre)
            ] + [await session.scalar(select(func.max(CaseWork.updated_at)))])

    before = await counts()
    assert before[0] == 1 and before[1] == 2  # the work row and the intake events came with the case
    async with pg_sessions() as session, session.begin():
        await queue.page_of(session, sato, queue.Filters(status="all"), now=NOW)
        await queue.counts(session, sato, now=NOW)
        await queue.case_row(session, sato, case.id, now=NOW)
        await inbox.load_case(session, sato, case.id)
        await inbox.thread(session, case.id)
        assert not session.new and not session.dirty
    assert await counts() == before


async def test_views_todays_callbacks_mine_overdue_and_numbers(pg_sessions) -> None:
    sato = await _user(pg_sessions, "sato@ward.example", ["kurashigoto"])
    today_slots = [NOW.replace(hour=14), NOW.replace(hour=15, minute=30)]
    async with pg_sessions() as session, session.begin():
        yesterday = await _case(session, ["debt"], user="U" + "3" * 32, now=NOW - timedelta(days=3))
        today = [await _case(session, ["debt"], user=f"U{i}" + "4" * 31, now=NOW - timedelta(days=1)) for i in range(2)]
        tomorrow = await _case(session, ["debt"], user="U" + "5" * 32, now=NOW - timedelta(days=1))
        asap = await _case(session, ["debt"], user="U" + "6" * 32, now=NOW - timedelta(days=2))
        # Agreed callback times (as inbox.reschedule sets them, without its check against the real clock).
        agreed = [(yesterday, NOW - timedelta(days=1)), *zip(today, today_slots, strict=True),
                  (tomorrow, NOW + timedelta(days=1))]
        for case, when in agreed:
            work = await session.get(CaseWork, case.id)
            assert work is not None
            work.callback_at, work.respond_by = when, None
        await inbox.claim(session, sato, today[1].id)
    async with pg_sessions() as session:
        listed = await queue.page_of(session, sato, queue.Filters(view="today"), now=NOW)
        mine = await queue.page_of(session, sato, queue.Filters(view="mine"), now=NOW)
        overdue = await queue.page_of(session, sato, queue.Filters(view="overdue"), now=NOW)
        ranged = await queue.page_of(session, sato, queue.Filters(callback_from=NOW.date(),
                                                                  callback_to=(NOW + timedelta(days=1)).date()), now=NOW)
        by_part = await queue.page_of(session, sato, queue.Filters(number=today[0].case_number[-4:]), now=NOW)
        exact = await queue.find_number(session, sato, today[0].case_number.lower().replace("-", "－"))
        counts = await queue.counts(session, sato, now=NOW)
    assert [r.id for r in listed.rows] == [c.id for c in today]
    assert [r.id for r in mine.rows] == [today[1].id]
    assert {r.id for r in overdue.rows} == {yesterday.id, asap.id}
    assert {r.id for r in ranged.rows} == {today[0].id, today[1].id, tomorrow.id}
    assert today[0].id in [r.id for r in by_part.rows]
    assert exact == today[0].id
    assert counts == {"queue": 5, "today": 2, "mine": 1, "overdue": 2}


async def test_urgent_cases_go_overdue_on_the_wards_short_clock_in_desk_hours(pg_sessions) -> None:
    sato = await _user(pg_sessions, "sato@ward.example", [EDOGAWA.rules.crisis, "kurashigoto"])
    night = datetime(2026, 12, 1, 23, 0, tzinfo=TOKYO)  # Tuesday night: the desk opens 8:30
    async with pg_sessions() as session, session.begin():
        urgent = await _case(session, ["debt"], user="U" + "7" * 32, now=night, urgent=True,
                             danger=DangerReport(("suicidal",), "もう死にたい"))
        normal = await _case(session, ["debt"], user="U" + "8" * 32, now=night)

    async def states(at: datetime) -> dict[int, str]:
        async with pg_sessions() as session:
            return {r.id: r.callback_state for r in (await queue.page_of(session, sato, queue.Filters(), now=at)).rows}

    opens = datetime(2026, 12, 2, 8, 30, tzinfo=TOKYO)
    assert await states(opens + timedelta(minutes=29)) == {urgent.id: "due", normal.id: "due"}
    assert await states(opens + timedelta(minutes=31)) == {urgent.id: "overdue", normal.id: "due"}
    assert await states(night + timedelta(hours=25)) == {urgent.id: "overdue", normal.id: "overdue"}
    async with pg_sessions() as session, session.begin():
        await inbox.change_status(session, sato, urgent.id, "contacted", directory=EDOGAWA)
    assert (await states(night + timedelta(hours=25)))[urgent.id] == "done"


async def test_a_danger_message_from_a_resident_with_an_open_case_flags_that_case(pg_sessions) -> None:
    resident = "U" + "9" * 32
    async with pg_sessions() as session, session.begin():
        first = await _case(session, ["debt"], user=resident, now=NOW)
        again = await receive_case(
            session, route=route(EDOGAWA, situations=[], facts={}, urgent=True), line_user_id=resident,
            danger=DangerReport(("suicidal",), "もう死にたいです"), situations=["crisis"], summary="", answers={},
            flow="urgent", consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
            contact_method="phone", phone="090-3333-4444", now=NOW,
        )
    assert again.id == first.id and again.phone == "09033334444" and again.contact_method == "phone"
    async with pg_sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Handoff)) == 1
        case = await session.get(Handoff, first.id)
        entry = await session.scalar(select(CaseEntry).where(CaseEntry.handoff_id == first.id,
                                                             CaseEntry.kind == "danger"))
        centres = set((await session.scalars(select(CaseCentre.centre_code)
                                             .where(CaseCentre.handoff_id == first.id))).all())
        stored = await session.scalar(select(func.count()).select_from(CaseEntry)
                                      .where(CaseEntry.body.like("%死にたい%")))
    assert case is not None and case.urgency == "urgent"
    assert entry is not None and entry.body == "もう死にたいです" and entry.meta["kinds"] == ["suicidal"]
    assert EDOGAWA.rules.crisis in centres  # the crisis desk sees it too
    assert stored == 0  # the words are encrypted at rest
    assert crypto.lookup_hash(resident) == case.line_user_hash


async def test_a_booked_callback_keeps_its_slot_row(pg_sessions) -> None:
    from handoff import slots

    centre = EDOGAWA.centre("kurashigoto")
    async with pg_sessions() as session, session.begin():
        slot = (await slots.free_slots(session, centre, limit=1, now=NOW))[0]
        case = await _case(session, ["debt"], user="U" + "a" * 32, now=NOW, slot=slot.start)
        work = await session.get(CaseWork, case.id)
        assert work is not None and work.respond_by is None
        assert await session.scalar(select(SlotBooking.handoff_id)) == case.id


async def test_a_residents_other_cases_are_linked(pg_sessions) -> None:
    sato = await _user(pg_sessions, "sato@ward.example", ["kurashigoto"])
    resident = "U" + "b" * 32
    async with pg_sessions() as session, session.begin():
        older = await _case(session, ["debt"], user=resident, now=NOW - timedelta(days=30))
        await session.execute(Handoff.__table__.update().where(Handoff.id == older.id).values(status="closed"))
        newer = await _case(session, ["debt"], user=resident, now=NOW)
        await _case(session, ["debt"], user="U" + "c" * 32, now=NOW)
    async with pg_sessions() as session:
        newest = await session.get(Handoff, newer.id)
        assert newest is not None
        linked = await queue.same_resident(session, sato, newest)
    assert [r.id for r in linked] == [older.id]
