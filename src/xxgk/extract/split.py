"""Reading a line of printed values into cells, splitting digits that ran together.

When a scraper concatenated a row's cells ("713000074" for 71|3|0|0|0|0|74) every way of cutting
the digits into the row's cells is a candidate. Candidates are ranked by the template's
arithmetic first (see `tables.choose`) and, where that cannot decide, by a prior on how large
a value in each column usually is (declared per column in the template data).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from xxgk.extract.tokens import Piece, Token, parse_number
from xxgk.model import Value
from xxgk.templates import ColumnSpec
from xxgk.templates.arithmetic import Positional

MAX_CANDIDATES = 20_000
MAX_STEPS = 200_000
MAX_PLACEMENTS = 64
_INVALID = -25.0


@dataclass(slots=True)
class Candidate:
    pieces: tuple[Piece | None, ...]
    score: float


def log_prior(value: Value, column: ColumnSpec) -> float:
    if value is None:
        return math.log(0.05)
    prior = column.prior
    if value < 0 and column.kind != "signed":
        return _INVALID
    if column.kind == "count" and value != int(value):
        return _INVALID
    if value == 0:
        return math.log(prior.p_zero)
    z = (math.log10(abs(float(value))) - prior.mu) / prior.sd
    return math.log(1 - prior.p_zero) - 0.5 * z * z


# values repeat (zeros, small counts): their priors are remembered
_prior = lru_cache(maxsize=65536)(log_prior)


def capacity(token: Token) -> int:
    """How many cells a token can hold: one per digit when cells ran together."""
    if token.value is not None:  # a plain count: its number is all digits
        return len(token.number)  # type: ignore[arg-type]
    return max(1, len(token.digits)) if token.number is not None else 1


# the identities of a line by the column that completes them: a partial reading is rejected
# as soon as one of them is complete and fails
Closing = Mapping[int, Sequence[Positional]]


def candidates(
    toks: Sequence[Token], columns: tuple[ColumnSpec, ...], closing: Closing | None = None
) -> list[Candidate]:
    """Readings of `toks` as exactly len(columns) cells, best prior first.

    Cells are cut one after another; a partial reading is dropped as soon as an identity of the
    line (`closing`) is complete and fails (a group of the appeals row adds up or it does not),
    which keeps long runs of digits tractable. At most MAX_CANDIDATES readings, and at most
    MAX_STEPS cuts tried: beyond that the reading is kept as the best found so far.
    """
    parts = [_parts(t) for t in toks]
    caps = [capacity(t) for t in toks]
    if sum(caps) == len(columns):  # one cell a digit ("0000000"): the only reading, no search
        return _digit_by_digit(toks, parts, columns, closing or {})
    search = _Search(toks, parts, [sum(caps[i + 1 :]) for i in range(len(toks))], columns, closing)
    search.walk(0, 0, 0, 0.0)
    search.found.sort(key=lambda f: -f[1])
    return [Candidate(p, s) for p, s in search.found]


class _Search:
    """The depth-first search of `candidates` (an object rather than two closures that call
    each other: those would make a reference cycle, freed only by the garbage collector)."""

    __slots__ = (
        "after",
        "closing",
        "columns",
        "count",
        "found",
        "n",
        "parts",
        "pieces",
        "steps",
        "toks",
        "values",
    )

    def __init__(
        self,
        toks: Sequence[Token],
        parts: list[tuple[str, str, str] | None],
        after: list[int],
        columns: tuple[ColumnSpec, ...],
        closing: Closing | None,
    ) -> None:
        self.toks, self.parts, self.after = toks, parts, after  # after: digits left in later tokens
        self.columns, self.closing = columns, closing
        self.n, self.count = len(columns), len(toks)
        self.found: list[tuple[tuple[Piece, ...], float]] = []
        self.pieces: list[Piece] = []
        self.values: list[Value] = []
        self.steps = 0

    def cut(self, piece: Piece, col: int, score: float, ti: int, pos: int) -> None:
        self.pieces.append(piece)
        self.values.append(piece.value)
        done = self.closing.get(col) if self.closing else None
        if not done or all(identity.holds(self.values) is not False for identity in done):
            self.walk(ti, pos, col + 1, score + _prior(piece.value, self.columns[col]))
        self.pieces.pop()
        self.values.pop()

    def walk(self, ti: int, pos: int, col: int, score: float) -> None:
        if len(self.found) >= MAX_CANDIDATES or self.steps >= MAX_STEPS:
            return
        n, count = self.n, self.count
        if ti == count or col == n:
            if ti == count and col == n:
                self.found.append((tuple(self.pieces), score))
            return
        token, part = self.toks[ti], self.parts[ti]
        if part is None:  # a placeholder is one cell
            self.cut(token, col, score, ti + 1, 0)
            return
        size = len(part[1])
        cells_left = n - col - 1
        later = count - ti - 1
        after = self.after[ti]
        for end in (pos + 1,) if part[1][pos] == "0" else range(pos + 1, size + 1):
            self.steps += 1
            last = end == size
            if later + (not last) > cells_left or (size - end) + after < cells_left:
                continue
            piece = _cut(token, part, pos, end, self.columns[col])
            if last:
                self.cut(piece, col, score, ti + 1, 0)
            else:
                self.cut(piece, col, score, ti, end)


def _digit_by_digit(
    toks: Sequence[Token],
    parts: list[tuple[str, str, str] | None],
    columns: tuple[ColumnSpec, ...],
    closing: Closing,
) -> list[Candidate]:
    pieces: list[Piece] = []
    values: list[Value] = []
    score = 0.0
    for token, part in zip(toks, parts, strict=True):
        if part is None:
            pieces.append(token)
            values.append(None)
            score += _prior(None, columns[len(values) - 1])
            continue
        for i in range(len(part[1])):
            column = columns[len(values)]
            piece = _cut(token, part, i, i + 1, column)
            pieces.append(piece)
            values.append(piece.value)
            score += _prior(piece.value, column)
    if any(identity.holds(values) is False for done in closing.values() for identity in done):
        return []
    return [Candidate(tuple(pieces), score)]


def _cut(token: Token, part: tuple[str, str, str], pos: int, end: int, column: ColumnSpec) -> Piece:
    """The cell cut from digits[pos:end] of a number: its sign goes with the first cut, its
    fraction and unit with the last."""
    sign, digits, fraction = part
    text = digits[pos:end]
    if pos == 0:
        text, start = sign + text, token.start
    else:
        start = token.start + len(sign) + pos
    if end == len(digits):
        number = text + fraction
        return Piece(number + token.suffix, start, parse_number(number, token.unit, column))
    return Piece(text, start, parse_number(text, None, column))


def _parts(token: Token) -> tuple[str, str, str] | None:
    """Sign, integer digits and fraction of a number token (None for a placeholder)."""
    number = token.number
    if number is None:
        return None
    sign = number[0] if number[0] in "+-" else ""
    digits = token.digits
    return sign, digits, number[len(sign) + len(digits) :]


def exact(toks: Sequence[Token | None], columns: tuple[ColumnSpec, ...]) -> Candidate:
    """The reading when each token is one cell (None: a blank); missing trailing cells stay empty."""
    if (
        len(toks) <= len(columns)
        and not _has_amount(columns)
        and all(token is None or token.number is None or token.value is not None for token in toks)
    ):  # most lines: blanks, placeholders and plain counts, each its own cell's piece
        return Candidate((*toks, *[None] * (len(columns) - len(toks))), 0.0)
    pieces: list[Piece | None] = []
    for token, column in zip(toks, columns, strict=False):
        if token is None or token.number is None or (token.value is not None and column.kind != "amount"):
            pieces.append(token)  # a blank, a placeholder, or a plain count where a count is printed
        else:
            pieces.append(Piece(token.text, token.start, parse_number(token.number, token.unit, column)))
    pieces.extend([None] * (len(columns) - len(pieces)))
    return Candidate(tuple(pieces), 0.0)  # the only reading: no score to compare


def placements(toks: Sequence[Token], columns: tuple[ColumnSpec, ...]) -> list[Candidate]:
    """Readings of fewer values than cells: each value in its own cell, in printed order, the
    blanks anywhere (none when there are too many ways to place them)."""
    n, k = len(columns), len(toks)
    if k == 0 or math.comb(n, k) > MAX_PLACEMENTS:
        return []
    out = []
    for where in itertools.combinations(range(n), k):
        cells: list[Token | None] = [None] * n
        for position, token in zip(where, toks, strict=True):
            cells[position] = token
        pieces = exact(cells, columns).pieces
        values = (p.value if p is not None else None for p in pieces)
        out.append(Candidate(pieces, sum(map(_prior, values, columns))))
    out.sort(key=lambda c: -c.score)
    return out


@lru_cache(maxsize=256)
def _has_amount(columns: tuple[ColumnSpec, ...]) -> bool:
    return any(column.kind == "amount" for column in columns)
