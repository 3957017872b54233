"""Finding printed labels in normalised text, whatever the layout did to them.

A label may be broken across lines, split by table pipes or quoted differently; its numbering
(1. / (一) / 一、) may be glued to the last number of the previous row ("10000016.属于四类…").
The patterns built here allow all of that, so the extractor never needs per-layout code.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache
from itertools import accumulate

from xxgk.templates import RowSpec

# what may stand between a label's characters: spaces, table pipes, quotes. Labels are looked for in
# the text with these taken out (`squeeze`), as plain strings: a pattern allowing them between every
# two characters took ~150 ms to compile for a template's rows, most of a one-file `xxgk check`
_RUN = re.compile(r"[^\s|\"'‘’“”]+")
_GAPS = re.compile(r"([\s|\"'‘’“”]+)")
_SPACES_AND_QUOTES = re.compile(r"[\s\"'“”‘’]+")  # what `canonical` drops (`\s`: str.isspace)
_DIGIT_ENUM = re.compile(r"^(\d+)[.、]$")


@dataclass(frozen=True, slots=True)
class Squeezed:
    """A text without the characters that may stand inside a label, and the way back: run k of
    the text (no such characters) starts at `origins[k]` there and at `starts[k]` here."""

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]
    lengths: tuple[int, ...]

    def inward(self, at: int) -> int:
        """The squeezed position of the text's position `at` (in a gap: the next character's)."""
        k = bisect_right(self.origins, at) - 1
        return 0 if k < 0 else self.starts[k] + min(at - self.origins[k], self.lengths[k])

    def outward(self, at: int) -> int:
        """The text's position of the squeezed position `at` (a character, not an end)."""
        k = bisect_right(self.starts, at) - 1
        return self.origins[k] + at - self.starts[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The text's span of a squeezed match: its first character to just after its last."""
        return self.outward(start), self.outward(end - 1) + 1


def bare(text: str) -> str:
    """A short text without the characters that may stand inside a label."""
    return "".join(_RUN.findall(text))


@lru_cache(maxsize=4)  # the text being read: asked for by every label looked for in it
def squeeze(text: str) -> Squeezed:
    parts = _GAPS.split(text)  # run, gap, run, …, run in one C call: no match object per run
    runs = parts[0::2]
    origins = list(accumulate(map(len, parts), initial=0))[0::2]  # where each run starts in the text
    if runs and not runs[-1]:  # the text ends with a gap (only the first and last run may be empty)
        runs.pop()
        origins.pop()
    if runs and not runs[0]:  # the text starts with one
        runs.pop(0)
        origins.pop(0)
    lengths = tuple(map(len, runs))
    return Squeezed("".join(runs), tuple(accumulate(lengths, initial=0))[:-1], tuple(origins), lengths)


@lru_cache(maxsize=4096)  # the same printed labels, row after row and report after report
def canonical(label: str) -> str:
    """A label as the normalised text prints it, without spaces and quotes."""
    return _SPACES_AND_QUOTES.sub("", unicodedata.normalize("NFKC", label))


def plain(label: str) -> str:
    """Regex source matching `label` in a squeezed text."""
    return re.escape(canonical(label))


def _enum_pattern(enum: str) -> str:
    digits = _DIGIT_ENUM.match(canonical(enum))
    if digits:
        return re.escape(digits.group(1)) + r"[.、]"
    return plain(enum)


@dataclass(slots=True)
class LabelMatch:
    start: int
    end: int


@cache
def row_pattern(row: RowSpec, *, collapsed: bool = False) -> re.Pattern[str]:
    """One pattern for a row label in a squeezed text: its numbering (optional) then the label or
    an alias.

    Written as one flat alternation (numbered forms first, as an optional numbering would be
    tried first), each alternative starting with a plain character: the regex engine then
    skips text by those first characters instead of trying the pattern at every position."""
    variants = [
        v for v in ((row.collapsed,) if collapsed and row.collapsed else (row.label, *row.aliases)) if v
    ]
    alternatives = sorted({plain(v) for v in variants}, key=len, reverse=True)
    if row.enum and not collapsed:
        numbered = [f"{_enum_pattern(row.enum)}{a}" for a in alternatives]
        alternatives = numbered if row.enum_required else [*numbered, *alternatives]
    return re.compile("|".join(alternatives))


@cache
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for any of `phrases` in a squeezed text."""
    alternatives = sorted({plain(p) for p in phrases if p}, key=len, reverse=True)
    return re.compile("|".join(alternatives))


def _search(pattern: re.Pattern[str], text: str, start: int, end: int) -> LabelMatch | None:
    squeezed = squeeze(text)
    match = pattern.search(squeezed.text, squeezed.inward(start), squeezed.inward(end))
    return LabelMatch(*squeezed.span(*match.span())) if match else None


def find_row(text: str, row: RowSpec, start: int, end: int, *, collapsed: bool = False) -> LabelMatch | None:
    return _search(row_pattern(row, collapsed=collapsed), text, start, end)


def find_phrase(text: str, phrases: tuple[str, ...], start: int, end: int) -> LabelMatch | None:
    return _search(phrase_pattern(phrases), text, start, end)


def find_phrases(text: str, phrases: tuple[str, ...], start: int, end: int) -> list[LabelMatch]:
    squeezed = squeeze(text)
    found = phrase_pattern(phrases).finditer(squeezed.text, squeezed.inward(start), squeezed.inward(end))
    return [LabelMatch(*squeezed.span(*m.span())) for m in found]


def count_phrases(text: str, phrases: tuple[str, ...]) -> int:
    """How many of `phrases` the text prints (each counted once)."""
    squeezed = squeeze(text).text
    return sum(1 for p in _canonical_all(phrases) if p in squeezed)


@cache
def _canonical_all(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(canonical(p) for p in phrases)


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
