"""Machine-made markdown (issue 13, point 1): reports run through OCR or an LLM read back as printed.

The property tests print consistent tables with the breakages of tests/machine_markdown.py, all
drawn together and then one at a time (so that a failure shows which breakage the reader misses).
Every cell must read back exactly, unflagged, with no error finding; except a row printed without its
label, which the reader may place (by printed order, confirmed by the arithmetic) or leave unknown
with a warning naming its cells, but never read as another number.

The hand-written examples below print one small report and change one thing in it each.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import xxgk
from tests.layouts import MACHINE_MARKDOWN, Case, Values, reports
from tests.machine_markdown import BREAKAGES, machine_reports
from tests.readback import SETTINGS
from xxgk.templates import TEMPLATES

TEMPLATE_IDS = ("2019", "2021")


def _misread(report: xxgk.Report, values: Values, key: str) -> bool:
    read = report.cells[key].value
    return read != values[key] or type(read) is not type(values[key])


def assert_reads_back(report: xxgk.Report, values: Values, lost: tuple[str, ...] = ()) -> None:
    """Every printed cell exact; a cell of a row whose label was lost exact or unknown and warned
    of; nothing else flagged ambiguous; no error finding."""
    cells = report.cells
    wrong = [k for k in values if k not in lost and _misread(report, values, k)]
    guessed = [k for k in lost if cells[k].value is not None and _misread(report, values, k)]
    assert not wrong + guessed, "\n".join(
        f"{k}: printed {values[k]!r} -> read {cells[k].value!r} ({cells[k].text!r})" for k in wrong + guessed
    )
    warned = {k for f in report.findings if f.severity == "warning" for k in f.cells}
    silent = [k for k in lost if cells[k].value is None and k not in warned]
    assert not silent, f"cells of an unplaced row left unknown without a warning naming them: {silent}"
    flagged = [k for k, cell in cells.items() if cell.ambiguous and k not in lost]
    assert not flagged, f"cells printed apart flagged ambiguous: {flagged}"
    errors = [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]
    assert not errors, "\n".join(errors)


def _check(case: Case) -> None:
    note(f"style: {case.style}")
    note(f"lost: {case.lost}")
    note(f"text:\n{case.text}")
    report = xxgk.parse_text(case.text)
    assert report.template_id == case.template_id
    assert report.meta.year == case.year
    assert_reads_back(report, case.values, case.lost)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_machine_markdown_reads_back(template_id: str, data: st.DataObject) -> None:
    """All the breakages drawn together."""
    _check(data.draw(reports(template_id, MACHINE_MARKDOWN), label="case"))


@pytest.mark.parametrize("breakage", BREAKAGES)
@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_each_breakage_alone_reads_back(template_id: str, breakage: str, data: st.DataObject) -> None:
    _check(data.draw(machine_reports(template_id, only=breakage), label="case"))


# --- hand-written examples: one small report, one breakage each -------------------------------------
#
# 某某县人民政府2023年 (template 2021). The values, worked out by hand:
#   二: 行政规范性文件 制发 22, 废止 3, 现行有效 55; 行政许可 128; 行政处罚 37; 行政强制 2; 收费 15.5 万元.
#   三 (自然人 | 商业企业 | … | 总计; every other cell 0):
#     新收 10 | 3 → 13;  结转 2 | 0 → 2
#     予以公开 4 | 2 → 6;  部分公开 1 | 0 → 1;  保护第三方 0 | 1 → 1;  不掌握 3 | 0 → 3;  重复申请 1 | 0 → 1
#     总计 9 (= 4+1+3+1) | 3 (= 2+1) → 12 (= 6+1+1+3+1);  结转下年度 3 | 0 → 3
#     T3-BAL: 自然人 10+2 = 9+3, 商业企业 3+0 = 3+0, 总计 13+2 = 12+3.
#   四: 行政复议 维持 1, 尚未审结 1, 总计 2; 直接起诉 纠正 1, 总计 1; 复议后起诉 all 0.

TITLE = "# 某某县人民政府2023年政府信息公开工作年度报告"
OVERVIEW = """## 一、总体情况

