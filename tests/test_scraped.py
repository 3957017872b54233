"""Text that common scrapers take out of the HTML reports whose truth is held (tests/scraped/)."""

from __future__ import annotations

from pathlib import Path

import pytest

import xxgk
from tests.test_pdf_text import against_truth

SCRAPED = Path(__file__).parent / "scraped"


@pytest.mark.parametrize(
    "name",
    [
        # cells between │: the label search did not take │ for a cell border, so "1.申请人无正当理由
        # 逾期不补 │" (its cell's first line) was a renamed row, a false TEMPLATE error, and the
        # values of 逾期不补正 went to the row before: 16 cells wrong, a false T3-SUM error (before)
        "shuyang_fgj_2023.w3m.txt",
        # a report that leaves cells blank: between │ its blank cells show, where between spaces
        # they did not and 24 cells were read in doubt (before)
        "shanghai_bgt_2019.w3m.txt",
    ],
)
def test_a_table_dumped_with_box_drawn_borders_is_read_as_printed(name: str) -> None:
    report = xxgk.parse_path(SCRAPED / name)
    wrong, errors = against_truth(report, SCRAPED / name)
    assert wrong == {}
    assert {f.rule for f in report.errors} == errors
    assert not [f.message for f in report.findings if f.rule in ("LABEL", "TEMPLATE", "AMBIGUOUS")]


def test_a_table_whose_section_heading_is_broken_is_read_up_to_the_next_section() -> None:
    # BeautifulSoup's get_text("\n") of a report that prints only 自然人 and 总计: section 三's
    # heading broken over two lines is not found, so table 三 is read from its own header, which
    # ran to the end of the text: table 四's fifteen values and a year of section 六 were numbers
    # no row took beside rows short of values, and all 175 cells were left unread (before). It ends
    # at section 四's heading: each row's two values read as printed, blanks placed in doubt
    name = "shuyang_fgj_2023.get_text.txt"
    report = xxgk.parse_path(SCRAPED / name)
    wrong, errors = against_truth(report, SCRAPED / name)
    assert wrong == {}
    assert {f.rule for f in report.errors} == errors
    assert not [f.message for f in report.findings if f.rule in ("LABEL", "TEMPLATE")]
