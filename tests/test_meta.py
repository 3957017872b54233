"""Metadata: the body's level from its name, and what the file's own tags say."""

from __future__ import annotations

import pytest

import xxgk
from tests.conftest import CORPUS
from xxgk.extract.meta import body_level, extract_meta


@pytest.mark.parametrize(
    ("agency", "level"),
    [
        ("江苏省人民政府", "省"),
        ("广西壮族自治区人民政府", "省"),
        ("无锡市人民政府", "市"),
        ("沭阳县人民政府", "县"),
        ("无锡市滨湖区人民政府", "县"),
        ("重庆市永川区青峰镇人民政府", "乡镇"),
        ("黄金镇", "乡镇"),
        ("无锡市滨湖区河埒街道办事处", "街道"),
        ("沭阳县发展和改革局", "部门"),
        ("某市卫生健康委员会", "部门"),
        ("某县人民政府办公室", "部门"),
        (None, None),
        ("某某", None),
    ],
)
def test_body_level_from_the_name(agency, level):
    assert body_level(agency) == level


def test_tags_fill_what_the_text_does_not_print():
    text = "一、总体情况\n本年度工作扎实。\n二、主动公开政府信息情况\n"
    meta = extract_meta(text, 0, {"ContentSource": "某县交通运输局", "PubDate": "2024-01-25 10:00"})
    assert (meta.agency, meta.level, meta.published) == ("某县交通运输局", "部门", "2024-01-25")


def test_the_printed_signature_wins_over_tags():
    report = xxgk.parse_path(CORPUS / "001_0e974329021f3c6f.txt")
    text = report.text
    meta = extract_meta(text, text.index("一、总体情况"), {"ContentSource": "无锡市滨湖区人民政府"})
    assert meta.agency == "无锡市滨湖区河埒街道办事处"


def test_a_name_as_ocr_printed_it_is_kept():
    """沐阳县 is an OCR confusion of 沭阳县: the reader keeps what was printed, never corrects it."""
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    text = render(
        "2021", 2023, "沐阳县交通运输局", values, Style("markdown", True, base="markdown"), random.Random(1)
    )
    report = xxgk.parse_text("# " + text)
    assert report.meta.agency == "沐阳县交通运输局"
    assert report.meta.title == "沐阳县交通运输局2023年政府信息公开工作年度报告"


def _unsigned(title: str) -> str:
    """A corpus report with its title replaced and its signature (the body's name above the date
    at its end) cut, so that only the title can name the body."""
    text = (CORPUS / "000_cb2280fd5fe4f76b.txt").read_text(encoding="utf-8")
    body = text[text.index("\n") : text.rindex("重庆市永川区青峰镇人民政府")]
    assert "人民政府" not in body  # nothing else in it names the body
    return title + body


BODY = "重庆市永川区青峰镇人民政府"
WHOLE = f"{BODY}2020年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("printed", "title", "agency"),
    [
        (WHOLE, WHOLE, BODY),
        # text taken out of a PDF sets the year apart: the name was lost (before)
        (f"{BODY} 2020 年政府信息公开工作年度报告", f"{BODY} 2020 年政府信息公开工作年度报告", BODY),
        # a title on two lines, the name above (a centred title): the title was the second line
        # alone and the body unknown (before)
        (f"{BODY}\n2020年政府信息公开工作年度报告", WHOLE, BODY),
        (f"  {BODY}\n\n  2020年政府信息公开工作年度报告", WHOLE, BODY),
        # a line broken anywhere: no title and no body (before)
        (f"{BODY}2020年政府信息\n公开工作年度报告", WHOLE, BODY),
        (f"{BODY}2020年\n政府信息公开工作年度报告", WHOLE, BODY),
        (f"2020年{BODY}政府信息\n公开工作年度报告", f"2020年{BODY}政府信息公开工作年度报告", BODY),
        (f"正文\n2020 年{BODY}政府信息\n公开工作年度报告", f"2020 年{BODY}政府信息公开工作年度报告", BODY),
        # what is not a body's name is not joined to the title: a word, a site's crumbs, a paragraph
        ("正文\n2020年政府信息公开工作年度报告", "2020年政府信息公开工作年度报告", None),
        ("首页>信息公开>年度报告\n2020年政府信息公开工作年度报告", "2020年政府信息公开工作年度报告", None),
        (
            f"{BODY}\n{'本报告根据条例编制' * 5}\n2020年政府信息公开工作年度报告",
            "2020年政府信息公开工作年度报告",
            None,
        ),
    ],
    ids=[
        "one line",
        "year set apart",
        "name above",
        "name above, blank between",
        "broken mid-word",
        "broken after the year",
        "year first, broken",
        "a word above, broken",
        "a word above",
        "crumbs above",
        "a paragraph between",
    ],
)
def test_a_title_set_apart_or_broken_over_lines_still_names_the_body(printed, title, agency):
    meta = xxgk.parse_text(_unsigned(printed)).meta
    assert (meta.title, meta.agency, meta.year) == (title, agency, 2020)


