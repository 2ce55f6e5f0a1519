"""Turns a statistics report into what the page shows: labelled rows and SVG bar lengths."""

from __future__ import annotations

from typing import Any

from handoff import stats as stats_mod

TITLES = {
    "situation_week": "相談の内容 × 週（相談を始めた人）",
    "centre": "つないだ窓口",
    "weekday": "曜日（相談を始めた人）",
    "hour": "時間帯（相談を始めた人）",
    "combination": "重なっている困りごと",
    "funnel": "相談の流れ（始めた → 同意 → つないだ → 連絡）",
    "abandonment": "質問ごとの到達と途中でやめた人",
    "contact_time": "つないでから最初の連絡までの時間",
}
CHARTS = ("centre", "weekday", "hour", "combination", "funnel", "contact_time")


def row_label(table: str, key: str, staff: Any) -> str:
    labels = staff.labels
    if table == "situation_week":
        return str(labels["situation"].get(key, key))
    if table == "centre":
        centre = staff.directory.centres.get(key)
        return centre.short_name if centre else key
    if table == "weekday":
        return str(labels["weekday"][int(key)])
    if table == "hour":
        return f"{int(key)}時"
    if table == "combination":
        return " ＋ ".join(str(labels["situation"].get(k, k)) for k in key.split("."))
    if table == "funnel":
        return str(labels["funnel"].get(key, key))
    if table == "contact_time":
        return str(labels["contact_time"].get(key, key))
    if table == "abandonment":
        flow, _, step = key.partition("/")
        return f"{labels['flow'].get(flow, flow)}：{step}"
    return key


def column_label(table: str, key: str, staff: Any) -> str:
    if table == "situation_week":
        return key[5:].replace("-", "/") + "週"
    if table == "abandonment":
        return str(staff.labels["abandon"].get(key, key))
    return "人数"


def stats_context(report: stats_mod.StatsReport, staff: Any) -> dict[str, Any]:
    tables = []
    for key, table in report.tables.items():
        first_column = [row.cells[0] for row in table.rows] if table.columns else []
        peak = max([v for v in first_column if v >= stats_mod.THRESHOLD] or [1])
        tables.append({
            "key": key,
            "title": TITLES.get(key, key),
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
