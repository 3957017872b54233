"""Reading cells in the layouts real reports come in: runs of digits, units, numbers first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import xxgk
from tests.conftest import CORPUS, truth_of
from tests.test_machine_markdown import (
    APPLICATIONS_ROWS,
    EXPECTED,
    _blank_for_zero,
    _zeros_blank,
    hand_report,
)
from xxgk.model import json_value

WUXI = CORPUS / "001_0e974329021f3c6f.txt"


def _pingtan_2019_with_active(rows: str) -> str:
    """pt001 (cells run together) with its 二、主动公开 table body replaced."""
    text = (CORPUS / "pt001.txt").read_text(encoding="utf-8")
    start = text.index("规章000")
    end = text.index("三、收到和处理政府信息公开申请情况")
    return text[:start] + rows + text[end:]


def test_concatenated_applications_rows_are_split_by_the_row_totals():
    report = xxgk.parse_path(CORPUS / "pt004.txt")
    assert [
        report.value(f"applications.received.{c}") for c in ("natural_person", "commercial", "total")
    ] == [
        71,
        3,
        74,
    ]
    # "3700000372.没有现成信息…": the row's own 2. numbering is not a digit of the values
    assert report.value("applications.unavailable_not_held.total") == 37
    assert report.value("applications.unavailable_needs_creation.total") == 0


def test_a_negative_change_splits_at_its_sign():
    rows = (
        "规章000规范性文件898989第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可3960181"
        "其他对外管理服务事项100153第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚2648-18538"
        "行政强制126025第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费350第二十条第（九）项"
        "信息内容采购项目数量采购总金额政府集中采购13575394432.52元"
    )
    report = xxgk.parse_text(_pingtan_2019_with_active(rows))
    penalties = [report.value(f"active.penalties.{c}") for c in ("previous", "change", "decisions")]
    assert penalties == [2648, -18, 538]
    assert report.cells["active.penalties.change"].text == "-18"


def test_amounts_in_yuan_become_wan_yuan_and_keep_their_printed_text():
    report = xxgk.parse_path(CORPUS / "pt001.txt")
    cell = report.cells["active.procurement.amount"]
    assert json_value(cell.value) == 7539.443252
    assert cell.text == "75394432.52元"
    text = WUXI.read_text(encoding="utf-8").replace("64.5万元", "645000元")
    assert json_value(xxgk.parse_text(text).value("active.procurement.amount")) == 64.5


def test_numbers_printed_before_their_labels_are_read():
    """PDF text often puts a row's numbers on the line before its (taller) label cell."""
    source = xxgk.parse_path(WUXI)
    lines = ["河埒街道2020年政府信息公开工作年度报告", "一、总体情况", "工作概述。"]
    for table in source.template.tables:
        number = {"active": "二", "applications": "三", "appeals": "四"}[table.id]
        lines.append(f"{number}、{table.title}")
        if table.unlabelled:
            lines.append(
                "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"
            )
            lines.append(" ".join(str(source.value(k)) for k in table.cell_keys()))
            continue
        lines.append(
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
            if number == "三"
            else "信息内容"
        )
        for row in table.rows:
            values = [json_value(source.value(f"{table.id}.{row.id}.{c.id}")) for c in row.columns]
            lines.append("   ".join(str(v) for v in values))
            lines.append(row.printed)
    lines += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    report = xxgk.parse_text("\n".join(lines))
    assert report.tables() == source.tables()
    assert report.layout["tables"]["applications"]["numbers_first"] is True


def test_labels_broken_across_lines_with_numbers_inside_them():
    """pdftotext puts a wrapped label's second line after the numbers of its row."""
    text = WUXI.read_text(encoding="utf-8")
    label = "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
    assert label in text
    start = text.index(label)
    end = text.index("(三)不予公开")
    text = (
        text[:start]
        + "(二)部分公开(区分处理的,只计这一\n 0  0  0  0  0  0  0\n情形,不计其他情形)\n"
        + text[end:]
    )
    report = xxgk.parse_text(text)
    assert report.tables() == xxgk.parse_path(WUXI).tables()


