"""A small structured document: what every output of xxgk is made of before it is written.

Writers (DOCX, HTML, PDF, XLSX) read only this model, so a notice, a review and the annual
report compiled from a register share one typesetting. Tables are grids of positioned cells
(row, column, spans) so the statutory tables' merged headers fit as they are printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    number: bool = False  # right-aligned (a figure)


@dataclass
class Table:
    """A grid of cells; the first `header_rows` rows are headers. `ids` (one per grid column,
    "" where none) are the data-dictionary ids written on a second header row in XLSX."""

    cells: list[Cell]
    caption: str = ""
    sheet: str = ""  # the XLSX sheet name (default: the caption)
    header_rows: int = 1
    ids: list[str] | None = None
    widths: list[float] | None = None  # relative width of each grid column (None: even)

    @property
    def width(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    @property
    def height(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @classmethod
    def simple(
        cls,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        caption: str = "",
        sheet: str = "",
        ids: Sequence[str] | None = None,
        widths: Sequence[float] | None = None,
    ) -> Table:
        """One header row and plain rows; numbers (int, float) are right-aligned."""
        cells = [Cell(h, 0, c, header=True) for c, h in enumerate(headers)]
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                figure = isinstance(value, int | float) and not isinstance(value, bool)
                cells.append(Cell("" if value is None else str(value), r, c, number=figure))
        return cls(
            cells,
            caption,
            sheet,
            1,
            list(ids) if ids is not None else None,
            list(widths) if widths is not None else None,
        )

    def rows(self) -> list[list[Cell]]:
        """Cells by grid row, in column order."""
        grid: list[list[Cell]] = [[] for _ in range(self.height)]
        for cell in self.cells:
            grid[cell.row].append(cell)
        return [sorted(row, key=lambda c: c.col) for row in grid]


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: 一、…  2: （一）…


@dataclass
class Paragraph:
    text: str
    indent: bool = True  # the first-line indent of two characters of official prose
    align: str = "justify"  # justify, left, right, center


@dataclass
class Figure:
    png: bytes
    caption: str = ""
    width_cm: float = 15.0


Block = Heading | Paragraph | Table | Figure


@dataclass
class Document:
    """An official document: title, 文号 line, addressee, body, signature and date block, notes."""

    title: str
    number: str = ""  # 文号, e.g. 某政务公开〔2025〕3号
    addressee: str = ""  # 主送机关
    blocks: list[Block] = field(default_factory=list)
    signer: str = ""  # 落款
    date: str = ""  # 成文日期, e.g. 2025年4月1日
    footnotes: list[str] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
