"""How much reading one file may expand: every limit of the readers, declared once.

A report is tens of kilobytes of text and a few hundred table cells. The limits are hundreds of
times that, so no real report meets them, while a hostile file (a ZIP bomb, a device, a table of
a billion spanned slots, digits that split a million ways) is refused with one line naming the
limit before it costs more than a few hundred megabytes or a second or two. Each check is a
comparison of a size the reader has at hand (a file size, a ZIP entry's declared size, a count
of `<` bytes), cheap next to the reading itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.errors import InputError

__all__ = ["LIMITS", "Limits", "exceeded"]


@dataclass(frozen=True, slots=True)
class Limits:
    file_bytes: int = 64 << 20  # bytes of one input file (a scanned PDF of 30 pages is 10-20 MB)
    text_chars: int = 2_000_000  # characters of a document's text (a long report: 60,000; 300 pages: 900,000)
    xml_part_bytes: int = 32 << 20  # uncompressed bytes of one XML part of a DOCX (a report: under 2 MB)
    markup: int = 1_000_000  # `<` in a DOCX XML part or an HTML page: 1+ an element (a report: 20,000)
    xml_depth: int = 256  # nesting of XML elements: libxml2's own limit, named here for the error
    table_slots: int = 1_000_000  # grid slots the spans of one HTML table cover (a report: 300)
    pages: int = 300  # pages of a PDF, frames of an image (a report: 5-30)
    page_rules: int = 600  # ruling lines of one page (a table page: under 100); tables cost their square
    page_pixels: int = 50_000_000  # pixels of one page image for OCR (A4 at 200 dpi: 3.7 million)
    split_steps: int = 600_000  # cuts the digit splitter tries in a report (one run together: 462,000)


LIMITS = Limits()


def exceeded(limit: str, what: str, source: str | None) -> InputError:
    """The one-line error for input past `limit` (a field of `Limits`): what was found, the limit."""
    value = getattr(LIMITS, limit)
    return InputError(f"{what}: over the limit of {value:,} ({limit})", source, kind="too_large")
