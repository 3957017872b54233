"""Between the report model and database rows, both ways."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from xxgk.check.crossyear import narrative
from xxgk.model import Cell, Finding, Meta, Provenance, Report, Value
from xxgk.store.models import MAX_ID, StoredReport
from xxgk.templates import TEMPLATES

# key figures kept on the report row (statistics read them without touching cells)
FIGURES: dict[str, tuple[str, ...]] = {
    "received": ("applications.received.total",),
    "granted": ("applications.granted.total",),
    "partly_granted": ("applications.partly_granted.total",),
    "processed": ("applications.total.total",),
    "reviews": ("appeals.review.total",),
    "reviews_corrected": ("appeals.review.corrected",),
    "suits": ("appeals.litigation_direct.total", "appeals.litigation_after_review.total"),
    "suits_corrected": ("appeals.litigation_direct.corrected", "appeals.litigation_after_review.corrected"),
}


def _figure(report: Report, keys: tuple[str, ...]) -> int | None:
    """A key figure, or None where none is printed; a figure past the column's 32 bits (a hostile
    or garbled report: more applications than people on earth) is kept in its cell only, left out
    of the statistics as the findings on it say why."""
    values = [report.value(k) for k in keys if k in report.cells]
    if not values or all(v is None for v in values):
        return None
    figure = int(sum(v or 0 for v in values))
    return figure if abs(figure) <= MAX_ID else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def to_row(report: Report, sha256: str, body_id: int, version: int) -> StoredReport:
    cells = {key: cell.to_dict() for key, cell in report.cells.items()}
    return StoredReport(**row_values(report, sha256, body_id, version, narrative(report)), cells=cells)


def row_values(report: Report, sha256: str, body_id: int, version: int, text: str) -> dict[str, Any]:
    """A report row's columns but its cells (`text`: the narrative kept for the cross-year
    rules), for the ORM and for bulk loading alike."""
    return {
        "body_id": body_id,
        "year": report.meta.year,
        "version": version,
        "current": True,
        "template": report.template_id,
        "sha256": sha256,
        "source": report.source,
        "format": report.format,
        "agency_printed": report.meta.agency,
        "title": report.meta.title,
        "published": _date(report.meta.published),
        "narrative": text,
        "layout": report.layout,
        "errors": len(report.errors),
        "warnings": len(report.findings) - len(report.errors),
        **{name: _figure(report, keys) for name, keys in FIGURES.items()},
    }


def finding_rows(findings: list[Finding], report_id: int) -> list[dict[str, object]]:
    return [
        {
            "report_id": report_id,
            "rule": f.rule,
            "severity": f.severity,
            "cells": list(f.cells),
            "message": f.message,
        }
        for f in findings
    ]


def _value(value: Decimal | int | None, column_kind: str) -> Value:
    if value is None:
        return None
    value = Decimal(value) if isinstance(value, int) else value
    if column_kind != "amount" and value == value.to_integral_value():
        return int(value)
    return value.normalize() if column_kind == "amount" else value


def to_report(row: StoredReport, body_name: str | None = None) -> Report:
    """The report model of a stored report. Its text is the stored narrative (sections 一, 五,
    六), which is what the cross-year rules compare; the tables come from the cells."""
    report = Report.blank(row.template)
    report.meta = Meta(
        agency=body_name or row.agency_printed,
        year=row.year,
        published=row.published.isoformat() if row.published else None,
        title=row.title,
    )
    report.source = row.source
    report.format = row.format or "text"
    report.layout = row.layout or {}
    report.text = row.narrative or ""
    report.sections = {"overview": (0, len(report.text))}
    _fill(report, cell_rows(row.template, row.cells or {}, provenance=True))
    report.findings = [Finding(f.rule, f.severity, tuple(f.cells), f.message) for f in row.findings]  # type: ignore[arg-type]
    return report


@cache
def _kinds(template_id: str) -> tuple[tuple[str, str], ...]:
    """Each cell key of a template with its column's kind."""
    return tuple((key, column.kind) for key, (_, _, column) in TEMPLATES[template_id].cells().items())


def from_record(record: dict[str, Any], rows: list[CellRow] | None = None) -> Report:
    """The report model of a line of `xxgk parse --out`, as `to_report` makes it of a stored
    report (the narrative as its text, values typed by their column) for the rules across years
    and the report row's figures; provenance is left out, as neither reads it. `rows`: the
    line's `cell_rows`, where they were worked out already (the record need not hold its cells)."""
    meta = record["meta"]
    report = Report(
        record["template"],
        meta=Meta(
            agency=meta.get("agency"),
            year=meta.get("year"),
            published=meta.get("published"),
            title=meta.get("title"),
            level=meta.get("level"),
        ),
        source=record.get("source"),
        format=record.get("format") or "text",
        layout=record.get("layout") or {},
        text=record.get("narrative") or "",
    )
    report.sections = {"overview": (0, len(report.text))}
    if rows is None:
        rows = cell_rows(report.template_id, record.get("cells", {}), provenance=False)
    _fill(report, rows)
    report.findings = [
        Finding(f["rule"], f["severity"], tuple(f["cells"]), f["message"]) for f in record.get("findings", [])
    ]
    return report


# a template cell as given in JSON: (value typed by its column, text, source, ambiguous, found),
# None for a cell not given; plain data, so that another process can hand it over cheaply
CellRow = tuple[Value, str | None, dict[str, Any] | None, bool, bool] | None


def cell_rows(template_id: str, given: dict[str, dict[str, Any]], provenance: bool) -> list[CellRow]:
    """The `CellRow` of each cell of the template, in its order, from the cells' JSON (a line's
    or a stored document); a cell of another template is not the report's and is left out."""
    rows: list[CellRow] = []
    for key, kind in _kinds(template_id):
        cell = given.get(key)
        if cell is None:
            rows.append(None)
            continue
        value = cell.get("value")
        if value is not None and (kind == "amount" or not isinstance(value, int)):
            value = _value(Decimal(str(value)), kind)  # a count is an int already
        source = cell.get("source") if provenance else None
        rows.append((value, cell.get("text"), source, cell.get("ambiguous", False), "missing" not in cell))
    return rows


def cell_values(template_id: str, rows: list[CellRow]) -> dict[str, Value]:
    """Each cell's value by key, as the report model `_fill` makes of the rows holds them."""
    keys = (key for key, _ in _kinds(template_id))
    return {key: None if row is None else row[0] for key, row in zip(keys, rows, strict=True)}


def _fill(report: Report, rows: list[CellRow]) -> None:
    cells = report.cells
    for (key, _), row in zip(_kinds(report.template_id), rows, strict=True):
        if row is None:
            cells[key] = Cell(key)
        else:
            value, text, source, ambiguous, found = row
            provenance = None if source is None else _provenance(source)
            cells[key] = Cell(key, value, text, provenance, ambiguous, found)


def _provenance(source: dict[str, Any]) -> Provenance:
    """A cell's `source` in JSON as the model's Provenance (JSON keeps tuples as lists)."""
    provenance = Provenance(**source)
    if provenance.bbox is not None:
        provenance.bbox = tuple(provenance.bbox)  # type: ignore[assignment]
    if provenance.entries is not None:
        provenance.entries = tuple(provenance.entries)
    return provenance
