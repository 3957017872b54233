"""What the pages show of a report: its tables in the official layout, cells marked by findings,
each value linked to where it was printed."""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.model import Report, json_value
from xxgk.output.official import grid_rows, official_grid
from xxgk.templates import SECTIONS
from xxgk.templates.arithmetic import likely_wrong

CONTEXT = 60


@dataclass
class CellView:
    text: str
    rowspan: int
    colspan: int
    key: str | None = None
    css: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: dict[str, object] | None = None
    before: str = ""
    after: str = ""


@dataclass
class TableView:
    id: str
    title: str
    rows: list[list[CellView]]


def _shown(report: Report, key: str) -> str:
    cell = report.cells[key]
    value = json_value(cell.value)
    if value is not None:
        return str(value)
    return cell.text or ""


def table_views(report: Report) -> list[TableView]:
    marks: dict[str, list[tuple[str, str]]] = {}
    for finding in report.findings:
        for key in finding.cells:
            marks.setdefault(key, []).append((finding.severity, finding.message))
    numbers = {s.id: s.number for s in SECTIONS}
    values = {key: cell.value for key, cell in report.cells.items()}
    views = []
    for table in report.template.tables:
        # the one cell that would make every broken identity hold is marked apart from the rest
        suspect = likely_wrong(report.template, values, table.id) if report.errors else None
        rows = []
        for grid_row in grid_rows(official_grid(report.template, table.id)):
            out = []
            for g in grid_row:
                view = CellView(g.text, g.rowspan, g.colspan, g.key)
                if g.key is not None:
                    _fill(report, g.key, view, marks.get(g.key, []))
                    if suspect is not None and g.key == suspect[0]:
                        view.css.append("suspect")
                        view.notes.insert(
                            0, f"最可能印错的一格：若为{json_value(suspect[1])}，则本表各项均平衡"
                        )
                out.append(view)
            rows.append(out)
        views.append(TableView(table.id, f"{numbers[table.section]}、{table.title}", rows))
    return views


def _fill(report: Report, key: str, view: CellView, marks: list[tuple[str, str]]) -> None:
    cell = report.cells[key]
    view.text = _shown(report, key)
    severities = {s for s, _ in marks}
    if "error" in severities:
        view.css.append("error")
    elif "warning" in severities:
        view.css.append("warning")
    elif "info" in severities:
        view.css.append("info")
    if cell.ambiguous:
        view.css.append("ambiguous")
    if not cell.found:
        view.css.append("missing")
    elif cell.value is None:
        view.css.append("blank")
    view.notes = [message for _, message in marks]
    p = cell.provenance
    if p is not None:
        view.source = p.to_dict()
        if p.offset is not None and p.length is not None and report.text:
            view.before = _squeeze(report.text[max(0, p.offset - CONTEXT) : p.offset])
            view.after = _squeeze(report.text[p.offset + p.length : p.offset + p.length + CONTEXT])


def _squeeze(text: str) -> str:
    """Context as one line: line breaks shown as ⏎, runs of blanks as one space."""
    return " ".join(text.replace("\n", " ⏎ ").split())
