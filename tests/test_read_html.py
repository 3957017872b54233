"""The HTML reader: real-style pages to their truth, random national-format tables through page
chrome, encodings and Word-exported HTML back to the values printed, and cell provenance."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import xxgk
from tests.conftest import CORPUS, truth_of
from tests.layouts import AGENCIES, YEARS, consistent_values
from tests.national_grid import report_blocks
from tests.readback import SETTINGS, cells_of, errors, example, same, wrong
from tests.render_blocks import CONTAINERS, HtmlStyle, misplaced, to_html
from xxgk.read import read_bytes
from xxgk.read.html import read_html, table_layout

HANGZHOU = CORPUS / "hangzhoustyle_anon_2025.html"


# --- the corpus page ----------------------------------------------------------------------------


def test_corpus_html_reads_every_cell_of_its_truth():
    truth = truth_of(HANGZHOU)
    report = xxgk.parse_path(HANGZHOU)
    got = cells_of(report.tables())
    expected = cells_of(truth["tables"])
    wrong = {k: (v, got.get(k)) for k, v in expected.items() if not same(v, got.get(k))}
    assert wrong == {}
    assert len(expected) == 200
    assert report.template_id == truth["template"]
    assert report.meta.year == truth["meta"]["year"]
    assert errors(report) == []


def test_corpus_html_is_read_as_html_with_its_tables_as_grids():
    document = read_bytes(HANGZHOU.read_bytes(), str(HANGZHOU))
    assert document.format == "html"
    assert document.hints["title"] == "测试市2025年政府信息公开工作年度报告"
    assert "<td" not in document.text and "charset" not in document.text
    assert "| 规章 | 3 | 5 | 74 |" in document.text
    assert {o.grid for o in document.origins if o.grid is not None} == {0, 1, 2}


# --- round trips ----------------------------------------------------------------------------------


@st.composite
def html_styles(draw: st.DrawFn) -> HtmlStyle:
    return HtmlStyle(
        container=draw(st.sampled_from(CONTAINERS)),
        title_outside=draw(st.booleans()),
        word=draw(st.booleans()),
        nbsp=draw(st.booleans()),
        br_lines=draw(st.booleans()),
        th_header=draw(st.booleans()),
    )


@pytest.mark.parametrize("template_id", ["2019", "2021"])
@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_html_pages_read_back_exactly(template_id: str, data: st.DataObject) -> None:
    values = data.draw(consistent_values(template_id), label="values")
    year = data.draw(st.sampled_from(YEARS[template_id]), label="year")
    agency = data.draw(st.sampled_from(AGENCIES), label="agency")
    style = data.draw(html_styles(), label="style")
    charset = data.draw(st.sampled_from(("utf-8", "gb2312", "gbk", "GB18030")), label="charset")
    meta_style = data.draw(st.sampled_from(("html5", "http-equiv")), label="meta")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    blocks = report_blocks(template_id, values, year, agency)
    page = to_html(blocks, style, random.Random(seed), charset, meta_style)
    report = xxgk.parse_bytes(page, "page.html")
    note(report.text)
    assert report.template_id == template_id
    assert report.meta.year == year
    assert report.meta.agency == agency
    assert wrong(report, values) == []
    assert errors(report) == []
    assert misplaced(report, blocks, values) == []
    # the chrome's numbers (phone, ICP number, visits) and scripts stay out of the report
    assert "87654321" not in report.text and "12345678" not in report.text
    assert "var " not in report.text and "首页" not in report.text


def test_gbk_page_declaring_gb2312_with_a_character_outside_gb2312():
    values = example()
    agency = "某某县人民政府"
    blocks = report_blocks("2021", values, 2022, agency)
    page = to_html(blocks, HtmlStyle(), random.Random(1), "gb2312")
    # 镕 is GBK (and GB18030) but not GB2312: sites that declare gb2312 serve such pages
    page = page.replace("扎实推进".encode("gbk"), "朱镕基".encode("gbk"))
    assert "朱镕基".encode("gbk") in page
    report = xxgk.parse_bytes(page, "gbk.html")
    assert "朱镕基" in report.text
    assert wrong(report, values) == []


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "utf-8"])
def test_a_gbk_page_that_declares_another_charset_is_read_as_chinese(declared):
    values = example()
    page = to_html(
        report_blocks("2021", values, 2022, "某某县人民政府"), HtmlStyle(), random.Random(2), "gbk"
    )
    page = page.replace(b'charset="gbk"', f'charset="{declared}"'.encode())
    report = xxgk.parse_bytes(page, "misdeclared.html")
    assert wrong(report, values) == []
    assert report.meta.agency == "某某县人民政府"


def test_an_xhtml_page_with_an_xml_declaration_is_read():
    values = example()
    page = to_html(
        report_blocks("2021", values, 2022, "某某县人民政府"), HtmlStyle(), random.Random(3), "gbk"
    )
    page = b'<?xml version="1.0" encoding="gbk"?>\n' + page.replace(b"<!DOCTYPE html>\n", b"")
    report = xxgk.parse_bytes(page, "x.xhtml")
    assert wrong(report, values) == []


# --- Word-exported HTML -----------------------------------------------------------------------------

WORD_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal {mso-style-parent:""; margin:0cm; font-size:10.5pt} --></style></head>
<body lang=ZH-CN style='text-justify-trim:punctuation'><div class=WordSection1 style='layout-grid:15.6pt'>
<p class=MsoListParagraph><![if !supportLists]><span lang=EN-US>一、<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]><span
style='font-family:黑体'>总体情况<o:p></o:p></span></p>
<p class=MsoNormal><span style='font-family:仿宋_GB2312'>本机关全年主动公开政府信息一百余条，政府信息公开工作
稳步推进。<o:p></o:p></span></p>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>
<tr><td width=100 rowspan=2 style='border:solid windowtext 1.0pt'><p class=MsoNormal align=center><span
style='font-family:宋体'>信息<o:p></o:p></span></p><p class=MsoNormal><span
style='font-family:宋体'>内容<o:p></o:p></span></p></td>
<td colspan=2><p class=MsoNormal><span style='font-family:宋体'>本年新收政府信息公开申
请数量<o:p></o:p></span></p></td></tr>
<tr><td><p class=MsoNormal><span lang=EN-US>1<o:p></o:p></span></p></td>
<td><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p></td></tr>
</table>
<p class=MsoNormal><st1:chsdate Year="2025" Month="1" Day="20" w:st="on"><span lang=EN-US>2025</span>年<span
lang=EN-US>1</span>月<span lang=EN-US>20</span>日</st1:chsdate><o:p></o:p></p>
</div></body></html>
"""