def test_appeals_values_are_found_when_the_narrative_names_the_same_words():
    text = WUXI.read_text(encoding="utf-8")
    at = text.index("五、存在的主要问题")
    text = text[:at] + "本年度发生行政复议2件，其中结果纠正2件；行政诉讼1件，结果维持。\n" + text[at:]
    report = xxgk.parse_text(text)
    assert report.tables()["appeals"] == xxgk.parse_path(WUXI).tables()["appeals"]
    # the narrative's figures agree: no finding beyond the real report's own (its empty 六)
    assert report.findings == xxgk.parse_path(WUXI).findings


def test_a_whole_report_run_together_with_large_numbers_is_split_by_the_arithmetic():
    """Every character of the corpus HTML's text, whitespace removed: 15 appeals cells of up to three
    digits in one run, rows of five-digit counts — the identities decide each split."""
    import lxml.html

    from tests.readback import cells_of, same

    html = CORPUS / "hangzhoustyle_anon_2025.html"
    text = "".join(lxml.html.fromstring(html.read_bytes()).text_content().split())
    assert "376971961217901611227567413051156" in text
    report = xxgk.parse_text(text)
    truth = cells_of(truth_of(html)["tables"])
    got = cells_of(report.tables())
    assert {k: (v, got.get(k)) for k, v in truth.items() if not same(v, got.get(k))} == {}
    assert report.errors == []


def test_rows_that_read_another_way_only_together_are_flagged_not_guessed():
    """Found by the property test (test_roundtrip, seed 91). Table 三 printed run together, 1
    application from a 社会公益组织 and 10 from a 法律服务机构, all of them withheld as 过程性信息:
    本年新收, 6.属于四类过程性信息 and (七)总计 each print 000110011 for their 7 cells. The row
    sums admit two cuts: 0|0|0|1|10|0|11 (1 + 10 = 11) and 0|0|0|11|0|0|11 (11 = 11); 1|100|1|1
    (102 ≠ 1) and 110|0|1|1 (111 ≠ 1) fail, other cuts begin a number with 0. Every column
    identity (本年新收 + 上年结转 = 办理结果总计 + 结转; 总计 = the outcomes) holds whichever cut the
    three rows share, and fails when one row alone is cut the other way: the cells are in doubt,
    and were read 11|0 unflagged while only one row at a time was tried the other way."""
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    for row in ("received", "withheld_process_info", "total"):
        values |= {f"applications.{row}.social_welfare": 1, f"applications.{row}.legal_services": 10}
        values[f"applications.{row}.total"] = 11
    style = Style("concatenated", False, base="concatenated")
    text = render("2021", 2021, "某某县人民政府", values, style, random.Random(1))
    assert text.count("000110011") == 3
    report = xxgk.parse_text(text)
    doubt = {
        f"applications.{row}.{column}"
        for row in ("received", "withheld_process_info", "total")
        for column in ("social_welfare", "legal_services")
    }
    assert {key for key, cell in report.cells.items() if cell.ambiguous} == doubt
    flagged = [f for f in report.findings if f.rule == "AMBIGUOUS"]
    assert {key for f in flagged for key in f.cells} == doubt
    assert all("0|0|0|1|10|0|11" in f.message and "0|0|0|11|0|0|11" in f.message for f in flagged)
    assert report.errors == []


def test_digits_no_split_can_explain_are_read_and_reported_not_searched_for_ever():
    text = WUXI.read_text(encoding="utf-8")
    start = text.index("结果维持", text.index("四、政府信息公开行政复议"))
    end = text.index("五、存在的主要问题")
    header = "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
    report = xxgk.parse_text(text[:start] + header + "98765432198765432198765432198765\n" + text[end:])
    appeals = [report.cells[k] for k in report.template.table("appeals").cell_keys()]
    assert all(cell.value is not None for cell in appeals)
    assert "AMBIGUOUS" in {f.rule for f in report.findings}


def test_digits_of_any_script_are_read_as_numbers():
    """Full-width digits (common in Chinese text) and other scripts' decimal digits become ASCII
    in the normal form, so the value reader need only match 0-9."""
    text = WUXI.read_text(encoding="utf-8")
    printed = "64.5万元"
    assert printed in text
    report = xxgk.parse_text(text.replace(printed, "６٤.５万元"))
    assert json_value(report.value("active.procurement.amount")) == 64.5
    assert report.cells["active.procurement.amount"].text == "64.5万元"


