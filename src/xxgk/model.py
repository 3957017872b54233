"""The report model shared by the reader, the checker, the store and the web application.

A report is a template id, metadata, one `Cell` per template cell (keyed "table.row.column",
the data-dictionary ids of FORMAT.md) and the findings of the rules. A cell keeps what was
printed and where, so a number is never detached from its source.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from xxgk.templates import TEMPLATES, Template

Value = int | Decimal | None
Severity = Literal["error", "warning", "info"]
# how much a finding weighs: a cell marked by several shows the weightiest; lists put it first
SEVERITY_RANK: dict[str, int] = {"error": 2, "warning": 1, "info": 0}


@dataclass(slots=True)
class Provenance:
    """Where a printed value came from.

    Always: 1-based line and column and the 0-based character offset in the normalised text.
    Where the reader knows more: the page (1-based) and box (x0, top, x1, bottom in points) of a
    PDF, the table (0-based) and its row and column for HTML and DOCX, an OCR confidence.
    A cell compiled from a register (xxgk.compile) has instead the register entries behind it.
    """

    offset: int | None = None
    length: int | None = None
    line: int | None = None
    column: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    grid: int | None = None
    grid_row: int | None = None
    grid_col: int | None = None
    confidence: float | None = None
    entries: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) is not None}


# what a reader records of a stretch of text: (start, end, page, bbox, grid, grid row, grid
# column, confidence); see read.document
OriginRecord = tuple[int, int, "int | None", Any, "int | None", "int | None", "int | None", "float | None"]


_START, _CONFIDENCE = operator.itemgetter(0), operator.itemgetter(7)
# a record's fields after start and end, in the order Provenance.to_dict gives them
# the years a report can be of: they exist since 2008 (条例, 2008-05-01); a year outside is a typo
FIRST_YEAR, LAST_YEAR = 2000, 2100

_RECORD_FIELDS = ("page", "bbox", "grid", "grid_row", "grid_col", "confidence")


class Locator:
    """Turns an offset in a report's text into a `Provenance`: line and column, and what the
    reader recorded there. Cells are given their provenance from it when first asked: most
    reports read in a batch are never shown cell by cell."""

    __slots__ = ("_line_starts", "_record_starts", "has_confidence", "records", "text")

    def __init__(
        self, text: str, records: Sequence[OriginRecord] = (), has_confidence: bool | None = None
    ) -> None:
        """`has_confidence`: whether any record carries an OCR confidence, if the reader knows."""
        self.text = text
        self.records = records
        if has_confidence is None:
            has_confidence = any(map(operator.is_not, map(_CONFIDENCE, records), itertools.repeat(None)))
        self.has_confidence = has_confidence
        self._line_starts: list[int] = []
        self._record_starts: list[int] = []

    def provenance(self, offset: int, length: int) -> Provenance:
        line, column, record = self._place(offset)
        provenance = Provenance(offset, length, line, column)
        if record is not None:
            _, _, page, bbox, grid, grid_row, grid_col, confidence = record
            provenance.page, provenance.bbox, provenance.confidence = page, bbox, confidence
            provenance.grid, provenance.grid_row, provenance.grid_col = grid, grid_row, grid_col
        return provenance

    def source(self, offset: int, length: int) -> dict[str, Any]:
        """`provenance(offset, length).to_dict()` without making the Provenance: a batch writes
        every cell's source, and the objects were a fifth of its time."""
        starts = self._line_starts or self._index()
        line = bisect.bisect_right(starts, offset)
        out: dict[str, Any] = {
            "offset": offset,
            "length": length,
            "line": line,
            "column": offset - starts[line - 1] + 1,
        }
        if self.records:  # a text report records nothing beyond the text itself
            record = self._record_at(offset)
            if record is not None:
                for name, value in zip(_RECORD_FIELDS, record[2:], strict=True):
                    if value is not None:
                        out[name] = value
        return out

    def _place(self, offset: int) -> tuple[int, int, OriginRecord | None]:
        """The line and column of an offset, and the reader's record there."""
        starts = self._line_starts or self._index()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1, self._record_at(offset) if self.records else None

    def _index(self) -> list[int]:
        """Where each line and record starts: worked out when a provenance is first asked for."""
        lengths = map(len, self.text.split("\n"))
        self._line_starts = list(
            itertools.accumulate(map(operator.add, lengths, itertools.repeat(1)), initial=0)
        )
        self._record_starts = list(map(_START, self.records))
        return self._line_starts

    def _record_at(self, offset: int) -> OriginRecord | None:
        i = bisect.bisect_right(self._record_starts, offset) - 1
        return self.records[i] if i >= 0 and offset < self.records[i][1] else None


