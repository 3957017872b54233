"""The documents an overseer sends out, read back: a body's 整改通知 and a region's 通报.

A small region is generated (tests/layouts.py) with figures chosen by hand; each document is
read back (python-docx, openpyxl, the HTML text, the PDF's text) and must hold the figures this
file works out from the chosen values with its own arithmetic.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pypdfium2
import pytest
from sqlalchemy import select

import xxgk
from tests.layouts import Style, narrative, render
from xxgk.check import RULES_BY_ID
from xxgk.documents import Document, write
from xxgk.documents import render as render_document
from xxgk.documents.annual import AnnualReport, annual_report
from xxgk.errors import XxgkError
from xxgk.store import Store
from xxgk.store.columns import cell_label
from xxgk.store.models import Body, StoredFinding, StoredReport
from xxgk.templates import TEMPLATES

YEAR = 2023
REGION = "某某市"
APPS = "applications"


# name: level, region, (received, granted, partly granted, printed 办理总计, reviews, corrected), date
BODIES = {
    "某某市交通运输局": ("部门", "某某市", (40, 25, 5, 40, 2, 1), None),
    "某某市教育局": ("部门", "某某市", (50, 20, 0, 50, 0, 0), "2024年2月15日"),  # late: due 1月31日
    "某某市某某区人民政府": ("县", "某某市某某区", (12, 6, 0, 13, 0, 0), None),  # 总计 13 ≠ 6 + 6
    "某某市民政局": ("部门", "某某市", None, None),  # listed, never published
    "某某县人民政府": ("县", "某某县", (99, 99, 0, 99, 0, 0), None),  # another region
}


def _values(received: int, granted: int, partly: int, total: int, reviews: int, corrected: int) -> dict:
    """Every cell 0 but these; the rest of the outcomes are 不掌握 (unavailable_not_held)."""
    values: dict = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    rows = {
        "received": received,
        "granted": granted,
        "partly_granted": partly,
        "unavailable_not_held": received - granted - partly,
        "total": total,
    }
    for row, n in rows.items():
        values[f"{APPS}.{row}.natural_person"] = values[f"{APPS}.{row}.total"] = n
    values["appeals.review.corrected"] = corrected
    values["appeals.review.upheld"] = reviews - corrected
    values["appeals.review.total"] = reviews
    return values


def _report(name: str, figures: tuple[int, ...], published: str | None, year: int = YEAR) -> xxgk.Report:
    text = render("2021", year, name, _values(*figures), Style("one_per_line", True), random.Random(1))
    if published:  # the signature's date is the last line
        text = re.sub(rf"{year + 1}年1月\d+日\n$", f"{published}\n", text)
    return xxgk.parse_text(text, f"{name}{year}.txt")


def region_store(folder: Path) -> str:
    """A store of BODIES' reports (their list imported, so 某某市民政局 is known and missing)."""
    url = f"sqlite:///{folder / 'store.db'}"
    store = Store(url)
    for name, (_, _, figures, published) in BODIES.items():
        if figures is not None:
            report = _report(name, figures, published)
            store.ingest(report, hashlib.sha256(report.text.encode()).hexdigest())
    listing = folder / "bodies.csv"
    rows = [f"{name},{level},{region}," for name, (level, region, _, _) in BODIES.items()]
    listing.write_text("name,level,region,parent\n" + "\n".join(rows) + "\n", encoding="utf-8")
    store.import_bodies(listing)
    return url


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> str:
    return region_store(tmp_path_factory.mktemp("documents"))


# two departments of 某某市 over three years: (received, granted, partly, 办理总计, reviews, corrected)
SERIES = {
    "某某市交通运输局": {
        2021: (30, 20, 5, 30, 1, 0),
        2022: (40, 25, 5, 40, 2, 1),
        2023: (50, 30, 10, 50, 0, 0),
    },
    "某某市教育局": {2021: (10, 5, 0, 10, 0, 0), 2022: (20, 10, 0, 20, 0, 0), 2023: (20, 10, 0, 20, 0, 0)},
}