2023年，全年共收到政府信息公开申请13件，办结12件，结转下年度继续办理3件。"""
ACTIVE = """## 二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
|---|---|---|---|
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 22 | 3 | 55 |
| 第二十条第（五）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政许可 | 128 | | |
| 第二十条第（六）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政处罚 | 37 | | |
| 行政强制 | 2 | | |
| 第二十条第（八）项 | | | |
| 信息内容 | 本年收费金额（单位：万元） | | |
| 行政事业性收费 | 15.5 | | |"""
APPLICATIONS_HEAD = """## 三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |
|---|---|---|---|---|---|---|---|
| | 自然人 | 法人或其他组织 | | | | | 总计 |
| | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |"""
APPLICATIONS_ROWS = """| 一、本年新收政府信息公开申请数量 | 10 | 3 | 0 | 0 | 0 | 0 | 13 |
| 二、上年结转政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
| 三、本年度办理结果 （一）予以公开 | 4 | 2 | 0 | 0 | 0 | 0 | 6 |
| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| （三）不予公开 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4.保护第三方合法权益 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |
| 5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 6.属于四类过程性信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （四）无法提供 1.本机关不掌握相关政府信息 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
| 2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.补正后申请内容仍不明确 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （五）不予处理 1.信访举报投诉类申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请|0|0|0|0|0|0|0|
| 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （七）总计 | 9 | 3 | 0 | 0 | 0 | 0 | 12 |
| 四、结转下年度继续办理 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |"""
APPEALS = """## 四、政府信息公开行政复议、行政诉讼情况

2023年，本机关发生政府信息公开行政复议2件，行政诉讼1件。

| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |
||||||结果维持|结果纠正|其他结果|尚未审结|总计|结果维持|结果纠正|其他结果|尚未审结|总计|
| 1 | 0 | 0 | 1 | 2 | 0 | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |"""
CLOSING = """## 五、存在的主要问题及改进情况

一是公开内容不够全面；二是政策解读形式较为单一。

## 六、其他需要报告的事项

本年度未收取信息处理费。

某某县人民政府

2024年1月20日"""

EXPECTED: Values = {
    **{k: 0 for k in TEMPLATES["2021"].cell_keys()},
    "active.normative_documents.issued": 22,
    "active.normative_documents.repealed": 3,
    "active.normative_documents.in_force": 55,
    "active.licensing.decisions": 128,
    "active.penalties.decisions": 37,
    "active.enforcement.decisions": 2,
    "active.fees.amount": Decimal("15.5"),
    **{
        f"applications.received.{c}": v for c, v in (("natural_person", 10), ("commercial", 3), ("total", 13))
    },
    **{f"applications.carried_over.{c}": v for c, v in (("natural_person", 2), ("total", 2))},
    **{f"applications.granted.{c}": v for c, v in (("natural_person", 4), ("commercial", 2), ("total", 6))},
    **{f"applications.partly_granted.{c}": v for c, v in (("natural_person", 1), ("total", 1))},
    **{f"applications.withheld_third_party.{c}": v for c, v in (("commercial", 1), ("total", 1))},
    **{f"applications.unavailable_not_held.{c}": v for c, v in (("natural_person", 3), ("total", 3))},
    **{f"applications.not_processed_repeat.{c}": v for c, v in (("natural_person", 1), ("total", 1))},
    **{f"applications.total.{c}": v for c, v in (("natural_person", 9), ("commercial", 3), ("total", 12))},
    **{f"applications.carried_forward.{c}": v for c, v in (("natural_person", 3), ("total", 3))},
    **{f"appeals.review.{c}": v for c, v in (("upheld", 1), ("pending", 1), ("total", 2))},
    **{f"appeals.litigation_direct.{c}": v for c, v in (("corrected", 1), ("total", 1))},
}


def hand_report(**parts: str) -> str:
    """The example report, with some of its parts replaced by the printing under test."""
    base = {
        "title": TITLE,
        "overview": OVERVIEW,
        "active": ACTIVE,
        "applications": APPLICATIONS_HEAD + "\n" + APPLICATIONS_ROWS,
        "appeals": APPEALS,
        "closing": CLOSING,
    }
    return "\n\n".join({**base, **parts}.values()) + "\n"


def assert_hand_report(text: str, lost: tuple[str, ...] = ()) -> None:
    report = xxgk.parse_text(text)
    assert report.template_id == "2021"
    assert report.meta.year == 2023
    assert_reads_back(report, EXPECTED, lost)


def _rows(start: str, end: str) -> str:
    """Table 三's data rows from the one labelled `start` up to (not including) `end`."""
    lines = APPLICATIONS_ROWS.split("\n")
    labels = [line.lstrip("| ") for line in lines]
    first = next(i for i, label in enumerate(labels) if label.startswith(start))
    last = next((i for i, label in enumerate(labels) if end and label.startswith(end)), len(lines))
    return "\n".join(lines[first:last])


