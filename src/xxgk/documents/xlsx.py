"""XLSX: one sheet per table, Chinese headers (merged as printed), the data-dictionary ids on a
second header row where the table gives them."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xxgk.documents.model import Document

_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD.sub("_", name)[:28] or "Sheet"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def _number(text: str) -> int | float | str:
    """A figure as a number so a spreadsheet can add it up; anything else as printed."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def write_xlsx(document: Document) -> bytes:
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in document.tables():
        sheet = book.create_sheet(_sheet_name(table.sheet or table.caption, taken))
        shift = 1 if table.ids else 0
        for cell in table.cells:
            row = cell.row + 1 + (shift if cell.row >= table.header_rows else 0)
            target = sheet.cell(
                row=row,
                column=cell.col + 1,
                value=cell.text if cell.header or not cell.number else _number(cell.text),
            )
            if cell.header:
                target.font = bold
                target.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=cell.col + 1,
                    end_row=row + cell.rowspan - 1,
                    end_column=cell.col + cell.colspan,
                )
        if table.ids:
            for col, ident in enumerate(table.ids, start=1):
                if ident:
                    sheet.cell(row=table.header_rows + 1, column=col, value=ident).font = Font(
                        italic=True, color="666666"
                    )
        sheet.freeze_panes = sheet.cell(row=table.header_rows + shift + 1, column=1)
    if not book.sheetnames:
        book.create_sheet("Sheet")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