def test_rows_too_many_to_try_together_are_flagged_not_guessed():
    """As above, on more lines than every combination of their readings can be tried for. Table
    三 run together, 7 rows with 1 application from a 社会公益组织 and 10 from a 法律服务机构
    (000110011, cut 0|0|0|1|10|0|11 or 0|0|0|11|0|0|11) and 7 with 1 from a 商业企业 and 10
    from a 科研机构 (011000011, cut 0|1|10|0|0|0|11 or 0|11|0|0|0|0|11). 本年新收 and 总计
    then hold 7 and 70 in each of those four columns, 154 in all: 07707700154, which reads as
    7|70 or 77|0 in each pair of columns (0|7|70|7|70|0|154, 0|77|0|7|70|0|154, ...; each
    row sums to 154). The 16 lines give 2^14 × 4 × 4 = 262,144 combinations. The column
    identities (总计 = the outcomes; 本年新收 + 上年结转 0 = 总计 + 结转 0) hold when the
    seven rows of a pair, 本年新收 and 总计 are all cut the same way (7 × 1 = 7 and 7 × 10 =
    70, or 7 × 11 = 77 and 0), and fail if any one is cut otherwise: both ways in both pairs of
    columns are equally admissible, so all 36 cells of the four columns in those 16 rows are in
    doubt (14 rows × 2 + 2 rows × 4). The old reader tried one line changed at a time there
    and read every one of them 11|0 (77|0), unflagged."""
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    template = TEMPLATES["2021"]
    outcomes = [row.id for row in template.table("applications").rows][2:16]
    pairs = {("social_welfare", "legal_services"): outcomes[:7], ("commercial", "research"): outcomes[7:]}
    values = {key: 0 for key in template.cell_keys()}
    doubt = set()
    for (small, large), rows in pairs.items():
        for row in rows:
            values |= {f"applications.{row}.{small}": 1, f"applications.{row}.{large}": 10}
            values[f"applications.{row}.total"] = 11
            doubt |= {f"applications.{row}.{small}", f"applications.{row}.{large}"}
        for row in ("received", "total"):
            values |= {f"applications.{row}.{small}": 7, f"applications.{row}.{large}": 70}
            values[f"applications.{row}.total"] = 154
            doubt |= {f"applications.{row}.{small}", f"applications.{row}.{large}"}
    text = render(
        "2021",
        2021,
        "某某县人民政府",
        values,
        Style("concatenated", False, base="concatenated"),
        random.Random(1),
    )
    assert (text.count("000110011"), text.count("011000011"), text.count("07707700154")) == (7, 7, 2)
    report = xxgk.parse_text(text)
    assert len(doubt) == 36
    assert {key for key, cell in report.cells.items() if cell.ambiguous} == doubt
    flagged = [f for f in report.findings if f.rule == "AMBIGUOUS"]
    assert {key for f in flagged for key in f.cells} == doubt
    assert {k: report.cells[k].value for k in values if k not in doubt} == {
        k: v for k, v in values.items() if k not in doubt
    }


def _markdown_2023(active: str) -> str:
    """A 2021-format report rendered as markdown, its section 二 replaced by `active`."""
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    values = {key: 1 for key in TEMPLATES["2021"].cell_keys()}
    text = render("2021", 2023, "某县交通运输局", values, Style("markdown", False), random.Random(1))
    start, end = text.index("二、主动公开政府信息情况"), text.index("三、收到和处理")
    return text[:start] + "二、主动公开政府信息情况\n" + active + "\n" + text[end:]


FIRST_PART = """第二十条第（一）项
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
| 规章 | 0 | 0 | 4 |
| 行政规范性文件 | 6 | 2 | 40 |"""


