"""Pages of positioned text lines and tables, written into a document in reading order.

The PDF reader and the OCR reader both produce `Page`s. Here the running headers, footers and
page numbers are dropped (so a table split over two pages reads as one run of rows), lines
wrapped inside a paragraph are joined, and each page's lines and tables go to the builder top
to bottom.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from xxgk.read.document import BBox, DocumentBuilder, GridCell

# "- 3 -", "—3—", "3", "第3页", "第 3 页 共 5 页", "3/5", "Page 3 of 5"
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_·•.。]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:/|共|of)\s*\d{1,4}\s*页?)?[\s\-—–－_·•.。]*$"
    r"|^\s*(?:page|p\.)\s*\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$",
    re.I,
)
_MARGIN = 0.09  # headers and footers print in the top and bottom 9% of a page
# a line opening with an enumerator starts a heading or an item, never continues a paragraph
_OPENS = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.](?!\d))"
)


@dataclass
class Line:
    """A printed line of running text; `height` is its characters' height."""

    text: str
    bbox: BBox
    height: float

    @property
    def center(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    grids: list[tuple[BBox, list[GridCell]]] = field(default_factory=list)
    chars: int = 0  # characters of its text layer (counted against LIMITS.text_chars)


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _in_margin(line: Line, page: Page) -> bool:
    return line.bbox[3] <= page.height * _MARGIN or line.bbox[1] >= page.height * (1 - _MARGIN)


def _shape(text: str) -> str:
    """A running header's text with its page-dependent digits blanked."""
    return re.sub(r"\d+", "#", "".join(text.split()))


def drop_running_lines(pages: list[Page]) -> int:
    """Remove page numbers, and headers or footers printed on several pages; how many went.
    A number is a page's only where it stands alone on its line: the first row of a table
    continued at the top of a page prints its values there too, each a line of PDF text."""
    repeated = Counter(_shape(line.text) for page in pages for line in page.lines if _in_margin(line, page))
    enough = 2 if len(pages) >= 2 else 10**9
    dropped = 0
    for page in pages:
        keep = []
        for line in page.lines:
            running = _in_margin(line, page) and (
                is_page_number(line.text) or repeated[_shape(line.text)] >= enough
            )
            if running and (not _NUMBERS_ONLY.fullmatch(_shape(line.text)) or _alone(line, page)):
                dropped += 1
                continue
            keep.append(line)
        page.lines = keep
    return dropped


_NUMBERS_ONLY = re.compile(r"[#\-—–－_·•.。/]*")  # a shape of numbers and what sets them off


def _alone(line: Line, page: Page) -> bool:
    """No other line of the page is printed beside `line` (overlapping its height)."""
    top, bottom = line.bbox[1], line.bbox[3]
    overlap = 0.5 * (bottom - top)
    return not any(
        other is not line and min(bottom, other.bbox[3]) - max(top, other.bbox[1]) > overlap
        for other in page.lines
    )


def _joins(a: Line, b: Line, left: float, right: float, body: float) -> bool:
    """Whether `b` continues the paragraph of `a` (a wrapped line, or a title set on two lines)."""
    h = max(a.height, b.height)
    if _OPENS.match(b.text):
        return False
    if h <= 0 or abs(a.height - b.height) > 0.2 * h:
        return False
    gap = b.bbox[1] - a.bbox[3]
    if gap < -0.3 * h or gap > 1.2 * h:
        return False
    wrapped = a.bbox[2] >= right - 1.5 * h and b.bbox[0] <= left + 0.6 * h and a.bbox[0] < b.bbox[2]
    middle = (left + right) / 2
    titled = (
        h >= body * 1.15
        and abs(a.center - middle) <= h
        and abs(b.center - middle) <= h
        and a.bbox[0] > left + 2 * h
        and not a.text.rstrip().endswith(("。", ".", ":", ":"))
    )
    return wrapped or titled


def _glue(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def join_paragraphs(lines: list[Line], left: float, right: float) -> list[Line]:
    """Lines of one page, wrapped paragraph lines joined (Chinese wraps without a space).

    `left` and `right` are the text block's edges over the whole document (a page may hold only
    indented first lines).
    """
    if len(lines) < 2:
        return lines
    body = statistics.median(line.height for line in lines)
    out = [lines[0]]
    tail = lines[0]  # the last printed line of the paragraph being built decides the next join
    for line in lines[1:]:
        if _joins(tail, line, left, right, body):
            last = out[-1]
            box = (
                min(last.bbox[0], line.bbox[0]),
                last.bbox[1],
                max(last.bbox[2], line.bbox[2]),
                line.bbox[3],
            )
            out[-1] = Line(_glue(last.text, line.text), box, line.height)
        else:
            out.append(line)
        tail = line
    return out


def emit(builder: DocumentBuilder, pages: list[Page]) -> None:
    """Every page's text lines and tables into the builder, top to bottom."""
    drop_running_lines(pages)
    every = [line for page in pages for line in page.lines]
    left = min((line.bbox[0] for line in every), default=0.0)
    right = max((line.bbox[2] for line in every), default=0.0)
    for page in pages:
        blocks: list[tuple[float, int, object]] = []
        run: list[Line] = []
        grid_tops = sorted(box[1] for box, _ in page.grids)
        for line in sorted(page.lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
            if run and any(run[-1].bbox[1] < top <= line.bbox[1] for top in grid_tops):
                blocks += [(ln.bbox[1], 0, ln) for ln in join_paragraphs(run, left, right)]
                run = []
            run.append(line)
        blocks += [(ln.bbox[1], 0, ln) for ln in join_paragraphs(run, left, right)]
        blocks += [(box[1], 1, cells) for box, cells in page.grids]
        for _, kind, block in sorted(blocks, key=lambda b: (b[0], b[1])):
            if kind == 0:
                assert isinstance(block, Line)
                builder.add_text(block.text, page=page.number, bbox=block.bbox)
            else:
                builder.add_grid(block, page=page.number)  # type: ignore[arg-type]
