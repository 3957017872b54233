"""From a normalised document to a `Report`: sections, template, tables, cells, metadata."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xxgk.errors import NotAReportError
from xxgk.extract.labels import count_phrases
from xxgk.extract.meta import extract_meta
from xxgk.extract.sections import Heading, find_headings, section_spans
from xxgk.extract.split import report_budget
from xxgk.extract.tables import TableReading, read_table
from xxgk.model import Cell, Locator, Report
from xxgk.read import Document
from xxgk.templates import SECTIONS, TEMPLATES, Template, template_for_year

__all__ = ["Extraction", "extract"]

# Fewer row labels than this in the whole text, and no section headings: not an annual report.
MIN_ROWS_FOUND = 8


@dataclass
class Extraction:
    """A report and the table readings it came from (for layout notes and debugging)."""

    report: Report
    readings: dict[str, TableReading]


def extract(document: Document) -> Extraction:
    text = document.text
    headings = find_headings(text)
    body_start = headings[0].start if headings else 0
    meta = extract_meta(text, body_start, document.hints)
    marks = _marks(text)
    with report_budget():
        template, readings = _read_tables(text, headings, meta.year, marks)
    rows_found = sum(r.rows_found for r in readings.values())
    if rows_found < MIN_ROWS_FOUND and len({h.section for h in headings}) < 3:
        raise NotAReportError(
            "not a government information-disclosure annual report: no statistical tables found",
            document.source,
        )
    report = Report(
        template_id=template.id, meta=meta, source=document.source, format=document.format, text=text
    )
    for section in SECTIONS:
        spans = section_spans(text, headings, section.id)
        if spans:
            report.sections[section.id] = spans[-1]
    for reading in readings.values():
        if reading.span is not None and reading.rows_found:
            report.sections[reading.table.section] = reading.span
    _add_cells(report, readings.values(), document)
    report.layout = {
        "template_marks": marks,
        "tables": {
            table_id: {
                "rows_found": r.rows_found,
                "rows_missing": r.missing_rows,
                "collapsed": r.collapsed,
                "misprinted": r.misprinted,
                "numbers_first": r.numbers_first,
                "concatenated": r.concatenated,
            }
            for table_id, r in readings.items()
        },
    }
    if document.replaced is not None:
        report.layout["undecodable"] = document.replaced.to_dict()
    return Extraction(report, readings)


def _add_cells(report: Report, readings: Iterable[TableReading], document: Document) -> None:
    """One cell per template cell; where each was printed is worked out when first asked for."""
    locator = Locator(report.text, document.records, document.has_confidence)
    cells = report.cells
    for reading in readings:
        for line in reading.lines:
            chosen = line.reading
            if chosen is None:
                found = line.label is not None
                for key in line.keys:
                    cells[key] = Cell(key, None, None, None, False, found)
                continue
            ambiguous = line.ambiguous
            for key, piece in zip(line.keys, chosen.pieces, strict=True):
                if piece is None:
                    cells[key] = Cell(key, None, None, None, False, True)
                else:
                    doubt = key in ambiguous if ambiguous else False
                    cells[key] = Cell(key, piece.value, piece.text, None, doubt, True, locator, piece.start)


def _read_tables(
    text: str, headings: list[Heading], year: int | None, marks: dict[str, int]
) -> tuple[Template, dict[str, TableReading]]:
    """Read with the template the layout shows; when the marks do not tell, try each."""
    ranked = sorted(TEMPLATES.values(), key=lambda t: marks[t.id], reverse=True)
    if marks[ranked[0].id] > marks[ranked[1].id]:
        choices = [ranked[0]]
    else:
        by_year = template_for_year(year) if year else None
        choices = [by_year] if by_year else list(TEMPLATES.values())
    best: tuple[Template, dict[str, TableReading]] | None = None
    for template in choices:
        readings = {
            table.id: read_table(text, table, template, section_spans(text, headings, table.section))
            for table in template.tables
        }
        if best is None or _found(readings) > _found(best[1]):
            best = (template, readings)
    assert best is not None
    return best


def _found(readings: dict[str, TableReading]) -> int:
    return sum(r.rows_found for r in readings.values())


def _marks(text: str) -> dict[str, int]:
    return {t.id: count_phrases(text, t.marks) for t in TEMPLATES.values()}