def test_later_parts_of_table_two_printed_above_its_first_are_read():
    # markdown made from a PDF set 第二十条 (五), (六), (八) as plain lines above the header of
    # (一): the rows were looked for after (一)'s and not found (before)
    report = xxgk.parse_text(
        _markdown_2023(
            "第二十条第（五）项\n信息内容本年处理决定数量\n行政许可 97\n"
            "第二十条第（六）项\n信息内容本年处理决定数量\n行政处罚 12\n行政强制 3\n"
            "第二十条第（八）项\n信息内容本年收费金额（单位：万元）\n行政事业性收费 0.5\n" + FIRST_PART
        )
    )
    active = report.tables()["active"]
    assert active["regulations"] == {"issued": 0, "repealed": 0, "in_force": 4}
    assert active["normative_documents"] == {"issued": 6, "repealed": 2, "in_force": 40}
    assert (active["licensing"], active["penalties"], active["enforcement"]) == (
        {"decisions": 97},
        {"decisions": 12},
        {"decisions": 3},
    )
    assert json_value(report.value("active.fees.amount")) == 0.5


@pytest.mark.parametrize(
    "row",
    ["| 规章 | 22 | 235 |", "规章 22 235", "规章\t22\t235"],
    ids=["markdown", "spaces", "tabs"],
)
def test_a_row_of_table_two_short_of_a_value_is_read_in_order_and_in_doubt(row):
    # 规章 printed 22 and 235 for three cells (a PDF made into markdown moved its 废止 cell, "22
    # （其中修订 16 件）", out of the table): which cell is blank nothing tells, table 二 having no
    # arithmetic; it was read 22 | 235 | blank silently (before)
    report = xxgk.parse_text(_markdown_2023(FIRST_PART.replace("| 规章 | 0 | 0 | 4 |", row)))
    cells = [report.cells[f"active.regulations.{c}"] for c in ("issued", "repealed", "in_force")]
    assert [(c.value, c.ambiguous) for c in cells] == [(22, True), (235, True), (None, True)]
    (doubt,) = [f for f in report.findings if f.rule == "AMBIGUOUS"]
    assert doubt.severity == "warning"
    assert "22|235|空；22|空|235；空|22|235" in doubt.message
    # the rows printed whole are not in doubt
    assert not report.cells["active.normative_documents.repealed"].ambiguous


def test_a_blank_cell_table_two_shows_between_its_borders_is_no_doubt():
    report = xxgk.parse_text(
        _markdown_2023(FIRST_PART.replace("| 规章 | 0 | 0 | 4 |", "| 规章 | 22 |  | 235 |"))
    )
    cells = [report.cells[f"active.regulations.{c}"] for c in ("issued", "repealed", "in_force")]
    assert [(c.value, c.ambiguous) for c in cells] == [(22, False), (None, False), (235, False)]
    assert not [f for f in report.findings if f.rule == "AMBIGUOUS"]


def test_sections_numbered_otherwise_are_found_by_their_whole_titles():
    # a PDF made into markdown numbered sections 二 to 四 一 to 三, and its markdown put "## 表二"
    # between table 二's later parts and its first: the section was found at "## 表二" only, and
    # 行政许可 above it was missing (TEMPLATE named it too) (before)
    later = "第二十条第（五）项\n信息内容本年处理决定数量\n行政许可 97\n"
    printed = _markdown_2023(later + "## 表二：主动公开政府信息情况\n" + FIRST_PART)
    text = printed
    for statutory, other in (
        ("二、主动", "一、主动"),
        ("三、收到", "二、收到"),
        ("四、政府信息公开行政", "三、政府信息公开行政"),
    ):
        text = text.replace(statutory, other)
    report, as_numbered = xxgk.parse_text(text), xxgk.parse_text(printed)
    assert report.value("active.licensing.decisions") == 97
    assert report.tables() == as_numbered.tables()
    # every cell of 三 and 四 printed 1: their arithmetic fails as printed; 行政处罚, 行政强制 and
    # 行政事业性收费 are not printed (TEMPLATE names those three, not 行政许可)
    assert [(f.rule, f.message) for f in report.errors] == [(f.rule, f.message) for f in as_numbered.errors]


