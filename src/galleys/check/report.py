"""The check's result for people (one row per element kind) and for CI (--json, every cell)."""

from __future__ import annotations

from typing import Any

from galleys.check.results import OK, ArticleReport, Row


def _kinds(report: ArticleReport) -> dict[str, list[Row]]:
    """The rows grouped by kind, in first-seen order ("author": author 1 … author 20)."""
    groups: dict[str, list[Row]] = {}
    for row in report.rows:
        groups.setdefault(row.kind, []).append(row)
    return groups


def _summary(rows: list[Row], edition: str) -> str:
    """"ok", "3/20 bad" (three of twenty failed) or "-" (not carried): one kind, one edition."""
    cells = [r.cells[edition] for r in rows if edition in r.cells]
    if not cells:
        return "-"
    bad = sum(c.status != OK for c in cells)
    if not bad:
        return "ok"
    return cells[0].status if len(rows) == 1 else f"{bad}/{len(cells)} bad"


def format_report(report: ArticleReport) -> str:
    """One row per element kind with its count, a column per edition; then a line for each
    failing cell (the slot read, what it held, what the source gives), then the problems."""
    groups = _kinds(report)
    labels = {kind: kind if len(rows) == 1 and rows[0].element == kind else
              f"{kind} ({len(rows)})" for kind, rows in groups.items()}
    width = max([len(label) for label in labels.values()] + [10])
    columns = [max(len(name), 9) for name in report.editions]
    lines = [report.slug, f"  {'element':{width}}  " + "  ".join(
        f"{name:{w}}" for name, w in zip(report.editions, columns, strict=True))]
    for kind, rows in groups.items():
        marks = "  ".join(f"{_summary(rows, name):{w}}"
                          for name, w in zip(report.editions, columns, strict=True))
        lines.append(f"  {labels[kind]:{width}}  {marks}")
    for row in report.rows:
        for name, cell in row.cells.items():
            if cell.status == OK:
                continue
            where = f" in {cell.slot}" if cell.slot else ""
            found = f": found {cell.found!r}" if cell.found else ""
            expected = f"; expected {_short(row.expected)!r}" if row.kind != "body" else ""
            lines.append(f"  {name} {row.element} {cell.status}{where}{found}{expected}")
    lines += [f"  problem: {p}" for p in report.problems]
    lines += [f"  note: {n}" for n in report.notes]
    lines.append(f"  {'OK' if report.ok else 'FAILED'}")
    return "\n".join(lines)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "\u2026"


def to_json(reports: list[ArticleReport]) -> dict[str, Any]:
    """Every cell of every article: for CI and scripts."""
    return {
        "ok": all(r.ok for r in reports),
        "articles": [
            {
                "slug": r.slug,
                "ok": r.ok,
                "editions": r.editions,
                "elements": [
                    {
                        "element": row.element,
                        "kind": row.kind,
                        "expected": row.expected,
                        "cells": {
                            name: {"status": c.status, "slot": c.slot, "found": c.found}
                            for name, c in row.cells.items()
                        },
                    }
                    for row in r.rows
                ],
                "problems": r.problems,
                "notes": r.notes,
            }
            for r in reports
        ],
    }
