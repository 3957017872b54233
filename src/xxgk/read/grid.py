"""Ruled tables from line segments, and text placed into their cells.

Shared by the PDF reader (segments are the page's vector strokes) and the OCR reader (segments
are the ruling lines found in the pixels). A table is a connected set of horizontal and
vertical rules; its expanded grid has a row between every two horizontal rule positions and a
column between every two vertical ones, and two neighbouring grid cells belong to one merged
cell when the rule between them is missing. Coordinates are top-down (x0, top, x1, bottom).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xxgk.read.document import BBox, GridCell
from xxgk.read.limits import LIMITS, exceeded


@dataclass
class Segment:
    """A straight rule: `pos` is its y (horizontal) or x (vertical); it runs from `start` to `end`."""

    pos: float
    start: float
    end: float


@dataclass
class Item:
    """A piece of text with its box: a PDF character, or an OCR box or character."""

    text: str
    bbox: BBox
    confidence: float | None = None

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


@dataclass
class Span:
    """A (possibly merged) cell of a table, in expanded-grid positions."""

    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox
    items: list[Item] = field(default_factory=list)


@dataclass
class Table:
    bbox: BBox
    xs: list[float]
    ys: list[float]
    spans: list[Span]
    owner: dict[tuple[int, int], int]  # expanded-grid position -> index into spans

    @property
    def rows(self) -> int:
        return len(self.ys) - 1

    @property
    def cols(self) -> int:
        return len(self.xs) - 1

    def contains(self, x: float, y: float) -> bool:
        x0, top, x1, bottom = self.bbox
        return x0 <= x <= x1 and top <= y <= bottom

    def place(self, item: Item) -> bool:
        """Put `item` into the cell under its centre; False when it is not inside the table."""
        x, y = item.cx, item.cy
        if not self.contains(x, y):
            return False
        col = min(max(bisect.bisect_right(self.xs, x) - 1, 0), self.cols - 1)
        row = min(max(bisect.bisect_right(self.ys, y) - 1, 0), self.rows - 1)
        self.spans[self.owner[(row, col)]].items.append(item)
        return True

    def grid_cells(self, *, joiner: str = "") -> list[GridCell]:
        """The cells with their text (a cell's lines joined by a newline) and the confidence of its
        weakest character (OCR; None for a PDF text layer)."""
        out = []
        for span in self.spans:
            text = cell_text(span.items, joiner=joiner)
            scores = [i.confidence for i in span.items if i.confidence is not None and i.text.strip()]
            confidence = min(scores) if scores else None
            out.append(GridCell(text, span.row, span.col, span.rowspan, span.colspan, span.bbox, confidence))
        return out


def _cluster(values: Iterable[float], tol: float) -> list[float]:
    """Positions closer than `tol` are one position (their mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def merge_segments(segments: Iterable[Segment], tol: float) -> list[Segment]:
    """Collinear pieces of one rule (a rule drawn cell by cell, or a broken scan) become one."""
    segs = sorted(segments, key=lambda s: s.pos)
    groups: list[list[Segment]] = []
    for s in segs:
        if groups and s.pos - groups[-1][-1].pos <= tol:
            groups[-1].append(s)
        else:
            groups.append([s])
    out = []
    for group in groups:
        pos = sum(s.pos for s in group) / len(group)
        runs: list[list[float]] = []
        for s in sorted(group, key=lambda s: s.start):
            if runs and s.start <= runs[-1][1] + tol:
                runs[-1][1] = max(runs[-1][1], s.end)
            else:
                runs.append([s.start, s.end])
        out += [Segment(pos, a, b) for a, b in runs]
    return out


def _crosses(h: Segment, v: Segment, tol: float) -> bool:
    return h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def find_tables(
    horizontal: Sequence[Segment],
    vertical: Sequence[Segment],
    *,
    tol: float,
    min_cell: float,
) -> list[Table]:
    """Every ruled table with at least two rows or columns, top to bottom.

    `tol` is how far apart two strokes may be and still be one rule (and how far a rule may stop
    short of the one it meets); rules closer than `min_cell` (double borders) count as one.
    """
    hs = [s for s in merge_segments(horizontal, tol) if s.end - s.start > min_cell]
    vs = [s for s in merge_segments(vertical, tol) if s.end - s.start > min_cell]
    n = len(hs) + len(vs)
    if n > LIMITS.page_rules:  # the reader adds where
        raise exceeded("page_rules", f"a page of {n:,} ruling lines", None)
    parent = list(range(n))
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _crosses(h, v, tol):
                a, b = _find(parent, i), _find(parent, len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(_find(parent, i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(_find(parent, len(hs) + j), ([], []))[1].append(v)
    tables = []
    for gh, gv in groups.values():
        if not gh or not gv or len(gh) + len(gv) < 5:
            continue
        table = _table(gh, gv, tol, min_cell)
        if table is not None and (table.rows > 1 or table.cols > 1):
            tables.append(table)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _covered(segments: list[Segment], pos: float, a: float, b: float, tol: float) -> bool:
    """Whether a rule at `pos` runs along the middle of the stretch a..b."""
    margin = (b - a) * 0.25
    for s in segments:
        if abs(s.pos - pos) <= tol and s.start <= a + margin + tol and s.end >= b - margin - tol:
            return True
    return False


def _table(hs: list[Segment], vs: list[Segment], tol: float, min_cell: float) -> Table | None:
    x0 = min(min(s.start for s in hs), min(v.pos for v in vs))
    x1 = max(max(s.end for s in hs), max(v.pos for v in vs))
    top = min(min(s.start for s in vs), min(h.pos for h in hs))
    bottom = max(max(s.end for s in vs), max(h.pos for h in hs))
    xs = _cluster([x0, x1, *(v.pos for v in vs)], min_cell)
    ys = _cluster([top, bottom, *(h.pos for h in hs)], min_cell)
    xs[0], xs[-1], ys[0], ys[-1] = x0, x1, top, bottom
    if len(xs) < 2 or len(ys) < 2:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def join(a: int, b: int) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[ra] = rb

    near = max(tol, min_cell * 0.6)  # a rule belongs to the grid line it was clustered into
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covered(vs, xs[c + 1], ys[r], ys[r + 1], near):
                join(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and not _covered(hs, ys[r + 1], xs[c], xs[c + 1], near):
                join(r * cols + c, (r + 1) * cols + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            members.setdefault(_find(parent, r * cols + c), []).append((r, c))
    spans: list[Span] = []
    owner: dict[tuple[int, int], int] = {}
    for cells in sorted(members.values(), key=min):
        r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
        r1, c1 = max(r for r, _ in cells), max(c for _, c in cells)
        if len(cells) < (r1 - r0 + 1) * (c1 - c0 + 1):
            # rules missing around no rectangle (a row printed short of cells, the space below
            # it at a page's foot): no merged cell, each grid cell its own, so that no span
            # covers a cell of its own row ("258" and an empty cell over it, a cell apart)
            for r, c in sorted(cells):
                owner[(r, c)] = len(spans)
                spans.append(Span(r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])))
            continue
        for pos in cells:
            owner[pos] = len(spans)
        spans.append(Span(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    return Table((x0, top, x1, bottom), xs, ys, spans, owner)


def text_lines(items: Sequence[Item]) -> list[list[Item]]:
    """Items grouped into printed lines (by their middles), top to bottom, each left to right.
    An item joins a line whose middle is within half a line's height of its own: a line that grew
    with each item joined would take in a row's values set between two lines of its label, then
    the label's second line, and interleave the characters of both."""
    lines: list[list[Item]] = []
    middles: list[float] = []  # of each line, the mean of its items' middles
    for item in sorted(items, key=lambda i: (i.cy, i.bbox[0])):
        if lines:
            last = lines[-1]
            height = max(max(i.bbox[3] - i.bbox[1] for i in last), item.bbox[3] - item.bbox[1], 1e-6)
            if abs(item.cy - middles[-1]) < height * 0.5:
                last.append(item)
                middles[-1] += (item.cy - middles[-1]) / len(last)
                continue
        lines.append([item])
        middles.append(item.cy)
    return [sorted(line, key=lambda i: i.bbox[0]) for line in lines]


def line_text(line: Sequence[Item], *, joiner: str = "") -> str:
    """One line's text: a space where the gap between two items is wider than a third of a line."""
    out = []
    prev: Item | None = None
    for item in line:
        if prev is not None:
            height = max(prev.bbox[3] - prev.bbox[1], item.bbox[3] - item.bbox[1])
            gap = item.bbox[0] - prev.bbox[2]
            wide = gap > height * 0.35 and (prev.text[-1:].isascii() or item.text[:1].isascii())
            out.append(" " if wide else joiner)
        out.append(item.text)
        prev = item
    return "".join(out).strip()


def cell_text(items: Sequence[Item], *, joiner: str = "") -> str:
    """A cell's lines, one per printed line; vertical writing (a character a line) read as one."""
    lines = [t for t in (line_text(line, joiner=joiner) for line in text_lines(items)) if t]
    if len(lines) > 2 and all(len(t) == 1 for t in lines):
        return "".join(lines)
    return "\n".join(lines)
