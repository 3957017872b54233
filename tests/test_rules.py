"""Each rule firing on a seeded fault in a real report, and staying quiet on the real report."""

from __future__ import annotations

import pytest

import xxgk
from tests.conftest import CORPUS
from tests.edit import edit_cells, rules_fired

WUXI = CORPUS / "001_0e974329021f3c6f.txt"  # 2019 template, one cell per line; consistent
HOUJI = CORPUS / "002_d6151df9dcb3c2dc.txt"  # 2021 template, markdown; section 六 says only 无
PINGTAN_2022 = CORPUS / "pt004.txt"  # 2021 template, cells run together; narrative figures
LINE_PIPES = CORPUS / "004_a002ef4d6b85274a.txt"  # 2019 template, a "|" line after each cell


def _parse(text: str) -> xxgk.Report:
    return xxgk.parse_text(text, "seeded")


def _findings(report: xxgk.Report, rule: str) -> list[xxgk.Finding]:
    return [f for f in report.findings if f.rule == rule]


def test_the_real_report_breaks_no_rule_but_prints_an_empty_section_six():
    # its 六、其他需要报告的事项 is followed only by the signature (name, a mangled date 2021115)
    # and the site's 文章来源 line
    report = xxgk.parse_path(WUXI)
    assert rules_fired(report) == {"SECTION-MISSING"}
    assert [f.message for f in report.findings] == ["第六部分“其他需要报告的事项”只有标题，没有内容。"]


def test_t3_bal_fires_when_received_changes_but_outcomes_do_not():
    report = _parse(
        edit_cells(WUXI, {"applications.received.natural_person": "3", "applications.received.total": "3"})
    )
    bal = _findings(report, "T3-BAL")
    assert {f.cells[0] for f in bal} == {
        "applications.received.natural_person",
        "applications.received.total",
    }
    assert all(f.severity == "error" for f in bal)
    assert "3" in bal[0].message and "2" in bal[0].message
    assert _findings(report, "T3-ROW") == [] and _findings(report, "T3-SUM") == []
    # read exactly as printed, never repaired
    assert report.value("applications.received.total") == 3


def test_t3_sum_fires_when_an_outcome_row_does_not_add_up_to_the_total():
    report = _parse(
        edit_cells(WUXI, {"applications.granted.natural_person": "2", "applications.granted.total": "2"})
    )
    sums = _findings(report, "T3-SUM")
    assert {f.cells[0] for f in sums} == {"applications.total.natural_person", "applications.total.total"}
    assert "（七）总计为2，而各项办理结果之和为3" in sums[0].message
    assert _findings(report, "T3-BAL") == [] and _findings(report, "T3-ROW") == []


def test_t3_row_fires_when_a_row_total_is_not_the_sum_of_applicants():
    report = _parse(edit_cells(WUXI, {"applications.carried_forward.total": "1"}))
    rows = _findings(report, "T3-ROW")
    assert [f.cells[0] for f in rows] == ["applications.carried_forward.total"]
    assert "结转下年度" in rows[0].message
    assert [f.cells[0] for f in _findings(report, "T3-BAL")] == ["applications.received.total"]


def test_t4_sum_fires_per_appeals_group():
    report = _parse(edit_cells(WUXI, {"appeals.litigation_after_review.total": "5"}))
    found = _findings(report, "T4-SUM")
    assert len(found) == 1
    assert found[0].cells[0] == "appeals.litigation_after_review.total"
    assert "复议后起诉" in found[0].message and "总计为5" in found[0].message


def test_domain_fires_on_a_negative_count_and_a_fractional_count():
    report = _parse(
        edit_cells(
            WUXI,
            {
                "applications.not_processed_repeat.commercial": "-1",
                "applications.withheld_inquiry.research": "1.5",
            },
        )
    )
    domain = {f.cells[0]: f.message for f in _findings(report, "DOMAIN")}
    assert set(domain) == {
        "applications.not_processed_repeat.commercial",
        "applications.withheld_inquiry.research",
    }
    assert "负数" in domain["applications.not_processed_repeat.commercial"]
    assert "整数" in domain["applications.withheld_inquiry.research"]


