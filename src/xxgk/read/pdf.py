"""PDF reports: the text layer through PDFium, tables from the page's ruling lines.

PDFium (pypdfium2) gives every character with its box and every vector stroke in a few
milliseconds a page. Ruled tables are rebuilt from the strokes (xxgk.read.grid): merged cells
are cells whose separating rule is missing, so a spanned label is one cell, never a run of
blanks, and an empty cell stays an empty cell. pdfplumber is not used: it parses a page's
content stream in Python (40-70 ms a table page of a WPS report, against 5 ms here), and on
tables without rules its text strategy cut rows apart that PDFium's plain text lines keep
whole; such tables go in as text lines, which the extractor reads label by label. Pages
without a usable text layer (scans) go to OCR (xxgk.read.ocr, the `xxgk[ocr]` extra).
"""

from __future__ import annotations

import ctypes
import itertools
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.errors import InputError
from xxgk.read.document import BBox, Document, DocumentBuilder
from xxgk.read.grid import Item, Segment, Table, find_tables
from xxgk.read.layout import Line, Page, emit
from xxgk.read.limits import LIMITS, exceeded
from xxgk.templates import TEMPLATES

__all__ = ["read_pdf"]

TOL = 1.5  # points: strokes this close are one rule
MIN_CELL = 4.0  # points: rules closer than this are one (double borders)
THIN = 2.5  # points: a filled rectangle this thin is a rule
MIN_TEXT_CHARS = 8  # fewer printed characters on a page: no text layer
MAX_BAD_TEXT = 0.3  # more than this share of unmapped characters: the text layer is unusable
MIN_TABLE_WORDS = 4  # distinct table phrases that make a page a statistical-table page

Matrix = tuple[float, float, float, float, float, float]
ToPage = Callable[[float, float, float, float], BBox]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: it needs a password to open",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF with an unsupported security handler",
    pdfium_c.FPDF_ERR_FORMAT: "corrupt or truncated PDF",
    pdfium_c.FPDF_ERR_FILE: "corrupt or truncated PDF",
}


def _title(pdf: pdfium.PdfDocument) -> str:
    """The metadata's title; a title that is not valid UTF-16 (seen in the wild) counts as none."""
    try:
        return (pdf.get_metadata_value("Title") or "").strip()
    except UnicodeDecodeError:
        return ""


def read_pdf(data: bytes, source: str) -> Document:
    """A PDF report as a document: running text as lines, each ruled table as a grid."""
    pdf = open_pdf(data, source)
    try:
        builder = DocumentBuilder(source, "pdf")
        builder.pages = len(pdf)
        title = _title(pdf)
        if title:
            builder.hints["title"] = title
        pages: list[Page] = []
        scanned: list[int] = []
        room = LIMITS.text_chars  # characters the pages may still have
        for index in range(len(pdf)):
            page = load_page(pdf, index, source)
            try:
                content = read_page(page, index + 1, room)
            except InputError as error:
                error.where = error.where or f"{source}: page {index + 1}"
                raise
            finally:
                page.close()
            if content is not None:
                room -= content.chars
            if content is None:
                scanned.append(index)
            pages.append(content or Page(index + 1, 0, 0))
        if scanned:
            _ocr_pages(pdf, source, pages, scanned, builder)
        emit(builder, pages)
        return builder.build()
    finally:
        pdf.close()


def open_pdf(data: bytes, source: str) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        raise InputError(_LOAD_ERRORS.get(code, f"cannot open PDF: {exc}"), source, kind="damaged") from None
    if len(pdf) == 0:
        pdf.close()
        raise InputError("PDF without pages", source, kind="damaged")
    if len(pdf) > LIMITS.pages:
        count = len(pdf)
        pdf.close()
        raise exceeded("pages", f"a PDF of {count:,} pages", source)
    return pdf


def load_page(pdf: pdfium.PdfDocument, index: int, source: str) -> pdfium.PdfPage:
    try:
        return pdf[index]
    except pdfium.PdfiumError:
        raise InputError(f"corrupt PDF: page {index + 1} cannot be loaded", source, kind="damaged") from None


def _ocr_pages(
    pdf: pdfium.PdfDocument,
    source: str,
    pages: list[Page],
    scanned: list[int],
    builder: DocumentBuilder,
) -> None:
    """Pages without a usable text layer are read by OCR; without the extra, say so (unless the
    text pages already hold the tables: then the scans are figures and are noted in the hints)."""
    from xxgk.read.ocr import ocr_available, ocr_pages

    if not ocr_available():
        if not any(is_table_page(" ".join(line.text for line in page.lines)) for page in pages):
            raise InputError("scanned report: install xxgk[ocr]", source, kind="needs_ocr")
        builder.hints["pdf_pages_without_text"] = ",".join(str(i + 1) for i in scanned)
        return
    for index, page in zip(scanned, ocr_pages(pdf, scanned, builder), strict=True):
        pages[index] = page
    builder.format = "pdf+ocr" if len(scanned) < len(pages) else "pdf-ocr"


