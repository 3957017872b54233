"""The printed values between two row labels: numbers, amounts with units, placeholders.

Text in between (group labels, headers, notes) separates values and is otherwise ignored;
parenthesised notes such as （单位：万元，保留4位小数） are dropped first so their digits are not
taken for data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from xxgk.model import Value
from xxgk.templates import ColumnSpec

_NOTE = re.compile(r"\([^()\n]*[\u4e00-\u9fff][^()\n]*\)")
CJK = re.compile(r"[\u4e00-\u9fff]")  # a Chinese character
_WORDS_NEXT = re.compile(r"[ \t]*[\u4e00-\u9fff]")  # after a numbering's stop: "1.本机关", "4. 保护"
# A printed value. Its first character is named by a class, which lets the regex engine skip
# text quickly; what may follow depends on that character, looked back at. Digits are ASCII in
# normalised text, and [0-9] is checked faster than \d.
_TOKEN = re.compile(
    r"""(?P<value>[-+0-9/—无](?:
          (?<=[0-9]) [0-9]*+ (?![,.]|[ ]?万?元)                                   # most: digits alone
        | (?<=[0-9]) (?:[0-9]{0,2}(?:,[0-9]{3})+(?![0-9])|[0-9]*) (?:\.[0-9]+)?    # 1,234 or 1234, decimals
        | (?<=[-+]) (?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+) (?:\.[0-9]+)?     # the same, signed
        | (?<=[-—/无]) (?<![^\s|][-—/无]) (?:(?<=-)-|(?<=—)—)? (?![^\s|])  # / - -- — —— 无 standing alone
    ))
    (?:(?<=[0-9]) (?P<suffix>[ ]?(?P<unit>万元|元)) )?                              # an amount's unit
    """,
    re.X,
)
# the longest run of digits read as values: a whole row of table 四 run together is 15 cells of a
# few digits each; longer runs (a hostile file, an ID number) are text, not cells
MAX_DIGITS = 120
_PLACEHOLDERS = frozenset(("/", "-", "--", "—", "——", "无"))
# yuan per 万元
_WAN = Decimal(10000)


@dataclass(slots=True)
class Piece:
    """One cell's printed text, where it starts, and its value."""

    text: str
    start: int
    value: Value


@dataclass(slots=True)
class Token(Piece):
    """One printed value, or a run of digits that may hold several (a chunk). Its `value` is
    that of a plain count (None otherwise), so that a token read as one cell of a count column
    is that cell's piece."""

    number: str | None  # digits with sign and decimals, commas removed; None for a placeholder
    unit: str | None
    suffix: str = ""  # the unit as printed after the number

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def digits(self) -> str:
        """The integer digits that a split may cut between."""
        if self.number is None:
            return ""
        return self.number.lstrip("+-").split(".")[0]

    @property
    def splittable(self) -> bool:
        return len(self.digits) > 1


def tokens(text: str, start: int, end: int, labels: list[tuple[int, int]] | None = None) -> list[Token]:
    """The values printed in text[start:end]; `labels` (absolute spans) are blanked out first so
    that a row's numbering glued to the previous row's digits is not read as a digit."""
    if labels:
        parts, at = [], start
        for a, b in labels:
            if a < at or b > end:
                continue
            parts.append(text[at:a])
            parts.append(" " * (b - a))
            at = b
        parts.append(text[at:end])
        segment = "".join(parts)
    else:
        segment = text[start:end]
    if "(" in segment:
        segment = _NOTE.sub(_blank, segment)
    # split() hands over the groups of every match and the text between them in one C call;
    # the groups make up the whole match, so positions follow from their lengths
    pieces = _TOKEN.split(segment)
    out = []
    append = out.append
    at = start + len(pieces[0])
    for value, suffix, unit, between in zip(
        pieces[1::4], pieces[2::4], pieces[3::4], pieces[4::4], strict=True
    ):
        # no row of any table prints so many digits; what follows may tell a date or a numbering
        if len(value) > MAX_DIGITS or (between[:1] in _TELLING and _no_value(value, between, text, at)):
            if _glued_year(value, between):  # the next text's year ran into a row's digits
                append(Token(value[:-4], at, int(value[:-4]), value[:-4], None))
            at += len(value) + len(suffix or "") + len(between)
            continue
        if suffix is None and value.isdecimal():  # most values: a plain count
            token = Token(value, at, int(value), value, None)
        elif value in _PLACEHOLDERS:
            token = Token(value, at, None, None, None)
        else:
            plain = value.replace(",", "") if "," in value else value
            if suffix is None:
                token = Token(value, at, int(plain) if plain.isdecimal() else None, plain, None)
            else:
                token = Token(value + suffix, at, None, plain, unit, suffix)
        append(token)
        at += len(token.text) + len(between)
    return out


_DATE_PARTS = frozenset("年月日")
_TELLING = frozenset("年月日 .、")  # what may follow a number that is no value (`_no_value`)


def _no_value(value: str, after: str, text: str, at: int) -> bool:
    """A year, a month or a day ("2024年", "2025 年"), a label's word 无 spaced out, or a label's
    numbering at the head of a line ("1.本机关不掌握…", left where the label itself was not found:
    a PDF's text broke it over lines), after a group's label, or before a space ("(三)不予公开 1."
    above "属于国家秘密"): no value."""
    first = after[:1]
    if first in _DATE_PARTS or (first == " " and after[1:2] in _DATE_PARTS):
        return True
    if value == "无" and first == " " and CJK.match(after, 1):
        return True  # a word of text spaced out ("4. 无 正 当 理 由"), not the placeholder
    if first == " " or len(value) > 2 or not value.isdecimal():
        return False
    if after[1:2] in (" ", "\t", "\n"):
        return True  # a stop and a space after it: no value is printed so ("(六)其他处理 1. 0 0 …")
    if not _WORDS_NEXT.match(after, 1):
        return False
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at]
    # at the head of its line, or after a group's label on it ("(六)其他处理 1.申请人…")
    return not before.strip(" \t|") or (
        before[-1:] in (" ", "\t") and CJK.match(before.rstrip()[-1:]) is not None
    )


def _glued_year(value: str, after: str) -> bool:
    """Digits run together ending in a year that 年 follows ("…19" + "2024年"): the values of a
    row scraped onto one line with the narrative after it."""
    return (
        len(value) > 4
        and len(value) <= MAX_DIGITS
        and value.isdecimal()
        and value[-4:-2] in ("19", "20")
        and after.lstrip(" ")[:1] == "年"
    )


def _blank(match: re.Match[str]) -> str:
    """A note's text blanked, its closing parenthesis kept: what follows it is not standing alone
    ("(四)无法提供" wrapped as "(四)无" is a group's label, not the placeholder 无)."""
    return " " * (len(match.group()) - 1) + ")"


def parse_number(number: str, unit: str | None, column: ColumnSpec) -> Value:
    """The value of one printed number in `column`, amounts converted to the column's unit."""
    if column.kind != "amount" and number.isdecimal():  # most values: plain counts
        return int(number)
    try:
        if column.kind == "amount" or "." in number:
            value = Decimal(number)
            if column.kind == "amount" and unit == "元":
                value = value / _WAN
            return value
        return int(number)
    except (ValueError, InvalidOperation):
        return None