def series_store(folder: Path) -> str:
    url = f"sqlite:///{folder / 'series.db'}"
    store = Store(url)
    for name, years in SERIES.items():
        for year, figures in years.items():
            report = _report(name, figures, None, year)
            store.ingest(report, hashlib.sha256(report.text.encode()).hexdigest())
    listing = folder / "series.csv"
    listing.write_text("name,level,region,parent\n" + "".join(f"{n},部门,某某市,\n" for n in SERIES), "utf-8")
    store.import_bodies(listing)
    return url


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> str:
    return series_store(tmp_path_factory.mktemp("series"))


def _confirm(url: str, body: str, rule: str, column: str, comment: str) -> str:
    """A reviewer confirms one finding (the one on `column`); its stored message is returned."""
    store = Store(url)
    with store.writing() as session:
        query = (
            select(StoredFinding)
            .join(StoredReport)
            .join(Body)
            .where(Body.name == body, StoredFinding.rule == rule)
            .order_by(StoredFinding.id)
        )
        finding = next(f for f in session.scalars(query) if f.cells[0].endswith(f".{column}"))
        finding.status, finding.comment = "confirmed", comment
        return finding.message


def _messages(url: str, body: str) -> dict[str, str]:
    """Each stored finding's message → its rule, for a body (the test's own query)."""
    with Store(url).session() as session:
        query = select(StoredFinding.message, StoredFinding.rule).join(StoredReport).join(Body)
        return dict(session.execute(query.where(Body.name == body, StoredReport.current)).all())


def _rules_in_region(url: str) -> Counter[str]:
    with Store(url).session() as session:
        query = select(StoredFinding.rule).join(StoredReport).join(Body)
        rules = session.scalars(query.where(Body.region.startswith(REGION), StoredReport.year == YEAR))
        return Counter(rules)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "xxgk", *args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)