def test_hand_plain_markdown() -> None:
    """The example as printed, for comparison: aligned tables, statutory headings."""
    assert_hand_report(hand_report())


def test_hand_a_one_table_per_group() -> None:
    """(a) Table 三 as one small table per row group, each under the real column labels."""
    header = (
        "| | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n" + "|---" * 8 + "|"
    )
    groups = [
        ("一、", "三、"),
        ("三、", "（三）"),
        ("（三）", "（四）"),
        ("（四）", "（五）"),
        ("（五）", "（六）"),
        ("（六）", "（七）"),
        ("（七）", ""),
    ]
    tables = "\n\n".join(f"{header}\n{_rows(a, b)}" for a, b in groups)
    assert_hand_report(hand_report(applications=f"## 三、收到和处理政府信息公开申请情况\n\n{tables}"))


def _placeholders(width: int) -> list[tuple[str, ...]]:
    """Header lines an OCR/LLM tool puts above a table of `width` columns when it lost the labels."""
    return [
        ("(数据项目)", *(f"数据{i}" for i in range(1, width))),
        tuple(f"列{i}" for i in range(1, width + 1)),
        tuple(f"Column {i}" for i in range(1, width + 1)),
        ("-",) * width,
        ("",) * width,
    ]


PLACEHOLDER_IDS = ("data_n", "lie_n", "column_n", "dash", "empty")