def test_a_row_of_values_only_no_arithmetic_can_confirm_is_read_by_its_place_in_doubt():
    # 行政处罚's label cut out of its markdown row and printed below the next row: the label was
    # paired with no numbers and 行政强制 read from nothing, with a false TEMPLATE error naming
    # it (before). Table 二 has no arithmetic to confirm "12" as 行政处罚: read by its place, in
    # doubt, and said so.
    active = FIRST_PART + (
        "\n第二十条第（五）项\n| 信息内容 | 本年处理决定数量 |\n|---|---|\n| 行政许可 | 97 |\n"
        "第二十条第（六）项\n| 信息内容 | 本年处理决定数量 |\n|---|---|\n| 12 |\n| 行政强制 | 3 |\n行政处罚\n"
        "第二十条第（八）项\n| 信息内容 | 本年收费金额（单位：万元） |\n|---|---|\n| 行政事业性收费 | 0.5 |"
    )
    report = xxgk.parse_text(_markdown_2023(active))
    cells = {
        row: report.cells[f"active.{row}.decisions"] for row in ("licensing", "penalties", "enforcement")
    }
    assert {row: (c.value, c.ambiguous) for row, c in cells.items()} == {
        "licensing": (97, False),
        "penalties": (12, True),
        "enforcement": (3, False),
    }
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert "“行政处罚”" in label.message and "没有勾稽关系可以确认" in label.message
    # said once: the row's doubt is LABEL's, not AMBIGUOUS's (whose words are of digits run together)
    assert not [f for f in report.findings if f.rule in ("TEMPLATE", "AMBIGUOUS")]


def test_a_row_label_named_in_prose_above_the_table_is_not_a_row():
    # within the table's parts, above (一): a sentence that names rows is no line of them
    prose = "第二十条第（五）项\n信息内容本年处理决定数量\n本年度办理行政许可 1234 件，行政处罚 56 件。\n"
    report = xxgk.parse_text(_markdown_2023(prose + FIRST_PART))
    assert report.tables()["active"]["normative_documents"] == {"issued": 6, "repealed": 2, "in_force": 40}
    assert all(report.value(f"active.{row}.decisions") is None for row in ("licensing", "penalties"))
    assert not report.cells["active.licensing.decisions"].found


def test_a_labels_numbering_left_at_the_head_of_a_line_is_no_value():
    # a PDF's text broke "1.本机关不掌握相关政府信息" so that the label was not found: its "1."
    # was read as a value and every row after it moved (before)
    from xxgk.extract.tokens import tokens

    text = "| 1 | 0 | 1 |\n1.本机关不掌握相关政\n府信息\n  2、没有现成信息\n| 3 | 4 |\n1.5\n12\n7、8"
    assert [t.text for t in tokens(text, 0, len(text))] == ["1", "0", "1", "3", "4", "1.5", "12", "7", "8"]


def _wuxi(cut: str) -> xxgk.Report:
    """The Wuxi report with its section 四 heading (`cut` "heading") or its whole section 四
    (`cut` "section") left out."""
    text = (CORPUS / "001_0e974329021f3c6f.txt").read_text(encoding="utf-8")
    start = text.index("四、政府信息公开行政复议、行政诉讼情况")
    end = (
        start + len("四、政府信息公开行政复议、行政诉讼情况")
        if cut == "heading"
        else text.index("五、存在的主要问题")
    )
    return xxgk.parse_text(text[:start] + text[end:])


def test_a_report_without_section_four_has_no_appeals_read_from_another_table():
    # without section 四 the row of 15 values was looked for in the whole text and found in table
    # 三's rows (or the narrative's years): 15 cells no one printed, and T4-SUM errors (before)
    report = _wuxi("section")
    assert all(
        cell.value is None and not cell.found
        for key, cell in report.cells.items()
        if key.startswith("appeals")
    )
    assert not [f for f in report.findings if f.rule.startswith("T4")]
    assert "TEMPLATE" in {f.rule for f in report.errors}


def test_table_four_without_its_heading_is_read_after_its_header():
    whole = xxgk.parse_path(CORPUS / "001_0e974329021f3c6f.txt").tables()["appeals"]
    assert _wuxi("heading").tables()["appeals"] == whole