def _docx(path: Path) -> tuple[str, list[list[list[str]]]]:
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    return text, [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def _html(path: Path) -> tuple[str, list[list[list[str]]]]:
    page = lxml.html.fromstring(path.read_bytes())
    tables = [
        [[c.text_content() for c in tr.xpath("th|td")] for tr in table.xpath(".//tr")]
        for table in page.xpath("//table")
    ]
    for table in page.xpath("//table"):
        table.drop_tree()
    return page.text_content(), tables


# the figures worked out from BODIES by hand
# 公开率: 交通 (25 + 5) / 40 = 75.0%; 教育 20 / 50 = 40.0%; 区 6 / 13 = 46.2% on 13 < 30 cases: ＊
# 部门 ranks: 交通 1, 教育 2; the 县 stands alone and its rate is starred: not ranked
# 纠错率: 交通 1 / 2 = 50.0% on 2 cases: ＊, not ranked; the others decided no case
FIGURES = {
    "某某市交通运输局": ["某某市交通运输局", "部门", "40", "40", "75.0%", "1", "2", "50.0%＊", "—"],
    "某某市教育局": ["某某市教育局", "部门", "50", "50", "40.0%", "2", "0", "—", "—"],
    "某某市某某区人民政府": ["某某市某某区人民政府", "县", "12", "13", "46.2%＊", "—", "0", "—", "—"],
}
# 办理总计 13 ≠ 12 breaks the sum (T3-SUM) and the balance (T3-BAL) in the two columns that print
# figures (自然人, 总计); the 教育局 published on 2月15日, after the departments' 1月31日 (LATE)
BY_RULE = {"T3-BAL": 2, "T3-SUM": 2, "LATE": 1}


def _check_review(text: str, tables: list[list[list[str]]], url: str) -> None:
    coverage, by_rule, figures, appendix = tables
    names = {row[1]: row for row in coverage[1:]}
    assert set(names) == {"某某市交通运输局", "某某市教育局", "某某市某某区人民政府", "某某市民政局"}
    assert names["某某市民政局"][3] == "未找到"
    assert [n for n, row in names.items() if row[3] == "已公布"] == [
        "某某市交通运输局",
        "某某市教育局",
        "某某市某某区人民政府",
    ]
    assert names["某某市教育局"][4] == "2024年2月15日"
    assert names["某某市教育局"][5].startswith("逾期") and "1月31日" in names["某某市教育局"][5]
    assert names["某某市交通运输局"][5] == "按期"
    assert "已公布3个，未找到1个（某某市民政局）；晚于期限公布1个" in text
    counted = _rules_in_region(url)
    assert counted == BY_RULE  # the store holds what was planted, no more
    titles = {RULES_BY_ID[rule].title: n for rule, n in counted.items()}
    assert {row[0]: int(row[2]) for row in by_rule[1:]} == titles
    assert {row[0]: row for row in figures[1:]} == FIGURES
    assert sum(int(row[2]) for row in figures[1:]) == 40 + 50 + 12
    assert len(appendix) - 1 == sum(BY_RULE.values())
    messages = _messages(url, "某某市某某区人民政府") | _messages(url, "某某市教育局")
    assert {row[5] for row in appendix[1:]} == set(messages)
    assert "某某县人民政府" not in text + str(tables)  # another region


def test_the_review_as_docx_and_html_holds_the_regions_figures(corpus, tmp_path):
    for suffix, read in ((".docx", _docx), (".html", _html)):
        out = tmp_path / f"review{suffix}"
        done = run("review", "--region", REGION, "--year", str(YEAR), "--out", str(out), "--db", corpus)
        assert done.returncode == 0, done.stderr
        text, tables = read(out)
        assert f"关于{REGION}{YEAR}年度政府信息公开工作年度报告审核情况的通报" in text
        _check_review(text, tables, corpus)
    docx_file = docx.Document(str(tmp_path / "review.docx"))
    assert len(docx_file.inline_shapes) == 1  # the chart
    assert b"data:image/png;base64," in (tmp_path / "review.html").read_bytes()


def test_the_review_as_xlsx_has_a_sheet_per_part_and_the_ids_under_the_headers(corpus, tmp_path):
    out = tmp_path / "review.xlsx"
    done = run("review", "--region", REGION, "--year", str(YEAR), "--out", str(out), "--db", corpus)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["公布情况", "问题统计", "主要数据", "问题清单"]
    figures = book["主要数据"]
    assert [c.value for c in figures[1]][2:4] == ["收到申请", "办理总计"]
    assert [c.value for c in figures[2]][2:4] == ["applications.received.total", "applications.total.total"]
    received = {row[0]: row[2] for row in figures.iter_rows(min_row=3, values_only=True)}
    assert received == {"某某市交通运输局": 40, "某某市教育局": 50, "某某市某某区人民政府": 12}
    rules = {row[0]: row[2] for row in book["问题统计"].iter_rows(min_row=2, values_only=True)}
    assert rules == {RULES_BY_ID[rule].title: n for rule, n in BY_RULE.items()}


def test_the_notice_lists_the_confirmed_findings_with_cells_numbers_and_comment(corpus, tmp_path):
    body = "某某市某某区人民政府"
    confirmed = _confirm(corpus, body, "T3-SUM", "total", "请核对办理结果总计")
    assert "13" in confirmed and "12" in confirmed  # the printed total and the sum of its terms
    out = tmp_path / "notice.docx"
    done = run("notice", "--body", body, "--year", str(YEAR), "--out", str(out), "--db", corpus)
    assert done.returncode == 0, done.stderr
    text, _ = _docx(out)
    assert f"关于{body}{YEAR}年政府信息公开工作年度报告有关问题的整改通知" in text
    assert "发现经审核确认的问题1个" in text
    assert f"一、{RULES_BY_ID['T3-SUM'].title}" in text and "二、" not in text
    assert f"问题：{confirmed}" in text
    assert "“办理结果总计”行“总计”列" in text
    assert "审核状态：已确认；审核意见：请核对办理结果总计。" in text
    others = set(_messages(corpus, body)) - {confirmed}
    assert len(others) == 3 and not any(message in text for message in others)

    everything = tmp_path / "notice.html"
    done = run(
        "notice", "--body", body, "--year", str(YEAR), "--all", "--out", str(everything), "--db", corpus
    )
    assert done.returncode == 0, done.stderr
    text, _ = _html(everything)
    assert all(message in text for message in _messages(corpus, body))
    assert text.count("审核状态：待审核") == 3 and text.count("审核状态：已确认") == 1


def test_a_notice_without_confirmed_findings_says_so(corpus, tmp_path):
    out = tmp_path / "notice.docx"
    done = run("notice", "--body", "某某市交通运输局", "--year", str(YEAR), "--out", str(out), "--db", corpus)
    assert done.returncode == 0, done.stderr
    assert "未发现经审核确认的问题" in _docx(out)[0]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_review_as_pdf_through_libreoffice(corpus, tmp_path):
    out = tmp_path / "review.pdf"
    done = run("review", "--region", REGION, "--year", str(YEAR), "--out", str(out), "--db", corpus)
    assert done.returncode == 0, done.stderr
    pdf = pypdfium2.PdfDocument(str(out))  # pdftotext is not installed here; pdfium reads the text
    text = re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in pdf))
    assert f"关于{REGION}{YEAR}年度政府信息公开工作年度报告审核情况的通报" in text
    assert "75.0%" in text and "46.2%＊" in text and "某某市民政局部门未找到" in text  # 机关, 层级, 公布情况


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["notice", "--body", "某某市不存在局", "--year", str(YEAR)], "no such body"),
        (["notice", "--body", "某某市教育局", "--year", "2019"], "no report for 2019"),
        (["review", "--region", "某某省", "--year", str(YEAR)], "no body in the store has this region"),
    ],
)
def test_what_is_not_stored_is_one_line_and_exit_2(corpus, tmp_path, args, said):
    out = tmp_path / "out.docx"
    done = run(*args, "--out", str(out), "--db", corpus)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "name"), [("notice", "out.txt"), ("notice", "out.xlsx"), ("review", "out")]
)
def test_an_unsupported_output_is_refused_before_any_work(corpus, tmp_path, command, name):
    who = ["--body", "某某市教育局"] if command == "notice" else ["--region", REGION]
    out = tmp_path / name
    done = run(command, *who, "--year", str(YEAR), "--out", str(out), "--db", corpus)
    assert done.returncode == 2
    assert "cannot write" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


