"""Reading a line of printed values into cells, splitting digits that ran together.

When a scraper concatenated a row's cells ("713000074" for 71|3|0|0|0|0|74) every way of cutting
the digits into the row's cells is a candidate. Candidates are ranked by the template's
arithmetic first (see `tables.choose`) and, where that cannot decide, by a prior on how large
a value in each column usually is (declared per column in the template data).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from xxgk.extract.tokens import Token, parse_number
from xxgk.model import Value
from xxgk.templates import ColumnSpec

MAX_CANDIDATES = 20_000
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


def _cuts(digits: str, k: int) -> Iterator[tuple[str, ...]]:
    """Every way to cut `digits` into k numbers without leading zeros."""
    if k == 1:
        if len(digits) == 1 or digits[0] != "0":
            yield (digits,)
        return
    if digits[0] == "0":
        for rest in _cuts(digits[1:], k - 1):
            yield ("0", *rest)
        return
    for i in range(1, len(digits) - k + 2):
        for rest in _cuts(digits[i:], k - 1):
            yield (digits[:i], *rest)


def _chunk_splits(token: Token, columns: tuple[ColumnSpec, ...]) -> Iterator[tuple[Piece, ...]]:
    """Ways to read one token as len(columns) cells."""
    k = len(columns)
    if token.number is None:
        if k == 1:
            yield (Piece(token.text, token.start, None),)
        return
    if k == 1:
        yield (Piece(token.text, token.start, parse_number(token.number, token.unit, columns[0])),)
        return
    sign = token.number[0] if token.number[0] in "+-" else ""
    digits = token.digits
    fraction = token.number[len(sign) + len(digits) :]
    for parts in _cuts(digits, k):
        pieces = []
        offset = token.start + len(sign)
        for i, part in enumerate(parts):
            text = (sign if i == 0 else "") + part
            last = i == k - 1
            number = text + (fraction if last else "")
            shown = number + (token.suffix if last else "")
            start = offset - (len(sign) if i == 0 else 0)
            pieces.append(Piece(shown, start, parse_number(number, token.unit if last else None, columns[i])))
            offset += len(part)
        yield tuple(pieces)


def capacity(token: Token) -> int:
    """How many cells a token can hold: one per digit when cells ran together."""
    return max(1, len(token.digits)) if token.number is not None else 1


def _compositions(capacities: list[int], n: int) -> Iterator[tuple[int, ...]]:
    if not capacities:
        if n == 0:
            yield ()
        return
    rest_min = len(capacities) - 1
    rest_max = sum(capacities[1:])
    for k in range(max(1, n - rest_max), min(capacities[0], n - rest_min) + 1):
        for tail in _compositions(capacities[1:], n - k):
            yield (k, *tail)


def candidates(toks: list[Token], columns: tuple[ColumnSpec, ...]) -> list[Candidate]:
    """All readings of `toks` as exactly len(columns) cells, best prior first (capped)."""
    n = len(columns)
    out: list[Candidate] = []
    for sizes in _compositions([capacity(t) for t in toks], n):
        out.extend(_expand(toks, columns, sizes))
        if len(out) >= MAX_CANDIDATES:
            break
    out.sort(key=lambda c: -c.score)
    return out


def _expand(
    toks: list[Token], columns: tuple[ColumnSpec, ...], sizes: tuple[int, ...]
) -> Iterator[Candidate]:
    def walk(i: int, col: int, acc: tuple[Piece, ...]) -> Iterator[tuple[Piece, ...]]:
        if i == len(toks):
            yield acc
            return
        span = columns[col : col + sizes[i]]
        for pieces in _chunk_splits(toks[i], span):
            yield from walk(i + 1, col + sizes[i], acc + pieces)

    for pieces in walk(0, 0, ()):
        score = sum(log_prior(p.value, c) for p, c in zip(pieces, columns, strict=True))
        yield Candidate(pieces, score)


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
