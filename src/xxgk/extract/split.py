"""Reading a line of printed values into cells, splitting digits that ran together.

When a scraper concatenated a row's cells ("713000074" for 71|3|0|0|0|0|74) every way of cutting
the digits into the row's cells is a candidate. Candidates are ranked by the template's
arithmetic first (see `tables.choose`) and, where that cannot decide, by a prior on how large
a value in each column usually is (declared per column in the template data).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from xxgk.extract.tokens import Piece, Token, parse_number
from xxgk.model import Value
from xxgk.read.limits import LIMITS
from xxgk.templates import ColumnSpec
from xxgk.templates.arithmetic import Positional

MAX_CANDIDATES = 20_000
MAX_STEPS = 200_000
MAX_PLACEMENTS = 64
MAX_HOLDING_PLACEMENTS = 1024  # of those the line's own identities admit (`placements`)
MAX_Z = 6.0  # how far above its column's usual size (in deviations of its log) a value may be
_INVALID = -25.0


class Budget:
    """The cuts the searches of one report may still try (LIMITS.split_steps in all)."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps


_BUDGET: ContextVar[Budget | None] = ContextVar("split_budget", default=None)


@contextmanager
def report_budget(steps: int = LIMITS.split_steps) -> Iterator[Budget]:
    """Every search while this is open draws on one budget, so that digits run together in
    every row of a report end in readings marked ambiguous, never in a stall."""
    budget = Budget(steps)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


@dataclass(slots=True)
class Candidate:
    pieces: tuple[Piece | None, ...]
    score: float


class Readings(list[Candidate]):
    """A line's readings; `complete` is False when the report's budget ended the search before
    every cut was tried (then no reading is sure)."""

    complete = True


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
) -> Readings:
    """Readings of `toks` as exactly len(columns) cells, best prior first.

    Cells are cut one after another; a partial reading is dropped as soon as an identity of the
    line (`closing`) is complete and fails (a group of the appeals row adds up or it does not),
    which keeps long runs of digits tractable. At most MAX_CANDIDATES readings, and at most
    MAX_STEPS cuts tried: beyond that the reading is kept as the best found so far. Cuts are also
    drawn from the report's budget (`report_budget`); when that runs out, the readings are not
    `complete`.
    """
    parts = [_parts(t) for t in toks]
    caps = [capacity(t) for t in toks]
    if sum(caps) == len(columns):  # one cell a digit ("0000000"): the only reading, no search
        return Readings(_digit_by_digit(toks, parts, columns, closing or {}))
    budget = _BUDGET.get()
    limit = MAX_STEPS if budget is None else min(MAX_STEPS, budget.left)
    search = _Search(toks, parts, [sum(caps[i + 1 :]) for i in range(len(toks))], columns, closing, limit)
    search.walk(0, 0, 0, 0.0)
    search.found.sort(key=lambda f: -f[1])
    readings = Readings(Candidate(p, s) for p, s in search.found)
    if budget is not None:
        budget.left -= min(search.steps, budget.left)
        readings.complete = search.steps < limit or limit == MAX_STEPS
    return readings


class _Search:
    """The depth-first search of `candidates` (an object rather than two closures that call
    each other: those would make a reference cycle, freed only by the garbage collector)."""

    __slots__ = (
        "after",
        "closing",
        "columns",
        "count",
        "found",
        "limit",
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
        limit: int = MAX_STEPS,
    ) -> None:
        self.toks, self.parts, self.after = toks, parts, after  # after: digits left in later tokens
        self.columns, self.closing, self.limit = columns, closing, limit
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
        if len(self.found) >= MAX_CANDIDATES or self.steps >= self.limit:
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


def placements(
    toks: Sequence[Token], columns: tuple[ColumnSpec, ...], closing: Closing | None = None
) -> list[Candidate]:
    """Readings of fewer values than cells: each value in its own cell, in printed order, the
    blanks anywhere, best prior first. Where there are too many ways to place them, only those
    under which the line's own identities (`closing`) hold, a blank counted as nothing; none
    when they are still too many."""
    n, k = len(columns), len(toks)
    if k == 0:
        return []
    if math.comb(n, k) <= MAX_PLACEMENTS:
        wheres: Iterable[tuple[int, ...]] = itertools.combinations(range(n), k)
    elif closing:
        wheres = _holding_places(toks, n, closing)
        if wheres is None:
            return []
    else:
        return []
    out = []
    for where in wheres:
        if any(_beyond(token, columns[at]) for at, token in zip(where, toks, strict=True)):
            continue
        cells: list[Token | None] = [None] * n
        for position, token in zip(where, toks, strict=True):
            cells[position] = token
        pieces = exact(cells, columns).pieces
        values = (p.value if p is not None else None for p in pieces)
        out.append(Candidate(pieces, sum(map(_prior, values, columns))))
    out.sort(key=lambda c: -c.score)
    return out


def _beyond(token: Token, column: ColumnSpec) -> bool:
    """A value no column of its kind holds alone (cells run together, not a value with blanks
    dropped around it): more than MAX_Z deviations of its column's usual size above it."""
    value = token.value
    if value is None or value <= 0:
        return False
    return (math.log10(value) - column.prior.mu) / column.prior.sd > MAX_Z


def _holding_places(toks: Sequence[Token], n: int, closing: Closing) -> list[tuple[int, ...]] | None:
    """The places of `toks` among n cells, in order, under which every identity of `closing`
    holds, a blank counted as nothing; None past MAX_HOLDING_PLACEMENTS of them."""
    found: list[tuple[int, ...]] = []
    values: list[Value] = []
    where: list[int] = []
    # depth first over the cells, each given the next value or left blank; an explicit stack
    # (cell, values placed so far, branch taken) rather than a closure calling itself
    stack: list[tuple[int, int, bool]] = [(0, 0, False), (0, 0, True)]
    while stack:
        col, placed, take = stack.pop()
        del values[col:], where[placed:]
        if take:
            if placed == len(toks):
                continue
            values.append(toks[placed].value)
            where.append(col)
            placed += 1
        else:
            if n - col - 1 < len(toks) - placed:
                continue  # the values left need every cell left
            values.append(0)
        done = closing.get(col)
        if done and any(identity.holds(values) is False for identity in done):
            continue
        if col + 1 == n:
            if placed == len(toks):
                found.append(tuple(where))
                if len(found) > MAX_HOLDING_PLACEMENTS:
                    return None
            continue
        stack += [(col + 1, placed, False), (col + 1, placed, True)]
    return found


@lru_cache(maxsize=256)
def _has_amount(columns: tuple[ColumnSpec, ...]) -> bool:
    return any(column.kind == "amount" for column in columns)
