"""The terminal view: the three tables as the national format prints them, wrong cells marked."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from xxgk.model import SEVERITY_RANK, Report
from xxgk.output.plain import cell_shown, counts_line, head_line, row_label, title, where
from xxgk.templates import TableSpec

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_DIM = {"missing": "dim red", "blank": "dim", "": ""}


def _cell_styles(report: Report) -> dict[str, str]:
    styles: dict[str, str] = {}
    for finding in sorted(report.findings, key=lambda f: SEVERITY_RANK[f.severity]):
        for key in finding.cells:
            styles[key] = _STYLE[finding.severity]
    return styles


def _cell_text(report: Report, key: str, styles: dict[str, str]) -> Text:
    shown, dim = cell_shown(report, key)
    if dim == "missing":
        return Text(shown, style=_DIM[dim])
    style = styles.get(key, _DIM[dim])
    if report.cells[key].ambiguous:
        style += " underline"
    return Text(shown, style=style.strip())


def render_table(report: Report, table: TableSpec, styles: dict[str, str]) -> Group | Table:
    if table.id == "active":
        parts = []
        for columns, rows in groupby(table.rows, key=lambda r: r.columns):
            grid = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
            grid.add_column("信息内容", no_wrap=True)
            for column in columns:
                grid.add_column(column.label, justify="right", overflow="fold")
            for row in rows:
                grid.add_row(
                    row.label, *(_cell_text(report, f"active.{row.id}.{c.id}", styles) for c in columns)
                )
            parts.append(grid)
        return Group(Text(title(table), style="bold"), *parts)
    columns = table.rows[0].columns
    grid = Table(title=title(table), title_justify="left", header_style="bold")
    grid.add_column("", no_wrap=True)
    for column in columns:
        grid.add_column(column.label, justify="right", overflow="fold")
    for row in table.rows:
        grid.add_row(
            row_label(table, row),
            *(_cell_text(report, f"{table.id}.{row.id}.{c.id}", styles) for c in columns),
        )
    return grid


def render_report(console: Console, report: Report, *, tables: bool = True, findings: bool = True) -> None:
    console.print(Text(head_line(report), style="bold"))
    if tables:
        styles = _cell_styles(report)
        for table in report.template.tables:
            console.print(render_table(report, table, styles))
    if findings:
        render_findings(console, report)


def render_findings(console: Console, report: Report) -> None:
    if not report.findings:
        console.print(Text("没有发现问题。", style="green"))
        return
    for finding in report.findings:
        line = Text.assemble(
            (f"{where(report, finding)}: ", "dim"),
            (f"{finding.severity} ", _STYLE[finding.severity]),
            (f"{finding.rule} ", "bold"),
            finding.message,
        )
        console.print(line)
    console.print(Text(counts_line(report), style="bold"))
