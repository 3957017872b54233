"""The reader against hand-checked truth: every cell of every real text report in the corpus."""

from __future__ import annotations

import gc

import xxgk
from tests.conftest import CORPUS, truth_of
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


# Structure the truth notes record: the agency printed （六）其他处理 as one row (TEMPLATE).
STRUCTURE_ERRORS = {"huaian_hongzequ_2024": {"TEMPLATE"}}


def _printed_arithmetic_errors(tables: dict) -> set[str]:
    """The identity rules the printed numbers of a truth file break, worked out here with plain
    sums (a blank, null in the truth, may hold anything: an identity with one is not broken)."""
    broken = set()
    apps, appeals = tables["applications"], tables["appeals"]
    columns = list(apps["received"])
    parts = [c for c in columns if c != "total"]
    rows = list(apps)
    outcomes = rows[rows.index("granted") : rows.index("total")]

    def known(*values: object) -> bool:
        return None not in values

    for cells in apps.values():
        terms = [cells[c] for c in parts]
        if known(cells["total"], *terms) and cells["total"] != sum(terms):
            broken.add("T3-ROW")
    for c in columns:
        terms = [apps[r][c] for r in outcomes]
        if known(apps["total"][c], *terms) and apps["total"][c] != sum(terms):
            broken.add("T3-SUM")
        sides = [apps[r][c] for r in ("received", "carried_over", "total", "carried_forward")]
        if known(*sides) and sides[0] + sides[1] != sides[2] + sides[3]:
            broken.add("T3-BAL")
    for cells in appeals.values():
        terms = [cells[c] for c in ("upheld", "corrected", "other", "pending")]
        if known(cells["total"], *terms) and cells["total"] != sum(terms):
            broken.add("T4-SUM")
    return broken


def test_every_corpus_report_gets_exactly_the_errors_its_printed_numbers_make():
    for path in sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".json")):
        truth = truth_of(path)
        expected = _printed_arithmetic_errors(truth["tables"]) | STRUCTURE_ERRORS.get(path.stem, set())
        report = xxgk.parse_path(path)
        assert {f.rule for f in report.errors} == expected, path.name
