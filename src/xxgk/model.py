"""The report model shared by the reader, the checker, the store and the web application.

A report is a template id, metadata, one `Cell` per template cell (keyed "table.row.column",
the data-dictionary ids of FORMAT.md) and the findings of the rules. A cell keeps what was
printed and where, so a number is never detached from its source.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from xxgk.templates import TEMPLATES, Template

Value = int | Decimal | None
Severity = Literal["error", "warning"]


class LineIndex:
    """Where the lines of a text start, worked out the first time a line number is asked for."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def locate(self, offset: int) -> tuple[int, int]:
        """1-based line and column of `offset`."""
        if self._starts is None:
            lengths = map(len, self.text.split("\n"))
            self._starts = list(
                itertools.accumulate(map(operator.add, lengths, itertools.repeat(1)), initial=0)
            )
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


class Provenance:
    """Where a printed value came from.

    Always: 1-based line and column and the 0-based character offset in the normalised text.
    Where the reader knows more: the page (1-based) and box (x0, top, x1, bottom in points) of a
    PDF, the table (0-based) and its row and column for HTML and DOCX, an OCR confidence.
    Line and column may be left to a `LineIndex`: most reports read are never shown line by line.
    """

    FIELDS = (
        "offset",
        "length",
        "line",
        "column",
        "page",
        "bbox",
        "grid",
        "grid_row",
        "grid_col",
        "confidence",
    )
    __slots__ = (
        "_column",
        "_line",
        "_lines",
        "bbox",
        "confidence",
        "grid",
        "grid_col",
        "grid_row",
        "length",
        "offset",
        "page",
    )

    def __init__(
        self,
        offset: int | None = None,
        length: int | None = None,
        line: int | None = None,
        column: int | None = None,
        page: int | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        grid: int | None = None,
        grid_row: int | None = None,
        grid_col: int | None = None,
        confidence: float | None = None,
        *,
        lines: LineIndex | None = None,
    ) -> None:
        self.offset = offset
        self.length = length
        self._line = line
        self._column = column
        self.page = page
        self.bbox = bbox
        self.grid = grid
        self.grid_row = grid_row
        self.grid_col = grid_col
        self.confidence = confidence
        self._lines = lines

    def _locate(self) -> None:
        if self._line is None and self._lines is not None and self.offset is not None:
            self._line, self._column = self._lines.locate(self.offset)
        self._lines = None

    @property
    def line(self) -> int | None:
        self._locate()
        return self._line

    @property
    def column(self) -> int | None:
        self._locate()
        return self._column

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in zip(self.FIELDS, self.values(), strict=True) if v is not None}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Provenance) and self.values() == other.values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "Provenance(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items()) + ")"

    def __reduce__(self) -> tuple[type[Provenance], tuple[Any, ...]]:
        return Provenance, self.values()


@dataclass(slots=True)
class Cell:
    key: str
    value: Value = None
    text: str | None = None
    provenance: Provenance | None = None
    ambiguous: bool = False
    found: bool = False

    @property
    def table(self) -> str:
        return self.key.split(".")[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": json_value(self.value), "text": self.text}
        if self.provenance is not None:
            out["source"] = self.provenance.to_dict()
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
        for table in self.template.tables:
            rows = out.setdefault(table.id, {})
            for row in table.rows:
                rows[row.id] = {
                    col.id: json_value(self.cells[f"{table.id}.{row.id}.{col.id}"].value)
                    for col in row.columns
                }
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

    def to_dict(self, *, cells: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "template": self.template_id,
            "meta": self.meta.to_dict(),
            "tables": self.tables(),
            "findings": [f.to_dict() for f in self.findings],
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