def test_domain_allows_a_negative_change_in_the_2019_active_table():
    report = _parse(edit_cells(WUXI, {"active.licensing.change": "-3"}))
    assert report.value("active.licensing.change") == -3
    assert _findings(report, "DOMAIN") == []


def test_template_fires_when_a_2021_report_uses_the_2019_layout():
    text = xxgk.parse_path(WUXI).text.replace(
        "河埒街道2020年政府信息公开工作年度报告", "河埒街道2021年政府信息公开工作年度报告"
    )
    report = _parse(text)
    assert report.meta.year == 2021 and report.template_id == "2019"
    assert any("使用旧版格式" in f.message for f in _findings(report, "TEMPLATE"))


def test_template_fires_on_a_missing_row():
    text = xxgk.parse_path(LINE_PIPES).text
    start = text.index("3.要求提供公开出版物")
    end = text.index("4.无正当理由大量反复申请")
    report = _parse(text[:start] + text[end:])
    found = _findings(report, "TEMPLATE")
    assert len(found) == 1 and "要求提供公开出版物" in found[0].message
    assert report.value("applications.not_processed_publication.total") is None
    assert report.value("applications.not_processed_excessive.total") == 0


def test_template_reports_a_collapsed_other_row_and_reads_it_as_other_misc():
    text = xxgk.parse_path(PINGTAN_2022).text
    start = text.index("(六)其他处理")
    end = text.index("(七)总计")
    report = _parse(text[:start] + "(六)其他处理 2200004" + text[end:])
    assert report.value("applications.other_misc.natural_person") == 2
    assert report.value("applications.other_misc.commercial") == 2
    assert report.value("applications.other_misc.total") == 4
    assert report.value("applications.other_no_correction.total") is None
    found = _findings(report, "TEMPLATE")
    assert len(found) == 1 and "只印了一行" in found[0].message
    assert not any(f.rule.startswith("T3") for f in report.findings)


def test_blank_fires_on_a_placeholder_and_on_an_empty_delimited_cell():
    placeholder = _parse(edit_cells(LINE_PIPES, {"applications.received.commercial": "/"}))
    assert [f.cells for f in _findings(placeholder, "BLANK")] == [("applications.received.commercial",)]
    assert placeholder.cells["applications.received.commercial"].text == "/"
    markdown = xxgk.parse_path(HOUJI).text.replace(
        "| 一、本年新收政府信息公开申请数量 | | 0 | 0 |", "| 一、本年新收政府信息公开申请数量 | | 0 | |"
    )
    blank = _parse(markdown)
    assert blank.value("applications.received.commercial") is None
    assert blank.value("applications.received.total") == 0
    assert [f.cells for f in _findings(blank, "BLANK")] == [("applications.received.commercial",)]


def test_ambiguous_fires_only_where_neither_arithmetic_nor_evidence_decides():
    """8855698 in section 二 (no arithmetic): the narrative states 制发88件 and 现行有效698件, which
    decides 88|55|698 (SPLIT, an info finding); without those sentences it stays AMBIGUOUS, every
    reading listed."""
    report = xxgk.parse_path(PINGTAN_2022)
    assert _findings(report, "AMBIGUOUS") == []
    (split,) = _findings(report, "SPLIT")
    assert split.severity == "info" and "88|55|698" in split.message and "698件" in split.message
    assert not any(c.ambiguous for c in report.cells.values())
    text = report.text.replace("现行有效行政规范性文件698件", "现行有效文件").replace(
        "制发的规范性文件88件", ""
    )
    undecided = _parse(text)
    ambiguous = _findings(undecided, "AMBIGUOUS")
    assert [f.cells[0].rsplit(".", 1)[0] for f in ambiguous] == ["active.normative_documents"]
    assert "8855698" in ambiguous[0].message and "88|55|698；" in ambiguous[0].message
    assert not any(c.ambiguous for k, c in undecided.cells.items() if k.startswith("applications"))


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("本年共收到政府信息公开申请5件。", "TXT-RECEIVED"),
        ("全年办结申请9件。", "TXT-DONE"),
        ("结转下年度继续办理3件。", "TXT-CARRIED"),
        ("上年结转申请4件。", "TXT-CARRIED-OVER"),
        ("被申请行政复议7件。", "TXT-REVIEW"),
        ("提起行政诉讼6件。", "TXT-LITIGATION"),
    ],
)
def test_narrative_figures_that_disagree_with_the_tables_are_warned(sentence, rule):
    text = xxgk.parse_path(WUXI).text.replace("一、总体情况\n", "一、总体情况\n" + sentence + "\n", 1)
    found = _findings(_parse(text), rule)
    assert len(found) == 1 and found[0].severity == "warning"
    figure = "".join(c for c in sentence if c.isdigit()) + "件"
    assert f"{figure}”" in found[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "本年共收到政府信息公开申请2件。",
        "全年办结申请2件。",
        "结转下年度继续办理0件。",
        "被申请行政复议2件。",
        "提起行政诉讼1件。",
    ],
)
def test_narrative_figures_that_agree_are_not_warned(sentence):
    text = xxgk.parse_path(WUXI).text.replace("一、总体情况\n", "一、总体情况\n" + sentence + "\n", 1)
    assert not any(f.rule.startswith("TXT") for f in _parse(text).findings)


