"""From a normalised document to a `Report`: sections, template, tables, cells, metadata."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xxgk.errors import NotAReportError
from xxgk.extract.evidence import by_layout, choose, digits, from_narrative
from xxgk.extract.labels import count_phrases
from xxgk.extract.meta import read_title, sign
from xxgk.extract.noise import quiet
from xxgk.extract.sections import Heading, find_headings, section_spans
from xxgk.extract.split import report_budget
from xxgk.extract.tables import Line, TableReading, read_table
from xxgk.model import Cell, Locator, Report, Value, json_value
from xxgk.read import Document
from xxgk.templates import SECTIONS, TEMPLATES, Template, template_for_year
from xxgk.templates.arithmetic import identities

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
    meta, named = read_title(text, document.hints)
    marks = _marks(text)
    with report_budget():
        template, readings = _read_tables(quiet(text, meta.title), headings, meta.year, marks)
    tables = [r.span for r in readings.values() if r.span is not None and r.rows_found]
    sign(meta, text, body_start, named, document.hints, tables)
    in_doubt = any(line.ambiguous for r in readings.values() for line in r.lines)
    decided = _decide_by_evidence(readings.values(), text) if in_doubt else {}
    preferred = _prefer_by_layout(readings.values(), template) if in_doubt else {}
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
                "rows_missing": [row for row in r.missing_rows if row not in _printed_elsewhere(r)],
                "collapsed": r.collapsed,
                "misprinted": r.misprinted,
                "lost": [line.row_id for line in r.lost],
                "denied": r.denied,
                "unplaced": r.unplaced,
                "apart": r.apart,
                "among_header": r.read_among_header,
                "decided": decided.get(table_id, {}),
                "candidates": _candidates(r),
                "preferred": preferred.get(table_id, {}),
                "numbers_first": r.numbers_first,
                "concatenated": r.concatenated,
            }
            for table_id, r in readings.items()
        },
    }
    if document.replaced is not None:
        report.layout["undecodable"] = document.replaced.to_dict()
    return Extraction(report, readings)


def _printed_elsewhere(reading: TableReading) -> set[str]:
    """Rows not found in order whose labels are printed elsewhere in the table: not missing."""
    return {row for apart in reading.apart if apart.get("unordered") for row in apart["rows"]}  # type: ignore[attr-defined]


def _row_id(line: Line) -> str:
    """The row a line holds ("" for a table printed as one line)."""
    parts = {key.split(".")[1] for key in line.keys}
    return parts.pop() if len(parts) == 1 else ""


def _readings(line: Line) -> list[dict[str, Value]]:
    return [
        {
            key: piece.value if piece is not None else None
            for key, piece in zip(line.keys, option.pieces, strict=True)
        }
        for option in line.options
    ]


def _decide_by_evidence(readings: Iterable[TableReading], text: str) -> dict[str, dict[str, dict[str, str]]]:
    """Lines left ambiguous by the arithmetic, decided where what the narrative states admits one
    reading; returns, by table and row, what decided it (for the SPLIT finding)."""
    decided: dict[str, dict[str, dict[str, str]]] = {}
    readings = list(readings)
    in_doubt = [
        (reading, line)
        for reading in readings
        for line in reading.lines
        if line.ambiguous and len(line.options) > 1
    ]
    # only the figures stated for these lines' cells can decide them: the others are not looked for
    evidence = from_narrative(text, {key for _, line in in_doubt for key in line.keys})
    if not evidence:
        return decided
    values = {
        key: value
        for reading in readings
        for line in reading.lines
        if line.reading is not None
        for key, value in _readings(line)[line.chosen].items()
    }
    for reading, line in in_doubt:
        choice = choose(_readings(line), values, evidence)
        if choice is None:
            continue
        line.chosen, line.ambiguous = choice[0], frozenset()
        decided.setdefault(reading.table.id, {})[_row_id(line)] = {
            "text": "".join(t.text for t in line.toks),
            "reading": "|".join(p.text if p is not None else "空" for p in line.options[choice[0]].pieces),
            "evidence": "、".join(f"{e.source}{e.said}" for e in choice[1]),
        }
    return decided


def _prefer_by_layout(
    readings: Iterable[TableReading], template: Template
) -> dict[str, dict[str, dict[str, str]]]:
    """Lines still in doubt where one reading alone gives every figure the digit count of the
    figures printed in its column in other rows, and breaks no identity of the template: that
    reading is shown, and the cells stay in doubt (the layout is a hint, not proof; a
    neighbouring year may still settle them). Returns, by table and row, the hint in words."""
    preferred: dict[str, dict[str, dict[str, str]]] = {}
    readings = list(readings)
    values = {
        key: value
        for reading in readings
        for line in reading.lines
        if line.reading is not None and not line.ambiguous
        for key, value in _readings(line)[line.chosen].items()
    }
    for reading in readings:
        if reading.table.unlabelled:
            continue
        for line in reading.lines:
            if not line.ambiguous or len(line.options) < 2:
                continue
            widths: dict[str, set[int]] = {}
            for other in reading.lines:
                if other is line or other.reading is None or other.ambiguous:
                    continue
                for key, value in _readings(other)[other.chosen].items():
                    width = digits(value)
                    if width is not None:
                        widths.setdefault(key.rsplit(".", 1)[1], set()).add(width)
            options = _readings(line)
            choice = by_layout(options, {column: frozenset(w) for column, w in widths.items()})
            if choice is None:
                continue
            # every other line as shown (a line in doubt too: the arithmetic chose its reading
            # together with this one's, and the layout must not break what it chose)
            shown = {**values, **_shown(readings, line), **options[choice[0]]}
            if any(i.holds(shown) is False for i in identities(template) if set(i.keys) & set(line.keys)):
                continue
            line.chosen = choice[0]
            preferred.setdefault(reading.table.id, {})[_row_id(line)] = {"evidence": choice[1]}
    return preferred


def _shown(readings: list[TableReading], but: Line) -> dict[str, Value]:
    """The values of the lines in doubt as they are shown (their chosen reading), but one."""
    return {
        key: value
        for reading in readings
        for line in reading.lines
        if line is not but and line.ambiguous and line.reading is not None
        for key, value in _readings(line)[line.chosen].items()
    }


def _candidates(reading: TableReading) -> dict[str, list[list[list[object]]]]:
    """Every reading still in doubt, by row: each cell's printed text, value and offset, each
    way (the same body's report of a neighbouring year may still decide among them)."""
    return {
        _row_id(line): [
            [
                [p.text, json_value(p.value), p.start] if p is not None else [None, None, None]
                for p in option.pieces
            ]
            for option in line.options
        ]
        for line in reading.lines
        if line.ambiguous and len(line.options) > 1
    }


def _add_cells(report: Report, readings: Iterable[TableReading], document: Document) -> None:
    """One cell per template cell; where each was printed is worked out when first asked for."""
    locator = Locator(report.text, document.records, document.has_confidence)
    cells = report.cells
    for reading in readings:
        for line in reading.lines:
            chosen = line.reading
            if chosen is None:
                found = line.label is not None  # a row not found may be printed out of order: in doubt
                for key in line.keys:
                    cells[key] = Cell(key, None, None, None, key in line.ambiguous, found)
                continue
            ambiguous = line.ambiguous
            for key, piece in zip(line.keys, chosen.pieces, strict=True):
                doubt = key in ambiguous if ambiguous else False
                if piece is None:
                    cells[key] = Cell(key, None, None, None, doubt, True)
                else:
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
            table.id: read_table(
                text,
                table,
                template,
                section_spans(text, headings, table.section),
                [heading.start for heading in headings if heading.section != table.section],
            )
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
