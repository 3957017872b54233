"""Reading a line of printed values into cells, splitting digits that ran together.

When a scraper concatenated a row's cells ("713000074" for 71|3|0|0|0|0|74) every way of cutting
the digits into the row's cells is a candidate. Candidates are ranked by the template's
arithmetic first (see `tables.choose`) and, where that cannot decide, by a prior on how large
a value in each column usually is (declared per column in the template data).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from xxgk.extract.tokens import Token, parse_number
from xxgk.model import Value
from xxgk.templates import ColumnSpec

MAX_CANDIDATES = 20_000
MAX_STEPS = 200_000
_INVALID = -25.0


@dataclass(slots=True)
class Piece:
    """One cell's printed text and where it starts."""

    text: str
    start: int
    value: Value


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


def capacity(token: Token) -> int:
    """How many cells a token can hold: one per digit when cells ran together."""
    return max(1, len(token.digits)) if token.number is not None else 1


Check = Callable[[int, list[Piece]], bool]


def candidates(
    toks: list[Token], columns: tuple[ColumnSpec, ...], check: Check | None = None
) -> list[Candidate]:
    """Readings of `toks` as exactly len(columns) cells, best prior first.

    Cells are cut one after another; `check(column, pieces)` may reject a partial reading as soon
    as an identity of the line is complete (a group of the appeals row adds up or it does not),
    which keeps long runs of digits tractable. At most MAX_CANDIDATES readings, and at most
    MAX_STEPS cuts tried: beyond that the reading is kept as the best found so far.
    """
    n = len(columns)
    out: list[Candidate] = []
    acc: list[Piece] = []
    caps = [capacity(t) for t in toks]
    after = [sum(caps[i + 1 :]) for i in range(len(toks))]  # digits left in later tokens
    steps = 0

    def walk(ti: int, pos: int, col: int) -> None:
        nonlocal steps
        if len(out) >= MAX_CANDIDATES or steps >= MAX_STEPS:
            return
        if ti == len(toks):
            if col == n:
                out.append(
                    Candidate(
                        tuple(acc), sum(log_prior(p.value, c) for p, c in zip(acc, columns, strict=True))
                    )
                )
            return
        if col == n:
            return
        token = toks[ti]
        if token.number is None:  # a placeholder is one cell
            acc.append(Piece(token.text, token.start, None))
            if check is None or check(col, acc):
                walk(ti + 1, 0, col + 1)
            acc.pop()
            return
        sign = token.number[0] if token.number[0] in "+-" else ""
        digits = token.digits
        ends = (pos + 1,) if digits[pos] == "0" else range(pos + 1, len(digits) + 1)
        for end in ends:
            steps += 1
            last = end == len(digits)
            cells_left = n - col - 1
            later_tokens = len(toks) - ti - 1 + (0 if last else 1)
            if later_tokens > cells_left or (len(digits) - end) + after[ti] < cells_left:
                continue
            text = (sign if pos == 0 else "") + digits[pos:end]
            shown = text
            number = text
            if last:
                fraction = token.number[len(sign) + len(digits) :]
                number += fraction
                shown = number + token.suffix
            start = token.start + (0 if pos == 0 else len(sign) + pos)
            acc.append(Piece(shown, start, parse_number(number, token.unit if last else None, columns[col])))
            if check is None or check(col, acc):
                walk(ti + 1, 0, col + 1) if last else walk(ti, end, col + 1)
            acc.pop()

    walk(0, 0, 0)
    out.sort(key=lambda c: -c.score)
    return out


def exact(toks: list[Token | None], columns: tuple[ColumnSpec, ...]) -> Candidate:
    """The reading when each token is one cell (None: a blank); missing trailing cells stay empty."""
    pieces: list[Piece | None] = []
    for token, column in zip(toks, columns, strict=False):
        if token is None:
            pieces.append(None)
            continue
        value = parse_number(token.number, token.unit, column) if token.number is not None else None
        pieces.append(Piece(token.text, token.start, value))
    pieces.extend([None] * (len(columns) - len(pieces)))
    return Candidate(tuple(pieces), 0.0)  # the only reading: no score to compare
