"""The terminal view without rich, for a pipe or a file: the same lines rich prints there.

Off a terminal rich prints no colour and (the CLI gives it an unbounded width) cuts nothing, so its
tables are plain boxes of text; laying them out here spares `xxgk check FILE | ...` rich's import
and its renderer, a third of the command's start-up (issue 20). tests/test_cli_plain.py holds the
two views equal on every sample and corpus report.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from itertools import groupby
from typing import TextIO

from xxgk.model import Finding, Report, json_value
from xxgk.templates import SECTIONS, ColumnSpec, RowSpec, TableSpec

# the control characters rich's Text drops (bell, backspace, vertical tab, form feed, carriage return)
_CONTROL = str.maketrans("", "", "\x07\x08\x0b\x0c\x0d")
_ZERO_WIDTH = frozenset(("Mn", "Me", "Cc", "Cf"))


def cell_shown(report: Report, key: str) -> tuple[str, str]:
    """A cell as the view shows it, and how it is dimmed: missing, blank, or a number as printed."""
    cell = report.cells[key]
    if not cell.found:
        return "缺", "missing"
    value = json_value(cell.value)
    if value is not None:
        return str(value), ""
    return cell.text or "空", "blank"


def title(table: TableSpec) -> str:
    number = next(s.number for s in SECTIONS if s.id == table.section)
    return f"{number}、{table.title}"


def row_label(table: TableSpec, row: RowSpec) -> str:
    """A row of tables 三 and 四 as the view labels it: its number and short name."""
    return row.label if table.unlabelled else f"{row.enum or ''}{row.short}"


def head_line(report: Report) -> str:
    meta = report.meta
    agency = meta.agency or "（未署名机关）"
    return f"{report.source or ''}  {agency} {meta.year or '?'}年度  模板 {report.template_id}".strip()


def where(report: Report, finding: Finding) -> str:
    """`file:line:column` of a finding's first located cell, or `file:page N` in a PDF."""
    place = report.source or ""
    located = [report.cells[k].provenance for k in finding.cells if k in report.cells]
    located = [p for p in located if p is not None and p.line is not None]
    pages = report.pages_of(finding)
    if pages:  # a PDF: the page, where its reader looks
        return place + f":page {', '.join(map(str, pages))}"
    if located:
        return place + f":{located[0].line}:{located[0].column}"
    return place


def counts_line(report: Report) -> str:
    errors = len(report.errors)
    infos = sum(1 for f in report.findings if f.severity == "info")
    counts = f"{errors} 个错误，{len(report.findings) - errors - infos} 个警告"
    return counts + (f"，{infos} 条提示" if infos else "")


def width(text: str) -> int:
    """Terminal cells `text` takes, as rich counts them: two for a wide (CJK) character, none for a
    combining mark, a control or a format character (a zero-width space; the soft hyphen takes one)."""
    return sum(_char_width(c) for c in text)


def _char_width(char: str) -> int:
    if unicodedata.category(char) in _ZERO_WIDTH and char != "\u00ad":
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _lines(text: str) -> list[str]:
    return text.translate(_CONTROL).split("\n")


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * (size - width(text))
    return gap + text if right else text + gap


def _layout(header: list[str], rows: list[list[str]], *, boxed: bool) -> Iterator[str]:
    """A table's lines: the first column left-aligned, the numbers right-aligned, as rich lays them out
    at an unbounded width (boxed: rich's default heavy-headed box; else columns two spaces apart)."""
    grid = [[_lines(text) for text in row] for row in [header, *rows]]
    sizes = [max(width(line) for row in grid for line in row[i]) for i in range(len(header))]

    def line(row: list[list[str]], index: int, edge: str, inner: str) -> str:
        cells = [
            _pad(lines[index] if index < len(lines) else "", sizes[i], right=i > 0)
            for i, lines in enumerate(row)
        ]
        if not boxed:
            return "  ".join(cells)
        return f"{edge} " + f" {inner} ".join(cells) + f" {edge}"

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (size + 2) for size in sizes) + right

    if boxed:
        yield rule("┏", "━", "┳", "┓")
    for number, row in enumerate(grid):
        edge, inner = ("┃", "┃") if number == 0 else ("│", "│")
        for index in range(max(len(lines) for lines in row)):
            yield line(row, index, edge, inner)
        if boxed and number == 0:
            yield rule("┡", "━", "╇", "┩")
    if boxed:
        yield rule("└", "─", "┴", "┘")


def table_lines(report: Report, table: TableSpec) -> Iterator[str]:
    def cells(row_id: str, columns: tuple[ColumnSpec, ...]) -> list[str]:
        return [cell_shown(report, f"{table.id}.{row_id}.{c.id}")[0] for c in columns]

    yield title(table)
    if table.id == "active":
        for columns, rows in groupby(table.rows, key=lambda r: r.columns):
            header = ["信息内容", *(c.label for c in columns)]
            yield from _layout(header, [[row.label, *cells(row.id, columns)] for row in rows], boxed=False)
        return
    columns = table.rows[0].columns
    body = [[row_label(table, row), *cells(row.id, columns)] for row in table.rows]
    yield from _layout(["", *(c.label for c in columns)], body, boxed=True)


def render_report(out: TextIO, report: Report, *, tables: bool = True, findings: bool = True) -> None:
    """What output.terminal.render_report prints, off a terminal."""
    lines = [head_line(report)]
    if tables:
        for table in report.template.tables:
            lines.extend(table_lines(report, table))
    if findings:
        if not report.findings:
            lines.append("没有发现问题。")
        else:
            lines.extend(
                f"{where(report, f)}: {f.severity} {f.rule} {f.message}".translate(_CONTROL)
                for f in report.findings
            )
            lines.append(counts_line(report))
    out.write("\n".join(lines) + "\n")
