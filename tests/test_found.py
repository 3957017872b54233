"""Real reports found in public repositories after the reader was written, each with its truth
read by hand from the source (tests/found/README.md): no reading of them was tuned to them."""

from __future__ import annotations

from pathlib import Path

import pytest

import xxgk
from tests.conftest import truth_of
from tests.readback import cells_of, same
from tests.test_corpus import _printed_arithmetic_errors

FOUND = Path(__file__).parent / "found"
# read cell for cell: a cell is read as printed, or marked in doubt (its digits ran together, or a
# row printed fewer values than cells, and no arithmetic tells how to cut or place them), never
# silently otherwise
READ_WHOLE = [
    "shanghai_bgt_2019.html",
    "shuyang_fgj_2023.html",
    "shuyang_xzf_2025.txt",
    "pingtan_2020.txt",
    "pingtan_2024.txt",
    # markdown made from PDFs, table rows cut apart: two rows of table 二 short of a value (in
    # doubt; read in order silently before)
    "shanghai_bgt_2025.txt",
    # ten rows of table 三 printed as values only, their labels lines elsewhere, and the sections
    # numbered one short ("一、主动公开政府信息情况"): 48 cells were unknown or wrong, with false
    # T3-ROW and TEMPLATE errors (before)
    "shanghai_kewei_2024.txt",
]


@pytest.mark.parametrize("name", READ_WHOLE)
def test_title_year_and_body_as_printed(name):
    meta = xxgk.parse_path(FOUND / name).meta
    truth = truth_of(FOUND / name)
    assert {"agency": meta.agency, "year": meta.year, "title": meta.title} == truth["meta"]


@pytest.mark.parametrize("name", READ_WHOLE)
def test_every_cell_is_read_as_printed_or_marked_in_doubt(name):
    report = xxgk.parse_path(FOUND / name)
    truth = truth_of(FOUND / name)
    assert report.template_id == truth["template"]
    got = cells_of(report.tables())
    wrong = {k: (v, got.get(k)) for k, v in cells_of(truth["tables"]).items() if not same(v, got.get(k))}
    assert {k: v for k, v in wrong.items() if not report.cells[".".join(k)].ambiguous} == {}


@pytest.mark.parametrize("name", READ_WHOLE)
def test_the_errors_found_are_those_the_printed_numbers_make(name):
    # pingtan_2020 printed outcomes adding to 26 and 27 over totals of 20 and 21 (T3-SUM)
    report = xxgk.parse_path(FOUND / name)
    assert {f.rule for f in report.errors} == _printed_arithmetic_errors(truth_of(FOUND / name)["tables"])


def test_tables_three_and_four_of_a_pdf_made_markdown_are_read_as_printed():
    # labels broken over lines left their numbering ("5.", "1.") at the heads of lines, read as
    # values: 14 cells of table 三 went wrong and two rows were called missing (before)
    report = xxgk.parse_path(FOUND / "shanghai_bgt_2025.txt")
    truth = cells_of(truth_of(FOUND / "shanghai_bgt_2025.txt")["tables"])
    got = cells_of(report.tables())
    wrong = {k: (v, got.get(k)) for k, v in truth.items() if k[0] != "active" and not same(v, got.get(k))}
    assert wrong == {}
    assert not [f for f in report.errors]


def test_none_lost_on_review_is_not_read_as_none_brought():
    # "全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形" beside 55 reviews and 34 suits
    report = xxgk.parse_path(FOUND / "shanghai_bgt_2025.txt")
    assert "行政复议纠错或" in report.text.replace("\n", "")
    assert not [f for f in report.findings if f.rule in ("TXT-REVIEW", "TXT-LITIGATION")]


@pytest.mark.parametrize(
    ("start", "end", "table"),
    [
        ("<p>二、主动公开政府信息情况</p>", "<p>三、收到和处理政府信息公开申请情况</p>", "active"),
        ("<p>三、收到和处理政府信息公开申请情况</p>", "<p><br />四、政府信息公开行政复议", "applications"),
    ],
    ids=["no section 二", "no section 三"],
)
def test_a_section_left_out_is_not_read_from_the_narrative(tmp_path, start, end, table):
    # the table was looked for in the whole text and read from sentences ("主动公开规章13件,行政规范性
    # 文件60件…", "予以公开及部分公开258件,占33.9%…"): cells no one printed, DOMAIN and T3-ROW errors
    html = (FOUND / "shanghai_bgt_2019.html").read_text(encoding="utf-8")
    (tmp_path / "r.html").write_text(html[: html.index(start)] + html[html.index(end) :], encoding="utf-8")
    report = xxgk.parse_path(tmp_path / "r.html")
    assert {k: c.value for k, c in report.cells.items() if k.startswith(table) and c.value is not None} == {}
    assert {f.rule for f in report.errors} == {"TEMPLATE"}  # the table is missing: that, and only that


NOTE = "<p>注：本年度共办结申请805件，其中予以公开258件，结转下年度继续办理72件，办结率100%。</p>"
HEADING_FOUR = "<p><br />四、政府信息公开行政复议、行政诉讼情况</p>"


@pytest.mark.parametrize(
    "edit",
    [
        # a note under table 三: its numbers filled the blanks of the last row (72, 80, 5, 258, 72,
        # 100), with T3-BAL and T3-ROW errors (before)
        lambda html: html.replace(HEADING_FOUR, NOTE + HEADING_FOUR),
        # section 四's heading lost: table 四's header and row were read into the last row of 三
        lambda html: html.replace(HEADING_FOUR, ""),
    ],
    ids=["a note under table 三", "no heading of section 四"],
)
def test_what_follows_a_tables_last_row_is_none_of_its_cells(tmp_path, edit):
    html = (FOUND / "shanghai_bgt_2019.html").read_text(encoding="utf-8")
    edited = edit(html)
    assert edited != html
    (tmp_path / "r.html").write_text(edited, encoding="utf-8")
    report = xxgk.parse_path(tmp_path / "r.html")
    truth = cells_of(truth_of(FOUND / "shanghai_bgt_2019.html")["tables"])
    got = cells_of(report.tables())
    assert {k: (v, got.get(k)) for k, v in truth.items() if not same(v, got.get(k))} == {}
    assert report.errors == []
