"""One normal form for every reader's text, so labels and numbers match the same way.

Cell provenance points into this normalised text (line, column, offset).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_TRAILING = re.compile(r"[ ]+\n")
_DASHES = ("\u2212", "\u2010", "\u2011", "\u2013")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), unified line ends, dashes and spaces; tabs kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    for dash in _DASHES:
        if dash in text:
            text = text.replace(dash, "-")
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    return _TRAILING.sub("\n", text)
