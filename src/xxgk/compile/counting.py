"""The counting rules of the compiled report (docs/compile.md): which register entries stand
behind each cell of the three tables, for one year. Pure functions of the register's facts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from xxgk.register.facts import DOCUMENT_KINDS, RegisterFacts, YearFigures
from xxgk.templates import TEMPLATES, Template

TOTAL = "total"
PENDING = "pending"

# the outcomes an application can have: the outcome rows of the newest template
OUTCOMES: tuple[str, ...] = tuple(row.id for row in TEMPLATES["2021"].table("applications").outcome_rows())

# table 二: each column of a document row and what it counts (see docs/compile.md). The 2019
# template's 本年新制作/本年新公开 are both the documents made in the year (a 规章 or 规范性文件 is
# published when made) and 对外公开总数量 the documents in force at the year's end.
DOCUMENT_COLUMNS: dict[str, dict[str, str]] = {
    "2021": {"issued": "issued", "repealed": "repealed", "in_force": "in_force"},
    "2019": {"made": "issued", "published": "issued", "total": "in_force"},
}
# table 二: each YearFigures field and the cell it fills (where the template has that cell)
FIGURE_CELLS: dict[str, str] = {
    "licensing": "active.licensing.decisions",
    "penalties": "active.penalties.decisions",
    "enforcement": "active.enforcement.decisions",
    "fees": "active.fees.amount",  # 万元; the 2019 template has no such cell
}


def figures_entry(year: int) -> str:
    """The name of the yearly figures as a register entry (they have no number of their own)."""
    return f"年度数量{year}"


def outcome_row(template: Template, outcome: str) -> str:
    """The row an outcome is counted in: its own, or the one （六）其他处理 row of the 2019
    template for the three rows the 2021 template splits it into."""
    table = template.table("applications")
    if table.has_row(outcome):
        return outcome
    (folded,) = [row.id for row in table.outcome_rows() if row.id not in OUTCOMES]
    return folded


Entries = dict[str, list[str]]


def _add(entries: Entries, key: str, entry: str) -> None:
    entries.setdefault(key, []).append(entry)


def count(facts: RegisterFacts, year: int, template: Template) -> tuple[Entries, dict[str, Decimal | int]]:
    """Cell key → the ids of the entries counted in it (every count cell of the template that the
    register fills, empty lists included), and the values of the cells that are figures entered
    per year rather than counts of entries."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    entries: Entries = {}
    apps = template.table("applications")
    for row in apps.rows:
        for column in row.columns:
            entries[f"applications.{row.id}.{column.id}"] = []
    for app in facts.applications:
        if app.received > end:
            continue
        open_at_start = app.decided is None or app.decided >= start
        open_at_end = app.decided is None or app.decided > end
        rows = []
        if app.received >= start:
            rows.append("received")
        elif open_at_start:
            rows.append("carried_over")
        else:
            continue  # decided in an earlier year: counted there
        if app.outcome is not None and app.decided is not None and start <= app.decided <= end:
            rows += [outcome_row(template, app.outcome), TOTAL]
        if open_at_end:
            rows.append("carried_forward")
        for row_id in rows:
            _add(entries, f"applications.{row_id}.{app.applicant}", app.id)
            _add(entries, f"applications.{row_id}.{TOTAL}", app.id)

    for row in template.table("appeals").rows:
        for column in row.columns:
            entries[f"appeals.{row.id}.{column.id}"] = []
    for appeal in facts.appeals:
        if appeal.filed > end or (appeal.decided is not None and appeal.decided < start):
            continue  # not open at any time in the year
        decided_now = appeal.decided is not None and appeal.decided <= end and appeal.result is not None
        column = appeal.result if decided_now else PENDING
        _add(entries, f"appeals.{appeal.kind}.{column}", appeal.id)
        _add(entries, f"appeals.{appeal.kind}.{TOTAL}", appeal.id)

    values: dict[str, Decimal | int] = {}
    columns = DOCUMENT_COLUMNS[template.id]
    for row_id in DOCUMENT_KINDS:  # the kinds are the row ids of table 二
        for column in columns:
            entries[f"active.{row_id}.{column}"] = []
    for doc in facts.documents:
        states = set()
        if start <= doc.issued <= end:
            states.add("issued")
        if doc.repealed is not None and start <= doc.repealed <= end:
            states.add("repealed")
        if doc.issued <= end and (doc.repealed is None or doc.repealed > end):
            states.add("in_force")
        for column, state in columns.items():
            if state in states:
                _add(entries, f"active.{doc.kind}.{column}", doc.number)
    figures = _figures(facts.figures, year)
    if figures is not None:
        keys = set(template.cell_keys())
        for field, key in FIGURE_CELLS.items():
            value = getattr(figures, field)
            if value is not None and key in keys:
                values[key], entries[key] = value, [figures_entry(year)]
    return entries, values


def _figures(figures: Iterable[YearFigures], year: int) -> YearFigures | None:
    return next((f for f in figures if f.year == year), None)


def fee_total(facts: RegisterFacts, year: int) -> tuple[Decimal, list[str]]:
    """The 信息处理费 charged in the year (元): the fees recorded on applications whose outcome was
    given in the year, except those closed because the fee went unpaid."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    charged = [
        app
        for app in facts.applications
        if app.fee is not None
        and app.fee > 0
        and app.decided is not None
        and start <= app.decided <= end
        and app.outcome != "other_unpaid_fee"
    ]
    return sum((app.fee for app in charged), Decimal(0)), [app.id for app in charged]  # type: ignore[misc]