class Cell:
    """One template cell as read: its value, the text printed and where (`provenance`)."""

    __slots__ = (
        "_locator",
        "_offset",
        "_provenance",
        "ambiguous",
        "found",
        "key",
        "text",
        "value",
    )

    def __init__(
        self,
        key: str,
        value: Value = None,
        text: str | None = None,
        provenance: Provenance | None = None,
        ambiguous: bool = False,
        found: bool = False,
        locator: Locator | None = None,
        offset: int = 0,
    ) -> None:
        """`locator` and `offset`, for a printed cell, stand for `provenance`: it is worked out
        from them when first asked for."""
        self.key = key
        self.value = value
        self.text = text
        self._provenance = provenance
        self._locator = locator
        self._offset = offset
        self.ambiguous = ambiguous
        self.found = found

    @property
    def provenance(self) -> Provenance | None:
        if self._locator is not None:
            self._provenance = self._locator.provenance(self._offset, len(self.text or ""))
            self._locator = None
        return self._provenance

    @provenance.setter
    def provenance(self, provenance: Provenance | None) -> None:
        self._provenance, self._locator = provenance, None

    @property
    def confidence(self) -> float | None:
        """The OCR confidence of the cell (None unless it was read from a scan)."""
        if self._locator is not None and not self._locator.has_confidence:
            return None
        provenance = self.provenance
        return provenance.confidence if provenance is not None else None

    @property
    def table(self) -> str:
        return self.key.split(".")[0]

    def _fields(self) -> tuple[Any, ...]:
        return (self.key, self.value, self.text, self.provenance, self.ambiguous, self.found)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        names = ("key", "value", "text", "provenance", "ambiguous", "found")
        return "Cell(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True)) + ")"

    def __reduce__(self) -> tuple[type[Cell], tuple[Any, ...]]:
        return Cell, self._fields()

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        # most values are counts or blank: as they are in JSON, without a call
        out: dict[str, Any] = {
            "value": value if value is None or type(value) is int else json_value(value),
            "text": self.text,
        }
        if self._locator is not None:  # left lazy: the source is all that is wanted
            out["source"] = self._locator.source(self._offset, len(self.text or ""))
        elif self._provenance is not None:
            out["source"] = self._provenance.to_dict()
        if self.ambiguous:
            out["ambiguous"] = True
        if not self.found:
            out["missing"] = True
        return out


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    cells: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "cells": list(self.cells),
            "message": self.message,
        }


@dataclass
class Meta:
    agency: str | None = None
    year: int | None = None
    published: str | None = None
    title: str | None = None
    level: str | None = None  # 省 / 市 / 县 / 乡镇 / 街道 / 部门, where the name tells

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "year": self.year,
            "published": self.published,
            "title": self.title,
            "level": self.level,
        }


@dataclass
class Report:
    """One annual report as read: what was printed, where, and what is wrong with it."""

    template_id: str
    meta: Meta = field(default_factory=Meta)
    cells: dict[str, Cell] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    source: str | None = None
    format: str = "text"
    layout: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    # the printed span of each section (the occurrence the tables were read from, or the last)
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def blank(cls, template_id: str) -> Report:
        report = cls(template_id=template_id)
        report.cells = {key: Cell(key) for key in report.template.cell_keys()}
        return report

    @property
    def template(self) -> Template:
        return TEMPLATES[self.template_id]

    def value(self, key: str) -> Value:
        return self.cells[key].value

    def tables(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The three tables as nested dicts of values, as in the JSON contract."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        cells = self.cells
        for table in self.template.tables:
            rows = out.setdefault(table.id, {})
            for row in table.rows:
                values = {}
                for col, key in zip(row.columns, table.row_keys(row), strict=True):
                    value = cells[key].value
                    values[col.id] = value if value is None or type(value) is int else json_value(value)
                rows[row.id] = values
            # a single printed （六）其他处理 row, read as other_misc, is also given under the id
            # that one printed row has in the data dictionary (`other`), as printed
            for row_id in self.layout.get("tables", {}).get(table.id, {}).get("collapsed", []):
                if "other" not in rows:
                    rows["other"] = dict(rows[row_id])
        return out

    def section_text(self, *section_ids: str) -> str:
        """The printed text of the named sections (as found), in order."""
        spans = sorted(self.sections[s] for s in section_ids if s in self.sections)
        return "\n".join(self.text[a:b].strip() for a, b in spans)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def pages_of(self, finding: Finding) -> list[int]:
        """The pages of a PDF that a finding's printed cells stand on (none in other formats): a
        line of the text read out of a PDF means nothing to someone holding the PDF."""
        pages = set()
        for key in finding.cells:
            cell = self.cells.get(key)
            provenance = cell.provenance if cell is not None else None
            if provenance is not None and provenance.page is not None:
                pages.add(provenance.page)
        return sorted(pages)

    def _finding_dict(self, finding: Finding) -> dict[str, Any]:
        out = finding.to_dict()
        pages = self.pages_of(finding)
        if pages:
            out["pages"] = pages
        return out

    def to_dict(self, *, cells: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "template": self.template_id,
            "meta": self.meta.to_dict(),
            "tables": self.tables(),
            "findings": [self._finding_dict(f) for f in self.findings],
        }
        if self.source is not None:
            out["source"] = self.source
        out["format"] = self.format
        if self.layout:
            out["layout"] = self.layout
        if cells:
            out["cells"] = {key: cell.to_dict() for key, cell in self.cells.items()}
        return out


def json_value(value: Value) -> int | float | None:
    """Decimals become JSON numbers; ints stay exact."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
