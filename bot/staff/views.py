"""Turns a statistics report into what the page shows: labelled rows and bar lengths."""

from __future__ import annotations

from typing import Any

from handoff import stats as stats_mod

CHARTS = ("centre", "weekday", "hour", "language", "combination", "funnel", "contact_time")


def step_label(flow: str, step: str, staff: Any) -> str:
    """A flow step by the label of its question (「借金・お金：借りている金額」), never its id."""
    definition = staff.flows.get(flow)
    found = definition.steps.get(step) if definition is not None else None
    return str(staff.catalogue.text(found.label) if found is not None else staff.words.pages["common"]["other"])


def row_label(table: str, key: str, staff: Any) -> str:
    words = staff.words
    if table == "situation_week":
        return str(words.label("situation", key))
    if table == "centre":
        centre = staff.directory.centres.get(key)
        return str(centre.short_name if centre else words.pages["common"]["other"])
    if table == "weekday":
        return str(words.labels["weekday"][int(key)])
    if table == "hour":
        return str(words.pages["stats"]["hour"].format(hour=int(key)))
    if table == "language":
        return str(words.label("language", key))
    if table == "combination":
        return " ＋ ".join(words.label("situation", k) for k in key.split("."))
    if table == "funnel":
        return str(words.label("funnel", key))
    if table == "contact_time":
        return str(words.label("contact_time", key))
    if table == "abandonment":
        flow, _, step = key.partition("/")
        return f"{words.label('flow', flow)}：{step_label(flow, step, staff)}"
    return key


def column_label(table: str, key: str, staff: Any) -> str:
    if table == "situation_week":
        return str(staff.words.pages["stats"]["week"].format(date=key[5:].replace("-", "/")))
    if table == "abandonment":
        return str(staff.words.label("abandon", key))
    return str(staff.words.pages["stats"]["people"])


def stats_context(report: stats_mod.StatsReport, staff: Any) -> dict[str, Any]:
    tables = []
    for key, table in report.tables.items():
        first_column = [row.cells[0] for row in table.rows] if table.columns else []
        peak = max([v for v in first_column if v >= stats_mod.THRESHOLD] or [1])
        tables.append({
            "key": key,
            "title": staff.words.pages["stats"]["titles"].get(key, key),
            "table": table,
            "columns": [column_label(key, c, staff) for c in table.columns],
            "rows": [
                {
                    "label": row_label(key, row.key, staff),
                    "cells": [stats_mod.shown(v) for v in row.cells],
                    "total": stats_mod.shown(row.total),
                    "bar": (row.cells[0] / peak) if row.cells and row.cells[0] >= stats_mod.THRESHOLD else 0.0,
                    "suppressed": not row.cells or row.cells[0] < stats_mod.THRESHOLD,
                }
                for row in table.rows
            ],
            "column_totals": [stats_mod.shown(v) for v in table.column_totals],
            "grand_total": stats_mod.shown(table.grand_total),
            "chart": key in CHARTS,
            "multi": len(table.columns) > 1,
        })
    flows = sorted(k for k in staff.labels["flow"] if k not in ("unknown",))
    return {"report": report, "tables": tables, "flows": flows, "filters": report.filters}
