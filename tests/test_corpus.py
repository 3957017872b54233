"""The reader against hand-checked truth: every cell of every real text report in the corpus."""

from __future__ import annotations

import gc

import xxgk
from tests.conftest import truth_of
from tests.readback import cells_of, same


def test_every_cell_matches_truth(text_report):
    truth = truth_of(text_report)
    report = xxgk.parse_path(text_report)
    got = cells_of(report.tables())
    wrong = {k: (v, got.get(k)) for k, v in cells_of(truth["tables"]).items() if not same(v, got.get(k))}
    assert wrong == {}
    assert report.template_id == truth["template"]
    assert report.meta.year == truth["meta"]["year"]


def test_agency_matches_truth(text_report):
    assert xxgk.parse_path(text_report).meta.agency == truth_of(text_report)["meta"]["agency"]


def test_consistent_corpus_reports_get_no_error(text_report):
    report = xxgk.parse_path(text_report)
    assert [f.message for f in report.errors] == []


def test_cells_point_at_their_printed_text(text_report):
    report = xxgk.parse_path(text_report)
    for cell in report.cells.values():
        if cell.provenance is None:
            continue
        p = cell.provenance
        assert report.text[p.offset : p.offset + p.length] == cell.text
        line = report.text.splitlines()[p.line - 1]
        assert line[p.column - 1 :].startswith(cell.text)


def test_reading_a_report_leaves_nothing_for_the_cycle_collector(text_report):
    """Batches collect garbage rarely (xxgk.batch); a reference cycle made per report would keep
    its objects alive until then. Everything a reading makes must be freed by reference counts."""
    data = text_report.read_bytes()
    xxgk.parse_bytes(data)  # caches and lazy imports first
    gc.collect()
    gc.disable()
    try:
        xxgk.parse_bytes(data)
        assert gc.collect() == 0
    finally:
        gc.enable()
