"""The annual report itself in the national layout: six sections, the three statutory tables with
their merged headers (xxgk.output.official), figures as printed. A stored report is written out
so; the report compiled from an agency's register is to be written through `annual_report` too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xxgk.documents.model import Cell, Document, Heading, Paragraph, Table
from xxgk.model import Report
from xxgk.output.official import official_grid
from xxgk.templates import SECTIONS, TEMPLATES, Template

if TYPE_CHECKING:
    from xxgk.compile.locked import Change, Locked

LABEL_WIDTH = 2.5  # a label column is this many times as wide as a column of figures


def statutory_table(template: Template, table_id: str, values: Mapping[str, str]) -> Table:
    """One of the three tables as the national format prints it; value cells from `values`
    (printed text by cell key; a cell not given is left blank, never 0)."""
    grid = official_grid(template, table_id)
    header_rows = min(c.row for c in grid if c.key is not None)
    cells = [
        Cell(
            values.get(c.key, "") if c.key else c.text,
            c.row,
            c.col,
            c.rowspan,
            c.colspan,
            header=c.key is None and c.row < header_rows,
            number=c.key is not None,
        )
        for c in grid
    ]
    spec = template.table(table_id)
    figures = {c.col for c in grid if c.key is not None and c.colspan == 1}
    width = max(c.col + c.colspan for c in grid)
    widths = [1.0 if col in figures else LABEL_WIDTH for col in range(width)]
    return Table(cells, caption="", sheet=spec.title, header_rows=header_rows, widths=widths)


@dataclass
class AnnualReport:
    """What an annual report holds: the words of each section (by section id) and the cells."""

    agency: str
    year: int
    template_id: str
    values: Mapping[str, str]  # cell key → text as printed
    intro: Sequence[str] = ()
    sections: Mapping[str, Sequence[str]] = field(default_factory=dict)
    date: str = ""


def annual_report(report: AnnualReport) -> Document:
    template = TEMPLATES[report.template_id]
    tables = {t.id for t in template.tables}
    doc = Document(
        title=f"{report.agency}{report.year}年政府信息公开工作年度报告",
        signer=report.agency,
        date=report.date,
    )
    doc.add(*(Paragraph(text) for text in report.intro))
    for section in SECTIONS:
        doc.add(Heading(f"{section.number}、{section.title}"))
        doc.add(*(Paragraph(text) for text in report.sections.get(section.id, ())))
        if section.id in tables:
            doc.add(statutory_table(template, section.id, report.values))
    return doc


def from_report(report: Report) -> AnnualReport:
    """A read (or stored) report's cells as printed, for writing it out in the official layout."""
    return AnnualReport(
        agency=report.meta.agency or "",
        year=report.meta.year or 0,
        template_id=report.template_id,
        values={key: cell.text for key, cell in report.cells.items() if cell.found and cell.text is not None},
    )


AMENDED = "锁定后更正"
NONE = "（无更正记录）"
CHANGE_WIDTHS = [2.0, 2.5, 1.0, 0.8, 0.8, 4.0]
CHANGE_HEADERS = ["表格", "行", "列", "锁定时", "现在", "更正（申请：理由，更正人，时间）"]


def amendments_section(locked: Locked, changes: Sequence[Change]) -> list[Heading | Paragraph | Table]:
    """The note after the report: each cell that differs from the report locked for the year,
    locked value and value now, and the amendments behind it; then any amendment behind none."""
    from xxgk.compile.locked import summary, unmatched

    blocks: list[Heading | Paragraph | Table] = [Heading(AMENDED), Paragraph(summary(locked, list(changes)))]
    if changes:
        rows = [
            [c.table, c.row, c.column, c.locked, c.now, "；".join(a.text() for a in c.amendments) or NONE]
            for c in changes
        ]
        table = Table.simple(CHANGE_HEADERS, rows, caption="与锁定时报告不同的数字", widths=CHANGE_WIDTHS)
        blocks.append(table)
    rest = unmatched(locked, list(changes))
    if rest:
        blocks.append(Paragraph("未改变报告数字的更正：" + "；".join(a.text() for a in rest) + "。"))
    return blocks
