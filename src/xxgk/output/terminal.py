"""The terminal view: the three tables as the national format prints them, wrong cells marked."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from xxgk.model import SEVERITY_RANK, Report, json_value
from xxgk.templates import SECTIONS, TableSpec

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _cell_styles(report: Report) -> dict[str, str]:
    styles: dict[str, str] = {}
    for finding in sorted(report.findings, key=lambda f: SEVERITY_RANK[f.severity]):
        for key in finding.cells:
            styles[key] = _STYLE[finding.severity]
    return styles


def _cell_text(report: Report, key: str, styles: dict[str, str]) -> Text:
    cell = report.cells[key]
    if not cell.found:
        return Text("缺", style="dim red")
    value = json_value(cell.value)
    shown = str(value) if value is not None else (cell.text or "空")
    style = styles.get(key, "dim" if value is None else "")
    if cell.ambiguous:
        style += " underline"
    return Text(shown, style=style.strip())


def _title(report: Report, table: TableSpec) -> str:
    number = next(s.number for s in SECTIONS if s.id == table.section)
    return f"{number}、{table.title}"


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
        return Group(Text(_title(report, table), style="bold"), *parts)
    columns = table.rows[0].columns
    grid = Table(title=_title(report, table), title_justify="left", header_style="bold")
    grid.add_column("", no_wrap=True)
    for column in columns:
        grid.add_column(column.label, justify="right", overflow="fold")
    for row in table.rows:
        label = row.label if table.unlabelled else f"{row.enum or ''}{row.short}"
        grid.add_row(label, *(_cell_text(report, f"{table.id}.{row.id}.{c.id}", styles) for c in columns))
    return grid


def render_report(console: Console, report: Report, *, tables: bool = True, findings: bool = True) -> None:
    meta = report.meta
    agency = meta.agency or "（未署名机关）"
    head = f"{report.source or ''}  {agency} {meta.year or '?'}年度  模板 {report.template_id}"
    console.print(Text(head.strip(), style="bold"))
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
        where = report.source or ""
        located = [report.cells[k].provenance for k in finding.cells if k in report.cells]
        located = [p for p in located if p is not None and p.line is not None]
        pages = report.pages_of(finding)
        if pages:  # a PDF: the page, where its reader looks
            where += f":page {', '.join(map(str, pages))}"
        elif located:
            where += f":{located[0].line}:{located[0].column}"
        line = Text.assemble(
            (f"{where}: ", "dim"),
            (f"{finding.severity} ", _STYLE[finding.severity]),
            (f"{finding.rule} ", "bold"),
            finding.message,
        )
        console.print(line)
    errors = len(report.errors)
    infos = sum(1 for f in report.findings if f.severity == "info")
    counts = f"{errors} 个错误，{len(report.findings) - errors - infos} 个警告" + (
        f"，{infos} 条提示" if infos else ""
    )
    console.print(Text(counts, style="bold"))
