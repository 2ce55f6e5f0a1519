"""Statistics: only anonymised events, small cells never published, and nothing recovered by
subtracting totals or by changing filters (property-style, many random filter pairs)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from handoff import stats
from handoff.cases import Consent, create_handoff
from handoff.directory import SITUATIONS, load_directory
from handoff.events import record_event
from handoff.routing import route
from handoff.slots import TOKYO

FLOWS = ("debt", "hikikomori", "family_8050", "general")
FIRST_WEEK = date(2026, 9, 7)  # a Monday
WEEKS = 10


def random_events(rng: random.Random, n: int) -> list[stats.Event]:
    events = []
    for _ in range(n):
        hour = datetime.combine(FIRST_WEEK, datetime.min.time(), TOKYO) + timedelta(
            hours=rng.randrange(WEEKS * 7 * 24))
        flow = rng.choice(FLOWS)
        kind = rng.choice(("start", "start", "step", "outcome"))
        outcome = rng.choice(("consent_given", "handoff", "contacted", "stopped", "received", "combination"))
        step = {
            "contacted": rng.choice(stats.CONTACT_BUCKETS),
            "received": rng.choice(("centre.kurashigoto", "centre.hikikomori")),
            "combination": rng.choice(("debt.hikikomori", "double_care.family_8050")),
            "stopped": rng.choice(("q1", "q2")),
        }.get(outcome) if kind == "outcome" else (rng.choice(("q1", "q2", "q3")) if kind == "step" else None)
        events.append(stats.Event(
            hour=hour.astimezone(UTC), flow=flow, kind=kind, step=step,
            outcome=outcome if kind == "outcome" else None,
            situation=rng.choice(SITUATIONS) if kind == "start" else None,
        ))
    return events


def filtered(events: list[stats.Event], f: stats.StatsFilter) -> list[stats.Event]:
    """What load_events returns for a filter (the database query, in memory)."""
    return [e for e in events if f.week_from <= e.week <= f.week_to and (f.flow is None or e.flow == f.flow)]


def published(report: stats.StatsReport) -> dict[tuple[str, str, str], int]:
    values = {}
    for table in report.tables.values():
        for row in table.rows:
            for column, value in zip(table.columns, row.cells, strict=True):
                values[(table.key, row.key, column)] = value
            values[(table.key, row.key, "total")] = row.total
        for column, value in zip(table.columns, table.column_totals, strict=True):
            values[(table.key, "total", column)] = value
        values[(table.key, "total", "total")] = table.grand_total
    return values


def random_filter(rng: random.Random) -> stats.StatsFilter:
    start = rng.randrange(WEEKS)
    end = rng.randrange(start, WEEKS)
    return stats.StatsFilter.build(
        week_from=FIRST_WEEK + timedelta(weeks=start), week_to=FIRST_WEEK + timedelta(weeks=end),
        flow=rng.choice((None, *FLOWS)),
    )


def test_no_published_number_is_a_small_count_and_totals_hide_nothing() -> None:
    rng = random.Random(7)
    for trial in range(60):
        events = random_events(rng, rng.choice((20, 80, 300, 900)))
        f = random_filter(rng)
        report = stats.build_report(filtered(events, f), f, situations=SITUATIONS)
        for key, value in published(report).items():
            assert value == 0 or value >= stats.THRESHOLD, (trial, key, value)
        for table in report.tables.values():
            # A total minus the cells shown beside it is always 0: no complement to read.
            for row in table.rows:
                assert row.total - sum(row.cells) == 0
            assert table.grand_total - sum(table.column_totals) == 0


def test_changing_filters_never_reveals_a_small_group() -> None:
    """For nested filters (a longer period, all flows vs one), the difference of any
    published number is a sum of unsuppressed cells: 0 or at least 5."""
    rng = random.Random(11)
    checked = 0
    for _ in range(150):
        events = random_events(rng, rng.choice((40, 150, 600)))
        narrow = random_filter(rng)
        wide = stats.StatsFilter.build(
            week_from=FIRST_WEEK + timedelta(weeks=rng.randrange(0, (narrow.week_from - FIRST_WEEK).days // 7 + 1)),
            week_to=narrow.week_to + timedelta(weeks=rng.randrange(0, 3)),
            flow=rng.choice((None, narrow.flow)),
        )
        small = published(stats.build_report(filtered(events, narrow), narrow, situations=SITUATIONS))
        large = published(stats.build_report(filtered(events, wide), wide, situations=SITUATIONS))
        for key, value in small.items():
            if key in large:
                difference = large[key] - value
                assert difference == 0 or difference >= stats.THRESHOLD, (key, value, large[key])
                checked += 1
    assert checked > 1000


def test_a_lone_small_cell_in_a_group_takes_a_neighbour_with_it() -> None:
    # One week, one flow: debt 12, hikikomori 3 -> hikikomori withheld, and so is debt
    # (otherwise "everyone who started" from the funnel minus debt would give 3).
    week = datetime(2026, 9, 8, 10, tzinfo=TOKYO).astimezone(UTC)
    events = [stats.Event(week, "general", "start", None, None, "debt")] * 12
    events += [stats.Event(week, "general", "start", None, None, "hikikomori")] * 3
    events += [stats.Event(week, "general", "start", None, None, "family_8050")] * 7
    f = stats.StatsFilter.build(week_from=date(2026, 9, 7), week_to=date(2026, 9, 7), flow=None)
    table = stats.build_report(events, f, situations=SITUATIONS).tables["situation_week"]
    values = {row.key: row.cells[0] for row in table.rows}
    assert values["hikikomori"] == 0 and values["family_8050"] == 0  # the smallest neighbour
    assert values["debt"] == 12
    assert stats.shown(values["hikikomori"]) == "<5"


def test_residents_are_counted_by_language_with_the_same_suppression() -> None:
    # 12 Japanese, 7 English, 3 Nepali starts: Nepali withheld, and English with it (else
    # "started" minus the Japanese and English rows would give 3); old rows count as Japanese.
    week = datetime(2026, 9, 8, 10, tzinfo=TOKYO).astimezone(UTC)
    events = [stats.Event(week, "general", "start", None, None, "debt", None)] * 12
    events += [stats.Event(week, "general", "start", None, None, "debt", "en")] * 7
    events += [stats.Event(week, "general", "start", None, None, "debt", "ne")] * 3
    f = stats.StatsFilter.build(week_from=date(2026, 9, 7), week_to=date(2026, 9, 7), flow=None)
    table = stats.build_report(events, f, situations=SITUATIONS).tables["language"]
    values = {row.key: row.cells[0] for row in table.rows}
    assert values.get("ja") == 12 and values.get("en", 0) == 0 and values.get("ne", 0) == 0
    assert "<5" in stats.to_csv(stats.build_report(events, f, situations=SITUATIONS))


def test_filters_are_whole_weeks_and_bounded() -> None:
    f = stats.StatsFilter.build(week_from=date(2026, 9, 9), week_to=date(2026, 9, 20), flow="debt")
    assert (f.week_from, f.week_to) == (date(2026, 9, 7), date(2026, 9, 14))
    for bad in [dict(week_from=date(2026, 9, 20), week_to=date(2026, 9, 1), flow=None),
                dict(week_from=date(2020, 1, 1), week_to=date(2026, 1, 1), flow=None),
                dict(week_from=None, week_to=None, flow="'; drop table")]:
        try:
            stats.StatsFilter.build(**bad)  # type: ignore[arg-type]
        except stats.BadFilter:
            continue
        raise AssertionError(f"accepted {bad}")


async def test_tables_and_export_hold_no_personal_data(pg_sessions) -> None:
    directory = load_directory("edogawa")
    resident, phone, name, free_text = "U" + "f" * 32, "09087654321", "山田花子", "夫の借金が二百万円あります"
    now = datetime.now(UTC)
    async with pg_sessions() as session, session.begin():
        for i in range(12):
            await create_handoff(
                session, route=route(directory, situations=["debt", "hikikomori"], facts={}, urgent=False),
                situations=["debt", "hikikomori"], summary=f"{name}さん。{free_text}",
                answers={"flow": "debt", "お名前": name, "内容": free_text},
                consent=Consent(scope=["share_with_centre"], text_version="2026-11"),
                contact_method="phone", line_user_id=resident + str(i % 2), phone=phone, now=now,
            )
            for kind, outcome in (("start", None), ("outcome", "consent_given"), ("outcome", "handoff")):
                await record_event(session, ward="edogawa", flow="debt", kind=kind, outcome=outcome,
                                   situation="debt" if kind == "start" else None, at=now)
    f = stats.StatsFilter.build(week_from=None, week_to=None, flow=None)
    async with pg_sessions() as session:
        report = await stats.report(session, f, situations=SITUATIONS, ward="edogawa")
    exported = stats.to_csv(report)
    rendered = repr(report) + exported
    for secret in (resident, phone, name, free_text):
        assert secret not in rendered
    # The data is there, only anonymised: 12 debt starts, 12 received at なごみの家 (several situations), combos.
    assert report.tables["funnel"].rows[0].cells[0] == 12
    assert ("centre", "nagomi") in {(t, r.key) for t, tb in report.tables.items() for r in tb.rows}
    assert "combination,debt.hikikomori,count,12" in exported
