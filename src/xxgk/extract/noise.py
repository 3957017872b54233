"""What a table reading must not take for values: page chrome and the litter of machine-made
markdown (OCR or an LLM turning a PDF into markdown).

Page markers (第3页, - 3 -, <!-- page 3 -->, 3/12, a browser's print header and footer: the
page's address, "2025/1/20 10:32"), markdown headings (a section title repeated
over a table, "## 3. 收到…"), the report's title repeated at a page top, placeholder header
cells (数据1, 列2, Column 3) and rows of nothing but dashes hold digits or dashes that would
otherwise be read as cells and shift the rest. They are blanked out with spaces, so that every
offset into the text (each cell's provenance) stays as it was.
"""

from __future__ import annotations

import re

_PAGE = re.compile(
    r"\n[ \t]*(?:第[ \t]*\d{1,4}[ \t]*页(?:[ \t]*[/,，]?[ \t]*共[ \t]*\d{1,4}[ \t]*页)?"
    r"|[-—]{1,2}[ \t]*\d{1,4}[ \t]*[-—]{1,2}"
    r"|<!--[^\n]*?-->"
    r"|\d{1,4}[ \t]*/[ \t]*\d{1,4}"
    r"|[Pp]age[ \t]*\d{1,4}(?:[ \t]*of[ \t]*\d{1,4})?"
    # a browser's print header and footer: the page's address, the date and time it was printed
    r"|https?://[^\s]+(?:[ \t][^\n]*)?"
    r"|(?:19|20)\d{2}/\d{1,2}/\d{1,2}[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t][^\n]*)?)[ \t]*(?=\n|\Z)"
)
_HEADING = re.compile(r"\n#{1,6}[ \t][^\n]*")
_DIGITS = re.compile(r"[0-9]")
# a header cell that only numbers the columns: 数据1 … 数据7, 列1, Column 1, 字段2
_PLACEHOLDER_CELL = re.compile(r"\|[ \t]*(?:数据|列|字段|项目|[Cc]ol(?:umn)?)[ \t]*\d{1,3}[ \t]*(?=\|)")
# a markdown row with nothing but dashes in its cells, some left empty (and separator rows); a
# row of empty cells is kept: it may be a table row printed without its label (tables.py)
_DASH_ROW = re.compile(
    r"\n[ \t]*\|(?:[ \t:]*\|)*[ \t:]*[-—]+[ \t:]*\|(?:[ \t:]*(?:[-—]+[ \t:]*)?\|)*[ \t]*(?=\n|\Z)"
)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _blank_after_border(match: re.Match[str]) -> str:
    return "|" + " " * (len(match.group()) - 1)


def _digits_blanked(match: re.Match[str]) -> str:
    return _DIGITS.sub(" ", match.group())


def quiet(text: str, title: str | None = None) -> str:
    """The text with page chrome and markdown litter blanked out (the same length)."""
    text = _PAGE.sub(_blank, text)
    if "#" in text:
        text = _HEADING.sub(_digits_blanked, text)  # its words may name a piece of a table
    if "|" in text:
        text = _PLACEHOLDER_CELL.sub(_blank_after_border, text)
        text = _DASH_ROW.sub(_blank, text)
    if title and text.count(title) > 1:
        repeated = re.compile(r"\n[ \t#|]*" + re.escape(title) + r"[ \t|]*(?=\n|\Z)")
        text = repeated.sub(_blank, text)
    return text