SENTENCE = (
    "根据《中华人民共和国政府信息公开条例》(以下简称《条例》)要求,现向社会公布某县发展和改革局2023年度"
    "政府信息公开年度报告。本年度报告所列数据的统计时限为2023年1月1日至2023年12月31日。\n"
)
BODY_TEXT = "一、总体情况\n2023年,本局认真贯彻《条例》。\n二、主动公开政府信息情况\n"


@pytest.mark.parametrize(
    ("text", "hints", "title", "year"),
    [
        # a report named in a sentence is mentioned, not titled: the sentence was the title (before)
        (SENTENCE + BODY_TEXT, {}, None, 2023),
        # then the page's <title> is, without the site's name after it
        (
            SENTENCE + BODY_TEXT,
            {"title": "某县发展和改革局2023年政府信息公开年度报告-某县发改局"},
            "某县发展和改革局2023年政府信息公开年度报告",
            2023,
        ),
        # a heading with the words set apart (OCR, PDF): a sentence further on was the title (before)
        (
            "# 某县人民政府 2025 年 政府信息公开工作年度报告\n\n" + SENTENCE + BODY_TEXT,
            {},
            "某县人民政府 2025 年 政府信息公开工作年度报告",
            2025,
        ),
        # a page scraped onto one line: the title that begins it, not the line's first 120 characters
        (
            "平潭综合实验区2019年度政府信息公开工作年度报告 " + SENTENCE.strip() + " " + BODY_TEXT,
            {},
            "平潭综合实验区2019年度政府信息公开工作年度报告",
            2019,
        ),
    ],
    ids=["mentioned", "page title", "heading set apart", "one line"],
)
def test_a_title_is_printed_as_one_not_mentioned_in_a_sentence(text, hints, title, year):
    meta = extract_meta(text, text.index("一、总体情况"), hints)
    assert (meta.title, meta.year) == (title, year)


def test_a_table_label_broken_over_lines_is_no_signature():
    # a PDF's text broke a label of table 三 so that a line of it ends as a body's name does:
    # "政机关不再处理其政府" was taken for the signature of an unsigned report (before)
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    values = {key: 1 for key in TEMPLATES["2021"].cell_keys()}
    text = render("2021", 2023, "某市科学技术委员会", values, Style("one_per_line", False), random.Random(1))
    text = text[: text.rindex("某市科学技术委员会\n2024")]  # unsigned
    label = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    broken = text.replace(
        label, "2.申请人逾期未按收费\n通知要求缴纳费用、行\n政机关不再处理其政府\n信息公开申请"
    )
    assert broken != text
    report = xxgk.parse_text(broken)
    assert report.meta.agency == "某市科学技术委员会"  # as the title names it
    assert all(cell.value == 1 for cell in report.cells.values())  # the table read as printed


def test_a_sites_link_to_another_report_is_not_the_title():
    # a report whose page prints no title, and the site's links under it: the 上一篇 line was
    # taken for the title, its year for the report's, and a false TEMPLATE error followed (before)
    text = (CORPUS / "004_a002ef4d6b85274a.txt").read_text(encoding="utf-8")
    links = "\n上一篇:2021年政府信息公开工作年度报告\n下一篇:某镇2018年政府信息公开工作年度报告\n"
    report = xxgk.parse_text(text + links)
    assert (report.meta.title, report.meta.year, report.template_id) == (None, 2019, "2019")
    assert report.errors == []