def test_a_browsers_print_header_and_footer_inside_a_table_are_no_values():
    # a page printed from a browser: the footer (the page's address, the date and time) and the
    # next page's header inside table 三, one cell a line: their digits were read as the next
    # row's cells (2025, 20250120, 1, …), with eight false errors (before)
    text = (CORPUS / "001_0e974329021f3c6f.txt").read_text(encoding="utf-8")
    at = text.index("\n", text.index("二、上年结转"))
    chrome = (
        "\nhttps://www.example.gov.cn/zwgk/xxgk/2025/t20250120_1.htm 2025/1/20 10:32\n"
        "2025/1/20 10:32 河埒街道2020年政府信息公开工作年度报告\n"
    )
    printed = xxgk.parse_text(text)
    report = xxgk.parse_text(text[:at] + chrome + text[at:])
    assert report.tables() == printed.tables() and report.errors == []


def test_a_note_after_a_table_run_together_on_one_line_is_none_of_its_cells():
    # a page scraped onto one line, a note after table 三: its numbers (75, 12, 3, 100) were read
    # as the last row's cells, with a false T3-BAL error (before)
    text = (CORPUS / "pt004.txt").read_text(encoding="utf-8")
    at = text.index("四、政府信息公开行政")
    note = " 注:本年度共办结申请75件,其中予以公开12件,结转下年度继续办理3件,办结率100%。 "
    report = xxgk.parse_text(text[:at] + note + text[at:])
    assert report.tables() == xxgk.parse_text(text).tables() and report.errors == []


def test_rows_printed_above_their_tables_header_are_read():
    # a PDF's text set table 三's header (勾稽关系, 申请人情况, the applicant columns) below its
    # rows: the rows were looked for after the header only, and table 三 called missing (before)
    text = (CORPUS / "001_0e974329021f3c6f.txt").read_text(encoding="utf-8")
    heading = text.index("\n", text.index("三、收到和处理政府信息公开申请情况"))
    rows, end = text.index("一、本年新收"), text.index("四、政府信息公开行政复议")
    moved = text[:heading] + "\n" + text[rows:end] + text[heading:rows] + text[end:]
    report = xxgk.parse_text(moved)
    assert report.tables() == xxgk.parse_text(text).tables() and report.errors == []


def test_table_four_printed_without_its_header_is_read_in_its_section():
    # machine-made text that lost table 四's header: its 15 values alone under its heading were
    # read only by a search of the whole text, which now looks for the header (before)
    text = (CORPUS / "001_0e974329021f3c6f.txt").read_text(encoding="utf-8")
    heading = text.index("\n", text.index("四、政府信息公开行政复议、行政诉讼情况"))
    values = re.compile(r"\n\s*\d").search(text, text.index("复议后起诉")).start()  # the first value
    report = xxgk.parse_text(text[:heading] + text[values:])
    assert not any(label in report.text for label in ("结果维持", "未经复议直接起诉"))
    assert report.tables()["appeals"] == xxgk.parse_text(text).tables()["appeals"]


def test_a_date_is_no_value_and_a_year_run_into_a_rows_digits_is_cut_off():
    from xxgk.extract.tokens import tokens

    text = "于2024年3月15日公布 2024 年 0 1 21317000001324019" + "2024年,实验区"
    assert [t.text for t in tokens(text, 0, len(text))] == ["0", "1", "21317000001324019"]


def test_table_four_run_together_with_the_narrative_after_it_is_read_as_printed():
    # a page scraped onto one line whose section 五 heading is lost: "…总计21317000001324019" runs
    # into "2024年,实验区…"; the year was read as digits of the row, with a false T4-SUM (before)
    path = Path(__file__).parent / "found" / "pingtan_2024.txt"
    text = path.read_text(encoding="utf-8")
    report = xxgk.parse_text(text.replace("五、存在的主要问题及改进情况", "", 1))
    assert report.tables()["appeals"] == xxgk.parse_path(path).tables()["appeals"]
    assert report.errors == []


def test_table_two_is_not_read_from_prose_that_names_its_header_word():
    # section 二 left out of a report whose narrative says 信息内容 and names 行政许可 with figures:
    # table 二 was read from the narrative (68, 1, 2, …) (before)
    text = (CORPUS / "pt001.txt").read_text(encoding="utf-8")
    start, end = text.index("二、主动公开政府信息情况"), text.index("三、收到和处理政府信息公开申请情况")
    report = xxgk.parse_text(text[:start] + text[end:])
    assert "信息内容" in report.text and "行政许可" in report.text
    assert {
        k: c.value for k, c in report.cells.items() if k.startswith("active") and c.value is not None
    } == {}


