"""Supervisor statistics from the anonymised event log only, with small cells suppressed.

How a published number is made, and why it cannot be undone:

* Every event falls in an **atomic group**: its ISO week (Tokyo) and its flow, the two
  dimensions the filters can cut by. Inside a group, each table cell is counted.
* Inside a group, cells are tied by relations a reader knows: weekday, hour and situation
  cells add up to the funnel's "started"; centre and combination cells to "confirmed";
  contact-time cells to "contacted"; each funnel step is the next one plus those who stopped
  between them; a question's "reached" is its "stopped" plus those who went on.
* **Primary suppression** withholds every cell of 1-4 people. **Complementary suppression**
  (handoff.suppression) withholds further cells until no count of 1-4 people, published
  or implied (such as "consented but did not confirm"), can be worked out from the group's
  shown cells, and wherever a total is known its withheld part is 0 or at least 5.
* A **published cell, row total, column total or grand total is the sum of the group cells
  that were not withheld**. Any report is therefore the sum of the one-week, one-flow reports
  a reader could ask for, and adds nothing to them; the difference between the same number
  under two nested filters is again a sum of shown cells of 5 or more. A published 0 is
  shown as "<5" because it may hide withheld cells.

The event log has no user id, no text and no case id; this module reads nothing else.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.events import _CODE
from handoff.models import EventLog
from handoff.slots import TOKYO
from handoff.suppression import Equation, protect

THRESHOLD = 5
MAX_WEEKS = 53
SUPPRESSED = "<5"
FUNNEL: tuple[tuple[str, Callable[[Event], bool]], ...] = (
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
    language: str | None = None  # None: recorded before languages were counted (standard Japanese)

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


Cell = tuple[str, str, str]  # (table, row, column)
STARTED, CONSENTED, CONFIRMED, CONTACTED = (("funnel", name, "count") for name, _ in FUNNEL)


@dataclass(frozen=True)
class TableSpec:
    """Which events a table counts, and in which row and column each one falls."""

    key: str
    counts: Callable[[Event], bool]
    row_of: Callable[[Event], str | None]
    column_of: Callable[[Event], str | None] = lambda e: "count"
    rows: Sequence[str] | None = None  # None: the rows that have a published count
    columns: Sequence[str] = ("count",)
    with_totals: bool = True


def _implicit(name: str, *parts: str) -> Cell:
    """A count that is never published but that published numbers imply."""
    return ("~", name, ".".join(parts))


def group_relations(cells: Counter[Cell]) -> tuple[dict[Cell, int], list[Equation[Cell]]]:
    """The counts of one group, implicit ones included, and the relations a reader knows."""
    values: dict[Cell, int] = {**{step: 0 for step in (STARTED, CONSENTED, CONFIRMED, CONTACTED)}, **cells}

    def of(table: str) -> tuple[Cell, ...]:
        return tuple(sorted(c for c in cells if c[0] == table))

    stopped_before = [_implicit("funnel", a[1], b[1]) for a, b in
                      ((STARTED, CONSENTED), (CONSENTED, CONFIRMED), (CONFIRMED, CONTACTED))]
    for gap, (upper, lower) in zip(stopped_before, ((STARTED, CONSENTED), (CONSENTED, CONFIRMED),
                                                    (CONFIRMED, CONTACTED)), strict=True):
        values[gap] = values[upper] - values[lower]
    single = _implicit("combination", "single")
    values[single] = values[CONFIRMED] - sum(cells[c] for c in of("combination"))
    d1, d2, d3 = stopped_before
    equations: list[Equation[Cell]] = [
        Equation(STARTED, of("weekday")),
        Equation(STARTED, of("hour")),
        Equation(STARTED, of("situation_week")),
        Equation(STARTED, of("language")),
        Equation(CONFIRMED, of("centre")),
        Equation(CONFIRMED, (*of("combination"), single)),
        Equation(CONTACTED, of("contact_time")),
        # The funnel, step by step and across steps ("started" minus "confirmed").
        Equation(STARTED, (d1, CONSENTED)), Equation(CONSENTED, (d2, CONFIRMED)),
        Equation(CONFIRMED, (d3, CONTACTED)), Equation(STARTED, (d1, d2, CONFIRMED)),
        Equation(CONSENTED, (d2, d3, CONTACTED)), Equation(STARTED, (d1, d2, d3, CONTACTED)),
    ]
    for row in sorted({c[1] for c in cells if c[0] == "abandonment"}):
        reached, stopped = ("abandonment", row, "reached"), ("abandonment", row, "stopped")
        went_on = _implicit("abandonment", row)
        values.setdefault(reached, 0)
        values.setdefault(stopped, 0)
        values[went_on] = values[reached] - values[stopped]
        equations.append(Equation(reached, (stopped, went_on)))
    return values, equations


# What withholding a cell costs beyond itself: a funnel step ties several tables together, so
# hiding "confirmed" means hiding a centre cell too; "started" ties three tables.
_COST = {CONSENTED: 1, CONTACTED: 2, CONFIRMED: 2, STARTED: 3}


def _cost(cell: Cell) -> int:
    return _COST.get(cell, 0)


def publish(groups: dict[Hashable, Counter[Cell]]) -> Counter[Cell]:
    """Suppress each group's cells (primary and complementary), sum what is shown."""
    published: Counter[Cell] = Counter()
    for cells in groups.values():
        values, equations = group_relations(cells)
        shown = protect(values, equations, publishable=lambda c: c[0] != "~", threshold=THRESHOLD, cost=_cost)
        for cell in shown:
            published[cell] += values[cell]
    return published


