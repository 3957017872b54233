"""A split of run-together digits left in doubt is settled when the body's neighbouring year is
stored: its figures are evidence (X-STOCK: 现行有效 = last year's 现行有效 + 制发 − 废止).

The reports are generated (tests/layouts.py); the figures are chosen by hand so that the working
below holds.
"""

from __future__ import annotations

import hashlib
import random

import xxgk
from tests.layouts import Style, render
from xxgk import batch
from xxgk.store import Store, splits
from xxgk.store.attribution import Attribution
from xxgk.store.findings import list_findings
from xxgk.templates import TEMPLATES

AGENCY = "某某县交通运输局"
ROW = "active.normative_documents"


def _report(year: int, issued: int, repealed: int, in_force: int, layout: str) -> xxgk.Report:
    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    values |= {f"{ROW}.issued": issued, f"{ROW}.repealed": repealed, f"{ROW}.in_force": in_force}
    text = render("2021", year, AGENCY, values, Style(layout, True, base=layout), random.Random(year))
    return xxgk.parse_text(text, f"{year}.txt")


def _store(store: Store, report: xxgk.Report) -> None:
    store.ingest(report, hashlib.sha256(report.text.encode()).hexdigest())


def test_a_split_in_doubt_is_settled_by_the_previous_years_report(db_url):
    # 2023 prints 行政规范性文件85698 with its cells run together: 8|5|698, 85|6|98, 8|56|98,
    # 856|9|8, 8|569|8 … all admissible, section 二 has no arithmetic, the narrative says nothing.
    later = _report(2023, 8, 5, 698, "concatenated")
    assert later.cells[f"{ROW}.in_force"].ambiguous
    # 2022, printed one cell per line: 现行有效 695. Of 2023's readings only 8|5|698 continues it:
    # 695 + 8 − 5 = 698; 85|6|98: 695 + 85 − 6 = 774 ≠ 98; 8|56|98: 695 + 8 − 56 = 647 ≠ 98.
    earlier = _report(2022, 0, 0, 695, "one_per_line")
    assert earlier.value(f"{ROW}.in_force") == 695
    store = Store(db_url)
    _store(store, later)
    assert [f.rule for f in list_findings(store, year=2023, rule="AMBIGUOUS")] == ["AMBIGUOUS"]
    assert store.settled == []
    _store(store, earlier)
    stored = store.report(AGENCY, 2023)
    assert stored is not None
    assert [stored.value(f"{ROW}.{c}") for c in ("issued", "repealed", "in_force")] == [8, 5, 698]
    assert not any(cell.ambiguous for cell in stored.cells.values())
    assert list_findings(store, year=2023, rule="AMBIGUOUS") == []
    (split,) = list_findings(store, year=2023, rule="SPLIT")
    assert split.severity == "info" and "2022年度报告" in split.message and "8|5|698" in split.message
    assert len(store.settled) == 1 and "8|5|698" in store.settled[0]
    # the split now agrees with the year before: no X-STOCK
    assert list_findings(store, year=2023, rule="X-STOCK") == []
    # where it was printed: the 698 is the last three digits of the run
    provenance = stored.cells[f"{ROW}.in_force"].provenance
    assert provenance is not None and provenance.length == 3


def test_a_split_the_neighbour_does_not_decide_stays_in_doubt(db_url):
    later = _report(2023, 8, 5, 698, "concatenated")
    earlier = _report(2022, 0, 0, 1000, "one_per_line")  # no reading of 85698 continues 1000
    store = Store(db_url)
    _store(store, later)
    _store(store, earlier)
    assert store.settled == []
    assert [f.rule for f in list_findings(store, year=2023, rule="AMBIGUOUS")] == ["AMBIGUOUS"]


def test_what_a_neighbouring_year_decides_is_known_without_the_store():
    # splits.decide reads the reports alone (a bulk load asks it before loading a stored row).
    # The readings of 85698 kept in doubt, each (issued, repealed, in_force), in the layout's order:
    later = _report(2023, 8, 5, 698, "concatenated")
    readings = later.layout["tables"]["active"]["candidates"]["normative_documents"]
    printed = ["|".join(text for text, _, _ in reading) for reading in readings]
    assert "8|5|698" in printed and "85|6|98" in printed
    # no neighbour, or one whose 现行有效 no reading continues (1000 + 8 − 5 = 1003 ≠ 698,
    # 1000 + 85 − 6 ≠ 98, …): nothing decided
    assert splits.decide(later.layout, later, None, None) == {}
    assert splits.decide(later.layout, later, _report(2022, 0, 0, 1000, "one_per_line"), None) == {}
    # 2022's 现行有效 695: 695 + 8 − 5 = 698 continues 8|5|698 alone, as the store then settles it
    decided = splits.decide(later.layout, later, _report(2022, 0, 0, 695, "one_per_line"), None)
    ((where, (index, evidence)),) = decided.items()
    assert where == ("active", "normative_documents") and printed[index] == "8|5|698"
    assert [e.source for e in evidence] == ["2022年度报告"]
    # a report with nothing in doubt: nothing to decide, whatever the neighbour says
    plain = _report(2023, 8, 5, 698, "one_per_line")
    assert splits.decide(plain.layout, plain, _report(2022, 0, 0, 695, "one_per_line"), None) == {}