# --- one page -------------------------------------------------------------------------------


def read_page(page: pdfium.PdfPage, number: int, room: int = LIMITS.text_chars) -> Page | None:
    """The lines and tables of a page; None when it has no usable text layer (a scan). `room`:
    how many characters the document may still have."""
    left, bottom, right, top = page.get_bbox()
    turn = page.get_rotation() % 360  # degrees clockwise the viewer turns the page
    width, height = right - left, top - bottom
    if turn in (90, 270):
        width, height = height, width

    def point(x: float, y: float) -> tuple[float, float]:
        """PDF user space (bottom-up) to top-down points of the page as it is shown."""
        if turn == 90:
            return y - bottom, x - left
        if turn == 180:
            return right - x, y - bottom
        if turn == 270:
            return top - y, right - x
        return x - left, top - y

    def to_page(x0: float, y0: float, x1: float, y1: float) -> BBox:
        (ax, ay), (bx, by) = point(x0, y0), point(x1, y1)
        return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count > room:
            raise exceeded("text_chars", "a PDF of more characters", None)
        chars = list(_chars(textpage, to_page))
    finally:
        textpage.close()
    printed = [c for c in chars if c[0].text.strip() and not c[1]]
    bad = sum(1 for c in printed if c[2])
    if printed and bad > MAX_BAD_TEXT * len(printed):
        return None  # fonts without a Unicode map: OCR reads the rendered glyphs
    if len(printed) < MIN_TEXT_CHARS and _has_images(page):
        return None
    horizontal, vertical = _rules(page, to_page)
    tables = find_tables(horizontal, vertical, tol=TOL, min_cell=MIN_CELL)
    content = Page(number, width, height, chars=count)
    _assign(chars, tables, content)
    for table in tables:
        content.grids.append((table.bbox, table.grid_cells()))
    return content


def _chars(textpage: pdfium.PdfTextPage, to_page: ToPage) -> Iterator[tuple[Item, bool, bool]]:
    """Each character in PDFium's order: the item, whether PDFium generated it, whether unmapped."""
    has_error = getattr(pdfium_c, "FPDFText_HasUnicodeMapError", None)
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        generated = bool(pdfium_c.FPDFText_IsGenerated(textpage, i))
        char = chr(code) if 0 < code < 0x110000 else ""
        unmapped = bool(has_error and has_error(textpage, i) == 1) or _private(char)
        if generated or char.isspace():
            yield Item(char, (0.0, 0.0, 0.0, 0.0)), True, False
            continue
        box = to_page(*_loose_box(textpage, i))
        yield Item(char, box), False, unmapped


def _loose_box(textpage: pdfium.PdfTextPage, i: int) -> tuple[float, float, float, float]:
    """The font-height box of a character (even line heights, full-width punctuation), or its
    glyph box where the font box is off (vertical writing gets font boxes far too big)."""
    tight = textpage.get_charbox(i)
    loose = textpage.get_charbox(i, loose=True)
    glyph = max(tight[2] - tight[0], tight[3] - tight[1])
    inside = loose[0] <= tight[0] + 0.5 and loose[2] >= tight[2] - 0.5
    if inside and loose[2] - loose[0] <= 3 * glyph + 4 and loose[3] - loose[1] <= 3 * glyph + 4:
        return loose
    return tight


def _private(char: str) -> bool:
    return bool(char) and (unicodedata.category(char) in ("Co", "Cs", "Cn") or char == "\ufffd")


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))