def group_cells(events: Sequence[Event], specs: Sequence[TableSpec]) -> dict[Hashable, Counter[Cell]]:
    """Counts per atomic group (week, flow) and cell."""
    groups: dict[Hashable, Counter[Cell]] = defaultdict(Counter)
    for event in events:
        for spec in specs:
            if not spec.counts(event):
                continue
            row, column = spec.row_of(event), spec.column_of(event)
            if row is not None and column is not None:
                groups[(event.week, event.flow)][(spec.key, row, column)] += 1
    return groups


async def load_events(session: AsyncSession, filters: StatsFilter, ward: str | None = None) -> list[Event]:
    start = datetime.combine(filters.week_from, datetime.min.time(), TOKYO).astimezone(UTC)
    end = datetime.combine(filters.week_to + timedelta(weeks=1), datetime.min.time(), TOKYO).astimezone(UTC)
    query = select(
        EventLog.hour, EventLog.flow, EventLog.kind, EventLog.step, EventLog.outcome, EventLog.situation,
        EventLog.language,
    ).where(EventLog.hour >= start, EventLog.hour < end)
    if filters.flow:
        query = query.where(EventLog.flow == filters.flow)
    if ward:
        query = query.where(EventLog.ward == ward)
    return [Event(*row) for row in (await session.execute(query)).all()]


def table_specs(filters: StatsFilter, situations: Sequence[str]) -> list[TableSpec]:
    weeks = [w.isoformat() for w in filters.weeks]

    def outcome(name: str) -> Callable[[Event], bool]:
        return lambda e: e.kind == "outcome" and e.outcome == name

    def started(e: Event) -> bool:
        return e.kind == "start"

    return [
        TableSpec("situation_week", started, lambda e: e.situation, lambda e: e.week.isoformat(),
                  rows=situations, columns=weeks),
        TableSpec("centre", lambda e: outcome("received")(e) and (e.step or "").startswith("centre."),
                  lambda e: (e.step or "").removeprefix("centre.")),
        TableSpec("weekday", started, lambda e: str(e.local.weekday()), rows=[str(d) for d in range(7)]),
        TableSpec("hour", started, lambda e: f"{e.local.hour:02d}", rows=[f"{h:02d}" for h in range(24)]),
        TableSpec("language", started, lambda e: e.language or "ja"),
        TableSpec("combination", lambda e: outcome("combination")(e) and "." in (e.step or ""), lambda e: e.step),
        TableSpec("funnel", lambda e: True, _funnel_stage, rows=[name for name, _ in FUNNEL], with_totals=False),
        TableSpec("abandonment", lambda e: e.kind == "step" or e.outcome == "stopped",
                  lambda e: f"{e.flow}/{e.step}" if e.step else None,
                  lambda e: "reached" if e.kind == "step" else "stopped",
                  columns=("reached", "stopped"), with_totals=False),
        TableSpec("contact_time", outcome("contacted"), lambda e: e.step, rows=CONTACT_BUCKETS),
    ]


def build_report(events: Sequence[Event], filters: StatsFilter, *, situations: Sequence[str]) -> StatsReport:
    specs = table_specs(filters, situations)
    published = publish(group_cells(events, specs))
    report = StatsReport(filters=filters)
    for spec in specs:
        rows = list(spec.rows) if spec.rows is not None else sorted({r for t, r, _ in published if t == spec.key})
        report.tables[spec.key] = Table(
            key=spec.key,
            columns=list(spec.columns),
            rows=[TableRow(r, [published.get((spec.key, r, c), 0) for c in spec.columns]) for r in rows],
            with_totals=spec.with_totals,
        )
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