def test_word_exported_html_reads_like_clean_html():
    document = read_html(WORD_PAGE.encode("gbk"), "word.htm")
    lines = document.text.splitlines()
    assert lines[0] == "一、 总体情况"
    # a source line wrapped inside a Chinese sentence joins without a space
    assert lines[1] == "本机关全年主动公开政府信息一百余条,政府信息公开工作稳步推进。"
    # cell paragraphs become one cell; the &nbsp; cell is blank; spans are placed by the table model
    assert lines[2] == "| 信息 内容 | 本年新收政府信息公开申请数量 |"
    assert lines[3] == "| 1 |  |"
    assert lines[4] == "2025年1月20日"
    assert "mso" not in document.text and "WordDocument" not in document.text


# --- tables ---------------------------------------------------------------------------------------


def _layout(html: str) -> list[tuple[str, int, int]]:
    """Each cell's text, grid row and grid column."""
    from lxml import etree

    table = etree.fromstring(html, etree.HTMLParser()).find(".//table")
    cells, rows, cols, _ = table_layout(table)
    return [("".join(el.itertext()), row, col) for el, row, col in zip(cells, rows, cols, strict=True)]


def test_spans_are_placed_by_the_html_table_model():
    # the classic case: a rowspan from above pushes later cells right, a colspan covers two slots
    html = """<table>
    <tr><td rowspan=2>a</td><td>b</td><td rowspan="3">c</td></tr>
    <tr><td>d</td></tr>
    <tr><td colspan=2>e</td><td>x</td></tr>
    <tr><td>f</td><td>g</td><td>h</td></tr>
    </table>"""
    assert _layout(html) == [
        ("a", 0, 0),
        ("b", 0, 1),
        ("c", 0, 2),
        ("d", 1, 1),  # right of a, which spans two rows
        ("e", 2, 0),
        ("x", 2, 3),  # right of e (two columns) and of c (three rows)
        ("f", 3, 0),
        ("g", 3, 1),
        ("h", 3, 2),  # c's rows are over
    ]


def test_odd_span_attributes_are_read_as_browsers_do():
    html = """<table><thead><tr><th colspan="2px">a</th><th rowspan=0>b</th></tr></thead>
    <tbody><tr><td colspan=x>c</td><td rowspan=99>d</td></tr><tr><td>e</td><td>f</td></tr>
    </tbody></table>"""
    assert _layout(html) == [
        ("a", 0, 0),
        ("b", 0, 2),  # colspan="2px" is 2
        ("c", 1, 0),
        ("d", 1, 1),  # colspan=x is 1
        ("e", 2, 0),
        ("f", 2, 3),  # d (rowspan=99) and b (rowspan=0: to the end of the table) are still open
    ]


def test_nested_tables_are_grids_of_their_own_and_layout_tables_are_text():
    page = """<html><body><div id="zoom"><p>二、主动公开政府信息情况</p>
    <table><tr><td>
      <p>一、总体情况</p>
      <table><tr><td>规章</td><td>1</td><td>2</td></tr></table>
    </td></tr></table>
    <table><tr><td>行政许可</td><td>3</td><td><table><tr><td>内</td><td>4</td></tr></table></td></tr></table>
    </div></body></html>"""
    document = read_html(page.encode(), "nested.html")
    assert document.text.splitlines() == [
        "二、主动公开政府信息情况",
        "一、总体情况",  # the one-column frame is running text
        "| 规章 | 1 | 2 |",
        "| 行政许可 | 3 |  |",  # the inner table is not part of the outer cell
        "| 内 | 4 |",
    ]
    grids = {(o.grid, document.text[o.start : o.end]) for o in document.origins}
    assert (1, "行政许可") in grids and (2, "内") in grids


