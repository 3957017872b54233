"""The intermediate document every reader produces and the extractor consumes.

A document is normalised text. Readers of formats with real tables (HTML, DOCX, PDF, OCR)
add each table as a grid of cells; the builder writes a grid into the text as one line per
row, cells between `|` (a spanned cell once, at its top-left), and remembers for every cell
where in the source it came from. The extractor therefore has one way to read tables (the
text way), and a cell's provenance can still name its page and box or its table row/column.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from xxgk.model import OriginRecord
from xxgk.read.decode import Replaced
from xxgk.read.limits import LIMITS, exceeded
from xxgk.read.normalize import normalize

BBox = tuple[float, float, float, float]


@dataclass(slots=True)
class Origin:
    """Where a stretch of the document text came from in the source file."""

    start: int
    end: int
    page: int | None = None
    bbox: BBox | None = None
    grid: int | None = None
    grid_row: int | None = None
    grid_col: int | None = None
    confidence: float | None = None  # OCR


@dataclass(slots=True)
class GridCell:
    """One cell of a source table; rows and columns are positions in the expanded grid."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox | None = None
    confidence: float | None = None


@dataclass
class Document:
    """Normalised text of one report, and what it was read from."""

    text: str
    source: str
    format: str = "text"
    records: list[OriginRecord] = field(default_factory=list)
    has_confidence: bool = False  # some record carries an OCR confidence
    pages: int | None = None
    hints: dict[str, str] = field(default_factory=dict)  # e.g. an HTML <title> or meta tags
    replaced: Replaced | None = None  # bytes that did not decode (text and HTML)

    @property
    def origins(self) -> list[Origin]:
        return [Origin(*r) for r in self.records]


_POSITION = attrgetter("row", "col")


@lru_cache(maxsize=4096)
def _cell_text(text: str) -> str:
    """A cell's text on one line (cells repeat across reports: labels, zeros)."""
    return " ".join(normalize(text).split())


class DocumentBuilder:
    """Collects text and grids in reading order; each piece is normalised as it is added."""

    def __init__(self, source: str, format: str) -> None:
        self.source = source
        self.format = format
        self.parts: list[str] = []
        self.length = 0
        self.records: list[OriginRecord] = []
        self.grids = 0
        self.has_confidence = False
        self.pages: int | None = None
        self.hints: dict[str, str] = {}
        self.replaced: Replaced | None = None

    def _write(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def add_text(self, text: str, *, page: int | None = None, bbox: BBox | None = None) -> None:
        """A paragraph or line of running text (a line break is added after it)."""
        text = normalize(text).strip("\n")
        if not text:
            return
        start, end = self._write(text)
        if page is not None or bbox is not None:
            self.records.append((start, end, page, bbox, None, None, None, None))
        self._write("\n")

    def add_grid(self, cells: list[GridCell], *, page: int | None = None) -> None:
        """A table from its cells in any order (see `add_cells`)."""
        cells = sorted(cells, key=_POSITION)
        self.add_cells(
            [c.text for c in cells],
            [c.row for c in cells],
            [c.col for c in cells],
            bboxes=[c.bbox for c in cells],
            confidences=[c.confidence for c in cells],
            page=page,
        )

    def add_cells(
        self,
        texts: Sequence[str],
        rows: Sequence[int],
        cols: Sequence[int],
        *,
        bboxes: Sequence[BBox | None] | None = None,
        confidences: Sequence[float | None] | None = None,
        page: int | None = None,
    ) -> None:
        """A table from its cells in reading order (by row, then column), each cell's text,
        grid row and column (and box and OCR confidence) at one index of the sequences: one
        text line per grid row, `| a | b |`, a spanned cell written once, in its top row."""
        if not texts:
            return
        if confidences is not None and not self.has_confidence:
            self.has_confidence = any(c is not None for c in confidences)
        grid = self.grids
        self.grids += 1
        add_part, add_record = self.parts.append, self.records.append
        offset = self.length - 1
        row = None
        none = itertools.repeat(None)  # endless: zip stops at the cells' end
        cells = zip(texts, rows, cols, bboxes or none, confidences or none, strict=False)
        for raw, r, col, bbox, confidence in cells:
            if r != row:
                add_part("|" if row is None else "\n|")
                offset += 2
                row = r
            text = raw if raw.isdecimal() and raw.isascii() else _cell_text(raw)  # most cells: a count
            start = offset + 1
            end = start + len(text)
            add_part(f" {text} |")
            offset = end + 2
            if end > start:
                add_record((start, end, page, bbox, grid, r, col, confidence))
        add_part("\n")
        self.length = offset + 1

    def build(self) -> Document:
        if self.length > LIMITS.text_chars:
            raise exceeded("text_chars", f"a document of {self.length:,} characters", self.source)
        return Document(
            text="".join(self.parts),
            source=self.source,
            format=self.format,
            records=self.records,
            has_confidence=self.has_confidence,
            pages=self.pages,
            hints=self.hints,
            replaced=self.replaced,
        )
