"""Finding printed labels in normalised text, whatever the layout did to them.

A label may be broken across lines, split by table pipes or quoted differently; its numbering
(1. / (一) / 一、) may be glued to the last number of the previous row ("10000016.属于四类…").
The patterns built here allow all of that, so the extractor never needs per-layout code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from xxgk.templates import RowSpec

# what may stand between a label's characters: spaces, table pipes, quotes. Written as two classes so
# that neither mixes ASCII with the curly quotes: such a class compiles to a 64K-character map, and
# with hundreds of gaps that map made label patterns ~2/3 of a process's first read (about 80 ms)
GAP = r"[\s|\"']*(?:[‘’“”][\s|\"']*)*"
_QUOTES = set("\"'“”‘’")
_DIGIT_ENUM = re.compile(r"^(\d+)[.、]$")


def canonical(label: str) -> str:
    """A label as the normalised text prints it, without spaces and quotes."""
    text = unicodedata.normalize("NFKC", label)
    return "".join(c for c in text if not c.isspace() and c not in _QUOTES)


def fuzzy(label: str) -> str:
    """Regex source matching `label` with any whitespace, pipes or quotes between characters."""
    return GAP.join(re.escape(c) for c in canonical(label))


def _enum_pattern(enum: str) -> str:
    digits = _DIGIT_ENUM.match(canonical(enum))
    if digits:
        return re.escape(digits.group(1)) + r"[.、]"
    return fuzzy(enum)


@dataclass(slots=True)
class LabelMatch:
    start: int
    end: int


@cache
def row_pattern(row: RowSpec, *, collapsed: bool = False) -> re.Pattern[str]:
    """One pattern for a row label: its numbering (optional) then the label or an alias.

    Written as one flat alternation (numbered forms first, as an optional numbering would be
    tried first), each alternative starting with a plain character: the regex engine then
    skips text by those first characters instead of trying the pattern at every position."""
    variants = [
        v for v in ((row.collapsed,) if collapsed and row.collapsed else (row.label, *row.aliases)) if v
    ]
    alternatives = sorted({fuzzy(v) for v in variants}, key=len, reverse=True)
    if row.enum and not collapsed:
        numbered = [f"{_enum_pattern(row.enum)}{GAP}{a}" for a in alternatives]
        alternatives = numbered if row.enum_required else [*numbered, *alternatives]
    return re.compile("|".join(alternatives))


@cache
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({fuzzy(p) for p in phrases if p}, key=len, reverse=True)
    return re.compile("|".join(alternatives))


def find_row(text: str, row: RowSpec, start: int, end: int, *, collapsed: bool = False) -> LabelMatch | None:
    match = row_pattern(row, collapsed=collapsed).search(text, start, end)
    return LabelMatch(match.start(), match.end()) if match else None


def find_phrase(text: str, phrases: tuple[str, ...], start: int, end: int) -> LabelMatch | None:
    match = phrase_pattern(phrases).search(text, start, end)
    return LabelMatch(match.start(), match.end()) if match else None


def find_phrases(text: str, phrases: tuple[str, ...], start: int, end: int) -> list[LabelMatch]:
    return [LabelMatch(m.start(), m.end()) for m in phrase_pattern(phrases).finditer(text, start, end)]


@cache
def _phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(fuzzy(phrase))


def count_phrases(text: str, phrases: tuple[str, ...]) -> int:
    """How many of `phrases` the text prints (each counted once)."""
    return sum(1 for p in phrases if _phrase(p).search(text))


_ENUM = re.compile(r"^(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.]|\d+[.、])")
# how alike a printed label must be to the statutory one to be read as it with a typo (a dropped,
# added or swapped character or two): difflib's ratio, 2 × matched / total characters
LIKENESS = 0.7


def strip_numbering(label: str) -> str:
    return _ENUM.sub("", canonical(label))


@cache
def variants(row: RowSpec) -> tuple[str, ...]:
    """The row's label and aliases as compared (canonical), the label first."""
    return tuple(canonical(v) for v in (row.label, *row.aliases))


@cache
def _matchers(row: RowSpec) -> tuple[SequenceMatcher[str], ...]:
    """A matcher per variant, its index of the variant's characters built once."""
    return tuple(SequenceMatcher(None, "", v, autojunk=False) for v in variants(row))


def likeness(printed: str, row: RowSpec) -> float:
    """How alike a printed label (its numbering left out) is to the row's label or an alias:
    difflib's ratio, 2 × matched / total characters, the best over the variants."""
    words = canonical(strip_numbering(printed))
    best = 0.0
    for matcher in _matchers(row):
        matcher.set_seq1(words)
        # the cheap upper bounds first: most words met are nothing like the label
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best
