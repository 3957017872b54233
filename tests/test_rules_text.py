"""The rules of the narrative and the publication: TXT-ACTIVE, YEAR, SECTION-MISSING, LATE.

Every report here is generated (tests/layouts.py renders a consistent report, its narrative
agreeing with its tables); a fault is seeded by editing the rendered text.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import xxgk
from tests.layouts import HEADINGS, LAYOUTS, Style, Values, render, reports
from xxgk.templates import TEMPLATES

NEW_RULES = ("TXT-ACTIVE", "YEAR", "SECTION-MISSING", "LATE")
STYLE = Style("one_per_line", fullwidth=True)
DEPARTMENT = "某某市交通运输局"
COUNTY = "某某县人民政府"
TOWNSHIP = "某某县某某镇人民政府"


def _values(template_id: str, cells: dict[str, int] | None = None) -> Values:
    """Every cell 0 (a consistent report), then the given cells of table 二 (no arithmetic)."""
    values: Values = dict.fromkeys(TEMPLATES[template_id].cell_keys(), 0)
    values.update(cells or {})
    return values


def _text(
    template_id: str = "2021", year: int = 2023, agency: str = DEPARTMENT, cells: dict[str, int] | None = None
) -> str:
    return render(template_id, year, agency, _values(template_id, cells), STYLE, random.Random(0))


def _found(text: str, rule: str) -> list[xxgk.Finding]:
    return [f for f in xxgk.parse_text(text, "generated").findings if f.rule == rule]


def _dated(text: str, date: str | None) -> str:
    """The text with its signature date (the last line) replaced, or removed (None)."""
    body, last = text.rstrip("\n").rsplit("\n", 1)
    assert re.fullmatch(r"\d{4}年1月\d{1,2}日", last), last
    return body + ("\n" + date if date else "") + "\n"


# --- LATE ----------------------------------------------------------------------------------------


def test_a_department_report_dated_after_31_january_is_late():
    text = _dated(_text(agency=DEPARTMENT), "2024年2月15日")
    assert xxgk.parse_text(text).meta.published == "2024-02-15"
    # a 2023 report of a department: due 2024-01-31 (第四十九条); 2024-02-15 is 15 days later
    assert [f.message for f in _found(text, "LATE")] == [
        "报告日期为2024年2月15日，晚于《条例》第四十九条规定的1月31日（县级以上人民政府部门的年度报告）。"
    ]


@pytest.mark.parametrize(
    ("agency", "date"),
    [
        (DEPARTMENT, "2024年1月31日"),  # on its deadline: 1月31日前 includes the day
        (DEPARTMENT, "2023年12月29日"),  # before the year ends
        (COUNTY, "2024年3月15日"),  # a government's own report: due 3月31日 (第五十条)
        (COUNTY, "2024年3月31日"),
        (COUNTY, None),  # no date printed: nothing can be said
    ],
)
def test_a_report_dated_by_its_deadline_or_undated_is_not_late(agency, date):
    assert _found(_dated(_text(agency=agency), date), "LATE") == []


def test_a_government_report_dated_after_31_march_is_late():
    text = _dated(_text(agency=COUNTY), "2024年4月1日")
    assert [f.message for f in _found(text, "LATE")] == [
        "报告日期为2024年4月1日，晚于《条例》第五十条规定的3月31日（县级以上地方人民政府的年度报告）。"
    ]


def test_a_government_report_signed_by_its_office_is_due_31_march():
    # titled by the county, signed by the government's office (the 主管部门 of 第五十条)
    text = _text(agency="某某县人民政府办公室").replace(
        "某某县人民政府办公室2023年政府信息公开工作年度报告", "某某县2023年政府信息公开工作年度报告", 1
    )
    assert _found(_dated(text, "2024年3月1日"), "LATE") == []
    assert "第五十条" in _found(_dated(text, "2024年4月10日"), "LATE")[0].message


def test_a_township_report_says_its_deadline_is_assumed():
    found = _found(_dated(_text(agency=TOWNSHIP), "2024年2月2日"), "LATE")
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].message.startswith("报告日期为2024年2月2日，晚于1月31日。")
    assert "《条例》未规定乡镇人民政府年度报告的公布期限" in found[0].message and "推定" in found[0].message
    assert _found(_dated(_text(agency=TOWNSHIP), "2024年1月30日"), "LATE") == []


@pytest.mark.parametrize(
    ("date", "passed"), [("2024年2月20日", "1月31日"), ("2024年4月2日", "3月31日"), ("2024年1月20日", None)]
)
def test_a_report_of_unknown_level_says_no_deadline_could_be_determined(date, passed):
    # no body in the title, signed by a government's office: its own report or the government's
    text = _text(agency="某某县人民政府办公室").replace(
        "某某县人民政府办公室2023年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告", 1
    )
    found = _found(_dated(text, date), "LATE")
    if passed is None:
        assert found == []
        return
    assert len(found) == 1
    head = f"报告日期为{date}，晚于{passed}。未能从标题或落款确定报告机关属于哪一类"
    assert found[0].message.startswith(head)
    assert "县级以上人民政府部门为1月31日" in found[0].message
    assert "县级以上地方人民政府为3月31日" in found[0].message


def test_a_titled_public_institution_is_not_held_to_a_departments_deadline():
    # 中心 may be a 事业单位: the title names it, yet neither article is asserted
    found = _found(_dated(_text(agency="某某市公共资源交易中心"), "2024年2月20日"), "LATE")
    assert len(found) == 1 and "法定期限无法确定" in found[0].message


def test_a_titled_office_report_is_a_departments():
    # the title names the office itself: its own report, due 1月31日 (第四十九条)
    found = _found(_dated(_text(agency="某某县人民政府办公室"), "2024年2月20日"), "LATE")
    assert len(found) == 1 and "第四十九条规定的1月31日" in found[0].message


def test_a_development_zone_committee_is_not_held_to_a_departments_deadline():
    # a 管委会 (a 派出机构) untitled: neither 第四十九条 nor 第五十条 is asserted
    text = _text(agency="某某经济开发区管理委员会").replace(
        "某某经济开发区管理委员会2023年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告", 1
    )
    found = _found(_dated(text, "2024年2月20日"), "LATE")
    assert len(found) == 1 and "法定期限无法确定" in found[0].message and "规定的" not in found[0].message


# --- TXT-ACTIVE ----------------------------------------------------------------------------------

# table 二 of a 2021 report: 2 regulations and 30 normative documents made this year (32 in all);
# the generated narrative says 通过政府网站主动公开政府信息52条 (20 + 32)
MADE_2021 = {"active.regulations.issued": 2, "active.normative_documents.issued": 30}


def test_a_total_below_the_documents_made_this_year_is_warned():
    text = _text(cells=MADE_2021)
    assert "主动公开政府信息52条" in text and _found(text, "TXT-ACTIVE") == []
    found = _found(text.replace("主动公开政府信息52条", "主动公开政府信息25条"), "TXT-ACTIVE")
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].cells == ("active.regulations.issued", "active.normative_documents.issued")
    assert found[0].message.startswith("正文称“主动公开政府信息25条”，少于第二部分表格")
    assert "本年制发件数30件" in found[0].message and "共32件" in found[0].message


def test_the_2019_total_is_compared_with_the_documents_newly_published():
    # 2019: 本年新公开数量 1 regulation + 12 normative documents = 13; narrative 20 + 13 = 33
    cells = {"active.regulations.published": 1, "active.normative_documents.published": 12}
    text = _text("2019", 2020, cells=cells)
    assert "主动公开政府信息33条" in text and _found(text, "TXT-ACTIVE") == []
    found = _found(text.replace("主动公开政府信息33条", "主动公开政府信息12条"), "TXT-ACTIVE")
    assert len(found) == 1 and "共13件" in found[0].message  # 12 < 13


@pytest.mark.parametrize(
    "sentence",
    [
        "通过政务微信主动公开政府信息5条。",  # a channel
        "围绕优化营商环境主动公开政府信息3条。",  # a topic
        "在重点领域主动公开政府信息8条。",
    ],
)
def test_a_smaller_figure_of_a_subset_is_not_compared_with_the_table(sentence):
    text = _text(cells=MADE_2021).replace("（二）依申请公开情况", sentence + "\n（二）依申请公开情况", 1)
    assert sentence in text
    assert _found(text, "TXT-ACTIVE") == []


def test_a_part_larger_than_its_total_is_warned():
    sentence = "全年主动公开政府信息102条，其中通过网站公开140条、微信公开62条。"
    text = _text().replace("（二）依申请公开情况", sentence + "\n（二）依申请公开情况", 1)
    assert [f.message for f in _found(text, "TXT-ACTIVE")] == [
        "正文称“主动公开政府信息102条”，而其中所列“通过网站公开140条”已超过该总数。"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # channels overlap: 90 + 62 = 152 > 102 is no contradiction, as no single part exceeds 102
        "全年主动公开政府信息102条，其中通过网站公开90条、微信公开62条。",
        # an article number is no part: 第20条
        "全年主动公开政府信息10条，其中依据《条例》第20条公开8条。",
        # the sentence goes on to something else after the parts
        "全年主动公开政府信息102条，其中网站公开90条，同时受理群众留言300件。",
        "全年主动公开政府信息102条（其中网站公开90条），办理政府信息公开申请300件。",
    ],
)
def test_parts_that_fit_their_total_are_not_warned(sentence):
    text = _text().replace("（二）依申请公开情况", sentence + "\n（二）依申请公开情况", 1)
    assert _found(text, "TXT-ACTIVE") == []


# --- YEAR ------------------------------------------------------------------------------------------


def test_a_statistics_period_of_another_year_is_warned():
    text = _text(year=2023)
    text = text.replace("自2023年1月1日起至2023年12月31日止", "自2022年1月1日起至2022年12月31日止")
    assert [f.message for f in _found(text, "YEAR")] == [
        "标题为2023年度报告，而正文的统计期限为“2022年1月1日起至2022年12月31日”（2022年）。"
    ]


def test_a_statistics_period_whose_end_omits_the_year_is_read():
    text = _text(year=2023)
    text = text.replace("自2023年1月1日起至2023年12月31日止", "为2022年1月1日至12月31日")
    found = _found(text, "YEAR")
    assert [f.message for f in found] == [
        "标题为2023年度报告，而正文的统计期限为“2022年1月1日至12月31日”（2022年）。"
    ]
    assert _found(text.replace("为2022年1月1日", "为2023年1月1日"), "YEAR") == []


def test_a_paragraph_about_the_work_of_an_earlier_year_is_warned():
    sentence = "2021年，本机关共收到政府信息公开申请5件。"
    text = _text(year=2023).replace("（二）依申请公开情况", sentence + "\n（二）依申请公开情况", 1)
    found = _found(text, "YEAR")
    # quoted as read: the reader folds full-width punctuation (，→ ,); the sentence up to its stop
    assert [f.message for f in found] == [
        "正文“2021年,本机关共收到政府信息公开申请5件”所述为2021年的工作，而本报告为2023年度报告，"
        "疑似沿用了其他年度报告的内容。"
    ]


def test_a_report_of_last_year_under_this_years_title_is_warned_once():
    # a 2022 report whose title alone was changed to 2023: the period and every sentence say 2022
    text = _text(year=2022, agency=COUNTY)
    text = text.replace("2022年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告", 1)
    found = _found(text, "YEAR")
    assert len(found) == 1 and "统计期限" in found[0].message and "（2022年）" in found[0].message
    # without the period sentence, the sentences dated 2022 tell it
    intro = re.search(r"本报告根据[^\n]*", text).group()
    found = _found(text.replace(intro, ""), "YEAR")
    assert len(found) == 1 and "所述为2022年的工作" in found[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "2022年，本机关被评为政务公开工作先进单位。",  # last year, beside this year's statements
        "2022年，本机关共收到申请3件，今年有所增加。",
        "2021年，我局被确定为全国基层政务公开标准化规范化试点单位。",  # history: no figures
        "2021年，依据《条例》第20条，本机关调整了公开目录。",  # 第20条 is no figure
        "2019年，新修订的《中华人民共和国政府信息公开条例》正式施行。",  # no work of the body
        "自2008年《条例》施行以来，本机关持续推进政务公开。",
        "根据《某某市2021年政务公开工作要点》，本机关公开文件12件。",  # a document's year
        "2024年，我们将进一步加强政策解读。",  # the next year: plans
        "2025年，本机关力争实现全部事项网上公开。",
    ],
)
def test_years_that_legitimately_appear_are_not_warned(sentence):
    text = _text(year=2023).replace("（二）依申请公开情况", sentence + "\n（二）依申请公开情况", 1)
    assert sentence in text
    assert _found(text, "YEAR") == []


# --- SECTION-MISSING and FEE-NOTE -------------------------------------------------------------------

PROBLEMS, OTHER = HEADINGS["problems"], HEADINGS["other"]


def test_a_missing_section_five_is_warned():
    text = _text()
    text = text[: text.index(PROBLEMS)] + text[text.index(OTHER) :]
    found = _found(text, "SECTION-MISSING")
    assert [f.message for f in found] == ["未找到第五部分“存在的主要问题及改进情况”。"]


def test_a_section_five_with_only_its_heading_is_warned():
    text = _text()
    text = text[: text.index(PROBLEMS) + len(PROBLEMS)] + "\n\n" + text[text.index(OTHER) :]
    assert [f.message for f in _found(text, "SECTION-MISSING")] == [
        "第五部分“存在的主要问题及改进情况”只有标题，没有内容。"
    ]


def test_a_section_six_followed_only_by_the_signature_is_empty():
    text = _text(agency=COUNTY)
    end = text.index(OTHER) + len(OTHER)
    text = text[:end] + "\n\n" + text[text.rindex(COUNTY) :]
    found = _found(text, "SECTION-MISSING")
    assert [f.message for f in found] == ["第六部分“其他需要报告的事项”只有标题，没有内容。"]


def test_a_signature_dated_in_chinese_numerals_is_no_content():
    text = _text(agency=COUNTY)
    end = text.index(OTHER) + len(OTHER)
    text = text[:end] + "\n\n" + COUNTY + "\n二〇二四年一月二十日\n"
    found = _found(text, "SECTION-MISSING")
    assert [f.message for f in found] == ["第六部分“其他需要报告的事项”只有标题，没有内容。"]


def test_a_section_six_saying_none_is_not_empty():
    text = _text("2019", 2020)
    assert re.search(OTHER + r"\s+无。", text)
    assert _found(text, "SECTION-MISSING") == []


def test_a_section_printed_without_its_numeral_is_not_missing():
    text = _text().replace(OTHER, "## 其他需要报告的事项")
    assert _found(text, "SECTION-MISSING") == []


def test_a_missing_section_six_is_reported_once_and_the_fee_only_if_stated_nowhere():
    text = _text("2021", 2023, COUNTY)
    start, end = text.index(OTHER), text.rindex(COUNTY)
    without = text[:start] + text[end:]
    report = xxgk.parse_text(without)
    assert {(f.rule, f.message) for f in report.findings} == {
        ("SECTION-MISSING", "未找到第六部分“其他需要报告的事项”。"),
        ("FEE-NOTE", "2023年度报告第六部分应说明信息处理费的收取情况（收取金额，或未收取）。"),
    }
    # the fee stated elsewhere (in 一): only the section is missing
    stated = without.replace("（二）依申请公开情况", "本年度未收取信息处理费。\n（二）依申请公开情况", 1)
    assert [f.rule for f in xxgk.parse_text(stated).findings] == ["SECTION-MISSING"]


@pytest.mark.parametrize("layout", ("blank_spaced", "tabbed", "pipe_lines", "markdown", "concatenated"))
def test_the_faults_are_found_in_every_layout(layout):
    """An empty 五, an earlier year's figures and a late date, printed as each layout prints."""
    style = Style(layout, True, base=layout)
    text = render("2021", 2023, DEPARTMENT, _values("2021"), style, random.Random(1))
    sentence = "2021年，本机关共收到政府信息公开申请5件。"
    text = text.replace("（二）依申请公开情况", sentence + "（二）依申请公开情况", 1)
    text = text[: text.index(PROBLEMS) + len(PROBLEMS)] + text[text.index(OTHER) :]
    text = re.sub(r"2024年1月\d+日", "2024年3月2日", text)
    report = xxgk.parse_text(text)
    found = {f.rule: f.message for f in report.findings if f.rule in NEW_RULES}
    assert "所述为2021年的工作" in found.pop("YEAR")
    assert found.pop("SECTION-MISSING").startswith("第五部分")
    if layout == "concatenated":  # the date runs on after the name: the reader finds no date
        assert report.meta.published is None and found == {}
    else:
        late = found.pop("LATE")
        assert "2024年3月2日" in late and "第四十九条" in late
        assert found == {}


# --- generated rule-abiding reports ----------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template_id", ("2019", "2021"))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_no_generated_report_breaks_the_new_rules(template_id: str, layout: str, data: st.DataObject) -> None:
    case = data.draw(reports(template_id, layout), label="case")
    note(f"text:\n{case.text}")
    report = xxgk.parse_text(case.text)
    assert [f.message for f in report.findings if f.rule in NEW_RULES] == []
