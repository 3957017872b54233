"""The report model: cells whose provenance is worked out when first asked for."""

from __future__ import annotations

import pickle
from pathlib import Path

import xxgk
from xxgk.model import Cell, Locator, Provenance

CORPUS = Path(__file__).parent / "corpus"


def test_provenance_points_at_the_printed_text() -> None:
    text = "标题\n\n一、本年新收 | 12 | 3\n二、上年结转 7"
    locator = Locator(text)
    cell = Cell("applications.received.total", 12, "12", None, False, True, locator, text.index("12"))
    p = cell.provenance
    assert p is not None
    # 标题\n\n is 4 characters; then 一、本年新收 | : the 1 is the 10th character of line 3
    assert (p.line, p.column, p.offset, p.length) == (3, 10, 13, 2)
    assert text[p.offset : p.offset + p.length] == "12"
    assert p.page is None and cell.confidence is None


def test_reader_records_give_page_box_grid_and_confidence() -> None:
    text = "| 5 | 6 |\n"
    records = [(2, 3, 1, (1.0, 2.0, 3.0, 4.0), 0, 4, 1, 0.5), (6, 7, 1, None, 0, 4, 2, 0.99)]
    locator = Locator(text, records)
    first = Cell("k", 5, "5", None, False, True, locator, 2)
    second = Cell("k2", 6, "6", None, False, True, locator, 6)
    assert first.confidence == 0.5 and second.confidence == 0.99
    assert first.provenance == Provenance(2, 1, 1, 3, 1, (1.0, 2.0, 3.0, 4.0), 0, 4, 1, 0.5)
    assert second.provenance is not None and second.provenance.grid_col == 2
    outside = Cell("k3", 9, "|", None, False, True, locator, 0)  # before the first record
    assert outside.provenance is not None and outside.provenance.grid is None


def test_a_read_report_survives_pickling_with_its_provenance() -> None:
    """Batch workers send reports to the parent process by pickling them."""
    report = xxgk.parse_path(CORPUS / "hangzhoustyle_anon_2025.html")
    copy = pickle.loads(pickle.dumps(report))
    assert copy.cells == report.cells
    key = "applications.received.natural_person"
    assert copy.cells[key].provenance == report.cells[key].provenance
    assert copy.cells[key].provenance.grid is not None  # type: ignore[union-attr]
    assert copy.to_dict() == report.to_dict()


def test_cells_compare_by_content() -> None:
    text = "x 12"
    located = Cell("a.b.c", 12, "12", None, False, True, Locator(text), 2)
    plain = Cell("a.b.c", 12, "12", Provenance(2, 2, 1, 3), False, True)
    assert located == plain
    assert located != Cell("a.b.c", 13, "13", Provenance(2, 2, 1, 3), False, True)


def test_a_cell_written_lazily_gives_the_source_its_provenance_gives() -> None:
    # the JSON of a cell whose provenance was never asked for is made without making it
    text = "| 5 | 6 |\n"
    records = [(2, 3, 1, (1.0, 2.0, 3.0, 4.0), 0, 4, 1, None), (6, 7, None, None, None, None, None, None)]
    lazy = [Cell("k", v, str(v), None, False, True, Locator(text, records), o) for v, o in ((5, 2), (6, 6))]
    assert [c.to_dict()["source"] for c in lazy] == [
        {"offset": 2, "length": 1, "line": 1, "column": 3, "page": 1, "bbox": (1.0, 2.0, 3.0, 4.0), "grid": 0,
         "grid_row": 4, "grid_col": 1},
        {"offset": 6, "length": 1, "line": 1, "column": 7},
    ]  # fmt: skip
    for path in sorted(CORPUS.glob("*.*")):
        if path.suffix in (".txt", ".html", ".pdf"):
            report = xxgk.parse_path(path)
            written = [cell.to_dict() for cell in report.cells.values()]
            asked = [{**c.to_dict(), "source": c.provenance.to_dict()} if c.provenance else c.to_dict()
                     for c in report.cells.values()]  # fmt: skip
            assert written == asked, path
