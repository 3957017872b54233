"""Render national_grid blocks as a PDF the way word processors print a report.

Ruled tables (reportlab platypus, GRID lines) with merged cells from the blocks' spans, CJK
text in reportlab's built-in CID font (no font file needed), long labels wrapped inside their
cells, a page number in the footer. The page is short, so the applications table always runs
onto a second page, as in real reports: cut where the caller says, a merged cell that spans the
cut keeps its text on the first page and continues empty on the next, as Word and WPS print it.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tests.national_grid import Block, Cell

FONT = "STSong-Light"
PAGE = (595.0, 540.0)  # A4 width, short page: the 25-row applications table cannot fit on one
MARGIN = 50.0

pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK", firstLineIndent=21)
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20, alignment=TA_CENTER, wordWrap="CJK")
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
_VALUE = ParagraphStyle("value", parent=_CELL, alignment=TA_CENTER)


def _wrap(text: str, width: float, style: ParagraphStyle) -> str:
    """Lines broken by hand at the cell width, the last line never a lone character: PDFium
    loses a one-character line of reportlab's non-embedded CID font (a string of one UCS-2 code)."""
    lines: list[str] = []
    line = ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, style.fontName, style.fontSize) > width:
            lines.append(line)
            line = ""
        line += char
    lines.append(line)
    if len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-2]) > 2:
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return "<br/>".join(escape(x) for x in lines)


def _widths(cols: int, usable: float) -> list[float]:
    """Label columns wider than value columns, as the national templates print them."""
    if cols == 10:  # applications: three label columns, seven value columns
        labels = [30.0, 64.0, 130.0]
        return labels + [(usable - sum(labels)) / 7] * 7
    if cols == 4:  # active: 信息内容 and three value columns
        return [usable * 0.34] + [usable * 0.22] * 3
    return [usable / cols] * cols


def cut(cells: list[Cell], at: int, header: int) -> tuple[list[Cell], list[Cell]]:
    """A table's cells before grid row `at` and from it on (the header rows repeated on top)."""
    first: list[Cell] = []
    second = [Cell(c.text, c.row, c.col, c.rowspan, c.colspan) for c in cells if c.row + c.rowspan <= header]
    for c in cells:
        end = c.row + c.rowspan
        if end <= at:
            first.append(c)
        elif c.row >= at:
            second.append(Cell(c.text, c.row - at + header, c.col, c.rowspan, c.colspan))
        else:  # spans the cut
            first.append(Cell(c.text, c.row, c.col, at - c.row, c.colspan))
            second.append(Cell("", header, c.col, end - at, c.colspan))
    return first, second


def _table(cells: list[Cell], usable: float, *, ruled: bool = True) -> Table:
    rows = max(c.row + c.rowspan for c in cells)
    cols = max(c.col + c.colspan for c in cells)
    data: list[list[object]] = [[""] * cols for _ in range(rows)]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5 if ruled else 0, colors.black if ruled else colors.white),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    widths = _widths(cols, usable)
    for cell in cells:
        numeric = cell.text.replace(".", "", 1).lstrip("-").isdigit() or cell.text == ""
        style = _VALUE if numeric else _CELL
        room = sum(widths[cell.col : cell.col + cell.colspan]) - 5
        data[cell.row][cell.col] = Paragraph(_wrap(cell.text, room, style), style)
        if cell.rowspan > 1 or cell.colspan > 1:
            end = (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)
            commands.append(("SPAN", (cell.col, cell.row), end))
    table = Table(data, colWidths=widths, splitByRow=1)
    table.setStyle(TableStyle(commands))
    return table


def _footer(canvas: object, doc: object) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont(FONT, 9)  # type: ignore[attr-defined]
    canvas.drawCentredString(PAGE[0] / 2, 22, f"- {doc.page} -")  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]


def render_pdf(
    blocks: list[Block], *, split_at: int | None = None, header: int = 3, ruled: bool = True
) -> bytes:
    """A PDF of the report: the first paragraph as the title, tables ruled with merged cells.

    `split_at` cuts the applications table (the one with ten grid columns) before that grid row
    and starts a new page, repeating its `header` rows there (0: no repeated header). Unruled
    tables (`ruled=False`) are laid out in the same cells without any line.
    """
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN
    )
    usable = PAGE[0] - 2 * MARGIN
    story: list[object] = []
    for i, block in enumerate(blocks):
        if block.cells is not None:
            cols = max(c.col + c.colspan for c in block.cells)
            if cols == 10 and split_at is not None:
                first, second = cut(block.cells, split_at, header)
                story += [
                    _table(first, usable, ruled=ruled),
                    PageBreak(),
                    _table(second, usable, ruled=ruled),
                ]
                story.append(Spacer(1, 6))
            else:
                story += [_table(block.cells, usable, ruled=ruled), Spacer(1, 6)]
        elif i == 0:
            story += [Paragraph(block.text or "", _TITLE), Spacer(1, 8)]
        else:
            story.append(Paragraph(block.text or "", _BODY))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