def test_a_space_between_inline_elements_is_kept():
    """The parser drops whitespace-only text between rows and cells, never between inline
    elements: 1 and 2 in separate spans stay two numbers."""
    page = """<html><body>
    <p>三、收到和处理政府信息公开申请情况</p>
    <table>
      <tr> <td>本年新收</td> <td><span>1</span> <span>2</span></td> </tr>
    </table>
    <p><b>说明</b> <i>如下</i></p>
    </body></html>"""
    document = read_html(page.encode(), "spaces.html")
    assert document.text.splitlines() == [
        "三、收到和处理政府信息公开申请情况",
        "| 本年新收 | 1 2 |",
        "说明 如下",
    ]


def test_hidden_elements_scripts_and_chrome_are_left_out():
    page = """<html><head><title>某区2024年政府信息公开工作年度报告</title>
    <meta name="ArticleTitle" content="某区人民政府2024年政府信息公开工作年度报告">
    <meta name="PubDate" content="2025-01-15 09:00"><meta name="ContentSource" content="某区人民政府办公室">
    <meta name="SiteName" content="某区人民政府"></head><body>
    <div class="nav"><a href="/">首页</a> 电话 0571-1234567</div>
    <p>一、总体情况</p><p style="display: none">隐藏 999</p><p hidden>也隐藏</p>
    <p>二、主动公开政府信息情况</p><script>var n = 42;</script>
    <p>三、收到和处理政府信息公开申请情况</p>
    <div class="footer">版权所有 2025 电话 0571-7654321</div>
    </body></html>"""
    document = read_html(page.encode(), "chrome.html")
    assert document.text.splitlines() == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]
    assert document.hints == {
        "title": "某区2024年政府信息公开工作年度报告",
        "ArticleTitle": "某区人民政府2024年政府信息公开工作年度报告",
        "PubDate": "2025-01-15 09:00",
        "ContentSource": "某区人民政府办公室",
        "SiteName": "某区人民政府",
    }


def test_the_content_is_the_smallest_element_holding_every_report_phrase():
    # a sidebar links to two sections, a script names a phrase the article lacks: neither may
    # widen the choice to the whole page (a script's text is no report text)
    page = """<html><body>
    <div class="side"><a>总体情况</a> <a>行政诉讼</a> 电话 0571-1234567</div>
    <script>var tip = "结果维持";</script>
    <div class="wrap"><div class="text">
    <p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>五、存在的主要问题及改进情况</p>
    <p>四、因政府信息公开工作被申请行政复议、提起行政诉讼的情况</p></div>
    <div class="share">分享 12</div></div>
    </body></html>"""
    document = read_html(page.encode(), "side.html")
    assert document.text.splitlines() == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "五、存在的主要问题及改进情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼的情况",
    ]


def test_the_title_above_the_article_container_is_kept():
    page = """<html><body><div class="nav"><a>首页</a></div>
    <h1 class="title">某某县人民政府2024年政府信息公开工作年度报告</h1>
    <div class="info">发布时间：2025-01-15 浏览次数：321</div>
    <div id="zoom"><p>一、总体情况</p><p>二、主动公开政府信息情况</p></div>
    <div class="footer">电话 0571-7654321</div></body></html>"""
    document = read_html(page.encode(), "title.html")
    assert document.text.splitlines() == [
        "某某县人民政府2024年政府信息公开工作年度报告",
        "一、总体情况",
        "二、主动公开政府信息情况",
    ]


# --- provenance -------------------------------------------------------------------------------------


def test_cells_read_from_html_name_their_table_row_and_column():
    values = example()
    page = to_html(report_blocks("2021", values, 2022, "某某县人民政府"), HtmlStyle(), random.Random(4))
    report = xxgk.parse_bytes(page, "p.html")
    # national_grid: 二 is table 0 (its 规章 row is grid row 2), 三 table 1 (data from grid row 3,
    # values from column 3), 四 table 2 (values in grid row 3)
    cases = {
        "active.regulations.issued": (0, 2, 1),
        "active.normative_documents.in_force": (0, 3, 3),
        "applications.received.natural_person": (1, 3, 3),
        "applications.withheld_state_secret.total": (1, 7, 9),
        "applications.carried_forward.other": (1, 3 + 24, 8),
        "appeals.review.upheld": (2, 3, 0),
        "appeals.litigation_after_review.total": (2, 3, 14),
    }
    for key, (grid, row, col) in cases.items():
        p = report.cells[key].provenance
        assert p is not None, key
        assert (p.grid, p.grid_row, p.grid_col) == (grid, row, col), key
        assert report.text[p.offset : p.offset + p.length] == report.cells[key].text


# --- errors -------------------------------------------------------------------------------------------


def test_a_page_without_a_report_is_not_a_report():
    page = "<html><body><div class='nav'>首页</div><p>今天天气很好。</p></body></html>".encode()
    with pytest.raises(xxgk.NotAReportError):
        xxgk.parse_bytes(page, "weather.html")
