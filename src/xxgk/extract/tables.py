"""Reading one statistical table out of normalised text, in any layout.

The table is found by its row labels, in template order, inside its section. The values of a
row are the printed numbers between its label and the next row's label (or, when numbers come
before their labels, as in some PDF text, between the previous label and its own). Every
layout — one cell per line, tabs, pipes, markdown, cells run together — reduces to that.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from xxgk.extract.labels import (
    LIKENESS,
    LabelMatch,
    bare,
    canonical,
    find_phrase,
    find_phrases,
    find_row,
    likeness,
    phrase_pattern,
    strip_numbering,
    variants,
)
from xxgk.extract.split import Candidate, Closing, candidates, capacity, exact, placements
from xxgk.extract.tokens import CJK, Token, tokens
from xxgk.model import Value
from xxgk.templates import TEMPLATES, ColumnSpec, RowSpec, TableSpec, Template
from xxgk.templates.arithmetic import Identity, Positional, identities, table_identities

# readings of a table's lines in doubt tried (`_search`, each step of a branch counted) before
# its choice is left in doubt: a search of n combinations takes at most 2n steps, so every table
# of up to 4,096 combinations is searched whole; some 9 µs a step
SEARCH_BUDGET = 8192
KEEP_PER_LINE = 24
# how far before the next row found a row's misprinted label is looked for (its values between),
# in characters of words and numbers: table markup is not counted
LIKENESS_REACH = 160
# how far around a label other column labels make it part of a header (characters)
HEADER_REACH = 30


@dataclass(slots=True)
class Line:
    """A printed row, or for an unlabelled table the whole printed table, and its readings."""

    keys: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    label: LabelMatch | None
    toks: Sequence[Token] = ()  # replaced, never changed in place: no list per line
    options: Sequence[Candidate] = ()
    chosen: int = 0
    ambiguous: frozenset[str] | set[str] = frozenset()  # a set of its own once a cell is in doubt
    extra: int = 0

    @property
    def reading(self) -> Candidate | None:
        return self.options[self.chosen] if self.options else None

    @property
    def row_id(self) -> str:
        """The row of its first cell (for a table printed as one line, the first row)."""
        return self.keys[0].split(".")[1]


@dataclass(slots=True)
class TableReading:
    table: TableSpec
    lines: list[Line]
    span: tuple[int, int] | None
    numbers_first: bool = False
    concatenated: bool = False
    blanks_dropped: bool = False  # rows short of values were read with the blanks placed
    collapsed: list[str] = field(default_factory=list)
    misprinted: dict[str, str] = field(default_factory=dict)  # row id → the label as printed
    lost: list[Line] = field(default_factory=list)  # rows read from numbers whose label was lost
    denied: list[str] = field(default_factory=list)  # rows of `lost` an identity fails with
    unplaced: dict[str, str] = field(default_factory=dict)  # row id → numbers of a row that lost a cell
    # rows whose values are not printed after their labels, left unread: their ids, the numbers
    apart: list[dict[str, object]] = field(default_factory=list)
    # numbers after the first label found that no row took (values after a note, a header
    # printed again, a column printed after the labels)
    stray: Sequence[Token] = ()
    # a table printed as one line whose values are spread among its header's words: read in
    # printed order only where the arithmetic confirms it (`_read_among_header`)
    among_header: bool = False
    # the numbers so read, confirmed (for the finding that says so)
    read_among_header: str = ""

    rows_found: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows_found = sum(1 for line in self.lines if line.label is not None)  # lines are found by now

    @property
    def cells_found(self) -> int:
        """How much of the table this reading holds: compares printed occurrences of a section."""
        return sum(min(len(line.toks), len(line.columns)) for line in self.lines if line.label)

    @property
    def missing_rows(self) -> list[str]:
        if self.table.unlabelled:
            return [] if self.lines and self.lines[0].label is not None else [r.id for r in self.table.rows]
        return [line.row_id for line in self.lines if line.label is None]


def read_table(
    text: str,
    table: TableSpec,
    template: Template,
    spans: list[tuple[int, int]],
    others: Sequence[int] = (),
) -> TableReading:
    """The best reading of `table` among the printed occurrences of its section (the one with
    the most values where its labels are; the values are interpreted for that one only).

    A table not found in its section (or whose section has no heading found) is read where its
    own header is printed, up to the next heading of another section (`others`: where each
    begins), and not at all where it is not printed: never from the narrative's sentences or
    from another table, whose words and numbers a search of the whole text would take."""
    best: TableReading | None = None
    for span in spans:
        reading = _locate(text, table, span)
        if best is None or (reading.cells_found, reading.rows_found) > (best.cells_found, best.rows_found):
            best = reading
    if best is None or best.rows_found == 0:
        header = _header_start(text, table)
        if header is not None:
            end = min((start for start in others if start > header), default=len(text))
            whole = _locate(text, table, (header, end))
            if best is None or whole.rows_found > 0:
                best = whole
    if best is None:
        return _not_printed(table)
    if (
        (best.missing_rows or best.lost)
        and best.rows_found
        and best.span is not None
        and not table.unlabelled
    ):
        # rows not found (or read as lost labels): in the occurrence chosen only, look for labels
        # misprinted beyond their numbering (a likeness search, too slow to run on every
        # occurrence and template tried)
        best = _locate(text, table, best.span, alike=True)
    _choose(text, best, template)
    if (
        best.span is not None
        and not table.unlabelled
        and (
            _VALUES_ONLY_ROW.search(text, *best.span)
            # a row of blank cells read by its place only where rows are missing: it is more
            # often a header's padding
            or (best.missing_rows and _BLANK_ROW.search(text, *best.span))
        )
    ):
        by_rows = _markdown_rows(text, table, best.span)
        if by_rows is not None:
            _choose(text, by_rows, template)
            # more rows found or placed (a row that lost a cell is printed there, its numbers
            # reported, not missing); as many, when the arithmetic confirms every row placed (the
            # reading by labels pairs a label cut out of its row with whatever numbers follow it)
            # or when they hold more values (it finds a label cut out below its row, and no values)
            placed = by_rows.rows_found + len(by_rows.unplaced)
            confirmed = (
                by_rows.lost and not by_rows.unplaced and not any(line.ambiguous for line in by_rows.lost)
            )
            fuller = not by_rows.unplaced and by_rows.cells_found > best.cells_found
            if placed > best.rows_found or (placed == best.rows_found and (confirmed or fuller)):
                best = by_rows
    return best


# a markdown row of numbers (and placeholders, blanks) only: what `_markdown_rows` reads by place
_VALUES_ONLY_ROW = re.compile(
    r"^(?=[^\n]*\d)[ \t]*\|(?:[ \t]*(?:[\d.,]+|/|-{1,2}|—{1,2}|无)?[ \t]*\|)+[ \t]*$", re.M
)
# a markdown row of blank cells only: a row whose label was cut out, or a header's padding
_BLANK_ROW = re.compile(r"^[ \t]*\|(?:[ \t]*\|)+[ \t]*$", re.M)


HEADER_BACK = 200  # characters a table's header may take before the phrase that finds it


def _header_start(text: str, table: TableSpec) -> int | None:
    """Where the table's header is printed, if anywhere: its first anchor phrase; for a table
    that `found_by` phrases tell apart, the anchor just before one of them, else the phrase."""
    if not table.found_by:
        anchor = find_phrase(text, table.anchors, 0, len(text))
        return None if anchor is None else anchor.start
    header = find_phrase(text, table.found_by, 0, len(text))
    if header is None:
        return None
    before = find_phrase(text, table.anchors, max(0, header.start - HEADER_BACK), header.start)
    return (before or header).start


def _not_printed(table: TableSpec) -> TableReading:
    if table.unlabelled:
        keys, columns, _ = _unlabelled_layout(table)
        return TableReading(table, [Line(keys, columns, None)], None)
    return TableReading(table, _unfound_lines(table), None)


def _unfound_lines(table: TableSpec) -> list[Line]:
    """A line for each row of a labelled table, none found yet."""
    return [Line(keys, row.columns, None) for row, keys in zip(table.rows, _keys_by_row(table), strict=True)]


def _locate(text: str, table: TableSpec, span: tuple[int, int], *, alike: bool = False) -> TableReading:
    """The table's labels within `span` and the printed values that go with each (`alike`: rows
    not found are also looked for by a label alike to theirs)."""
    start, end = span
    anchor = find_phrase(text, table.anchors, start, end)
    if anchor is not None and not _row_before(text, table, start, anchor.start):
        start = anchor.start
    if table.unlabelled:
        return _unlabelled_reading(text, table, start, end, span)
    reading = _labelled_lines(text, table, start, end, span, alike)
    if start > span[0] and not reading.numbers_first:
        reading.stray = [*_among_column_labels(text, table, span[0], start), *reading.stray]
    if start > span[0] and reading.missing_rows:
        # rows printed above the header (a PDF's text may set the header below them): read from
        # the section's start too, and kept where that finds more rows
        whole = _labelled_lines(text, table, span[0], end, span, alike)
        if whole.rows_found > reading.rows_found:
            return whole
    return reading


def _among_column_labels(text: str, table: TableSpec, start: int, end: int) -> list[Token]:
    """The numbers between `start` and `end` (a section's text before its table's header, which
    begins at `end`) printed among the table's header words, each group of them with a column's
    label (or the header's words) just before it and just after it: pdfminer.six may set a
    table's first values among its column labels, above its header, apart from their rows. Prose
    before a table names no column."""
    found = tokens(text, start, end)
    header = _header_words(table)
    out: list[Token] = []
    group: list[Token] = []
    previous = start  # where the text before the group begins: the last group's end
    for token, after in zip(found, [*found[1:], None], strict=False):
        group.append(token)
        following_end = end if after is None else after.start
        if after is not None and not text[token.end : following_end].strip(" \t\n|"):
            continue  # the next number is the group's too
        before = text[previous : group[0].start].split()[-1:]
        following = text[token.end : following_end].split()[:1]  # none: the header follows
        if before and all(header.fullmatch(bare(word)) for word in (*before, *following)):
            out += group
        group, previous = [], token.end
    return out


@cache
def _header_words(table: TableSpec) -> re.Pattern[str]:
    """One or more of a labelled table's column labels and header words, run together."""
    labels = (column.label for row in table.rows for column in row.columns)
    pattern = phrase_pattern(tuple(dict.fromkeys((*labels, *table.noise, *table.anchors))))
    return re.compile(f"(?:{pattern.pattern})+")


def _column_labels(tables: Iterable[TableSpec]) -> re.Pattern[str]:
    labels = (column.label for table in tables for row in table.rows for column in row.columns)
    return phrase_pattern(tuple(dict.fromkeys(labels)))


@cache
def _own_column_labels(table: TableSpec) -> re.Pattern[str]:
    return _column_labels((table,))


@cache
def _any_column_labels() -> re.Pattern[str]:
    return _column_labels(t for template in TEMPLATES.values() for t in template.tables)


def _in_header_line(text: str, table: TableSpec, match: LabelMatch) -> bool:
    """A label that is also a column's (总计) found among the column labels of a header line, not
    at the head of a row: a table restarted after a page break repeats its header, and
    machine-made markdown may print a header (its own or another table's) inside the table."""
    found = bare(text[match.start : match.end])
    if not _own_column_labels(table).fullmatch(found):
        return False
    line_start = max(text.rfind("\n", 0, match.start) + 1, match.start - HEADER_REACH)
    line_end = text.find("\n", match.end, match.end + HEADER_REACH)
    line = text[line_start : match.end + HEADER_REACH if line_end < 0 else line_end]
    others = set(_any_column_labels().findall(bare(line))) - {found}
    # a line of labels without a number is a header with fewer of them (总计 beside 自然人 and
    # a group label); a row's label stands alone, or beside its values
    return len(others) >= 3 or (len(others) >= 1 and not any(ch.isdigit() for ch in line))


def _row_before(text: str, table: TableSpec, start: int, anchor: int) -> bool:
    """The table's first row printed in a table line before its header (machine-made markdown
    may drop a header row below the rows it heads)."""
    if table.unlabelled:
        return False
    first = find_row(text, table.rows[0], start, anchor)
    if first is None:
        return False
    line_start = text.rfind("\n", 0, first.start) + 1
    return text[line_start : first.start].strip().startswith("|")


@cache
def _unlabelled_layout(table: TableSpec) -> tuple[tuple[str, ...], tuple[ColumnSpec, ...], tuple[str, ...]]:
    """The keys and columns of a table printed as one line, and the header phrases before it."""
    keys = tuple(key for row_keys in _keys_by_row(table) for key in row_keys)
    columns = tuple(col for row in table.rows for col in row.columns)
    header = (*table.noise, *(r.label for r in table.rows), *(c.label for c in columns))
    return keys, columns, header


def _unlabelled_reading(
    text: str, table: TableSpec, start: int, end: int, span: tuple[int, int]
) -> TableReading:
    keys, columns, header = _unlabelled_layout(table)
    row = _row_of_values(text, start, end, len(columns))
    marks = find_phrases(text, header, start, end) if row is None else []
    if row is None and not marks:  # no header: the row alone in its section, or not printed
        alone = tokens(text, start, end)
        if alone and len(alone) <= len(columns) <= sum(map(capacity, alone)):
            row = alone
    if row is not None:
        line = Line(keys, columns, LabelMatch(row[0].start, row[0].start))
        line.toks = row
        return TableReading(table, [line], span)
    if not marks:
        return TableReading(table, [Line(keys, columns, None)], span)
    every = tokens(text, start, end, [(m.start, m.end) for m in marks])
    grouped = _by_group(text, table, every, start, end)
    if grouped is not None:
        return TableReading(table, [grouped], span)
    starts = [t.start for t in every]
    # the values follow the header phrase after which most values are printed (narrative that
    # mentions 行政复议 before or after the table holds few)
    best, best_range, best_cells = marks[-1], (0, 0), 0
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        low = bisect.bisect_left(starts, mark.end)
        high = bisect.bisect_left(starts, nxt.start if nxt else end)
        high = _sentence_between(text, every, low, high)
        # digits run together count as the cells they can hold
        cells = min(len(columns), sum(map(capacity, every[low:high]))) if high > low else 0
        if cells >= best_cells:
            best, best_range, best_cells = mark, (low, high), cells
    line = Line(keys, columns, best)
    low, high = best_range
    among = 0 < high - low < len(columns)
    if among:  # fewer values than cells: more may stand among the header's words around them
        low, high = _among_header(text, table, every, low, high)
        among = high - low > best_range[1] - best_range[0]
    line.toks = every[low:high]
    return TableReading(table, [line], span, among_header=among)


@cache
def _header_characters(table: TableSpec) -> frozenset[str]:
    """The characters of a table's header phrases, and what may stand between them."""
    _, _, header = _unlabelled_layout(table)
    return frozenset("".join(canonical(phrase) for phrase in header)) | frozenset(string.whitespace + "|")


def _header_between(text: str, table: TableSpec, a: Token, b: Token) -> bool:
    """Whether nothing but the header's words (and spaces, cell borders) stands between two values."""
    return _header_characters(table).issuperset(text[a.end : b.start])


# what ends a sentence or a clause, as normalised: between two values, they are prose's
_SENTENCE_STOP = re.compile(r"[。,;]")


def _sentence_between(text: str, every: list[Token], low: int, high: int) -> int:
    """Where the run `every[low:high]` ends: at the first value that the end of a sentence or a
    clause parts from the one before ("行政诉讼0件。" then another table's numbers). A cell's unit
    ("0件") or border between values does not end it."""
    for k in range(low + 1, high):
        if _SENTENCE_STOP.search(text, every[k - 1].end, every[k].start):
            return k
    return high


def _among_header(text: str, table: TableSpec, every: list[Token], low: int, high: int) -> tuple[int, int]:
    """The run `every[low:high]` widened by the values before and after it that nothing but the
    header's words parts from it: plain text taken out of a PDF sets a table's header cells,
    printed a character a line, among its values (`376 复 议 后 起 诉 结 果 纠 正 97 196 …`)."""
    while low > 0 and _header_between(text, table, every[low - 1], every[low]):
        low -= 1
    while high < len(every) and _header_between(text, table, every[high - 1], every[high]):
        high += 1
    return low, high


_CELL_BORDERS = re.compile(r"[\s|]*")


def _row_of_values(text: str, start: int, end: int, width: int) -> list[Token] | None:
    """A table printed as one line: a line of cells between | or tabs holding exactly its number of
    values and nothing else (what its header says does not matter: machine-made markdown may
    have lost it or put placeholders there)."""
    at = start
    while (stop := text.find("\n", at, end)) >= 0 or at < end:
        stop = end if stop < 0 else stop
        line = text[at:stop]
        if line.count("|") >= width or line.count("\t") >= width - 1:  # a border between each two
            found = tokens(text, at, stop)
            if len(found) == width and _CELL_BORDERS.fullmatch(_between_tokens(text, at, stop, found)):
                return found
        at = stop + 1
    return None


_MARKDOWN_ROW = re.compile(r"^[ \t]*\|.*$", re.M)
# a markdown row of a label and blank cells only (a header row prints more than one cell)
_LABEL_ONLY_ROW = re.compile(r"[ \t]*\|[^\S\n]*[^\s|][^|\n]*(?:\|[ \t]*)+")


def _markdown_rows(text: str, table: TableSpec, span: tuple[int, int]) -> TableReading | None:
    """The table read from its markdown rows alone, where some rows hold values only: a PDF made
    into markdown may cut a row's label out of its row and print it as a line of its own,
    anywhere around (or lose it). A row whose label its own markdown row prints is found there;
    the rows of values only between two rows found (or before the first, or after the last) are
    the rows between them whose labels were cut out, in order, when they are as many and each
    has the row's number of cells; they are in doubt unless the arithmetic confirms them
    (`_confirm_lost`). None where no row is read so."""
    printed: list[tuple[int, int, list[Token], bool]] = []  # (start, end, values, values only)
    for row in _MARKDOWN_ROW.finditer(text, *span):
        at, stop = row.span()
        values = tokens(text, at, stop)
        if any(token.number is not None for token in values):  # not a header or a rule line
            only = _CELL_BORDERS.fullmatch(_between_tokens(text, at, stop, values)) is not None
            printed.append((at, stop, values, only))
        elif _BLANK_ROW.fullmatch(text, at, stop):  # a row of blank cells only
            printed.append((at, stop, [], True))
        elif _LABEL_ONLY_ROW.fullmatch(text, at, stop):  # a row whose cells are all left blank
            printed.append((at, stop, [], False))
    if not any(only for *_, only in printed):
        return None
    rows = table.rows
    found: list[tuple[int, LabelMatch, list[Token]]] = []  # (row index, its label, its values)
    # (rows found before it, where it starts, its cells (None: not one value each), its values)
    values_only: list[tuple[int, int, list[Token | None] | None, list[Token]]] = []
    for at, stop, values, only in printed:
        if only:
            cells = _cells_in_place(text, at, stop, "|", values, label_cell=True)
            values_only.append((len(found), at, cells, values))
            continue
        first = found[-1][0] + 1 if found else 0
        match = next(
            ((i, m) for i in range(first, len(rows)) if (m := find_row(text, rows[i], at, stop)) is not None),
            None,
        )
        if match is not None:
            found.append((match[0], match[1], tokens(text, match[1].end, stop)))
    if not found:
        return None
    lines = _unfound_lines(table)
    for index, match, values in found:
        lines[index].label, lines[index].toks = match, values
    lost: list[Line] = []
    unplaced: dict[str, str] = {}
    for after in range(len(found) + 1):
        # a row of blank cells counts between rows found only: before the first and after the
        # last, it may be a header's padding
        given = [
            (at, cells, values)
            for before, at, cells, values in values_only
            if before == after and (values or 0 < after < len(found))
        ]
        low = found[after - 1][0] + 1 if after else 0
        high = found[after][0] if after < len(found) else len(rows)
        missing = lines[low:high]
        if not given or len(given) != len(missing):
            continue
        for (at, cells, values), line in zip(given, missing, strict=True):
            # a row of as many cells as the row has (a blank one too), or one more, the first
            # empty (the label's); else of as many values; else a cell of it was lost, which one
            # nothing tells: its numbers are reported, not read
            width = len(line.columns)
            if cells is not None and len(cells) == width + 1 and cells[0] is None:
                # the label's cell, left empty: the row's cells follow it
                line.label, line.toks = LabelMatch(at, text.index("|", text.index("|", at) + 1)), values
                lost.append(line)
            elif (cells is not None and len(cells) == width) or len(values) == width:
                # its label, were it printed, would be the row's first cell
                line.label, line.toks = LabelMatch(at, at), values
                lost.append(line)
            elif values:
                unplaced[line.row_id] = _as_printed(values)
    if not lost and not unplaced:
        return None
    reading = TableReading(table, lines, span)
    reading.lost, reading.unplaced = lost, unplaced
    return reading


def _between_tokens(text: str, start: int, end: int, values: list[Token]) -> str:
    """What a line prints besides its values."""
    rest = "".join(text[a.end : b.start] for a, b in itertools.pairwise(values))
    return text[start : values[0].start] + rest + text[values[-1].end : end]


def _by_group(text: str, table: TableSpec, every: list[Token], start: int, end: int) -> Line | None:
    """A table printed as one line per group, each under its own heading (machine-made markdown
    splits table 四 so: "### 行政复议", its five values, "### 行政诉讼（未经复议直接起诉）", …): read
    so when each group's heading is followed by exactly its own number of values."""
    keys, columns, _ = _unlabelled_layout(table)
    starts = [t.start for t in every]
    found: list[LabelMatch] = []
    cursor = start
    for row in table.rows:
        match = find_row(text, row, cursor, end)
        if match is None:
            return None
        found.append(match)
        cursor = match.end
    # the last heading of a group before the next group's (the section title names them too)
    for i in range(len(found) - 1):
        while (later := find_row(text, table.rows[i], found[i].end, found[i + 1].start)) is not None:
            found[i] = later
    ends = [m.start for m in found[1:]] + [end]
    toks: list[Token] = []
    for row, match, stop in zip(table.rows, found, ends, strict=True):
        mine = every[bisect.bisect_left(starts, match.end) : bisect.bisect_left(starts, stop)]
        if len(mine) != len(row.columns):
            return None
        toks += mine
    line = Line(keys, columns, found[0])
    line.toks = toks
    return line


def _labelled_lines(
    text: str, table: TableSpec, start: int, end: int, span: tuple[int, int], alike: bool
) -> TableReading:
    matches: list[LabelMatch | None] = []
    collapsed: list[str] = []
    cursor = start
    for row in table.rows:
        match = find_row(text, row, cursor, end)
        while match is not None and _in_header_line(text, table, match):
            match = find_row(text, row, match.end, end)  # 总计 is a column's label too
        if match is None and row.collapsed:
            match = find_row(text, row, cursor, end, collapsed=True)
            if match is not None:
                collapsed.append(row.id)
        elif match is not None:
            head = _head_above(text, row, match, cursor)
            if head is not None:  # found by its last words: its values follow its first words
                match, cursor = head, match.end
        matches.append(match)
        if match is not None:
            cursor = max(cursor, match.end)
    misprinted = _by_numbering(text, table, matches, start, end, alike)
    _around_values(text, table, matches, start, end)
    moved = _rows_printed_before(text, table, matches, start)
    for row, match in zip(table.rows, matches, strict=True):
        if match is not None and row.id not in misprinted and row.id not in collapsed:
            printed = _typo_before_variant(text, table, row, match)
            if printed is not None:
                misprinted[row.id] = printed
    for row, match in zip(table.rows, matches, strict=True):
        if (
            row.id in misprinted
            and match is not None
            and _wrapped(text, row, misprinted[row.id], match, matches, end)
        ):
            del misprinted[row.id]  # the whole label, its last words printed on the lines below
    lines = [
        Line(keys, row.columns, match)
        for row, keys, match in zip(table.rows, _keys_by_row(table), matches, strict=True)
    ]
    found = [line for line in lines if line.label is not None]
    if moved:  # the values of a label lie after it up to the next label printed
        found.sort(key=lambda line: line.label.start)  # type: ignore[union-attr]
    bounds = [(line.label.start, line.label.end) for line in found]  # type: ignore[union-attr]
    if not bounds:
        return TableReading(table, lines, span, collapsed=collapsed, misprinted=misprinted)
    every = tokens(text, start, end, bounds)
    starts = [t.start for t in every]
    # the values of label i lie between its end and the next label's start (or, numbers first,
    # between the previous label's end and its start): as index ranges into `every`
    label_starts = [bisect.bisect_left(starts, a) for a, _ in bounds]
    label_ends = [bisect.bisect_left(starts, b) for _, b in bounds]
    # the last row's values end where words begin again after its first value (a note under the
    # table, the next section's heading or table): their numbers are none of its cells
    first = label_ends[-1]
    last = (
        len(every)
        if first == len(every)
        else bisect.bisect_left(starts, _words_after(text, every[first].end, end))
    )
    printed_after = list(zip(label_ends, [*label_starts[1:], last], strict=True))
    after = [
        (a, b)
        if b - a <= len(line.columns)
        else _before_repeated_label(text, table, line, every, starts, a, b)
        for (a, b), line in zip(printed_after, found, strict=True)
    ]
    # the values under a page of the table printed again: no row's, and no stray either
    again = {token.start for (_, b), (_, c) in zip(after, printed_after, strict=True) for token in every[b:c]}
    for i in range(len(after) - 1):
        after[i], after[i + 1] = _split_at_group(text, table, every, found[i : i + 2], after[i], after[i + 1])
    before = list(zip([0, *label_ends[:-1]], label_starts, strict=True))
    fits_after = sum(b - a == len(line.columns) for (a, b), line in zip(after, found, strict=True))
    # numbers before labels happen in PDF text, where values are spaced; a table whose cells
    # ran together is read the usual way round (chance fits must not turn it)
    numbers_first = (
        fits_after < len(found)  # else no other way round can fit better
        and sum(b - a == len(line.columns) for (a, b), line in zip(before, found, strict=True)) > fits_after
        and not _run_together(found, [every[a:b] for a, b in after])
    )
    for line, (a, b) in zip(found, before if numbers_first else after, strict=True):
        line.toks = every[a:b]
    lost = [] if numbers_first or moved else _lost_labels(text, lines)
    reading = TableReading(
        table, lines, span, numbers_first=numbers_first, collapsed=collapsed, misprinted=misprinted
    )
    reading.lost = lost
    if not numbers_first:
        taken = again.union(token.start for line in found for token in line.toks)
        reading.stray = [token for token in every[min(label_ends) :] if token.start not in taken]
    return reading


def _split_at_group(
    text: str,
    table: TableSpec,
    every: list[Token],
    lines: list[Line],
    these: tuple[int, int],
    nexts: tuple[int, int],
) -> tuple[tuple[int, int], tuple[int, int]]:
    """A row followed by values after words, the next row none and heading a group: the values
    after the last words are the next row's, printed above its label, the group's label wrapped
    over lines before them ("三、本年度办理结 / 7 0 0 … / 果 (一)予以公开", as a PDF's text sets a
    table without rules). The ranges into `every` of the two rows, so split, else as given."""
    (a, b), (c, d) = these, nexts
    if c != d or b - a < 2 or not table.row(lines[1].row_id).group:
        return these, nexts
    cut = next((k for k in range(b - 1, a, -1) if CJK.search(text, every[k - 1].end, every[k].start)), None)
    if cut is None or cut - a > len(lines[0].columns) or b - cut > len(lines[1].columns):
        return these, nexts
    return (a, cut), (cut, b)


def _before_repeated_label(
    text: str, table: TableSpec, line: Line, every: list[Token], starts: list[int], a: int, b: int
) -> tuple[int, int]:
    """A row's values (`every[a:b]`, more than its cells) end before the label of a row before it
    printed among them, numbering included (`find_row`): a page of the table printed again is
    none of its values. Later rows' labels are not looked for: 总计 heads a column too, in a
    header printed again."""
    row = _row_order(table)[line.row_id]
    found = (find_row(text, earlier, every[a].end, every[b - 1].start) for earlier in table.rows[:row])
    again = min((match.start for match in found if match is not None), default=None)
    return (a, b) if again is None else (a, bisect.bisect_left(starts, again))


@cache
def _row_order(table: TableSpec) -> dict[str, int]:
    return {row.id: i for i, row in enumerate(table.rows)}


# words: two CJK characters in a row that are not a unit (万元); a note in brackets is passed over
_WORDS_AGAIN = re.compile(r"\([^()\n]*\)|(?:(?!万元)[\u4e00-\u9fff]){2}")


def _words_after(text: str, start: int, end: int) -> int:
    """Where the first words after `start` begin (`end` if none)."""
    for words in _WORDS_AGAIN.finditer(text, start, end):
        if words.group()[0] != "(":
            return words.start()
    return end


# what may follow a row's label on its line when the line is a table's: values, placeholders, pipes
_VALUES_ONLY = re.compile(
    r"(?:[ \t|]*(?:[-+]?[0-9][0-9,]*(?:\.[0-9]+)?[ ]?(?:万元|元)?|[-—/]{1,2}|无))+[ \t|]*(?=\n|$)"
)


def _rows_printed_before(text: str, table: TableSpec, matches: list[LabelMatch | None], start: int) -> bool:
    """Rows after the last one found, printed before the first one found, each on a line of its
    own with its values and nothing else: a PDF's text may set a table's later parts (第二十条
    (五), (六), (八)) above the header of its first. `matches` is completed in place; returns
    whether any was. Prose mentioning a row's label ("办理行政许可1234件") is no such line."""
    found = [i for i, match in enumerate(matches) if match is not None]
    if not found:
        return False
    first = matches[found[0]].start  # type: ignore[union-attr]
    cursor, moved = start, False
    for i in range(found[-1] + 1, len(matches)):
        match = find_row(text, table.rows[i], cursor, first)
        if match is None:
            continue
        line_start = text.rfind("\n", 0, match.start) + 1
        if text[line_start : match.start].strip(" \t|") or not _VALUES_ONLY.match(text, match.end):
            continue
        matches[i], cursor, moved = match, match.end, True
    return moved


def _lost_labels(text: str, lines: list[Line]) -> list[Line]:
    """Lines of bare numbers whose label was lost (machine-made markdown drops label cells):
    after a found row come more values than it has cells, on lines of their own, exactly as
    many as the missing rows that follow it have. They are given to those rows in printed order,
    for the arithmetic to confirm (`_confirm_lost`); returns the lines so filled."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and lines[j].label is None:
            j += 1
        missing = lines[i + 1 : j]
        own = len(line.columns)
        if line.label is None or not missing or len(line.toks) != own + sum(len(m.columns) for m in missing):
            i = j
            continue
        toks, at = line.toks, own
        if text.count("\n", toks[own - 1].end, toks[own].start) == 0:
            i = j
            continue  # the values go on on the row's own line: not a line of their own
        line.toks = toks[:own]
        for row in missing:
            row.toks = toks[at : at + len(row.columns)]
            row.label = LabelMatch(row.toks[0].start, row.toks[0].start)  # where its label would be
            at += len(row.columns)
            out.append(row)
        i = j
    return out


@cache
def _keys_by_row(table: TableSpec) -> tuple[tuple[str, ...], ...]:
    return tuple(table.row_keys(row) for row in table.rows)


@cache
def _numbered_label(digits: str) -> re.Pattern[str]:
    # its words may be spaced out ("4. 保 护 第 三 方": a PDF's justified text, scraped)
    return re.compile(rf"(?<![\d.]){digits}[.、][ \t]?[^\d\s|()](?:[ \t]?[^\d\s|()]){{1,39}}")


# a stretch of text that may be a label: no digits, spaces or cell borders
_WORDS = re.compile(r"[^\d\s|]{2,60}")


@cache
def _known_phrases(table: TableSpec) -> frozenset[str]:
    """Every label, variant, group label and header phrase the table prints, as compared."""
    phrases = [*table.noise]
    for row in table.rows:
        phrases += [row.label, *row.aliases, row.group or "", row.collapsed or ""]
    return frozenset(canonical(strip_numbering(p)) for p in phrases if p)


def _between_found(matches: list[LabelMatch | None], i: int, start: int, end: int) -> tuple[int, int]:
    """Where the rows found around row `i` end and begin (`start` and `end` where there are none)."""
    before = next((m.end for m in reversed(matches[:i]) if m is not None), start)
    after = next((m.start for m in matches[i + 1 :] if m is not None), end)
    return before, after


def _around_values(
    text: str, table: TableSpec, matches: list[LabelMatch | None], start: int, end: int
) -> None:
    """Rows not found whose labels are printed around their values ("(一)予以 / 26 26 / 公开": a
    PDF table without rules wraps a label, and its text sets the values between the lines),
    found between the rows found around them in the text with its values blanked; the label is
    its words before the values. `matches` is completed in place."""
    for i, (row, match) in enumerate(zip(table.rows, matches, strict=True)):
        if match is not None:
            continue
        before, after = _between_found(matches, i, start, end)
        values = tokens(text, before, after)
        if not values:
            continue
        blanked = _blanked(text, before, after, [(value.start, value.end) for value in values])
        found = find_row(blanked, row, 0, after - before)
        inside = [value for value in values if found and found.start < value.start - before < found.end]
        if found is not None and inside:
            matches[i] = LabelMatch(
                before + found.start, _words_end(text, before + found.start, inside[0].start)
            )


def _blanked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """text[start:end] with the spans given (absolute, within it) as spaces: a label is looked for
    with the values (or the labels found) out of its way, at the same places. A span overlapping
    one before it is left as printed."""
    pieces, at = [], start
    for a, b in sorted(spans):
        if a >= at:
            pieces += [text[at:a], " " * (b - a)]
            at = b
    return "".join([*pieces, text[at:end]])


def _words_end(text: str, start: int, stop: int) -> int:
    """Where the words from `start` end before `stop` (spaces and line breaks after them left out)."""
    return start + len(text[start:stop].rstrip())


def _by_numbering(
    text: str, table: TableSpec, matches: list[LabelMatch | None], start: int, end: int, alike: bool
) -> dict[str, str]:
    """Rows whose label is misprinted ("2.其他法律行政止公开"), found between the rows found
    around them by their own numbering, else by a label alike to theirs; `matches` is completed
    in place. Returns each such row with its label as printed."""
    misprinted = {}
    for i, (row, match) in enumerate(zip(table.rows, matches, strict=True)):
        if match is not None:
            continue
        before, after = _between_found(matches, i, start, end)
        digits = row.enum[:-1] if row.enum and row.enum[0].isdigit() else None
        found = _numbered_label(digits).search(text, before, after) if digits else None
        if found is None and alike:
            # a label with a typo stands with its values right before the next row found
            near = _back_over(text, before, after, LIKENESS_REACH + len(row.label) * 2)
            known = _known_phrases(table)
            alike = [
                (likeness(m.group(), row), m)
                for m in _WORDS.finditer(text, near, after)
                if canonical(strip_numbering(m.group())) not in known  # another row's or a group's
            ]
            best = max(alike, key=lambda pair: pair[0], default=None)
            found = best[1] if best is not None and best[0] >= LIKENESS else None
        if found is not None:
            matches[i] = LabelMatch(found.start(), found.end())
            misprinted[row.id] = found.group()
    return misprinted


_CONTENT = re.compile(r"[^\s|:-]+")  # what is not table markup: pipes, rules, spaces


def _back_over(text: str, start: int, end: int, reach: int) -> int:
    """Where `reach` characters of words and numbers before `end` begin (not before `start`):
    machine-made markdown pads a table with markup, a rule line or an empty row between two rows."""
    for run in reversed([m.span() for m in _CONTENT.finditer(text, start, end)]):
        if run[1] - run[0] >= reach:
            return run[1] - reach
        reach -= run[1] - run[0]
    return start


_WORDS_BEFORE = re.compile(r"[^\d\s|]{1,60}$")
_WORDS_AFTER = re.compile(r"[^\d\s|]{1,60}")


_WORD_CHARACTER = re.compile(r"[^\d\s|]")


def _word_before(text: str, low: int, end: int) -> bool:
    """Whether `_WORDS_BEFORE` can match between `low` and `end`: a character of words ends the
    stretch (its `$` also matches before a last newline), told by one character or two."""
    at = end - 1
    if at >= low and text[at] == "\n":
        at -= 1
    return at >= low and _WORD_CHARACTER.match(text, at) is not None


def _head_above(text: str, row: RowSpec, match: LabelMatch, low: int) -> LabelMatch | None:
    """Where a label found by later words of it (an alias: "禁止公开") has its first words printed
    above its values ("2.其他法律行政法规 / 30 0 0 … / 禁止公开": a table without rules wraps a
    long label, and a PDF's text, or text scraped from it, sets the values between its lines),
    the label's first words: the row is read from there. None for most labels, printed whole."""
    words = canonical(text[match.start : match.end])
    heads = [v[: v.find(words)] for v in variants(row) if v.find(words) > 0]
    if not heads:
        return None
    pieces = list(_WORDS_AFTER.finditer(text, low, match.start))
    for head in heads:
        # the head as pieces in order, the last such nearest the values (each piece taken or not):
        # how much of the head is made → the pieces that make it
        begun: dict[int, tuple[tuple[int, int], ...]] = {}
        made: tuple[tuple[int, int], ...] = ()
        for piece in pieces:
            said = canonical(piece.group()).lstrip(".、")  # "2.其他…": the numbering's stop
            if not said:
                continue
            taken = (piece.end() - len(said), piece.end())
            grown = {
                at + len(said): (*used, taken) for at, used in begun.items() if head.startswith(said, at)
            }
            if head.startswith(said):
                grown[len(said)] = (taken,)
            begun.update(grown)
            if len(head) in grown:
                made = grown[len(head)]
        if not made:
            continue
        first = made[0][0]
        # its values: after its first words or among them (a word of the head is no value: "无")
        values = tokens(text, first, match.start, list(made))
        if 0 < len(values) <= len(row.columns):
            last = max(b for a, b in made if a < values[0].start)
            return LabelMatch(_numbering_before(text, first, row), last)
    return None


def _numbering_before(text: str, at: int, row: RowSpec) -> int:
    """Where the row's numbering ("2.", "5. ") printed just before `at` begins, else `at`."""
    enum = (row.enum or "")[:-1]
    stop = at
    while stop > 0 and text[stop - 1] in " \t":
        stop -= 1
    begin = stop - 1 - len(enum)
    numbered = enum.isdigit() and begin >= 0 and text[stop - 1 : stop] in (".", "、")
    if numbered and text.startswith(enum, begin) and (begin == 0 or not text[begin - 1].isdigit()):
        return begin
    return at


def _wrapped(
    text: str, row: RowSpec, printed: str, match: LabelMatch, matches: list[LabelMatch | None], end: int
) -> bool:
    """A label found by its first words (`printed`, or the words from where it was found to the
    end of their line: what ends the line before may be a header's or another label's) whose
    other words follow below it, before the next row's label: a PDF table without rules (or its
    text scraped) wraps a long label over lines, and the row's values and the pieces of a
    group's label printed beside it come between its lines. The rest of the label must be made
    of those pieces, in order."""
    on_its_line = _WORDS_AFTER.match(text, match.end)
    # as labels are looked for: without what may stand inside one (a cell's borders, where a
    # delimited row wraps its label cell over lines beside the other cells' borders)
    heads = {
        strip_numbering(bare(printed)),
        strip_numbering(bare(text[match.start : on_its_line.end() if on_its_line else match.end])),
    }
    limit = min((m.start for m in matches if m is not None and m.start >= match.end), default=end)
    pieces = [canonical(m.group()) for m in _WORDS_AFTER.finditer(text, match.end, limit)]
    for variant in variants(row):
        for words in heads:
            if not words or not variant.startswith(words) or variant == words:
                continue
            rest = variant[len(words) :]
            reached = {0}  # how much of the rest the pieces so far can make (each taken or not)
            for piece in pieces:
                reached |= {at + len(piece) for at in reached if rest.startswith(piece, at)}
                if len(rest) in reached:
                    return True
    return False


def _typo_before_variant(text: str, table: TableSpec, row: RowSpec, match: LabelMatch) -> str | None:
    """A label found by a short variant ("国家秘密") with other words printed right before it in
    the same cell ("1.于国家秘密"): the label as printed when those words make it the
    statutory label with a typo, else None."""
    low = max(0, match.start - len(row.label))
    if not _word_before(text, low, match.start):
        return None  # most labels: what precedes them is a number, a space or a border
    before = _WORDS_BEFORE.search(text, low, match.start)
    if before is None or canonical(strip_numbering(before.group())) in _known_phrases(table):
        return None  # nothing before it in its cell (most labels), or a group's label
    if canonical(strip_numbering(text[match.start : match.end])) == variants(row)[0]:
        return None  # the whole label, as the format prints it
    after = _WORDS_AFTER.match(text, match.end, match.end + len(row.label))
    printed = before.group() + text[match.start : match.end] + (after.group() if after else "")
    enum = row.enum or ""
    if enum[:1].isdigit() and text.startswith(enum[:-1], before.start() - len(enum) + 1):
        printed = enum[:-1] + printed  # the row's own numbering, glued to what is before it
    if canonical(strip_numbering(printed)) in variants(row) or likeness(printed, row) < LIKENESS:
        return None
    return printed


def _delimited_cells(
    text: str, line: Line, toks: Sequence[Token], *, unlabelled: bool = False
) -> list[Token | None] | None:
    """Where cells are delimited (| or tab), an empty cell between delimiters is a blank cell.

    When the printed line holds exactly one cell per column after its label, each is taken in
    place (a blank first cell too). Otherwise leading empty cells are the rest of the label cell
    or markdown padding and are skipped, and each other cell must hold one value. None when the
    layout does not say where blanks are.
    """
    if not toks or line.label is None:
        return None
    start, end = line.label.end, toks[-1].end
    segment = text[start:end]
    delimiter = "|" if "|" in segment else "\t" if "\t" in segment else None
    if delimiter is None:
        return None
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    own_end = text.find("\n", start, end)
    if not unlabelled and own_end >= 0:
        # the row's own line holds a cell for each column: values on the lines after it are not
        # its (a page's number, a line astray)
        own = [token for token in toks if token.start < own_end]
        whole = _cells_in_place(text, start, own_end, delimiter, own, label_cell=True)
        if own and whole is not None and len(whole) == len(line.columns):
            return whole
    if unlabelled:  # the values stand on a line of their own, after the header
        start = text.rfind("\n", 0, toks[0].start) + 1
        if text.find("\n", start, end) >= 0:
            return None
    whole = _cells_in_place(text, start, line_end, delimiter, toks, label_cell=not unlabelled)
    if whole is not None and len(whole) == len(line.columns):
        return whole
    if delimiter == "\t" and text[start:line_end].endswith("\t"):
        # a tab closes no row as a pipe does: after the last one is an empty cell
        whole = _cells_in_place(text, start, line_end, delimiter, toks, label_cell=not unlabelled, last=True)
        if whole is not None and len(whole) == len(line.columns):
            return whole
    if unlabelled:
        return None
    cells: list[Token | None] = []
    pos = start
    pending = iter(toks)
    upcoming = next(pending, None)
    for piece in segment.split(delimiter):
        piece_end = pos + len(piece)
        inside = []
        while upcoming is not None and upcoming.start < piece_end:
            inside.append(upcoming)
            upcoming = next(pending, None)
        if len(inside) > 1:
            return None
        if inside:
            cells.append(inside[0])
        elif not piece.strip() and cells:
            cells.append(None)
        pos = piece_end + 1
    while cells and cells[-1] is None:
        cells.pop()
    if len(cells) > len(line.columns) or (len(cells) < len(line.columns) and None not in cells):
        return None  # more values than cells, or fewer with nothing to show where the blanks are
    return cells


def _cells_in_place(
    text: str,
    start: int,
    end: int,
    delimiter: str,
    toks: Sequence[Token],
    *,
    label_cell: bool,
    last: bool = False,
) -> list[Token | None] | None:
    """The cells of a printed line (after its label cell), each a token or a blank (None when a
    cell holds more than one value or text that is not one); `last`: what follows the last
    delimiter is a cell, even empty."""
    pieces = text[start:end].split(delimiter)
    pos = start
    if label_cell or not pieces[0].strip():  # the rest of the label cell, or before the first pipe
        pos += len(pieces.pop(0)) + 1
    if pieces and not pieces[-1].strip() and not last:
        pieces.pop()  # after the closing pipe
    cells: list[Token | None] = []
    by_start = {t.start: t for t in toks}
    for piece in pieces:
        inside = [by_start[i] for i in range(pos, pos + len(piece)) if i in by_start]
        if len(inside) > 1 or (not inside and piece.strip()):
            return None
        cells.append(inside[0] if inside else None)
        pos += len(piece) + 1
    return cells


def _run_together(lines: list[Line], toks: list[Sequence[Token]]) -> bool:
    """Cells ran together: a value that cannot be one number ('0181'), or most rows of several
    columns with fewer values than columns (where blank cells may as well have been dropped)."""
    return _cannot_be_one(toks) or _mostly_short(lines, toks)


def _mostly_short(lines: list[Line], toks: list[Sequence[Token]]) -> bool:
    wide = [(line, t) for line, t in zip(lines, toks, strict=True) if len(line.columns) > 1]
    short = sum(1 for line, t in wide if 0 < len(t) < len(line.columns))
    return short * 2 > len(wide) > 0


def _cannot_be_one(toks: list[Sequence[Token]]) -> bool:
    """A value that cannot be one number ('0181'): cells surely ran together."""
    for line_toks in toks:
        for token in line_toks:
            number = token.number
            if number and number[0] == "0" and len(number) > 1 and number[1] != ".":
                return True
    return False


def _choose(text: str, reading: TableReading, template: Template) -> None:
    """Fill each line's options and pick the reading the template's arithmetic admits."""
    found = [line for line in reading.lines if line.label is not None]
    arithmetic = table_identities(template, reading.table.id)
    if not reading.numbers_first and not reading.table.unlabelled:
        _leave_values_apart(reading, found)
        _leave_rows_for_strays(text, reading, found, arithmetic.within)
        _rows_out_of_order(text, reading, found)
    if reading.among_header:
        _read_among_header(reading, found[0], arithmetic.within.get(_line_id(reading, found[0]), ()))
    printed = [line.toks for line in found]
    surely = _cannot_be_one(printed)  # cells ran together, not blanks dropped
    reading.concatenated = surely or _mostly_short(found, printed)
    for line in found:
        n = len(line.columns)
        toks = line.toks
        if len(toks) > n:
            line.extra = len(toks) - n
            toks = toks[-n:] if reading.numbers_first else toks[:n]
        options = []
        if len(toks) < n:
            delimited = _delimited_cells(text, line, toks, unlabelled=reading.table.unlabelled)
            if delimited is not None:
                toks = delimited  # cells between | or tabs: an empty one is a blank, not a split
            else:
                own = arithmetic.within.get(_line_id(reading, line), ())
                closing = _closing(line.keys, own) if own else None
                if reading.concatenated and any(t.splittable for t in toks):
                    # cut with the line's own identities (the search stays small), else without
                    options = candidates(toks, line.columns, closing) if closing else []
                    options = options or candidates(toks, line.columns)
                    if not options.complete:  # the report's budget of cuts ran out: no reading is sure
                        line.ambiguous = set(line.keys)
                if toks and line.keys[0] in arithmetic.keys and not (options and surely):
                    # a cell left blank in a layout that does not show where (rows short of values
                    # are cells run together, or blanks dropped, unless a value cannot be one
                    # number): every place for the blanks is a reading too, for the arithmetic to
                    # choose among, a blank counted as nothing, or to leave in doubt
                    placed = placements(toks, line.columns, closing)
                    if placed:
                        options = [*options, *placed]
                        reading.blanks_dropped = True
                    elif not options:  # too many places for the blanks: read in order, in doubt
                        line.ambiguous = set(line.keys)
                elif toks and not options and line.keys[0] not in arithmetic.keys:
                    # fewer values than cells, no layout to show where the blanks are and no
                    # arithmetic to choose: read in printed order, every other place for the
                    # blanks listed, and the row in doubt
                    first = exact(toks, line.columns)
                    others = (c for c in placements(toks, line.columns) if c.pieces != first.pieces)  # type: ignore[arg-type]
                    options = [first, *others]
                    line.ambiguous = set(line.keys)
        line.options = options or [exact(toks, line.columns)]

    if reading.blanks_dropped:
        _score_by_columns_printed(found)
    # where the layout dropped blank cells of a table that prints no 0, a blank is a cell the
    # report left empty for nothing: 0, for choosing where the values go (it stays blank,
    # unknown, in what is read); a table that prints 0s leaves a cell blank for not knowing
    nothing = reading.blanks_dropped and not any(t.value == 0 for line in found for t in line.toks if t)
    blank: Value = 0 if nothing else None
    for line in found:
        if len(line.options) < 2:
            continue
        own = arithmetic.within.get(_line_id(reading, line), ())
        if own:
            compiled = [p for positionals in _closing(line.keys, own).values() for p in positionals]
            scored = [(_holding(compiled, _values(c, blank)), c) for c in line.options]
            top = max(s for s, _ in scored)
            kept = [c for s, c in scored if s == top][:KEEP_PER_LINE]
            kept.sort(key=lambda c: -c.score)
            line.options = kept
            if top < len(own):
                line.ambiguous = set(_split_keys(line))
    _choose_across(reading.lines, arithmetic.across, blank)
    if reading.lost:
        _confirm_lost(reading, template)


def _read_among_header(reading: TableReading, line: Line, own: tuple[Identity, ...]) -> None:
    """A table printed as one line whose values stand among its header's words: read in printed
    order where they are one a cell and every identity of the table (`own`) holds so (said, as a
    lost label is), else left unread and the numbers named (`apart`): the header's cells may have
    been taken out in any order, and a reading in order would report errors never printed."""
    confirmed = False
    if len(line.toks) == len(line.keys):
        values = {key: token.value for key, token in zip(line.keys, line.toks, strict=True)}
        confirmed = bool(own) and all(identity.holds(values) for identity in own)
    if confirmed:
        reading.read_among_header = _as_printed(line.toks)
        return
    rows = [row.id for row in reading.table.rows]
    reading.apart.append({"rows": rows, "printed": _as_printed(line.toks), "among_header": len(line.toks)})
    line.toks = ()
    line.ambiguous = set(line.keys)


def _leave_values_apart(reading: TableReading, found: list[Line]) -> None:
    """Rows short of values, then a row followed by two rows' worth or more: the values are not
    printed row by row after their labels (text taken out of a PDF may set a table's columns
    apart from its labels, or each column after the other). Which row a number is, nothing
    tells: those rows are left unread, their numbers named (`apart`), never read in order."""
    short: list[Line] = []
    for line in found:
        width = len(line.columns)
        if len(line.toks) < width:
            short.append(line)
            continue
        if short and len(line.toks) >= 2 * width:
            rows = [*short, line]
            printed = [token for row in rows for token in row.toks]
            reading.apart.append({"rows": [row.row_id for row in rows], "printed": _as_printed(printed)})
            # more numbers than these rows have cells: the rest are other rows' (`stray`)
            reading.stray = [*reading.stray, *printed[sum(len(row.columns) for row in rows) :]]
            for row in rows:
                row.toks = ()
                row.ambiguous = set(row.keys)
        short = []


def _leave_rows_for_strays(
    text: str, reading: TableReading, found: list[Line], within: dict[str, tuple[Identity, ...]]
) -> None:
    """Rows short of values where the table holds a row's worth of numbers that no row took (after
    a header among the rows, past a row's cells, after the last row's words): text taken out of a
    PDF may set a column's values after the labels, or apart from them, so that rows read blank
    are rows whose numbers stand elsewhere, and a row read whole may hold a column's values. Which
    row a number is, nothing tells: the short rows, the rows whose own arithmetic their values
    break and those whose values follow a column's label printed after their own (a column's
    block), are left unread and the numbers named (`apart`, with `stray`), never read as blanks
    or as a printed error. A row whose cells are delimited shows its blanks, and is read."""
    stray = [*reading.stray, *(token for line in found for token in line.toks[len(line.columns) :])]
    if not found or len(stray) < max(len(line.columns) for line in found):
        return
    unread = [
        line
        for line in found
        if not line.ambiguous  # left unread already (`_leave_values_apart`)
        and not _delimited_line(text, line)
        and (
            len(line.toks) < len(line.columns)
            or _breaks_own_arithmetic(reading, line, within)
            or _column_label_before_values(text, reading.table, line)
        )
    ]
    if unread:
        stray.sort(key=lambda token: token.start)
        reading.apart.append(
            {"rows": [line.row_id for line in unread], "printed": _as_printed(stray), "stray": len(stray)}
        )
        for line in unread:
            line.toks = ()
            line.ambiguous = set(line.keys)


def _column_label_before_values(text: str, table: TableSpec, line: Line) -> bool:
    """Whether one of the table's header words (a column's label, or the header's own words)
    stands between a row's label and its values."""
    assert line.label is not None and line.toks
    gap = bare(text[line.label.end : line.toks[0].start])
    return _header_words(table).search(gap) is not None


def _breaks_own_arithmetic(
    reading: TableReading, line: Line, within: dict[str, tuple[Identity, ...]]
) -> bool:
    """Whether the line's first values, one a cell, break an identity within its row."""
    values = {key: token.value for key, token in zip(line.keys, line.toks, strict=False)}
    return any(identity.holds(values) is False for identity in within.get(_line_id(reading, line), ()))


def _rows_out_of_order(text: str, reading: TableReading, found: list[Line]) -> None:
    """Rows not found in the template's order whose labels the table prints elsewhere, among the
    rows found (plain text taken out of a PDF may set a table's rows out of order, and the label of
    a row wrapped around its first value): printed, not missing, and left unread (`apart`, with
    `unordered`) where the values after each label cannot be told to be its own."""
    placed = {line.row_id for line in reading.lost} | set(reading.unplaced)  # read, or named, by place
    missing = [line for line in reading.lines if line.label is None and line.row_id not in placed]
    if not missing or not found or reading.span is None:
        return
    start, end = min(line.label.start for line in found), reading.span[1]  # type: ignore[union-attr]
    spans = [(t.start, t.end) for t in tokens(text, start, end)]
    spans += [(line.label.start, line.label.end) for line in found]  # type: ignore[union-attr]
    region = _blanked(text, start, end, spans)
    printed = []
    for line in missing:
        row = reading.table.row(line.row_id)
        match = find_row(region, row, 0, len(region))
        if match is not None:
            printed.append(line)
            line.ambiguous = set(line.keys)
    if printed:
        reading.apart.append({"rows": [line.row_id for line in printed], "printed": "", "unordered": True})


def _delimited_line(text: str, line: Line) -> bool:
    """Whether the rest of a row's label line holds cells delimited (| or tab): its blanks show."""
    assert line.label is not None
    start = line.label.end
    end = text.find("\n", start)
    segment = text[start : len(text) if end < 0 else end]
    return "|" in segment or "\t" in segment


def _score_by_columns_printed(lines: list[Line]) -> None:
    """Where blank cells were dropped, a table prints its values in the same columns row after
    row (a body that counts only 自然人 and 总计 leaves the rest blank). The rows printing a value
    other than 0 tell, by their likeliest readings, how often each column is printed; a row of 0s
    is scored by that as well, so that its 0s go where the others print, not where a 0 alone is
    likeliest (科研机构)."""
    placed = [line for line in lines if len(line.options) > 1]
    told = [line.options[0] for line in placed if _prints_other_than_0(line.options[0])]
    told = [c for c in told if len(c.pieces) == len(told[0].pieces)]  # rows of one width (table 三)
    if len(told) < 2:
        return
    printed = [sum(1 for c in told if c.pieces[at] is not None) for at in range(len(told[0].pieces))]

    def likelihood(candidate: Candidate) -> float:
        """How likely the table prints the cells this reading fills and leaves the others blank."""
        return sum(
            math.log(
                ((printed[at] if piece is not None else len(told) - printed[at]) + 0.5) / (len(told) + 1)
            )
            for at, piece in enumerate(candidate.pieces)
        )

    for line in placed:
        if len(line.options[0].pieces) == len(printed) and not _prints_other_than_0(line.options[0]):
            rescored = [Candidate(c.pieces, c.score + likelihood(c)) for c in line.options]
            line.options = sorted(rescored, key=lambda c: -c.score)


def _prints_other_than_0(candidate: Candidate) -> bool:
    return any(piece is not None and piece.value for piece in candidate.pieces)


def _confirm_lost(reading: TableReading, template: Template) -> None:
    """A row read from a line of numbers without its label is confirmed where no identity it is
    in fails and one across rows holds with it; where none holds or fails for a blank term, one
    that holds with the blank cells read as nothing, none failing so (a report that prints
    blanks where it has nothing to count leaves blank terms in most identities). Any other is
    kept as read, by its place, in doubt: a row in no identity (table 二's) or none that decides,
    a row of blank cells (it would hold anywhere), and a row an identity denies (`denied`),
    whose printed numbers then make the error the checks report. Its place is its order among
    the rows printed, which the numbers cannot move; which of the rows an identity holds is
    wrong, nothing here tells."""
    values = {key: value for line in reading.lines if line.reading for key, value in _line_values(line)}
    as_nothing = {key: 0 if value is None else value for key, value in values.items()}
    for line in reading.lost:
        keys = set(line.keys)
        concerned = [i for i in identities(template) if keys & set(i.keys)]
        if False in (i.holds(values) for i in concerned):
            line.ambiguous = set(line.keys)
            reading.denied.append(line.row_id)
            continue
        across = [i for i in concerned if not set(i.keys) <= keys]
        if True in (i.holds(values) for i in across):
            confirmed = True
        else:  # no identity decides with the blanks unknown: with them read as nothing
            loose = [i.holds(as_nothing) for i in across]
            confirmed = True in loose and False not in loose
        if not confirmed or all(value is None for value in _values(line.reading)):
            line.ambiguous = set(line.keys)


def _as_printed(values: Sequence[Token]) -> str:
    """Numbers not read, as the report printed them (for the finding that names them)."""
    return " ".join(token.text for token in values)


def _line_values(line: Line) -> Iterator[tuple[str, Value]]:
    return zip(line.keys, _values(line.reading), strict=True)  # type: ignore[arg-type]


def _line_id(reading: TableReading, line: Line) -> str:
    return "" if reading.table.unlabelled else line.row_id


@cache
def _closing(keys: tuple[str, ...], own: tuple[Identity, ...]) -> Closing:
    """A line's identities by the column that completes them (see `split.candidates`)."""
    position = {key: i for i, key in enumerate(keys)}
    closing: dict[int, list[Positional]] = {}
    for identity in own:
        closing.setdefault(max(position[k] for k in identity.keys), []).append(identity.at(position))
    return closing


def _choose_across(lines: list[Line], cross: tuple[Identity, ...], blank: Value = None) -> None:
    """Pick among each line's readings the combination most identities across lines admit, and
    flag every cell that an equally admissible combination reads otherwise (`_search`); a blank
    cell counts as `blank` (None: unknown, an identity with it neither holds nor fails).

    A line none of whose cells is in such an identity keeps its best-scored reading. The others
    are searched in groups that share identities: one group's choice changes nothing another's
    identities see, so each is searched alone.
    """
    if all(len(line.options) < 2 for line in lines):
        return
    slot: dict[str, int] = {}
    for identity in cross:
        for key in identity.keys:
            slot.setdefault(key, len(slot))
    values: list[Value] = [None] * len(slot)
    for line in lines:
        if line.reading is not None:
            for key, value in zip(line.keys, _values(line.reading, blank), strict=True):
                if key in slot:
                    values[slot[key]] = value
    linked: list[_Linked] = []
    owner: dict[int, int] = {}
    for line in lines:
        if len(line.options) < 2:
            continue
        where = [(i, slot[key]) for i, key in enumerate(line.keys) if key in slot]
        if where:
            owner.update((s, len(linked)) for _, s in where)
            linked.append(_Linked(line, where, blank))
        else:
            for alt in range(1, len(line.options)):
                _mark_differences(line, 0, alt)
    budget = [SEARCH_BUDGET]
    groups = _groups(linked, owner, [identity.at(slot) for identity in cross])
    # the smallest first: one too large to search whole must not leave the others unsearched
    for group, rules in sorted(groups, key=lambda g: math.prod(len(e.line.options) for e in g[0])):
        found = _search(group, rules, values, budget)
        if found is None:  # not proven: the best found is kept, every other reading is in doubt
            best = _ascend(group, rules, values)
            rivals = [
                (*best[:at], alt, *best[at + 1 :])
                for at, each in enumerate(group)
                for alt in range(len(each.line.options))
            ]
        else:
            best, rivals = found
        for each, idx in zip(group, best, strict=True):
            each.line.chosen = idx
        for rival in rivals:
            for each, idx, alt in zip(group, best, rival, strict=True):
                if alt != idx:
                    _mark_differences(each.line, idx, alt)


@dataclass(slots=True)
class _Linked:
    """A line in doubt whose cells are in identities across lines, at these slots."""

    line: Line
    where: list[tuple[int, int]]  # (its cell, the slot of the cell)
    blank: Value  # what a blank cell counts as

    def put(self, values: list[Value], option: int) -> None:
        pieces = self.line.options[option].pieces
        for i, s in self.where:
            piece = pieces[i]
            values[s] = piece.value if piece is not None else self.blank


def _groups(
    linked: list[_Linked], owner: dict[int, int], rules: list[Positional]
) -> Iterator[tuple[list[_Linked], list[list[Positional]]]]:
    """Lines in doubt joined by the identities they share, each group with its identities by the
    position, in the group, of the last of its lines they depend on (where they are decided)."""
    parent = list(range(len(linked)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    touching: list[tuple[Positional, list[int]]] = []
    for rule in rules:
        lines = sorted({owner[s] for s in (*rule.lhs, *rule.rhs) if s in owner})
        if lines:  # an identity of lines not in doubt is the same whatever is chosen
            touching.append((rule, lines))
            for other in lines[1:]:
                parent[root(other)] = root(lines[0])
    members: dict[int, list[int]] = {}
    for i in range(len(linked)):
        members.setdefault(root(i), []).append(i)
    for indices in members.values():
        position = {i: at for at, i in enumerate(indices)}
        decided: list[list[Positional]] = [[] for _ in indices]
        for rule, lines in touching:
            if lines[0] in position:
                decided[position[lines[-1]]].append(rule)
        yield [linked[i] for i in indices], decided


def _search(
    group: list[_Linked], rules: list[list[Positional]], values: list[Value], budget: list[int]
) -> tuple[tuple[int, ...], list[tuple[int, ...]]] | None:
    """The combination of the group's readings under which most identities hold (the higher
    score, then the first as printed, among equals), and the other combinations under which as
    many hold; None once `budget` (shared by a table's groups) runs out.

    Depth first, line by line: an identity is counted once its last line is chosen, and a branch
    is dropped once what it can still reach is less than the best found."""
    search = _Combinations(group, rules, values, budget)
    if not search.visit(0, 0, 0.0):
        return None
    ties = search.ties
    top = max(score for score, _ in ties)
    best = next(c for score, c in ties if score == top)
    return best, [c for _, c in ties if c != best]


class _Combinations:
    """The depth-first search of `_search` (an object rather than a closure that calls itself:
    that would make a reference cycle, freed only by the garbage collector)."""

    def __init__(
        self, group: list[_Linked], rules: list[list[Positional]], values: list[Value], budget: list[int]
    ) -> None:
        self.group, self.rules, self.values, self.budget = group, rules, values, budget
        self.ahead = [sum(len(r) for r in rules[at + 1 :]) for at in range(len(group))]
        self.best_holding = -1
        self.ties: list[tuple[float, tuple[int, ...]]] = []
        self.choice: list[int] = []

    def visit(self, at: int, holding: int, score: float) -> bool:
        if at == len(self.group):
            if holding > self.best_holding:
                self.best_holding, self.ties = holding, []
            self.ties.append((score, tuple(self.choice)))
            return True
        each = self.group[at]
        for option in range(len(each.line.options)):
            self.budget[0] -= 1
            if self.budget[0] < 0:
                return False
            each.put(self.values, option)
            held = holding + _holding(self.rules[at], self.values)
            if held + self.ahead[at] < self.best_holding:
                continue
            self.choice.append(option)
            going = self.visit(at + 1, held, score + each.line.options[option].score)
            self.choice.pop()
            if not going:
                return False
        return True


def _ascend(group: list[_Linked], rules: list[list[Positional]], values: list[Value]) -> tuple[int, ...]:
    """Coordinate ascent, for a group too large to search: the best found, not proven best."""
    flat = [rule for decided in rules for rule in decided]

    def evaluate(choice: list[int]) -> tuple[int, float]:
        for each, option in zip(group, choice, strict=True):
            each.put(values, option)
        return _holding(flat, values), sum(
            e.line.options[o].score for e, o in zip(group, choice, strict=True)
        )

    choice = [0] * len(group)
    current = evaluate(choice)
    improved = True
    while improved:
        improved = False
        for at, each in enumerate(group):
            for alt in range(len(each.line.options)):
                trial = [*choice[:at], alt, *choice[at + 1 :]]
                if (got := evaluate(trial)) > current:
                    choice, current, improved = trial, got, True
    return tuple(choice)


def _mark_differences(line: Line, chosen: int, alt: int) -> None:
    """Cells an equally admissible other reading of the line gives another value are ambiguous."""
    for key, a, b in zip(line.keys, _values(line.options[chosen]), _values(line.options[alt]), strict=True):
        if a != b:
            line.ambiguous = {*line.ambiguous, key}


def _values(candidate: Candidate, blank: Value = None) -> list[Value]:
    return [p.value if p is not None else blank for p in candidate.pieces]


def _holding(rules: list[Positional], values: list[Value]) -> int:
    return sum(1 for rule in rules if rule.holds(values))


def _split_keys(line: Line) -> list[str]:
    """Cells whose text came out of a split token (not printed on their own)."""
    reading = line.reading
    if reading is None:
        return []
    whole = {(t.start, t.text) for t in line.toks}
    return [k for k, p in zip(line.keys, reading.pieces, strict=True) if p and (p.start, p.text) not in whole]
