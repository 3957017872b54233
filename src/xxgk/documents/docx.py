"""DOCX in the layout of Chinese official documents (GB/T 9704): A4, its margins, the title in
小标宋, headings in 黑体 and 楷体, body in 仿宋 三号 on a fixed 28-point line."""

from __future__ import annotations

import io
from copy import deepcopy

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from xxgk.documents.fonts import font
from xxgk.documents.model import Document, Figure, Heading, Paragraph, Table

_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}
TEXT_WIDTH_CM = 21 - 2.8 - 2.6  # A4 less the margins below
BODY_PT, TITLE_PT, TABLE_PT, NOTE_PT = 16, 22, 10.5, 12  # 三号, 二号, 五号, 小四


def _line(
    paragraph: DocxParagraph,
    text: str,
    role: str,
    size: float,
    *,
    bold: bool = False,
    align: str = "justify",
    indent: bool = False,
    exact: bool = True,
) -> None:
    paragraph.alignment = _ALIGN[align]
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(max(size * 1.75, 28) if size >= BODY_PT else size * 1.5)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    name = font(role)
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _table(doc: object, table: Table) -> None:
    """Cells are taken from the XML rows once (python-docx's `table.cell(r, c)` walks the whole
    table on each call: minutes for a table of a thousand rows), and each kind of cell (header,
    figure, text) is formatted once, then copied: formatting every cell through python-docx
    took 2 ms a cell, 30 s for a region's review of 300 bodies."""
    grid = doc.add_table(rows=table.height, cols=table.width)  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    slots = [[_Cell(tc, grid) for tc in tr.tc_lst] for tr in grid._tbl.tr_lst]
    formatted: dict[str, CT_P] = {}  # by alignment, which tells the kind
    for cell in table.cells:
        target = slots[cell.row][cell.col]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(slots[cell.row + cell.rowspan - 1][cell.col + cell.colspan - 1])
        align = "center" if cell.header else "right" if cell.number else "left"
        paragraph = target.paragraphs[0]
        model = formatted.get(align)
        if model is None:  # a paragraph of one run of one w:t, its spaces kept
            _line(paragraph, " ", "table", TABLE_PT, bold=cell.header, align=align, exact=False)
            formatted[align] = model = deepcopy(paragraph._p)
        made = deepcopy(model)
        made.r_lst[0].t_lst[0].text = cell.text
        paragraph._p.getparent().replace(paragraph._p, made)
    if table.widths:
        grid.autofit = False
        widths = [TEXT_WIDTH_CM * w / sum(table.widths) for w in table.widths]
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = Cm(width)  # the grid, which LibreOffice follows
        for tr in grid._tbl.tr_lst:  # each cell, which Word follows; a merged one spans columns
            col = 0
            for tc in tr.tc_lst:
                span = tc.grid_span
                tc.width = Cm(sum(widths[col : col + span]))
                col += span


# dates python-docx's own template carries (2013): not this document's, so not written
_STALE_PROPERTIES = ("created", "modified", "lastPrinted")


def write_docx(document: Document) -> bytes:
    doc = new_docx()
    properties = doc.core_properties
    for child in list(properties._element):
        if child.tag.rsplit("}", 1)[-1] in _STALE_PROPERTIES:
            properties._element.remove(child)
    properties.title, properties.author, properties.last_modified_by = document.title, document.signer, ""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    if document.number:
        _line(doc.add_paragraph(), document.number, "body", BODY_PT, align="right")
    _line(doc.add_paragraph(), document.title, "title", TITLE_PT, align="center")
    _line(doc.add_paragraph(), "", "body", BODY_PT)
    if document.addressee:
        _line(doc.add_paragraph(), f"{document.addressee}：", "body", BODY_PT, align="left")
    for block in document.blocks:
        if isinstance(block, Heading):
            role = "heading" if block.level == 1 else "subheading"
            _line(doc.add_paragraph(), block.text, role, BODY_PT, indent=True)
        elif isinstance(block, Paragraph):
            _line(doc.add_paragraph(), block.text, "body", BODY_PT, align=block.align, indent=block.indent)
        elif isinstance(block, Table):
            if block.caption:
                _line(
                    doc.add_paragraph(), block.caption, "heading", TABLE_PT + 1.5, align="center", exact=False
                )
            _table(doc, block)
        elif isinstance(block, Figure):
            doc.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if block.caption:
                _line(doc.add_paragraph(), block.caption, "body", NOTE_PT, align="center", exact=False)
    if document.signer or document.date:
        _line(doc.add_paragraph(), "", "body", BODY_PT)
        for text in (document.signer, document.date):
            if text:
                _line(doc.add_paragraph(), text, "body", BODY_PT, align="right")
    for note in document.footnotes:
        _line(doc.add_paragraph(), note, "body", NOTE_PT, align="left", exact=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
