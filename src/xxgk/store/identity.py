"""A report's identity: what it says, not how the file that carried it was made.

The same report as a web page, a PDF, a DOCX, pasted into the browser or saved with CRLF line
ends is one report with several sources. Its identity is a hash of the year, the agency as
printed (two bodies may print the same words and numbers: a blank template), every table cell
that holds a number (the number, not how it was printed: `1,234` and `1234` agree), and the
narrative sections after normalisation: Unicode NFKC (full-width digits and punctuation as their
plain forms), page chrome removed (page numbers, a repeated title: xxgk.extract.noise), markdown
marks and all whitespace dropped (line ends, indents, the lines a PDF breaks a paragraph into).
Another number in a table or another word in the text is another version.

Pure (no database): the store computes it on ingest, the migration from stored rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from xxgk.extract.noise import quiet

# what a format adds around the words, never words itself: whitespace and markdown marks
_NOT_WORDS = re.compile(r"[\s#|*>`_]+")


def normal_text(narrative: str, title: str | None = None) -> str:
    """The narrative as the identity sees it."""
    text = unicodedata.normalize("NFKC", "\n" + narrative.replace("\r\n", "\n").replace("\r", "\n"))
    return _NOT_WORDS.sub("", quiet(text, unicodedata.normalize("NFKC", title) if title else None))


def _number(value: Decimal | int | float) -> str:
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def content_hash(
    year: int,
    agency: str | None,
    values: Mapping[str, Decimal | int | float | None],
    narrative: str,
    title: str | None,
) -> str:
    """The identity of a report: `values` by cell key (table.row.column), None for a blank cell."""
    agency = _NOT_WORDS.sub("", unicodedata.normalize("NFKC", agency or ""))
    digest = hashlib.sha256(f"{year}\n{agency}\n".encode())
    for key in sorted(values):
        value = values[key]
        if value is not None:
            digest.update(f"{key}={_number(value)}\n".encode())
    digest.update(b"\x00")
    digest.update(normal_text(narrative, title).encode())
    return digest.hexdigest()
