"""What a line of a results file (`xxgk parse --out`) must hold for the store to load it: the
JSON type of each field the store reads, declared once, and read with the line.

A results file may come from elsewhere (another machine, another program, a hand edit): a line
whose fields are not of these types is refused, naming the field, before any of it is stored,
rather than stored to break whatever reads it later. msgspec checks the types as it parses the
line (0.10 ms a line, where orjson took 0.135 to parse it alone: the `tables`, which the cells
say again, are skipped unread); types are exact (`true` is no number) and integers of any size
are kept as printed.
"""

from __future__ import annotations

from datetime import MAXYEAR
from typing import Any, NotRequired, TypedDict

import msgspec


class Source(TypedDict, total=False):
    """A cell's `source`: `model.Provenance`'s fields, each optional."""

    offset: int
    length: int
    line: int
    column: int
    page: int
    bbox: list[float]
    grid: int
    grid_row: int
    grid_col: int
    confidence: float
    entries: list[str]


class Cell(TypedDict):
    value: int | float | None
    text: str | None
    source: NotRequired[Source]
    ambiguous: NotRequired[bool]
    missing: NotRequired[bool]


class Meta(TypedDict, total=False):
    agency: str | None
    year: int | None
    published: str | None
    title: str | None
    level: str | None


class Finding(TypedDict):
    rule: str
    severity: str
    cells: list[str]
    message: str
    pages: NotRequired[list[int]]  # of a PDF: the pages its cells stand on


class Line(TypedDict):
    """A read report's line (a line of a file not read has `error` instead: see `batch`)."""

    file: str
    sha256: str
    template: str
    meta: Meta
    findings: list[Finding]
    cells: dict[str, Cell]
    narrative: str
    source: NotRequired[str | None]
    format: NotRequired[str]
    layout: NotRequired[dict[str, Any]]  # the reader's notes, kept whole; see `_wrong_layout`


# what the store reads of the layout, table by table (its other notes are kept, unread)
LAYOUT_TABLE = {"candidates": dict, "preferred": dict, "decided": dict}

# a field of no type declared here (another program's, or a later xxgk's) is left out of the
# record: nothing reads it
_DECODER = msgspec.json.Decoder(Line)


class MalformedLine(ValueError):
    """What is wrong with a line, for its message."""


def parse(raw: bytes) -> dict[str, Any]:
    """A read report's line as a dict, its fields of their types (`MalformedLine` if not, with
    `msgspec.ValidationError` as its cause; `msgspec.DecodeError`: no JSON at all)."""
    try:
        record: dict[str, Any] = _DECODER.decode(raw)
    except msgspec.ValidationError as error:
        message = str(error)
        if "`$.cells[...]" in message:
            message = _in_cells(raw) or message
        raise MalformedLine(message.replace("$.", "").replace("`", "")) from error
    year = record["meta"].get("year")
    if year is not None and not 1 <= year < MAXYEAR:
        raise MalformedLine(f"meta.year {year} is no calendar year")
    if wrong := _wrong_layout(record.get("layout", {})):
        raise MalformedLine(wrong)
    return record


def _in_cells(raw: bytes) -> str | None:
    """What is wrong with a cell, by its key (msgspec names no key of a dict)."""
    try:
        cells = msgspec.json.decode(raw)["cells"]
    except (msgspec.DecodeError, KeyError, TypeError):
        return None
    for key, cell in cells.items():
        try:
            msgspec.convert(cell, Cell)
        except msgspec.ValidationError as error:
            message = str(error)  # "… - at `$.value`", or without a place where the cell is wrong
            at = f"`$.cells.{key}"
            return message.replace("`$", at, 1) if "`$" in message else f"{message} - at {at}`"
    return None


def _wrong_layout(layout: dict[str, Any]) -> str | None:
    tables = layout.get("tables", {})
    if not isinstance(tables, dict):
        return "layout.tables is not an object"
    for table_id, info in tables.items():
        if not isinstance(info, dict):
            return f"layout.tables.{table_id} is not an object"
        for name, kind in LAYOUT_TABLE.items():
            if not isinstance(info.get(name, {}), kind):
                return f"layout.tables.{table_id}.{name} is not an object"
    return None
