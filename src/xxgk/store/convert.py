"""Between the report model and database rows, both ways."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from xxgk.check.crossyear import narrative
from xxgk.model import Cell, Finding, Meta, Provenance, Report, Value
from xxgk.store.models import StoredReport

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
    values = [report.value(k) for k in keys if k in report.cells]
    if not values or all(v is None for v in values):
        return None
    return int(sum(v or 0 for v in values))


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def to_row(report: Report, sha256: str, body_id: int, version: int) -> StoredReport:
    row = StoredReport(
        body_id=body_id,
        year=report.meta.year,
        version=version,
        current=True,
        template=report.template_id,
        sha256=sha256,
        source=report.source,
        format=report.format,
        agency_printed=report.meta.agency,
        title=report.meta.title,
        published=_date(report.meta.published),
        narrative=narrative(report),
        layout=report.layout,
        errors=len(report.errors),
        warnings=len(report.findings) - len(report.errors),
        **{name: _figure(report, keys) for name, keys in FIGURES.items()},
    )
    return row


def cell_rows(report: Report, report_id: int) -> list[dict[str, object]]:
    """The cells as plain rows, for one bulk INSERT (an ORM object each is ten times slower)."""
    rows = []
    for key, cell in report.cells.items():
        table_id, row_id, column_id = key.split(".")
        rows.append(
            {
                "report_id": report_id,
                "table_id": table_id,
                "row_id": row_id,
                "column_id": column_id,
                "value": cell.value,
                "text": cell.text,
                "provenance": cell.provenance.to_dict() if cell.provenance else None,
                "found": cell.found,
                "ambiguous": cell.ambiguous,
            }
        )
    return rows


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
    template = report.template
    for stored in row.cells:
        key = f"{stored.table_id}.{stored.row_id}.{stored.column_id}"
        if key not in report.cells:
            continue
        _, _, column = template.cell(key)
        provenance = Provenance(**stored.provenance) if stored.provenance else None
        if provenance is not None and provenance.bbox is not None:
            provenance = Provenance(**{**stored.provenance, "bbox": tuple(provenance.bbox)})
        if provenance is not None and provenance.entries is not None:  # JSON keeps a list
            provenance.entries = tuple(provenance.entries)
        report.cells[key] = Cell(
            key,
            value=_value(stored.value, column.kind),
            text=stored.text,
            provenance=provenance,
            found=stored.found,
            ambiguous=stored.ambiguous,
        )
    report.findings = [Finding(f.rule, f.severity, tuple(f.cells), f.message) for f in row.findings]  # type: ignore[arg-type]
    return report