def _grid_header(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |\n" + "|---" * len(cells) + "|"


@pytest.mark.parametrize("header", _placeholders(8), ids=PLACEHOLDER_IDS)
def test_hand_b_placeholder_header_table_three(header: tuple[str, ...]) -> None:
    """(b) Table 三 under a placeholder header line instead of its three header rows: the columns
    are the six applicants then 总计 by position; 数据1 is not a value."""
    applications = f"## 三、收到和处理政府信息公开申请情况\n\n{_grid_header(header)}\n{APPLICATIONS_ROWS}"
    assert_hand_report(hand_report(applications=applications))


@pytest.mark.parametrize("header", _placeholders(15), ids=PLACEHOLDER_IDS)
def test_hand_b_placeholder_header_table_four(header: tuple[str, ...]) -> None:
    """(b) Table 四 as one row of fifteen numbers under a placeholder header line: three groups of
    four results and their 总计 by position (T4-SUM holds for each)."""
    appeals = (
        "## 四、政府信息公开行政复议、行政诉讼情况\n\n"
        "2023年，本机关发生政府信息公开行政复议2件，行政诉讼1件。\n\n"
        f"{_grid_header(header)}\n| 1 | 0 | 0 | 1 | 2 | 0 | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |"
    )
    assert_hand_report(hand_report(appeals=appeals))


def test_hand_c_lost_label() -> None:
    """(c) 部分公开 printed as bare numbers between 予以公开 and 不予公开: the one row missing there,
    and the 自然人 column needs it (4 + 1 + 3 + 1 = 9). Read as 1 | 0 … | 1, or unknown and warned of."""
    rows = APPLICATIONS_ROWS.replace(
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 1 |", "|  | 1 |"
    )
    lost = tuple(
        f"applications.partly_granted.{c}"
        for c in (
            "natural_person",
            "commercial",
            "research",
            "social_welfare",
            "legal_services",
            "other",
            "total",
        )
    )
    assert_hand_report(hand_report(applications=APPLICATIONS_HEAD + "\n" + rows), lost)


def test_hand_d_page_noise_mid_table() -> None:
    """(d) A page break inside table 三: marker, running title, section heading, a header-only
    table and a row of dashes; nothing of it shifts the rows after it."""
    noise = (
        "\n\n- 3 -\n\n某某县人民政府2023年政府信息公开工作年度报告\n\n"
        "## 三、收到和处理政府信息公开申请情况\n\n"
        "| 数据1 | 数据2 | 数据3 |\n|---|---|---|\n\n| - | - | - | - | - | - | - | - |\n\n"
        "| 列1 | 列2 | 列3 | 列4 | 列5 | 列6 | 列7 | 列8 |\n|---|---|---|---|---|---|---|---|\n"
    )
    rows = _rows("一、", "4.保护") + noise + _rows("4.保护", "")
    assert_hand_report(hand_report(applications=APPLICATIONS_HEAD + "\n" + rows))


def test_hand_e_foreign_header_row() -> None:
    """(e) Table 二's column labels, and table 三's own applicant row again, inside table 三."""
    rows = (
        _rows("一、", "（四）")
        + "\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
        + _rows("（四）", "（六）")
        + "\n| | 自然人 | 法人或其他组织 | | | | | 总计 |\n"
        + _rows("（六）", "")
    )
    assert_hand_report(hand_report(applications=APPLICATIONS_HEAD + "\n" + rows))


@pytest.mark.parametrize(
    "header",
    [
        "| | 自然人 | 法人或其他组织 | | | | | 总计 |",
        "| | | | | | " + " | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + " |",
    ],
    ids=["own", "table_four"],
)
def test_hand_ce_lost_label_after_header_with_total(header: str) -> None:
    """(c) and (e) together: 3.其他 printed as bare numbers right after a header line that holds
    总计 (table 三's applicant row, or table 四's). That 总计 is a column's, not the row （七）总计:
    taken for it, the total row would read the bare numbers (0 | 0 … where 9 | 3 … | 12 is printed)."""
    rows = (
        _rows("一、", "3.其他") + f"\n{header}\n" + "|  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n" + _rows("（七）", "")
    )
    table = TEMPLATES["2021"].table("applications")
    lost = table.row_keys(table.row("other_misc"))
    assert_hand_report(hand_report(applications=APPLICATIONS_HEAD + "\n" + rows), lost)


def _labels_cut_out(partly_granted: str = "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |") -> str:
    """Table 三 as a PDF made into markdown may print it: the labels of 部分公开, 4.保护第三方合法权益
    and （四）1.本机关不掌握相关政府信息 cut out of their rows, each row's values a row of its own,
    each label printed as lines of its own below its values (broken over two lines)."""
    rule = "|---|---|---|---|---|---|---|"
    return "\n".join(
        [
            _rows("一、", "（二）"),
            partly_granted,
            rule,
            "（二）部分公开（区分处理的，只",
            "计这一情形，不计其他情形）",
            _rows("（三）", "4.保护"),
            "| 0 | 1 | 0 | 0 | 0 | 0 | 1 |",
            rule,
            _rows("5.属于", "（四）"),
            "4.保护第三方合法",
            "权益",
            "（四）无法提供",
            "| 3 | 0 | 0 | 0 | 0 | 0 | 3 |",
            rule,
            "1.本机关不掌握相关政",
            "府信息",
            _rows("2.没有现成", ""),
        ]
    )


def test_hand_g_labels_cut_out_of_their_rows() -> None:
    """(g) Rows of values only between rows found in their own markdown rows are the rows whose
    labels are missing there, in order (1 | … | 1 is 部分公开; 3 | … | 3 is 本机关不掌握), the
    labels printed anywhere around: the 自然人 column confirms them (4 + 1 + 0 + 3 + 1 = 9), and a
    warning says each row was read by its place."""
    report = xxgk.parse_text(hand_report(applications=APPLICATIONS_HEAD + "\n" + _labels_cut_out()))
    assert_reads_back(report, EXPECTED)
    placed = [f.message for f in report.findings if f.rule == "LABEL"]
    assert len(placed) == 3
    assert all("按印刷顺序读作该行" in message for message in placed)


def test_hand_g_labels_cut_out_not_confirmed() -> None:
    """(g) As above, but 部分公开 printed 2 | … | 2 where the report holds 1 | … | 1: the rows are
    still the rows of their places, read as printed and in doubt, and the report's own errors are
    reported. Worked by hand: 自然人's outcomes 4 (予以公开) + 2 (部分公开) + 3 (本机关不掌握) + 1
    (重复申请) = 10 beside its 总计 of 9; 总计's outcomes 6 + 2 + 1 (保护第三方) + 3 + 1 = 13 beside
    12. Those two identities fail; each of the three rows is in the first, so each is named as read
    by its place against the arithmetic. Before, none of the three was read (the numbers named,
    unread) and the report's errors went unreported."""
    text = hand_report(
        applications=APPLICATIONS_HEAD + "\n" + _labels_cut_out("| 2 | 0 | 0 | 0 | 0 | 0 | 2 |")
    )
    report = xxgk.parse_text(text)
    table = TEMPLATES["2021"].table("applications")
    rows = ("partly_granted", "withheld_third_party", "unavailable_not_held")
    placed = [key for row in rows for key in table.row_keys(table.row(row))]
    printed = {
        **EXPECTED,
        "applications.partly_granted.natural_person": 2,
        "applications.partly_granted.total": 2,
    }
    assert {key: report.cells[key].value for key in placed} == {key: printed[key] for key in placed}
    assert all(report.cells[key].ambiguous for key in placed)
    sums = sorted(f.message for f in report.errors)
    assert [f.rule for f in report.errors] == ["T3-SUM", "T3-SUM"]
    assert "“自然人”列：（七）总计为9，而各项办理结果之和为10" in sums[1]
    assert "“总计”列：（七）总计为12，而各项办理结果之和为13" in sums[0]
    denied = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(f.cells[0].split(".")[1] for f in denied) == sorted(rows)
    assert all("按印刷顺序读作该行，但勾稽关系与之不符" in f.message for f in denied)


@pytest.mark.parametrize(
    ("row", "printed"),
    [
        ("规章", "| 0 | 0 | 0 |"),
        ("行政规范性文件", "| 22 | 3 | 55 |"),
        ("行政处罚", "| 37 | | |"),
    ],
)
def test_hand_g_a_row_of_table_two_whose_label_is_below_its_values(row: str, printed: str) -> None:
    """(g) A row of table 二 printed as values only, its label on the line below: the row is the
    one missing before the next row found, read by its place and in doubt (table 二 has no
    arithmetic to confirm it), a warning saying so. Before, its label was found with no values
    after it, and its printed cells were called blank."""
    active = ACTIVE.replace(f"| {row} |{printed[1:]}", f"{printed}\n{row}")
    assert active != ACTIVE
    report = xxgk.parse_text(hand_report(active=active))
    table = TEMPLATES["2021"].table("active")
    (spec,) = [r for r in table.rows if r.label == row]
    keys = table.row_keys(spec)
    assert all(report.cells[key].ambiguous for key in keys)
    assert_reads_back(report, EXPECTED, keys)
    assert {key: report.cells[key].value for key in keys} == {key: EXPECTED[key] for key in keys}
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert f"“{row}”行没有标签" in label.message and "没有勾稽关系可以确认" in label.message
    assert not [f for f in report.findings if f.rule == "BLANK"]


def _zeros_blank(rows: str) -> str:
    """Table 三's rows as a report that leaves a cell blank where it has nothing to count prints
    them (a 0 between borders left empty)."""
    return rows.replace("| 0 ", "|   ").replace("|0", "| ")


def _blank_for_zero(values: Values) -> Values:
    return {k: None if k.startswith("applications.") and v == 0 else v for k, v in values.items()}


def test_hand_g_labels_cut_out_of_a_table_that_prints_blanks() -> None:
    """(g) As a PDF made into markdown prints a report that leaves cells blank for nothing: 部分公开's
    label cut out below its values (1 and six blanks), 4.保护第三方合法权益's above them, and the rows
    whose cells are all blank printed as their label and empty cells. Those rows are found by
    their labels, so the rows of values only fall between them one for one: 部分公开 is 1 … 1 and
    4.保护 is blank | 1 | … | 1, as printed. The 自然人 column confirms 部分公开 (4 + 1 + 3 + 1 = 9)
    and the 商业企业 column 4.保护 (2 + 1 = 3). Before, the rows of blank cells were not found: the
    rows of values only fell in gaps of several rows, and the reading by labels paired each cut
    label with the next row's numbers (false errors, cells read from their neighbours)."""
    rows = _zeros_blank(APPLICATIONS_ROWS).split("\n")
    partly = next(i for i, row in enumerate(rows) if "（二）部分公开" in row)
    third = next(i for i, row in enumerate(rows) if "4.保护第三方" in row)
    rows[partly : partly + 1] = [
        "|" + rows[partly].split("|", 2)[2],
        "（二）部分公开（区分处理的，只",
        "计这一情形，不计其他情形）",
    ]
    third += 2
    rows[third : third + 1] = ["4.保护第三方合法权益", "|" + rows[third].split("|", 2)[2]]
    report = xxgk.parse_text(hand_report(applications=APPLICATIONS_HEAD + "\n" + "\n".join(rows)))
    printed = _blank_for_zero(EXPECTED)
    wrong = {k: (v, report.cells[k].value) for k, v in printed.items() if report.cells[k].value != v}
    assert not wrong
    assert [f.rule for f in report.errors] == []
    placed = sorted(f.cells[0].split(".")[1] for f in report.findings if f.rule == "LABEL")
    assert placed == ["partly_granted", "withheld_third_party"]


def test_hand_g_a_cut_row_whose_cells_are_all_blank() -> None:
    """(g) In the same printing, 3.危及“三安全一稳定” (nothing counted: every cell blank) printed as a
    markdown row of seven empty cells, its label below it, and 部分公开's label above the row before
    its own (1 and six blanks). Between 2.其他法律 and 4.保护 the one row missing is 3.危及, and the
    row of empty cells is the one row of values only there: read there, every cell blank, in
    doubt (a row of blanks would hold anywhere). 部分公开 is the one row between 予以公开 and
    1.属于国家秘密, confirmed by 自然人 (4 + 1 + 3 + 1 = 9) and 总计 (6 + 1 + 1 + 3 + 1 = 12), the
    blanks read as nothing. Before, the row of empty cells was blanked out as padding, the counts
    no longer fitted, and the reading by labels read 予以公开 from its own numbers and 部分公开's
    (4|2|空|空|6|1|1, in doubt), called 部分公开 missing (a TEMPLATE error)."""
    rows = _zeros_blank(APPLICATIONS_ROWS).split("\n")
    partly = next(i for i, row in enumerate(rows) if "（二）部分公开" in row)
    rows[partly] = "|" + rows[partly].split("|", 2)[2]
    rows.insert(partly - 1, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    danger = next(i for i, row in enumerate(rows) if "3.危及" in row)
    rows[danger : danger + 1] = ["|  |  |  |  |  |  |  |", "3.危及“三安全一稳定”"]
    report = xxgk.parse_text(hand_report(applications=APPLICATIONS_HEAD + "\n" + "\n".join(rows)))
    printed = _blank_for_zero(EXPECTED)
    wrong = {k: (v, report.cells[k].value) for k, v in printed.items() if report.cells[k].value != v}
    assert not wrong
    assert [f.rule for f in report.errors] == []
    table = TEMPLATES["2021"].table("applications")
    danger_keys = table.row_keys(table.row("withheld_security_stability"))
    assert all(report.cells[key].ambiguous for key in danger_keys)
    assert not any(report.cells[key].ambiguous for key in table.row_keys(table.row("partly_granted")))
    labels = {f.cells[0].split(".")[1]: f.message for f in report.findings if f.rule == "LABEL"}
    assert "勾稽关系与之相符" in labels["partly_granted"]
    assert "只有一行空白单元格" in labels["withheld_security_stability"]


def test_hand_g_the_only_cut_row_is_blank() -> None:
    """(g) In the same printing, the one row cut apart is 4.无正当理由大量反复申请, all blank: its
    seven empty cells where it stands, its label below the next row. The reading by labels found
    4.无正当理由 after 5.要求行政机关确认, and so called 5 missing (a TEMPLATE error, before). Rows
    are missing there, and a row of blank cells stands between the rows found around the one
    missing: it is that row, every cell blank, in doubt, and nothing is missing."""
    rows = _zeros_blank(APPLICATIONS_ROWS).split("\n")
    at = next(i for i, row in enumerate(rows) if "4.无正当理由" in row)
    rows[at : at + 2] = ["|  |  |  |  |  |  |  |", rows[at + 1], "4.无正当理由大量反复申请"]
    report = xxgk.parse_text(hand_report(applications=APPLICATIONS_HEAD + "\n" + "\n".join(rows)))
    printed = _blank_for_zero(EXPECTED)
    wrong = {k: (v, report.cells[k].value) for k, v in printed.items() if report.cells[k].value != v}
    assert not wrong
    assert [f.rule for f in report.errors] == []
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert "“4.无正当理由大量反复申请”行没有标签，只有一行空白单元格" in label.message


def test_hand_g_a_page_number_after_a_row_that_prints_blanks() -> None:
    """(g) A PDF's page number ("3") on a line of its own after 2.重复申请, which prints 1, five blank
    cells and 1 between its borders. The row's own markdown row holds a cell for each column, so
    the 3 is not its: 重复申请 is 1|空|空|空|空|空|1. Before, the 3 was read as the row's third value
    and the blanks placed by likelihood: 1|1|空|空|空|空|3, in doubt."""
    rows = _zeros_blank(APPLICATIONS_ROWS).split("\n")
    at = next(i for i, row in enumerate(rows) if "2.重复申请" in row)
    rows.insert(at + 1, "3")
    report = xxgk.parse_text(hand_report(applications=APPLICATIONS_HEAD + "\n" + "\n".join(rows)))
    printed = _blank_for_zero(EXPECTED)
    wrong = {k: (v, report.cells[k].value) for k, v in printed.items() if report.cells[k].value != v}
    assert not wrong
    assert not [k for k, cell in report.cells.items() if cell.ambiguous]
    assert [f.rule for f in report.errors] == []


def test_hand_g_first_rows_label_below_its_values() -> None:
    """(g) 本年新收's label printed below its values: the row was left unknown (before; in a
    probe's variants of other reports, the whole table was read as numbers before their labels,
    every row from the next one's numbers). A row of values only before the first row found is
    the rows above it whose labels are missing there; 新收 + 结转 = 总计 + 结转下年度 confirms it."""
    rows = APPLICATIONS_ROWS.split("\n")
    first = rows[0].split("|", 2)[2]  # its values and their cells' borders
    applications = "\n".join([APPLICATIONS_HEAD, "|" + first, "一、本年新收政府信息公开申请数量", *rows[1:]])
    assert_hand_report(hand_report(applications=applications))


def test_hand_g_a_blank_cell_in_a_row_of_values_only() -> None:
    """(g) 结转下年度 printed as values only, its 总计 cell left blank, its label below: the row is
    its seven cells, one blank (no cell moves), and confirmed by the columns it can be checked in."""
    rows = APPLICATIONS_ROWS.split("\n")
    assert rows[-1].startswith("| 四、结转下年度继续办理 | 3 |")
    applications = "\n".join(
        [APPLICATIONS_HEAD, *rows[:-1], "| 3 | 0 | 0 | 0 | 0 | 0 |  |", "四、结转下年度继续办理"]
    )
    report = xxgk.parse_text(hand_report(applications=applications))
    assert report.cells["applications.carried_forward.total"].value is None
    assert_reads_back(report, {**EXPECTED, "applications.carried_forward.total": None})


def test_hand_g_a_row_of_values_only_that_lost_a_cell() -> None:
    """(g) 上年结转 printed as values only, one of its cells lost (six numbers for seven cells, no
    border to show which), its label above the row before: which cell is lost nothing tells, so
    the row is not read, its numbers are reported in its place, and it is not called missing (a
    false TEMPLATE error named it, before)."""
    rows = APPLICATIONS_ROWS.split("\n")
    assert rows[1].startswith("| 二、上年结转政府信息公开申请数量 | 2 |")
    applications = "\n".join(
        [
            APPLICATIONS_HEAD,
            "二、上年结转政府信息公开申请数量",
            rows[0],
            "| 2 | 0 | 0 | 0 | 0 | 2 |",
            *rows[2:],
        ]
    )
    report = xxgk.parse_text(hand_report(applications=applications))
    table = TEMPLATES["2021"].table("applications")
    carried = table.row_keys(table.row("carried_over"))
    assert all(report.cells[key].value is None for key in carried)
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert "“2 0 0 0 0 2”" in label.message and "未读取" in label.message
    assert not [f for f in report.findings if f.rule == "TEMPLATE"]
    assert_reads_back(report, EXPECTED, carried)


def test_hand_f_appeals_split_by_headings() -> None:
    """(f) Table 四 as three small tables, told apart only by the heading above each."""
    header = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|"
    appeals = (
        "## 四、政府信息公开行政复议、行政诉讼情况\n\n"
        f"### 行政复议\n\n{header}\n| 1 | 0 | 0 | 1 | 2 |\n\n"
        f"### 行政诉讼（未经复议直接起诉）\n\n{header}\n| 0 | 1 | 0 | 0 | 1 |\n\n"
        f"### 行政诉讼（复议后起诉）\n\n{header}\n| 0 | 0 | 0 | 0 | 0 |"
    )
    assert_hand_report(hand_report(appeals=appeals))


def test_hand_g_annotated_counts() -> None:
    """(g) `22（其中修订16件）` is 22 and `55（含自然失效29件）` is 55."""
    active = ACTIVE.replace(
        "| 行政规范性文件 | 22 | 3 | 55 |",
        "| 行政规范性文件 | 22（其中修订16件） | 3 | 55（含自然失效29件） |",
    )
    assert_hand_report(hand_report(active=active))


def test_hand_h_other_numbering() -> None:
    """(h) Sections numbered 1. 2. … (and 第三部分, （四）) rather than 一、二、…"""
    assert_hand_report(
        hand_report(
            overview=OVERVIEW.replace("## 一、", "## 1. "),
            active=ACTIVE.replace("## 二、", "## 2. "),
            applications=(APPLICATIONS_HEAD + "\n" + APPLICATIONS_ROWS).replace("## 三、", "## 第三部分 "),
            appeals=APPEALS.replace("## 四、", "## （四）"),
            closing=CLOSING.replace("## 五、", "## 5. ").replace("## 六、", "## 6. "),
        )
    )


def test_hand_h_unnumbered_headings() -> None:
    """(h) `##` headings without any number."""
    text = hand_report()
    for number in "一二三四五六":
        text = text.replace(f"## {number}、", "## ")
    assert_hand_report(text)


def test_hand_d_running_title_between_header_and_values() -> None:
    """(d) A page break in table 四 between its header rows and its row of values: the running
    title's 2023 is not a value."""
    head, values = APPEALS.rsplit("\n", 1)
    appeals = f"{head}\n\n- 5 -\n\n某某县人民政府2023年政府信息公开工作年度报告\n\n{values}"
    assert_hand_report(hand_report(appeals=appeals))


def test_hand_d_dash_row_before_total() -> None:
    """(d) A fragment holding only `-` just before 总计: it is not the 总计 row."""
    header = (
        "| | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n" + "|---" * 8 + "|"
    )
    dashes = "| - | - | - | - | - | - | - | - |"
    rows = f"{_rows('一、', '（七）')}\n\n{header}\n{dashes}\n\n{header}\n{_rows('（七）', '')}"
    assert_hand_report(hand_report(applications=APPLICATIONS_HEAD + "\n" + rows))
