"""One normal form for every reader's text, so labels and numbers match the same way.

Cell provenance points into this normalised text (line, column, offset).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import cache
from itertools import compress, repeat

_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DASHES = "\u2212\u2010\u2011\u2013"
# a page break (pdftotext puts a form feed between pages) and the other line separators end a line
_LINE_BREAKS = "\f\v\x85\u2028\u2029"
# a table's cell borders drawn as box-drawing lines (w3m's dump of an HTML table, a
# terminal's) are the cell borders a scraper prints as |: │ ┃ ║ and their dashed forms
_BORDERS = "\u2502\u2503\u2551\u2506\u2507\u250a\u250b\u254e\u254f"
_UNIFY = str.maketrans(
    {
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_INVISIBLE),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_LINE_BREAKS, "\n"),
        **dict.fromkeys(_BORDERS, "|"),
    }
)
_TRAILING = re.compile(r"[ ]+\n")


@cache
def _table() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every BMP character the normal form changes, and what it becomes.

    Whole-text NFKC costs ~60 ns a character; replacing only the few characters that change
    (full-width punctuation and digits, mostly) is several times faster on Chinese text.
    """
    changes = {}
    for char in _may_change():
        mapped = char if unicodedata.is_normalized("NFKC", char) else unicodedata.normalize("NFKC", char)
        mapped = mapped.translate(_UNIFY)
        digit = unicodedata.decimal(mapped, None) if len(mapped) == 1 else None
        if digit is not None:
            mapped = str(digit)  # digits of every script are ASCII: readers match numbers as [0-9]
        if mapped != char:
            changes[char] = mapped
    pattern = re.compile("([" + "".join(re.escape(c) for c in sorted(changes)) + "])")
    return pattern, changes


def _may_change() -> set[str]:
    """The BMP characters NFKC changes, those with a digit value and those `_UNIFY` maps: a superset of
    what the normal form changes, picked out by C-level maps (a Python loop over the BMP took ~45 ms
    of every process's first read)."""
    bmp = [*map(chr, range(0xD800)), *map(chr, range(0xE000, 0x10000))]  # surrogates left out
    unstable = compress(bmp, map(operator.not_, map(unicodedata.is_normalized, repeat("NFKC"), bmp)))
    digits = compress(bmp, map(operator.is_not, map(unicodedata.decimal, bmp, repeat(None)), repeat(None)))
    return {*unstable, *digits, *map(chr, _UNIFY)}


def _per_character(text: str) -> str:
    pattern, changes = _table()
    parts = pattern.split(text)  # text, a character that changes, text, ...: one C call
    if len(parts) > 1:
        parts[1::2] = [changes[c] for c in parts[1::2]]
        text = "".join(parts)
    return text


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), ASCII digits, unified line ends (page breaks among them),
    dashes, spaces and cell borders; tabs kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _per_character(text)
    if not unicodedata.is_normalized("NFKC", text):  # characters that compose, or beyond the BMP
        text = _per_character(unicodedata.normalize("NFKC", text))
    return _TRAILING.sub("\n", text) if " \n" in text else text
