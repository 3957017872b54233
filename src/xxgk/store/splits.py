"""Splits of run-together digits left in doubt, settled when a neighbouring year is stored.

A report read alone may leave a run of digits with several readings the arithmetic admits
(kept in its layout as `candidates`). When the same body's report of the year before or after
arrives, its figures are evidence (现行有效 = last year's 现行有效 + 制发 − 废止; 上年结转 =
last year's 结转下年度): where they admit exactly one reading, the stored cells take it, the
AMBIGUOUS finding becomes a SPLIT finding naming that evidence, and the findings that read those
cells are worked out again. Nothing else of the report changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from xxgk.check import RULES_BY_ID
from xxgk.extract.evidence import Evidence, across_years, choose
from xxgk.model import Report, Value, json_value
from xxgk.store.convert import finding_rows, to_report
from xxgk.store.models import StoredFinding, StoredReport

# the rules that read only cells and the split: worked out again when a split is settled
CELL_RULES = ("T3-BAL", "T3-SUM", "T3-ROW", "T4-SUM", "DOMAIN", "AMBIGUOUS", "SPLIT")
# by (table, row) in doubt: the reading chosen and the evidence that chose it
Decisions = dict[tuple[str, str], tuple[int, list[Evidence]]]


def in_doubt(row: StoredReport) -> bool:
    """The report keeps readings in doubt that another year may settle."""
    return any(info.get("candidates") for info in (row.layout or {}).get("tables", {}).values())


def decide(
    layout: dict[str, Any] | None, report: Report, previous: Report | None, following: Report | None
) -> Decisions:
    """What the neighbouring years decide: by (table, row) in doubt, the reading they admit alone
    and the evidence used. Pure, so a bulk load asks it before loading the stored row: most of
    the time nothing is decided."""
    tables = (layout or {}).get("tables", {})
    if not any(info.get("candidates") for info in tables.values()):
        return {}
    evidence = across_years(report, previous, following)
    if not evidence:
        return {}
    values = {key: cell.value for key, cell in report.cells.items()}
    said = set().union(*(e.keys() for e in evidence))  # the cells some evidence is about
    decided: Decisions = {}
    for table_id, info in tables.items():
        for row_id, readings in info.get("candidates", {}).items():
            if said.isdisjoint(_keys(report, table_id, row_id)):
                continue  # nothing to choose by (`choose` would say so, once each reading was typed)
            parsed = [
                {
                    k: _typed(report, k, value)
                    for k, (_, value, _) in zip(_keys(report, table_id, row_id), reading, strict=True)
                }
                for reading in readings
            ]
            choice = choose(parsed, values, evidence)
            if choice is not None:
                decided[(table_id, row_id)] = choice
    return decided


def settle(
    session: Session,
    row: StoredReport,
    body: str,
    previous: Report | None,
    following: Report | None,
    report: Report | None = None,
    decided: Decisions | None = None,
) -> list[str]:
    """Settle what the neighbouring years (their reports, as stored) decide; returns a line for
    each split settled. `report` and `decided` (`decide`'s answer): when the caller has them already."""
    if not in_doubt(row):
        return []
    report = report or to_report(row, body)
    if decided is None:
        decided = decide(row.layout, report, previous, following)
    if not decided:
        return []
    settled: list[str] = []
    layout = {**row.layout, "tables": {t: dict(info) for t, info in row.layout["tables"].items()}}
    for table_id, info in layout["tables"].items():
        table = report.template.table(table_id)
        left = dict(info.get("candidates", {}))
        for row_id, readings in info.get("candidates", {}).items():
            choice = decided.get((table_id, row_id))
            if choice is None:
                continue
            index, used = choice
            _store_cells(row, _keys(report, table_id, row_id), readings[index])
            del left[row_id]
            reading = "|".join(text or "空" for text, _, _ in readings[index])
            said = "、".join(f"{e.source}{e.said}" for e in used)
            info.setdefault("decided", {})
            info["decided"] = {
                **info["decided"],
                row_id: {
                    "text": "".join(t for t, _, _ in readings[index] if t),
                    "reading": reading,
                    "evidence": said,
                },
            }
            name = table.title if table.unlabelled else table.row(row_id).short
            settled.append(f"{body} {row.year}年度“{name}”：按{said}读作{reading}")
        info["candidates"] = left
        info["preferred"] = {r: hint for r, hint in info.get("preferred", {}).items() if r in left}
    row.layout = layout
    session.flush()
    session.expire(row)
    _recheck(session, row, body)
    return settled


def _keys(report: Report, table_id: str, row_id: str) -> tuple[str, ...]:
    """The cells a reading in doubt fills: its row's, or the whole of a table printed as one line."""
    table = report.template.table(table_id)
    return tuple(table.cell_keys()) if table.unlabelled else table.row_keys(table.row(row_id))


def _typed(report: Report, key: str, value: Any) -> Value:
    _, _, column = report.template.cell(key)
    if value is None:
        return None
    return Decimal(str(value)) if column.kind == "amount" or isinstance(value, float) else int(value)


def _store_cells(row: StoredReport, keys: tuple[str, ...] | list[str], reading: list) -> None:
    cells = dict(row.cells)  # a new document: the ORM writes what is assigned, not what is changed
    for key, (text, value, start) in zip(keys, reading, strict=True):
        cell = {k: v for k, v in cells[key].items() if k != "ambiguous"}
        old = cell.get("source") or {}
        if start is not None and old.get("offset") is not None and old.get("column") is not None:
            # the same printed run, cut elsewhere: same line, the column moves with the offset
            moved = start - old["offset"]
            cell["source"] = {**old, "offset": start, "length": len(text), "column": old["column"] + moved}
        cell["value"] = None if value is None else json_value(Decimal(str(value)))
        cell["text"] = text
        cells[key] = cell
    row.cells = cells


def _recheck(session: Session, row: StoredReport, body: str) -> None:
    """Work the cell rules out again; a reviewer's verdict on a finding found again is kept."""
    mine = (StoredFinding.report_id == row.id, StoredFinding.rule.in_(CELL_RULES))
    reviews = {
        (f.rule, tuple(f.cells)): (f.status, f.comment, f.reviewed_by, f.reviewed_at)
        for f in session.scalars(select(StoredFinding).where(*mine))
        if f.status != "open"
    }
    session.execute(delete(StoredFinding).where(*mine))
    report = to_report(row, body)
    found = [f for rule_id in CELL_RULES for f in RULES_BY_ID[rule_id].run(RULES_BY_ID[rule_id], report)]
    if found:
        rows = finding_rows(found, row.id)
        for stored in rows:
            status, comment, by, at = reviews.get(
                (stored["rule"], tuple(stored["cells"])), ("open", None, None, None)
            )  # type: ignore[arg-type]
            stored.update(status=status, comment=comment, reviewed_by=by, reviewed_at=at)
        session.connection().execute(insert(StoredFinding.__table__), rows)
    session.expire(row, ["findings"])
