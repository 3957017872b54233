"""The web's downloads, through FastAPI's TestClient: the findings (with the page's filters) as XLSX
and CSV, the statistics as XLSX, a region's 通报, a body's 整改通知 and a comparison. Each file is
opened (openpyxl, python-docx, the CSV module, PDFium) and must hold the figures worked out here
by hand from the reports test_documents.py generates (BODIES, SERIES).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pypdfium2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.test_documents import (
    FIGURES,
    REGION,
    YEAR,
    _check_review,
    _docx,
    _html,
    _messages,
    region_store,
    series_store,
)
from xxgk.serve import create_app
from xxgk.serve.workers import Limits
from xxgk.store import Store
from xxgk.store.columns import cell_label
from xxgk.store.models import Body, StoredFinding, StoredReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DISTRICT = "某某市某某区人民政府"  # its 办理总计 13 ≠ 12: T3-SUM and T3-BAL, each in 2 columns
no_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return region_store(tmp_path_factory.mktemp("web-documents"))


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(url, workers=1), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def series_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(series_store(tmp_path_factory.mktemp("web-series")), workers=1)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def body_id(client: TestClient, name: str) -> int:
    with client.app.state.store.session() as session:  # type: ignore[attr-defined]
        return session.scalar(select(Body.id).where(Body.name == name))


def link(page: str, anchor: str) -> str:
    """The href of the first link whose text is `anchor`, unescaped."""
    found = re.search(rf'href="([^"]+)"[^>]*>{re.escape(anchor)}<', page)
    assert found, f"no link {anchor!r} on the page"
    return unescape(found.group(1))


def attachment(answer, media: str) -> bytes:
    assert answer.status_code == 200, answer.text[-300:]
    assert answer.headers["content-type"].startswith(media)
    assert answer.headers["content-disposition"].startswith("attachment;")
    return answer.content


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    return re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in pdf))


# --- the findings list ------------------------------------------------------------------------


def test_the_findings_download_keeps_the_pages_filters_and_lists_every_match(client, url):
    page = client.get("/findings", params={"body": DISTRICT, "severity": "error"}).text
    href = link(page, "Excel 表格")
    query = parse_qs(urlsplit(href).query)
    assert query["format"] == ["xlsx"] and query["body"] == [DISTRICT] and query["severity"] == ["error"]
    book = openpyxl.load_workbook(io.BytesIO(attachment(client.get(href), XLSX)))
    rows = list(book["问题清单"].iter_rows(values_only=True))
    assert rows[0][:3] == ("机关", "年度", "版本")
    # T3-SUM and T3-BAL (both errors) in the 自然人 and 总计 columns: 4 rows, all of the 区
    assert (
        len(rows) - 1 == 4 and {r[0] for r in rows[1:]} == {DISTRICT} and {r[1] for r in rows[1:]} == {YEAR}
    )
    assert {r[4] for r in rows[1:]} == {"T3-SUM", "T3-BAL"} and {r[5] for r in rows[1:]} == {"错误"}
    assert {r[7] for r in rows[1:]} == set(_messages(url, DISTRICT))
    assert "“办理结果总计”行“总计”列" in " ".join(r[6] for r in rows[1:])


def test_the_findings_as_csv_hold_all_of_them_not_one_page(client, url):
    answer = client.get("/findings/export", params={"format": "csv"})
    text = attachment(answer, "text/csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    with Store(url).session() as session:  # the test's own count of the current reports' findings
        stored = session.scalars(select(StoredFinding.message).join(StoredReport).where(StoredReport.current))
        messages = sorted(stored)
    assert sorted(r[7] for r in rows[1:]) == messages
    late = client.get("/findings/export", params={"format": "csv", "rule": "LATE"}).content.decode(
        "utf-8-sig"
    )
    body_rows = list(csv.reader(io.StringIO(late)))[1:]
    assert [(r[0], r[1], r[4], r[5]) for r in body_rows] == [("某某市教育局", str(YEAR), "LATE", "警告")]


# --- statistics -------------------------------------------------------------------------------


def test_the_statistics_download_holds_the_pages_figures(client):
    href = link(client.get("/stats", params={"by": "level"}).text, "Excel 表格")
    assert parse_qs(urlsplit(href).query)["by"] == ["level"]
    book = openpyxl.load_workbook(io.BytesIO(attachment(client.get(href), XLSX)))
    assert book.sheetnames == ["按年度", "按层级"]
    header, *years = book["按年度"].iter_rows(values_only=True)
    assert header[:7] == ("年度", "报告", "单位", "收到申请", "公开率", "予以公开及部分公开", "办理总计")
    # 2023: 4 reports; received 40 + 50 + 12 + 99 = 201; disclosed (25 + 5) + 20 + 6 + 99 = 155 of
    # 40 + 50 + 13 + 99 = 202; corrected 1 of 2 cases; 1 report with errors (the 区's: the 教育局's
    # LATE is a warning); 某某市民政局 missing
    assert years == [(YEAR, 4, 4, 201, "76.7%", 155, 202, "50.0%＊", 1, 2, 1, 1)]
    levels = {row[0]: row for row in book["按层级"].iter_rows(min_row=2, values_only=True)}
    # 部门: 交通 and 教育: 90 received, (25 + 5 + 20) / (40 + 50) = 55.6%; 民政 missing
    assert levels["部门"][1:7] + levels["部门"][11:] == (2, 2, 90, "55.6%", 50, 90, 1)
    # 县: the 区 and 某某县: 12 + 99 received, 6 + 99 disclosed of 13 + 99
    assert levels["县"][1:4] + levels["县"][5:7] == (2, 2, 111, 105, 112)


# --- the region review from the statistics page -------------------------------------------------


def test_the_stats_page_offers_the_review_with_buttons_in_chinese(client):
    page = client.get("/stats", params={"region": REGION}).text
    form = re.search(r'<form[^>]*id="review-download".*?</form>', page, flags=re.DOTALL)
    assert form and 'action="/review/export"' in form.group(0)
    assert f'<option value="{REGION}" selected>' in form.group(0)
    labels = re.findall(r'<button type="submit" name="format" value="(\w+)">([^<]+)</button>', form.group(0))
    assert labels == [("docx", "Word 文档"), ("pdf", "PDF"), ("xlsx", "Excel 表格"), ("html", "网页")]


@pytest.mark.parametrize(("fmt", "media"), [("docx", DOCX), ("html", "text/html")])
def test_the_review_from_the_web_holds_the_regions_figures(client, url, tmp_path, fmt, media):
    answer = client.get("/review/export", params={"format": fmt, "region": REGION, "year": YEAR})
    out = tmp_path / f"review.{fmt}"
    out.write_bytes(attachment(answer, media))
    text, tables = (_docx if fmt == "docx" else _html)(out)
    assert f"关于{REGION}{YEAR}年度政府信息公开工作年度报告审核情况的通报" in text
    _check_review(text, tables, url)


def test_the_review_from_the_web_as_xlsx(client):
    answer = client.get("/review/export", params={"format": "xlsx", "region": REGION, "year": YEAR})
    book = openpyxl.load_workbook(io.BytesIO(attachment(answer, XLSX)))
    assert book.sheetnames == ["公布情况", "问题统计", "主要数据", "问题清单"]
    figures = {row[0]: row for row in book["主要数据"].iter_rows(min_row=3, values_only=True)}
    assert {name: row[2] for name, row in figures.items()} == {
        name: int(row[2]) for name, row in FIGURES.items()
    }


@no_soffice
def test_the_review_from_the_web_as_pdf(client):
    answer = client.get("/review/export", params={"format": "pdf", "region": REGION, "year": YEAR})
    text = pdf_text(attachment(answer, "application/pdf"))
    assert f"关于{REGION}{YEAR}年度政府信息公开工作年度报告审核情况的通报" in text
    assert "75.0%" in text and "46.2%＊" in text  # 交通 (25 + 5) / 40; the 区 6 / 13 on < 30 cases


# --- a body's notice from its page ---------------------------------------------------------------


def test_the_body_page_gives_its_notice(client, url, tmp_path):
    district = body_id(client, DISTRICT)
    page = client.get(f"/bodies/{district}").text
    form = re.search(r'<form[^>]*id="notice-download".*?</form>', page, flags=re.DOTALL)
    assert form and f'action="/bodies/{district}/notice"' in form.group(0)
    assert f'<option value="{YEAR}">' in form.group(0) and "包括未确认的问题" in form.group(0)
    assert ">Word 文档</button>" in form.group(0) and ">PDF</button>" in form.group(0)

    out = tmp_path / "notice.docx"
    params = {"format": "docx", "year": YEAR, "all": "true"}
    out.write_bytes(attachment(client.get(f"/bodies/{district}/notice", params=params), DOCX))
    text, _ = _docx(out)
    assert f"关于{DISTRICT}{YEAR}年政府信息公开工作年度报告有关问题的整改通知" in text
    messages = _messages(url, DISTRICT)
    assert len(messages) == 4 and all(f"问题：{m}" in text for m in messages)
    assert text.count("审核状态：待审核") == 4
    # without all=true: confirmed findings only, and none is confirmed in this store
    answer = client.get(f"/bodies/{district}/notice", params={"format": "docx", "year": YEAR})
    out.write_bytes(attachment(answer, DOCX))
    assert "未发现经审核确认的问题" in _docx(out)[0]


# --- the comparison page --------------------------------------------------------------------------


def test_the_comparison_page_exports_as_xlsx(series_client):
    body = body_id(series_client, "某某市交通运输局")
    page = series_client.get(f"/bodies/{body}/compare", params={"a": 2022, "b": 2023}).text
    href = link(page, "Excel 表格")
    assert href == f"/bodies/{body}/compare/export?format=xlsx&a=2022&b=2023"
    assert link(page, "PDF").endswith("format=pdf&a=2022&b=2023")
    book = openpyxl.load_workbook(io.BytesIO(attachment(series_client.get(href), XLSX)))
    header, *rows = book["数据变化"].iter_rows(values_only=True)
    assert header == ("单元格", "2022年度", "2023年度", "2023比2022增减", "增减幅度")
    cells = {row[0]: row[1:] for row in rows}
    label = cell_label("applications.received.total").label
    assert cells[label] == (40, 50, 10, "+25.0%")  # +10 on 40
    assert cells[cell_label("appeals.review.total").label] == (2, 0, -2, "-100.0%")
    # 2022 → 2023 changes: 本年新收 40 → 50, 予以公开 25 → 30, 部分公开 5 → 10, 总计 40 → 50 (不掌握
    # stays 10) in 2 columns each, and 复议 total, corrected and upheld
    assert len(rows) == 4 * 2 + 3


@no_soffice
def test_the_comparison_page_exports_as_pdf(series_client):
    body = body_id(series_client, "某某市交通运输局")
    answer = series_client.get(
        f"/bodies/{body}/compare/export", params={"format": "pdf", "a": 2023, "b": 2022}
    )
    text = pdf_text(attachment(answer, "application/pdf"))
    assert "某某市交通运输局2022、2023年度政府信息公开工作年度报告比较" in text
    assert "+25.0%" in text


# --- what cannot be made ---------------------------------------------------------------------------


def test_a_download_that_cannot_be_made_says_why_in_chinese(client):
    district = body_id(client, DISTRICT)
    cases = [
        (f"/bodies/{district}/notice?year=2019", 422, f"{DISTRICT}没有2019年度的报告"),
        (f"/bodies/{district}/notice", 422, "请选择年度"),
        ("/bodies/99999/notice?year=2023", 404, "没有这个单位"),
        ("/review/export?region=某某省&year=2023", 422, "没有这个地区的单位：某某省"),
        ("/review/export?year=2023", 422, "请选择地区和年度"),
        (f"/bodies/{district}/compare/export?a=2023&b=2023", 422, "请选择两个不同的年度"),
        (f"/bodies/{district}/compare/export?a=2022&b=2023", 422, f"{DISTRICT}没有2022年度的报告"),
        ("/findings/export?body=不存在的单位", 422, "没有这个单位：不存在的单位"),
    ]
    for path, status, message in cases:
        answer = client.get(path)
        assert (answer.status_code, message in answer.text) == (status, True), path
    assert client.get("/review/export?format=txt&region=某某市&year=2023").status_code == 422


def test_documents_are_made_in_the_worker_pool_under_its_time_limit(url):
    """A pool whose jobs may take a millisecond: the review is stopped there, not made in the server."""
    app = create_app(url, limits=Limits(workers=1, seconds=0.001))
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/review/export", params={"format": "docx", "region": REGION, "year": YEAR})
    assert answer.status_code == 504 and "生成这份文件超过了" in answer.text
