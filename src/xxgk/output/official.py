"""The three tables laid out as the national format prints them: merged headers, row groups.

Used wherever a report is shown to a person as a table (the web application) or written in the
official layout (tests render it to HTML, DOCX and PDF). Value cells carry their cell key.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.templates import RowSpec, TableSpec, Template

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_ACTIVE_GROUPS = {
    "regulations": "第二十条第（一）项",
    "licensing": "第二十条第（五）项",
    "penalties": "第二十条第（六）项",
    "fees": "第二十条第（八）项",
    "procurement": "第二十条第（九）项",
}


@dataclass
class LayoutCell:
    """A cell of the national format as printed (labels, headers, value slots); not a cell read
    from a source, which is `xxgk.read.GridCell`."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # "table.row.column" of a value cell; None for labels and headers

    @property
    def header(self) -> bool:
        return self.key is None


def _active(table: TableSpec) -> list[LayoutCell]:
    """Each 第二十条 group: its title row, a header row, its rows; four grid columns."""
    cells: list[LayoutCell] = []
    r = 0
    previous = None
    for row in table.rows:
        width = 3 // len(row.columns)
        spans = [width if i < len(row.columns) - 1 else 3 - i * width for i in range(len(row.columns))]
        if row.id in _ACTIVE_GROUPS or row.columns is not previous:
            if row.id in _ACTIVE_GROUPS:
                cells.append(LayoutCell(_ACTIVE_GROUPS[row.id], r, 0, colspan=4))
                r += 1
            cells.append(LayoutCell("信息内容", r, 0))
            for i, column in enumerate(row.columns):
                cells.append(LayoutCell(column.label, r, 1 + i * width, colspan=spans[i]))
            r += 1
            previous = row.columns
        cells.append(LayoutCell(row.label, r, 0))
        for i, column in enumerate(row.columns):
            cells.append(
                LayoutCell("", r, 1 + i * width, colspan=spans[i], key=f"active.{row.id}.{column.id}")
            )
        r += 1
    return cells


def _numbered(row: RowSpec) -> bool:
    return bool(row.enum and row.enum[0].isdigit())


def _group_spans(rows: tuple[RowSpec, ...]) -> dict[str, int]:
    """How many rows each printed group label (（三）不予公开 …) spans, keyed by its first row."""
    spans: dict[str, int] = {}
    current = None
    for row in rows:
        if row.group and _numbered(row):
            current = row.id
            spans[current] = 0
        elif not _numbered(row):
            current = None
        if current:
            spans[current] += 1
    return spans


def _applications(table: TableSpec) -> list[LayoutCell]:
    """Three label columns (三、… / （三）… / 1.…), seven value columns, a three-row header."""
    columns = table.rows[0].columns
    cells = [
        LayoutCell(NOTE, 0, 0, rowspan=3, colspan=3),
        LayoutCell("申请人情况", 0, 3, colspan=7),
        LayoutCell(columns[0].label, 1, 3, rowspan=2),
        LayoutCell("法人或其他组织", 1, 4, colspan=5),
        LayoutCell(columns[-1].label, 1, 9, rowspan=2),
    ]
    cells += [LayoutCell(c.label, 2, 4 + i) for i, c in enumerate(columns[1:6])]
    spans = _group_spans(table.rows)
    outcomes = [r.id for r in table.outcome_rows()]
    r = 3
    for row in table.rows:
        if row.id == outcomes[0]:
            cells.append(LayoutCell("三、本年度办理结果", r, 0, rowspan=len(outcomes)))
        if row.id in spans:
            cells.append(LayoutCell(row.group or "", r, 1, rowspan=spans[row.id]))
        label = f"{row.enum or ''}{row.label}"
        if _numbered(row):
            cells.append(LayoutCell(label, r, 2))
        elif row.id in outcomes:
            cells.append(LayoutCell(label, r, 1, colspan=2))
        else:
            cells.append(LayoutCell(label, r, 0, colspan=3))
        for i, column in enumerate(columns):
            cells.append(LayoutCell("", r, 3 + i, key=f"applications.{row.id}.{column.id}"))
        r += 1
    return cells


def _appeals(table: TableSpec) -> list[LayoutCell]:
    labels = [c.label for c in table.rows[0].columns]
    review, direct, after = (row.label for row in table.rows)
    cells = [LayoutCell(review, 0, 0, colspan=5), LayoutCell("行政诉讼", 0, 5, colspan=10)]
    cells += [LayoutCell(label, 1, i, rowspan=2) for i, label in enumerate(labels)]
    cells += [LayoutCell(direct, 1, 5, colspan=5), LayoutCell(after, 1, 10, colspan=5)]
    cells += [LayoutCell(label, 2, 5 + i + 5 * g) for g in range(2) for i, label in enumerate(labels)]
    cells += [LayoutCell("", 3, i, key=k) for i, k in enumerate(table.cell_keys())]
    return cells


_BUILDERS = {"active": _active, "applications": _applications, "appeals": _appeals}


def official_grid(template: Template, table_id: str) -> list[LayoutCell]:
    """The printed grid of one table; fill value cells from their `key`."""
    return _BUILDERS[table_id](template.table(table_id))


def grid_rows(cells: list[LayoutCell]) -> list[list[LayoutCell]]:
    """Cells grouped by grid row, in column order (for HTML: one <tr> per list)."""
    rows: dict[int, list[LayoutCell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    return [sorted(rows[r], key=lambda c: c.col) for r in sorted(rows)]