def _annual() -> tuple[AnnualReport, dict]:
    values = _values(40, 25, 5, 40, 2, 1)
    values |= {"active.licensing.decisions": 8, "active.normative_documents.in_force": 12}
    story = narrative(values, "2021", YEAR, "某某市交通运输局")
    printed = {key: str(value) for key, value in values.items()}
    return AnnualReport(
        "某某市交通运输局", YEAR, "2021", printed, story["intro"], story, "2024年1月20日"
    ), values


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_an_annual_report_in_the_official_layout_reads_back_to_the_same_numbers(tmp_path, suffix):
    if suffix == ".pdf" and shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    report, values = _annual()
    out = tmp_path / f"annual{suffix}"
    write(annual_report(report), out)
    read = xxgk.parse_path(out)
    assert (read.meta.agency, read.meta.year, read.template_id) == ("某某市交通运输局", YEAR, "2021")
    assert {key: cell.value for key, cell in read.cells.items()} == values
    assert not [f for f in read.findings if f.severity == "error"]


def test_the_statutory_tables_keep_their_merged_headers_in_docx(tmp_path):
    out = tmp_path / "annual.docx"
    write(annual_report(_annual()[0]), out)
    _, applications, appeals = docx.Document(str(out)).tables
    first = applications.rows[0]._tr.tc_lst  # the note over three label columns, 申请人情况 over seven
    assert [(tc.grid_span, tc.xpath("string(.)")) for tc in first][1] == (7, "申请人情况")
    assert first[0].grid_span == 3 and first[0].vMerge == "restart"
    assert [tc.grid_span for tc in appeals.rows[0]._tr.tc_lst] == [5, 10]  # 行政复议 | 行政诉讼
    # 本年新收 row, 总计 column: the last cell of the fourth grid row (three header rows)
    assert applications.rows[3].cells[-1].text == "40"


def test_writing_into_a_missing_folder_is_one_line_and_exit_2(corpus, tmp_path):
    out = tmp_path / "nowhere" / "review.docx"
    done = run("review", "--region", REGION, "--year", str(YEAR), "--out", str(out), "--db", corpus)
    assert done.returncode == 2
    assert "no such folder" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_pdf_without_libreoffice_is_a_clear_error(monkeypatch):
    import xxgk.read.office

    monkeypatch.setattr(xxgk.read.office, "find_soffice", lambda: None)
    with pytest.raises(XxgkError, match="writing PDF needs LibreOffice"):
        render_document(Document("标题"), ".pdf")


# --- comparisons over several years ------------------------------------------------------------


def _findings_by_year(url: str) -> dict[int, int]:
    """The stored findings of the series' current reports, per year (the test's own query)."""
    with Store(url).session() as session:
        query = select(StoredReport.year, StoredFinding.id).join(StoredFinding).where(StoredReport.current)
        return dict(Counter(year for year, _ in session.execute(query)))