@pytest.mark.parametrize(
    ("sentence", "rules"),
    [
        # none brought: checked against the table (2 reviews, 1 suit)
        ("本年度未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。", ["TXT-LITIGATION", "TXT-REVIEW"]),
        # none lost: says nothing of how many were brought (a real report of 55 reviews and 34
        # suits was told its narrative contradicted its table, before)
        ("全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。", []),
        ("未出现行政复议被纠正、行政诉讼被撤销的情况。", []),
    ],
)
def test_a_statement_of_no_reviews_or_suits_is_told_from_one_of_none_lost(sentence, rules):
    text = xxgk.parse_path(WUXI).text.replace("一、总体情况\n", "一、总体情况\n" + sentence + "\n", 1)
    assert sorted(f.rule for f in _parse(text).findings if f.rule.startswith("TXT")) == rules


def test_received_may_be_stated_with_the_carried_over_applications():
    # pt004 says 收到政府信息公开申请75件: 74 new plus 1 carried over, as its table prints
    report = xxgk.parse_path(PINGTAN_2022)
    assert "收到政府信息公开申请75件" in report.text
    assert not any(f.rule.startswith("TXT") for f in report.findings)


def test_a_statement_of_no_applications_is_checked_against_the_table():
    text = xxgk.parse_path(WUXI).text.replace(
        "一、总体情况\n", "一、总体情况\n本年度未收到政府信息公开申请。\n", 1
    )
    assert [f.rule for f in _parse(text).findings if f.rule != "SECTION-MISSING"] == ["TXT-RECEIVED"]


def test_fee_note_fires_for_2021_reports_that_do_not_state_fees():
    assert [f.rule for f in xxgk.parse_path(HOUJI).findings] == ["FEE-NOTE"]
    assert "信息处理费" in xxgk.parse_path(PINGTAN_2022).text
    assert _findings(xxgk.parse_path(PINGTAN_2022), "FEE-NOTE") == []
    assert _findings(xxgk.parse_path(WUXI), "FEE-NOTE") == []  # the 2019 format asks for no fee note


def test_every_declared_rule_has_an_id_a_severity_and_a_check():
    from xxgk.check import RULES

    ids = {rule.id for rule in RULES}
    assert {"T3-BAL", "T3-SUM", "T3-ROW", "T4-SUM", "DOMAIN", "TEMPLATE", "BLANK", "FEE-NOTE"} <= ids
    assert all(rule.severity in ("error", "warning", "info") for rule in RULES)
    assert {r.id for r in RULES if r.severity == "error"} == {
        "T3-BAL",
        "T3-SUM",
        "T3-ROW",
        "T4-SUM",
        "DOMAIN",
        "TEMPLATE",
    }


def test_ocr_low_fires_on_cells_read_with_low_confidence():
    report = xxgk.parse_path(WUXI)
    key = "applications.received.total"
    assert _findings(report, "OCR-LOW") == []
    report.cells[key].provenance.confidence = 0.62
    report.cells["applications.granted.total"].provenance.confidence = 0.97
    from xxgk.check import check

    found = [f for f in check(report) if f.rule == "OCR-LOW"]
    assert [f.cells for f in found] == [(key,)]
    assert "本年新收·总计" in found[0].message