@pytest.mark.parametrize(
    "path", [CORPUS / "pt004.txt", Path(__file__).parent / "found" / "shuyang_fgj_2023.html"]
)
def test_a_page_of_table_three_printed_again_is_none_of_a_rows_values(path):
    # rows 1.属于国家秘密 … 3.补正后申请内容仍不明确 printed twice (a PDF's page repeated): the second
    # printing was read as values of the row before it, with false T3-SUM and T3-ROW errors (before)
    text = xxgk.parse_path(path).text
    start, end = text.index("1.属于国家秘密"), text.index("(五)不予处理")
    report = xxgk.parse_text(text[:end] + "\n" + text[start:end] + "\n" + text[end:])
    assert report.tables() == xxgk.parse_text(text).tables() and report.errors == []


def test_the_layouts_hint_never_breaks_what_the_arithmetic_chose_for_lines_in_doubt_together():
    # two rows run together, each in doubt: 本年新收 1600660082 and 结转下年度 600660072. The
    # arithmetic read them together as 16|0|0|66|0|0|82 and 6|0|0|66|0|0|72; the digit counts of
    # the columns then preferred 60|0|6|6|0|0|72 for the second, checked against the first left
    # out: three false T3-BAL errors, the cells not marked in doubt (before; found by hypothesis)
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    printed = {key: 0 for key in TEMPLATES["2019"].cell_keys()}
    for row, natural, social, total in (
        ("received", 16, 66, 82),
        ("withheld_process_info", 10, 0, 10),
        ("total", 10, 0, 10),
        ("carried_forward", 6, 66, 72),
    ):
        printed.update(
            {f"applications.{row}.natural_person": natural, f"applications.{row}.social_welfare": social}
        )
        printed[f"applications.{row}.total"] = total
    style = Style("concatenated", False, base="concatenated", title_own_line=False)
    text = render("2019", 2019, "某某县人民政府", printed, style, random.Random(0))
    assert "1600660082" in text and "600660072" in text
    report = xxgk.parse_text(text)
    wrong = [
        key
        for key, value in printed.items()
        if key.startswith("applications") and report.value(key) != value and not report.cells[key].ambiguous
    ]
    assert wrong == [] and not [f for f in report.errors if f.rule.startswith("T3")]


def _scraped(rows: str, separator: str) -> str:
    """Markdown rows as a scraper that joins a row's non-empty cells prints them."""
    lines = []
    for row in rows.split("\n"):
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        lines.append(separator.join(cell for cell in cells if cell))
    return "\n".join(lines)


@pytest.mark.parametrize("separator", [" ", "\t", "\n"], ids=["spaces", "tabs", "lines"])
def test_a_scraped_table_that_dropped_its_blank_cells_is_never_read_wrong_silently(separator: str) -> None:
    """A report that leaves a cell blank where it has nothing to count, scraped by joining each
    row's non-empty cells: "10 3 13" for 10|3|空|空|空|空|13. Where the blanks were nothing shows;
    the rows' places for them are readings for the arithmetic to choose among, a blank counted as
    nothing. Worked by hand: every column adds up only with the values where the report printed
    them, but for 部分公开 (1, 1) and 4.保护第三方合法权益 (1, 1), whose 1s may as well be
    自然人's as 商业企业's (自然人 4 + 1 + 3 + 1 = 9 and 商业企业 2 + 1 = 3 either way): so every cell
    is read as printed or in doubt, and no error is made. Before, with tabs, the rows were read
    left to right: 13 of 本年新收 as 科研机构's, silently, and the like in every row."""
    head = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            "申请人情况",
            "自然人 法人或其他组织 总计",
            "商业企业 科研机构 社会公益组织 法律服务机构 其他",
        ]
    )
    rows = _scraped(_zeros_blank(APPLICATIONS_ROWS), separator)
    report = xxgk.parse_text(hand_report(applications=head + "\n" + rows))
    printed = _blank_for_zero(EXPECTED)
    silent = [k for k, v in printed.items() if report.cells[k].value != v and not report.cells[k].ambiguous]
    assert not silent
    assert not report.errors
    swapped = {"partly_granted", "withheld_third_party"}
    assert all(report.cells[k].value == v for k, v in printed.items() if k.split(".")[1] not in swapped)