def test_a_body_compared_over_three_years_as_docx(series, tmp_path):
    out = tmp_path / "compare.docx"
    body = "某某市交通运输局"
    done = run(
        "compare", "--years", "2021", "2022", "2023", "--body", body, "--out", str(out), "--db", series
    )
    assert done.returncode == 0, done.stderr
    text, tables = _docx(out)
    assert f"{body}2021—2023年度政府信息公开工作年度报告比较" in text
    changes, similarity = tables[0], tables[-1]
    years = ["2021年度", "2022年度", "2023年度"]
    assert changes[0] == ["单元格", *years, "2022比2021增减", "增减幅度", "2023比2022增减", "增减幅度"]
    rows = {row[0]: row[1:] for row in changes[1:]}
    label = {key: cell_label(key).label for key in ("applications.received.total", "appeals.review.total")}
    # 本年新收: 30 → 40 → 50: +10 on 30 = +33.3%, +10 on 40 = +25.0%
    assert rows[label["applications.received.total"]] == ["30", "40", "50", "10", "+33.3%", "10", "+25.0%"]
    # 行政复议·总计: 1 → 2 → 0: +1 on 1 = +100.0%, −2 on 2 = −100.0%
    assert rows[label["appeals.review.total"]] == ["1", "2", "0", "1", "+100.0%", "-2", "-100.0%"]
    corrected = rows[cell_label("appeals.review.corrected").label]
    assert corrected == ["0", "1", "0", "1", "", "-1", "-100.0%"]  # no percentage on a base of 0
    # changed: 5 rows of table 三 (本年新收, 予以公开, 部分公开, 不掌握, 总计) × 2 columns + 3 of 复议
    assert len(changes) - 1 == 13 and "其中13个在相邻年度之间有变化" in text
    assert [row[0] for row in similarity[1:]] == ["2022年度与2021年度", "2023年度与2022年度"]


def test_a_body_over_three_years_as_json(series):
    done = run("compare", "某某市交通运输局", "--years", "2021", "2022", "2023", "--json", "--db", series)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["years"] == [2021, 2022, 2023] and data["changed"] == 13
    cells = {c["cell"]: c for c in data["cells"]}
    received = cells["applications.received.total"]
    assert received["values"] == {"2021": 30, "2022": 40, "2023": 50}
    assert received["changes"] == {"2022": 10, "2023": 10}
    assert set(data["similarities"]) == {"2022", "2023"}


def test_a_region_compared_over_three_years_as_xlsx(series, tmp_path):
    out = tmp_path / "region.xlsx"
    done = run(
        "compare", "--years", "2021", "2022", "2023", "--region", REGION, "--out", str(out), "--db", series
    )
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["总体情况", "各机关收到申请", "各机关公开率"]
    found = _findings_by_year(series)
    totals = list(book["总体情况"].iter_rows(min_row=2, values_only=True))
    # received 30 + 10 = 40, 40 + 20 = 60 (+20 on 40 = +50.0%), 50 + 20 = 70 (+10 on 60 = +16.7%)
    # 公开率 pooled: (20 + 5 + 5) / 40 = 75.0%; (25 + 5 + 10) / 60 = 66.7%; (30 + 10 + 10) / 70 = 71.4%
    # 纠错率: 0 / 1 and 1 / 2 on fewer than 30 cases (＊); no case in 2023
    assert totals == [
        ("2021年度", 2, 2, 0, 40, None, None, "75.0%", "0.0%＊", found.get(2021, 0)),
        ("2022年度", 2, 2, 0, 60, 20, "+50.0%", "66.7%", "50.0%＊", found.get(2022, 0)),
        ("2023年度", 2, 2, 0, 70, 10, "+16.7%", "71.4%", "—", found.get(2023, 0)),
    ]
    received = list(book["各机关收到申请"].iter_rows(min_row=2, values_only=True))
    # 交通 30 → 50: +20 on 30 = +66.7%; 教育 10 → 20: +10 on 10 = +100.0%
    assert received == [
        ("某某市交通运输局", 30, 40, 50, 20, "+66.7%"),
        ("某某市教育局", 10, 20, 20, 10, "+100.0%"),
    ]
    rates = list(book["各机关公开率"].iter_rows(min_row=2, values_only=True))
    # 交通 (20 + 5) / 30, (25 + 5) / 40, (30 + 10) / 50; 教育 5 / 10, 10 / 20, 10 / 20 on < 30 cases
    assert rates == [
        ("某某市交通运输局", "83.3%", "75.0%", "80.0%"),
        ("某某市教育局", "50.0%＊", "50.0%＊", "50.0%＊"),
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--years", "2021", "2022", "--body", "某某市教育局", "--region", REGION, "--out", "x.xlsx"],
            "name one",
        ),
        (["--years", "2021", "2022", "--region", REGION], "give --out"),
        (["--years", "2021", "--body", "某某市教育局", "--out", "x.xlsx"], "at least two years"),
        (["--years", "2021", "2021", "2022", "--body", "某某市教育局"], "2021 is given twice"),
        (["--years", "2020", "2021", "--body", "某某市教育局", "--out", "x.docx"], "no 2020 report"),
        (["--years", "2021", "2022", "--body", "某某市教育局", "--out", "x.csv"], "cannot write .csv"),
    ],
)
def test_a_comparison_asked_wrongly_is_one_line_and_exit_2(series, tmp_path, args, said):
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    done = run("compare", *args, "--db", series)
    assert done.returncode == 2, done.stdout
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