def _assign(chars: list[tuple[Item, bool, bool]], tables: list[Table], page: Page) -> None:
    """Characters inside a table go to its cells; the rest make the page's text lines.

    Lines follow PDFium's order and break where PDFium breaks them or where a character
    belongs to a table (a caption printed beside a table stays text).
    """
    current: list[Item] = []

    def flush() -> None:
        text = "".join(i.text for i in current).strip()
        boxes = [i.bbox for i in current if i.text.strip()]
        if text and boxes:
            box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            heights = sorted(b[3] - b[1] for b in boxes)
            page.lines.append(Line(text, box, heights[len(heights) // 2]))
        current.clear()

    for item, generated, _ in chars:
        if item.text in "\r\n" and item.text:
            flush()
            continue
        if generated or item.text.isspace():
            if current:
                current.append(Item(" ", item.bbox))
            continue
        if any(table.place(item) for table in tables):
            flush()
            continue
        current.append(item)
    flush()


# --- ruling lines ---------------------------------------------------------------------------


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _matrix(obj: ctypes.c_void_p) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _visible(getter: object, obj: ctypes.c_void_p) -> bool:
    """Whether a stroke or fill colour shows on white paper."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):  # type: ignore[operator]
        return True
    return a.value > 0 and min(r.value, g.value, b.value) < 235


def _objects(page: pdfium.PdfPage) -> Iterator[tuple[ctypes.c_void_p, Matrix]]:
    """Path objects with their matrix to page space, descending into form XObjects."""
    stack: list[tuple[ctypes.c_void_p, Matrix, int]] = []
    for i in reversed(range(pdfium_c.FPDFPage_CountObjects(page))):
        stack.append((pdfium_c.FPDFPage_GetObject(page, i), _IDENTITY, 0))
    while stack:
        obj, outer, depth = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, _multiply(_matrix(obj), outer)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            inner = _multiply(_matrix(obj), outer)
            for k in reversed(range(pdfium_c.FPDFFormObj_CountObjects(obj))):
                stack.append((pdfium_c.FPDFFormObj_GetObject(obj, k), inner, depth + 1))


def _subpaths(obj: ctypes.c_void_p, m: Matrix) -> Iterator[tuple[list[tuple[float, float]], bool, bool]]:
    """Each subpath's points in PDF page space, whether it is closed, whether it has curves."""
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []
    closed = curved = False
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(points) > 1:
                yield points, closed, curved
            points, closed, curved = [point], False, False
            continue
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            curved = True
        points.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            closed = True
    if len(points) > 1:
        yield points, closed, curved


def _rules(page: pdfium.PdfPage, to_page: ToPage) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical rules of a page in top-down points: stroked straight lines and
    thin filled bars (Word and WPS draw cell borders either way). Wide fills are cell shading."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    mode, stroke = ctypes.c_int(), ctypes.c_int()

    def add(p: tuple[float, float], q: tuple[float, float]) -> None:
        x0, top, x1, bottom = to_page(min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
        if bottom - top <= 0.5 and x1 - x0 > 0.5:
            horizontal.append(Segment((top + bottom) / 2, x0, x1))
        elif x1 - x0 <= 0.5 and bottom - top > 0.5:
            vertical.append(Segment((x0 + x1) / 2, top, bottom))

    for obj, m in _objects(page):
        if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(mode), ctypes.byref(stroke)):
            continue
        stroked = bool(stroke.value) and _visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
        filled = mode.value != 0 and _visible(pdfium_c.FPDFPageObj_GetFillColor, obj)
        if not (stroked or filled):
            continue
        for points, closed, curved in _subpaths(obj, m):
            if stroked and not curved:
                ring = [*points, points[0]] if closed else points
                for p, q in itertools.pairwise(ring):
                    add(p, q)
            elif filled and not curved:
                xs = [p[0] for p in points]
                ys = [p[1] for p in points]
                w, h = max(xs) - min(xs), max(ys) - min(ys)
                if 0 < min(w, h) <= THIN and max(w, h) > THIN * 2:
                    if w >= h:
                        cy = (min(ys) + max(ys)) / 2
                        add((min(xs), cy), (max(xs), cy))
                    else:
                        cx = (min(xs) + max(xs)) / 2
                        add((cx, min(ys)), (cx, max(ys)))
                elif w <= 0.5 < h or h <= 0.5 < w:
                    add((min(xs), min(ys)), (max(xs), max(ys)))
    return horizontal, vertical


# --- which pages print the statistical tables ---------------------------------------------------------


@cache
def _table_words() -> tuple[str, ...]:
    """Printed phrases of the statistical tables (headers, row and column labels), from the
    templates; short ones (规章, 其他) also occur in narrative and are left out."""
    words: set[str] = set()
    for template in TEMPLATES.values():
        for table in template.tables:
            words.update(table.anchors)
            words.update(table.noise)
            for row in table.rows:
                words.add(row.label)
                words.update(row.aliases)
                for column in row.columns:
                    words.add(column.label)
    return tuple(sorted({_squash(w) for w in words if len(_squash(w)) >= 4}))


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_table_page(text: str) -> bool:
    """Whether a page's text prints a statistical table (several of its phrases)."""
    squashed = _squash(text)
    return sum(1 for w in _table_words() if w in squashed) >= MIN_TABLE_WORDS
