"""One document layer: a structured document (model.py) written as DOCX, PDF, HTML or XLSX.

The notice (整改通知), the region review (通报) and later the annual report compiled from a
register are built as a `Document` and written here, so they share one typesetting.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xxgk.documents.model import Block, Cell, Document, Figure, Heading, Paragraph, Table
from xxgk.errors import InputError, XxgkError
from xxgk.output_file import check, output_file

__all__ = [
    "FORMATS",
    "OFFICE",
    "Block",
    "Cell",
    "Document",
    "Figure",
    "Heading",
    "Paragraph",
    "Table",
    "check_suffix",
    "render",
    "write",
    "write_bytes",
]

NO_LIBREOFFICE = "writing PDF needs LibreOffice (soffice); install it, or write .docx or .html"


def _docx(document: Document) -> bytes:
    from xxgk.documents.docx import write_docx

    return write_docx(document)


def _html(document: Document) -> bytes:
    from xxgk.documents.html import write_html

    return write_html(document)


def _xlsx(document: Document) -> bytes:
    from xxgk.documents.xlsx import write_xlsx

    return write_xlsx(document)


def _csv(document: Document) -> bytes:
    """Every table as rows of text, one after another (a blank row between); a merged cell's
    text in its first position. With a byte-order mark, so Excel reads the Chinese as UTF-8."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for n, table in enumerate(document.tables()):
        if n:
            writer.writerow([])
        grid = [[""] * table.width for _ in range(table.height)]
        for cell in table.cells:
            grid[cell.row][cell.col] = cell.text
        writer.writerows(grid)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _pdf(document: Document) -> bytes:
    """The DOCX converted by LibreOffice, headless, in its own profile, under a time limit."""
    from xxgk.read.office import convert, find_soffice

    soffice = find_soffice()
    if soffice is None:
        raise XxgkError(NO_LIBREOFFICE)
    return convert(_docx(document), soffice, "docx", "pdf", document.title)


FORMATS: dict[str, Callable[[Document], bytes]] = {
    ".docx": _docx,
    ".pdf": _pdf,
    ".html": _html,
    ".xlsx": _xlsx,
    ".csv": _csv,
}
OFFICE = (".docx", ".pdf", ".html", ".xlsx")  # what an official document is written as (not CSV)


def check_suffix(path: Path, allowed: tuple[str, ...] = OFFICE) -> str:
    """The output format told by the file name, and a place to write it (xxgk.output_file): a
    one-line error before any work is done."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"cannot write {suffix or 'a file without a suffix'}; use {', '.join(allowed)}", str(path)
        )
    check(path)
    return suffix


def render(document: Document, suffix: str) -> bytes:
    return FORMATS[suffix](document)


def write(document: Document, path: Path, allowed: tuple[str, ...] = OFFICE) -> None:
    write_bytes(render(document, check_suffix(path, allowed)), path)


def write_bytes(data: bytes, path: Path) -> None:
    """Write whole or not at all (xxgk.output_file: a temporary file beside `path`, then renamed
    over it); a path where nothing can be written is a one-line error."""
    with output_file(path) as part:
        part.write_bytes(data)