# --- the review's first page, rendered ----------------------------------------------------------

DPI = 40
CM = DPI / 2.54  # pixels per centimetre
# the layout docx.py declares (GB/T 9704): A4, margins top 3.7 cm, left 2.8 cm, right 2.6 cm
PAGE_CM, TOP_CM, LEFT_CM, RIGHT_CM = (21.0, 29.7), 3.7, 2.8, 21.0 - 2.6
INK = 128  # a grey level darker than this is ink


def _bands(pixels: list[list[bool]]) -> list[tuple[float, float, float, float]]:
    """Runs of rows holding ink, each as (top, bottom, left, right) in centimetres."""
    bands, start = [], None
    for y, row in enumerate([*pixels, []]):
        if any(row) and start is None:
            start = y
        elif not any(row) and start is not None:
            xs = [x for r in pixels[start:y] for x, ink in enumerate(r) if ink]
            bands.append((start / CM, y / CM, min(xs) / CM, (max(xs) + 1) / CM))
            start = None
    return bands


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
    reason="LibreOffice (soffice) or poppler's pdftoppm is not installed (scripts/system-deps)",
)
def test_the_review_pdfs_first_page_looks_like_an_official_document(corpus, tmp_path):
    from PIL import Image

    out = tmp_path / "review.pdf"
    number = "某某市政务公开〔2024〕3号"
    args = ["review", "--region", REGION, "--year", str(YEAR), "--number", number, "--out", str(out)]
    done = run(*args, "--db", corpus)
    assert done.returncode == 0, done.stderr
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-gray", str(out), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.pgm")))
    assert abs(image.width - PAGE_CM[0] * CM) <= 1 and abs(image.height - PAGE_CM[1] * CM) <= 1  # A4
    grey = image.load()
    pixels = [[grey[x, y] < INK for x in range(image.width)] for y in range(image.height)]
    inked = sum(map(sum, pixels))
    assert inked > 0.02 * image.width * image.height  # not blank
    bands = _bands(pixels)
    assert all(left >= LEFT_CM - 0.3 and right <= RIGHT_CM + 0.3 for _, _, left, right in bands)  # margins
    (top, bottom, left, right), title, *rest = bands
    # the 文号 line first, just under the top margin, flush right
    assert TOP_CM <= top <= TOP_CM + 1 and right >= RIGHT_CM - 0.5 and left > PAGE_CM[0] / 2
    # then the title, centred on the text block, in a larger size (二号 22 pt against 三号 16 pt)
    middle = (LEFT_CM + RIGHT_CM) / 2
    assert abs((title[2] + title[3]) / 2 - middle) < 0.5
    assert title[1] - title[0] > 1.2 * (bottom - top)
    # the first heading (一、总体情况) indented two characters of 16 pt (1.13 cm) from the margin
    heading = next(band for band in rest if band[2] > LEFT_CM + 0.5 and band[3] < middle)
    assert LEFT_CM + 0.8 <= heading[2] <= LEFT_CM + 1.5
