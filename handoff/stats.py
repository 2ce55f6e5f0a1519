"""Supervisor statistics from the anonymised event log only, with small cells suppressed.

How a published number is made, and why it cannot be undone:

* Every event falls in an **atomic group**: its ISO week (Tokyo) and its flow, the two
  dimensions the filters can cut by. Inside a group, each table cell is counted.
* **Primary suppression**: an atomic cell with 1-4 people is withheld.
  **Secondary suppression**: if exactly one cell of a group is withheld, the smallest other
  non-empty cell of that group is withheld too, so a group total known from elsewhere (the
  funnel, another table) minus the visible cells never equals one small cell.
* A **published cell, row total, column total or grand total is the sum of the atomic cells
  that were not withheld**. Each of those is 5 or more, so every published number is 0 or
  at least 5, a total minus its visible cells is 0, and the difference between the same
  number under two nested filters (a longer period, all flows vs one) is again a sum of
  cells of 5 or more: changing filters reveals no small group. A published 0 is shown as
  "<5" because it may hide withheld cells.

The event log has no user id, no text and no case id; this module reads nothing else.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.events import _CODE
from handoff.models import EventLog
from handoff.slots import TOKYO

THRESHOLD = 5
MAX_WEEKS = 53
SUPPRESSED = "<5"
FUNNEL = (
    ("started", lambda e: e.kind == "start"),
    ("consented", lambda e: e.kind == "outcome" and e.outcome == "consent_given"),
    ("confirmed", lambda e: e.kind == "outcome" and e.outcome == "handoff"),
    ("contacted", lambda e: e.kind == "outcome" and e.outcome == "contacted"),
)
CONTACT_BUCKETS = ("within_4h", "within_24h", "within_72h", "over_72h")


class BadFilter(ValueError):
    """A statistics filter that is not a whole week range or a known flow code."""


@dataclass(frozen=True)
class StatsFilter:
    """Whole ISO weeks (Monday dates, Tokyo) and optionally one flow."""

    week_from: date
    week_to: date
    flow: str | None = None

    @classmethod
    def build(
        cls, *, week_from: date | None, week_to: date | None, flow: str | None, today: date | None = None
    ) -> StatsFilter:
        today = today or datetime.now(TOKYO).date()
        to = monday(week_to or today)
        start = monday(week_from or (to - timedelta(weeks=11)))
        if start > to:
            raise BadFilter("the period starts after it ends")
        if (to - start).days // 7 + 1 > MAX_WEEKS:
            raise BadFilter(f"the period is longer than {MAX_WEEKS} weeks")
        if flow is not None and not _CODE.fullmatch(flow):
            raise BadFilter("flow must be a flow code")
        return cls(week_from=start, week_to=to, flow=flow or None)

    @property
    def weeks(self) -> list[date]:
        count = (self.week_to - self.week_from).days // 7 + 1
        return [self.week_from + timedelta(weeks=i) for i in range(count)]


@dataclass
class TableRow:
    key: str
    cells: list[int]  # published values (0 shown as "<5")

    @property
    def total(self) -> int:
        return sum(self.cells)


@dataclass
class Table:
    key: str
    columns: list[str]
    rows: list[TableRow]
    with_totals: bool = True

    @property
    def column_totals(self) -> list[int]:
        return [sum(row.cells[i] for row in self.rows) for i in range(len(self.columns))]

    @property
    def grand_total(self) -> int:
        return sum(row.total for row in self.rows)


@dataclass
class StatsReport:
    filters: StatsFilter
    tables: dict[str, Table] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """The fields of one event-log row the statistics use."""

    hour: datetime
    flow: str
    kind: str
    step: str | None
    outcome: str | None
    situation: str | None

    @property
    def local(self) -> datetime:
        return self.hour.astimezone(TOKYO)

    @property
    def week(self) -> date:
        return monday(self.local.date())


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def shown(value: int) -> str:
    return str(value) if value >= THRESHOLD else SUPPRESSED


Key = tuple[str, str]  # (row, column)


def publish(atoms: Iterable[tuple[Hashable, Key]]) -> dict[Key, int]:
    """Count people per (group, cell), suppress small cells per group, sum what is left."""
    counts: dict[Hashable, Counter[Key]] = defaultdict(Counter)
    for group, key in atoms:
        counts[group][key] += 1
    published: Counter[Key] = Counter()
    for cells in counts.values():
        withheld = {key for key, n in cells.items() if n < THRESHOLD}
        if len(withheld) == 1:
            others = sorted((n, key) for key, n in cells.items() if key not in withheld)
            if others:
                withheld.add(others[0][1])
        for key, n in cells.items():
            if key not in withheld:
                published[key] += n
    return dict(published)


def _table(
    key: str,
    events: Sequence[Event],
    *,
    row_of: Callable[[Event], str | None],
    column_of: Callable[[Event], str | None] = lambda e: "count",
    rows: Sequence[str] | None = None,
    columns: Sequence[str] = ("count",),
    with_totals: bool = True,
) -> Table:
    atoms = []
    for event in events:
        row, column = row_of(event), column_of(event)
        if row is not None and column is not None:
            atoms.append(((event.week, event.flow), (row, column)))
    published = publish(atoms)
    row_keys = list(rows) if rows is not None else sorted({r for r, _ in published})
    return Table(
        key=key,
        columns=list(columns),
        rows=[TableRow(r, [published.get((r, c), 0) for c in columns]) for r in row_keys],
        with_totals=with_totals,
    )


async def load_events(session: AsyncSession, filters: StatsFilter, ward: str | None = None) -> list[Event]:
    start = datetime.combine(filters.week_from, datetime.min.time(), TOKYO).astimezone(UTC)
    end = datetime.combine(filters.week_to + timedelta(weeks=1), datetime.min.time(), TOKYO).astimezone(UTC)
    query = select(
        EventLog.hour, EventLog.flow, EventLog.kind, EventLog.step, EventLog.outcome, EventLog.situation
    ).where(EventLog.hour >= start, EventLog.hour < end)
    if filters.flow:
        query = query.where(EventLog.flow == filters.flow)
    if ward:
        query = query.where(EventLog.ward == ward)
    return [Event(*row) for row in (await session.execute(query)).all()]


def build_report(events: Sequence[Event], filters: StatsFilter, *, situations: Sequence[str]) -> StatsReport:
    weeks = [w.isoformat() for w in filters.weeks]
    starts = [e for e in events if e.kind == "start"]
    outcomes = [e for e in events if e.kind == "outcome"]
    report = StatsReport(filters=filters)
    tables = [
        _table("situation_week", starts, row_of=lambda e: e.situation, column_of=lambda e: e.week.isoformat(),
               rows=situations, columns=weeks),
        _table("centre", [e for e in outcomes if e.outcome == "received" and (e.step or "").startswith("centre.")],
               row_of=lambda e: (e.step or "").removeprefix("centre.")),
        _table("weekday", starts, row_of=lambda e: str(e.local.weekday()), rows=[str(d) for d in range(7)]),
        _table("hour", starts, row_of=lambda e: f"{e.local.hour:02d}", rows=[f"{h:02d}" for h in range(24)]),
        _table("combination", [e for e in outcomes if e.outcome == "combination" and "." in (e.step or "")],
               row_of=lambda e: e.step),
        _table("funnel", events, row_of=_funnel_stage, rows=[name for name, _ in FUNNEL], with_totals=False),
        _table("abandonment", [e for e in events if e.kind == "step" or e.outcome == "stopped"],
               row_of=lambda e: f"{e.flow}/{e.step}" if e.step else None,
               column_of=lambda e: "reached" if e.kind == "step" else "stopped",
               columns=("reached", "stopped"), with_totals=False),
        _table("contact_time", [e for e in outcomes if e.outcome == "contacted"], row_of=lambda e: e.step,
               rows=CONTACT_BUCKETS),
    ]
    report.tables = {t.key: t for t in tables}
    return report


def _funnel_stage(event: Event) -> str | None:
    for name, matches in FUNNEL:
        if matches(event):
            return name
    return None


async def report(
    session: AsyncSession, filters: StatsFilter, *, situations: Sequence[str], ward: str | None = None
) -> StatsReport:
    return build_report(await load_events(session, filters, ward), filters, situations=situations)


def to_csv(report: StatsReport) -> str:
    """The same published numbers as the page, one line per cell, totals included."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    writer.writerow(["filter", "period", "", f"{report.filters.week_from}..{report.filters.week_to}"])
    writer.writerow(["filter", "flow", "", report.filters.flow or "all"])
    for table in report.tables.values():
        for row in table.rows:
            for column, value in zip(table.columns, row.cells, strict=True):
                writer.writerow([table.key, row.key, column, shown(value)])
            if table.with_totals and len(table.columns) > 1:
                writer.writerow([table.key, row.key, "total", shown(row.total)])
        if table.with_totals:
            for column, value in zip(table.columns, table.column_totals, strict=True):
                writer.writerow([table.key, "total", column, shown(value)])
            if len(table.columns) > 1:
                writer.writerow([table.key, "total", "total", shown(table.grand_total)])
    return out.getvalue()