APPEALS_TABBED = (
    "## 四、政府信息公开行政复议、行政诉讼情况\n\n行政复议\t\t\t\t\t行政诉讼\n"
    "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
    "\t\t\t\t\t" + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + "\n"
)


def test_a_tab_after_the_last_value_is_an_empty_cell() -> None:
    """Table 四 copied out of a page as tab-separated cells, the blank ones empty: 15 cells, the
    last of them empty after the last tab (5|空|空|2|7, 8|空|空|1|9, five blanks). A pipe closes a
    markdown row, a tab does not: before, the empty cell after the last tab was dropped, the
    cells no longer counted 15, and the values were read left to right (5|2|7|8|1, 9|空…, a
    false T4-SUM error: 5 + 2 + 7 + 8 = 22 beside a total of 1)."""
    report = xxgk.parse_text(hand_report(appeals=APPEALS_TABBED + "5\t\t\t2\t7\t8\t\t\t1\t9\t\t\t\t\t"))
    cells = [report.cells[k] for k in report.template.table("appeals").cell_keys()]
    assert [c.value for c in cells] == [5, None, None, 2, 7, 8, None, None, 1, 9, *[None] * 5]
    assert not any(c.ambiguous for c in cells)
    assert not report.errors


def test_a_row_of_table_four_that_dropped_its_blanks_is_read_as_its_sums_allow_in_doubt() -> None:
    """The same row scraped with its blank cells dropped: "5 2 7 8 1 9" for 15 cells, 5,005 ways
    to place six values. Those each group's sum admits (a blank counted as nothing: 5 + 2 = 7
    and 8 + 1 = 9, in two of the three groups, 108 in all) are the readings; the one chosen
    holds every identity, and the cells are in doubt. Before, the six were read left to right,
    silently, and made a false T4-SUM error."""
    report = xxgk.parse_text(hand_report(appeals=APPEALS_TABBED + "5 2 7 8 1 9"))
    cells = [report.cells[k] for k in report.template.table("appeals").cell_keys()]
    values = [0 if c.value is None else c.value for c in cells]
    for group in (values[0:5], values[5:10], values[10:15]):
        assert sum(group[:4]) == group[4]
    assert sorted(v for v in values if v) == [1, 2, 5, 7, 8, 9]
    assert all(c.ambiguous for c in cells)
    assert not report.errors


def test_rows_of_0s_with_blanks_dropped_go_where_the_table_prints() -> None:
    """A body that counts only 自然人 and 总计 (the other columns left blank), scraped with its
    blank cells dropped: "一、本年新收政府信息公开申请数量 13 13", "1.属于国家秘密 0 0". No sum tells
    自然人 from 商业企业 when every row moves alike (the table prints 0s, so a blank is unknown, not
    nothing); the rows with values other than 0 are read where each value is likeliest (13 as
    自然人's and 总计's), and the rows of 0s where those rows print, not where a 0 alone is likeliest
    (科研机构, 社会公益组织: before, every row of 0s was read there, in doubt)."""
    from xxgk.templates import TEMPLATES

    table = TEMPLATES["2021"].table("applications")
    labels = [line.strip().strip("|").split("|")[0].strip() for line in APPLICATIONS_ROWS.split("\n")]
    totals = {row.id: EXPECTED[f"applications.{row.id}.total"] for row in table.rows}
    rows = "\n".join(f"{label} {total} {total}" for label, total in zip(labels, totals.values(), strict=True))
    head = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            "自然人 法人或其他组织 总计",
            "商业企业 科研机构 社会公益组织 法律服务机构 其他",
        ]
    )
    report = xxgk.parse_text(hand_report(applications=head + "\n" + rows))
    for row in table.rows:
        read = [report.cells[key].value for key in table.row_keys(row)]
        assert read == [totals[row.id], None, None, None, None, None, totals[row.id]], row.id
    assert not report.errors