def test_ingest_says_what_a_neighbouring_year_settled(tmp_path):
    import subprocess
    import sys

    (tmp_path / "2023.txt").write_text(_report(2023, 8, 5, 698, "concatenated").text, encoding="utf-8")
    (tmp_path / "2022.txt").write_text(_report(2022, 0, 0, 695, "one_per_line").text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'corpus.db'}"

    def ingest(name: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "xxgk", "ingest", str(tmp_path / name), "--db", db]
        return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)

    first = ingest("2023.txt")
    assert first.returncode == 0 and "split settled" not in first.stderr
    second = ingest("2022.txt")
    assert second.returncode == 0
    assert (
        "split settled: 某某县交通运输局 2023年度“行政规范性文件”：按2022年度报告现行有效695件读作8|5|698"
        in second.stderr
    )


def _layout_report(year: int, normative: tuple[int, int, int], in_force_regulations: int) -> xxgk.Report:
    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    values |= dict(zip((f"{ROW}.issued", f"{ROW}.repealed", f"{ROW}.in_force"), normative, strict=True))
    values["active.regulations.in_force"] = in_force_regulations
    text = render(
        "2021", year, AGENCY, values, Style("concatenated", True, base="concatenated"), random.Random(1)
    )
    return xxgk.parse_text(text, f"{year}.txt")


def test_the_layout_prefers_a_reading_the_cells_stay_in_doubt_and_a_neighbouring_year_settles_them(db_url):
    # 规章 printed 0010: only 0|0|10 (01 and 00 cannot begin a number), so its columns print
    # 1, 1 and 2 digits. 行政规范性文件 printed 5347: 5|3|47, 5|34|7 or 53|4|7; only 5|3|47 has
    # 1, 1 and 2 digits in the same columns. Section 二 has no arithmetic, the text says nothing:
    # the layout's reading is shown, and the cells are still in doubt (a hint is not proof).
    report = _layout_report(2023, (5, 3, 47), 10)
    assert [report.value(f"{ROW}.{c}") for c in ("issued", "repealed", "in_force")] == [5, 3, 47]
    assert report.cells[f"{ROW}.in_force"].ambiguous
    (doubt,) = [f for f in report.findings if f.rule == "AMBIGUOUS"]
    assert "版式（同列其他行的数字位数：1位、1位、2位）读作5|3|47" in doubt.message
    assert "5|34|7" in doubt.message and "53|4|7" in doubt.message  # every reading still listed
    # The year before printed 现行有效 36: 36 + 5 − 34 = 7 continues only 5|34|7 (36 + 5 − 3 = 38
    # ≠ 47; 36 + 53 − 4 = 85 ≠ 7): the evidence settles what the layout only hinted, otherwise.
    store = Store(db_url)
    _store(store, report)
    _store(store, _report(2022, 0, 0, 36, "one_per_line"))
    stored = store.report(AGENCY, 2023)
    assert stored is not None
    assert [stored.value(f"{ROW}.{c}") for c in ("issued", "repealed", "in_force")] == [5, 34, 7]
    assert list_findings(store, year=2023, rule="AMBIGUOUS") == []
    (split,) = list_findings(store, year=2023, rule="SPLIT")
    assert "2022年度报告" in split.message and "5|34|7" in split.message
    assert stored.layout["tables"]["active"]["preferred"] == {}


def test_the_layout_decides_nothing_where_the_column_widths_admit_several_readings():
    # 规章 0|0|0 prints 1 digit in every column; 8|5|698 (85698) has no reading of 1, 1 and 1
    # digits: the layout prefers none, the reading shown is the reader's usual most likely one.
    report = _layout_report(2023, (8, 5, 698), 0)
    assert report.cells[f"{ROW}.in_force"].ambiguous
    (doubt,) = [f for f in report.findings if f.rule == "AMBIGUOUS"]
    assert "版式" not in doubt.message and "按最可能的方式" in doubt.message
    assert report.layout["tables"]["active"]["preferred"] == {}


def test_a_bulk_load_settles_a_stored_report_it_makes_current(db_url, tmp_path):
    # 2023 printed without its body's name (85698 run together, in doubt, as above) is stored
    # under no body (待认定), not current. A later load names its body (the file is known by its
    # hash): it is filed as that body's only, so current, 2023 version, and 2022's 现行有效 695
    # settles it to 8|5|698 (695 + 8 − 5 = 698), as the first test works out.
    unnamed = xxgk.parse_text(_report(2023, 8, 5, 698, "concatenated").text.replace(AGENCY, ""), "2023.txt")
    assert unnamed.meta.agency is None and unnamed.cells[f"{ROW}.in_force"].ambiguous
    earlier = _report(2022, 0, 0, 695, "one_per_line")
    results = tmp_path / "results.jsonl"
    results.write_bytes(
        b"".join(
            batch.report_line(r.source or "", hashlib.sha256(r.text.encode()).hexdigest(), r) + b"\n"
            for r in (unnamed, earlier)
        )
    )
    store = Store(db_url)
    first = store.ingest_results(results)
    assert (first.queued, first.new) == (1, 1)
    assert store.report(AGENCY, 2023) is None
    second = store.ingest_results(results, attribution=Attribution(body=AGENCY))
    assert second.new == 1  # the 2023 report, filed now
    stored = store.report(AGENCY, 2023)
    assert stored is not None
    assert [stored.value(f"{ROW}.{c}") for c in ("issued", "repealed", "in_force")] == [8, 5, 698]
    assert not any(cell.ambiguous for cell in stored.cells.values())
    assert len(store.settled) == 1 and "8|5|698" in store.settled[0]
