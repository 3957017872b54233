"""Blank cells are unknown, not 0, and messages name rows and columns as the report prints them.

Consistent tables (tests/layouts.py) are printed with some cells left blank; the report then
breaks no arithmetic rule whatever those cells hold, so no error may come of it. The BLANK
warning names each blank cell and, where the identity's other terms are printed, the value the
identity implies: by construction that is the value the generator left out.
"""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import xxgk
from tests.layouts import YEARS, Style, consistent_values, render, reports
from xxgk.templates import TEMPLATES
from xxgk.templates.arithmetic import identities


def _markdown(template_id: str, values: dict) -> str:
    year = YEARS[template_id][0]
    return render(
        template_id,
        year,
        "某某县人民政府",
        values,
        Style("markdown", True, base="markdown"),
        random.Random(0),
    )


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
ARITHMETIC = ("applications", "appeals")


@st.composite
def blanked(draw: st.DrawFn, template_id: str) -> tuple[dict, dict, set[str]]:
    values = draw(consistent_values(template_id))
    keys = sorted(k for k in values if k.split(".")[0] in ARITHMETIC)
    gone = set(draw(st.lists(st.sampled_from(keys), min_size=1, max_size=12, unique=True)))
    printed = {k: (None if k in gone else v) for k, v in values.items()}
    return values, printed, gone


@settings(max_examples=40, **SETTINGS)
@given(data=st.data(), template_id=st.sampled_from(("2019", "2021")))
def test_blank_cells_break_no_rule_and_are_named_with_the_value_they_imply(data, template_id):
    values, printed, gone = data.draw(blanked(template_id))
    # markdown prints every cell between pipes, so a blank is seen where it is
    case = data.draw(reports(template_id, "markdown", printed))
    note(case.text)
    report = xxgk.parse_text(case.text)
    template = TEMPLATES[template_id]
    assert {k for k, c in report.cells.items() if c.value is None} == gone
    errors = [f.message for f in report.findings if f.severity == "error"]
    assert errors == []
    (blank,) = [f for f in report.findings if f.rule == "BLANK"]
    assert set(blank.cells) == gone
    for key in gone:
        place = template.place(key)
        assert place in blank.message
        said = blank.message.split(place, 1)[1]
        said = said[: said.index("）")] if said.startswith("（") else ""
        determined = any(
            key in identity.keys and not (set(identity.keys) - {key}) & gone
            for identity in identities(template)
        )
        if determined:  # the identity's other terms are printed: it implies the value left out
            assert re.search(rf"应为{values[key]}(?!\d)", said), (key, said)
        else:
            assert said == "", (key, said)
    # no message prints a blank as a number of its own
    for finding in report.findings:
        assert "空白" not in finding.message or finding.rule == "BLANK"


def test_a_report_with_every_total_left_blank_gets_warnings_only():
    """Older 2019 reports leave the （七）总计 row and the 总计 column blank."""
    template = TEMPLATES["2019"]
    values = {key: 0 for key in template.cell_keys()}
    # 3 natural persons: 2 granted, 1 carried forward; 1 company: 1 not held
    values |= {
        "applications.received.natural_person": 3,
        "applications.granted.natural_person": 2,
        "applications.carried_forward.natural_person": 1,
        "applications.received.commercial": 1,
        "applications.unavailable_not_held.commercial": 1,
    }
    totals = [k for k in values if k.startswith("applications.total.") or k.endswith(".total")]
    totals = [k for k in totals if k.startswith("applications.")]
    printed = {k: (None if k in totals else v) for k, v in values.items()}
    report = xxgk.parse_text(_markdown("2019", printed))
    assert [f.rule for f in report.findings if f.severity == "error"] == []
    (blank,) = [f for f in report.findings if f.rule == "BLANK"]
    # （七）总计 of 自然人: the outcomes 2 → 2 (T3-SUM); the balance 3 + 0 − 1 = 2 (T3-BAL)
    assert "“办理结果总计”行“自然人”列（按本列各项办理结果之和、" in blank.message
    assert "应为2）" in blank.message
    assert "为0" not in blank.message.split("“办理结果总计”行“自然人”列")[1].split("）")[0]


def test_a_sum_down_the_total_column_names_its_terms_by_row():
    """T3-SUM on the 总计 column lists 予以公开 7 + 部分公开 6, never 总计 7 + 总计 6."""
    template = TEMPLATES["2021"]
    values = {key: 0 for key in template.cell_keys()}
    for column in ("natural_person", "total"):
        values |= {
            f"applications.received.{column}": 13,
            f"applications.granted.{column}": 7,
            f"applications.partly_granted.{column}": 6,
            f"applications.total.{column}": 13,
        }
    values["applications.total.total"] = 14  # misprinted: the column's outcomes add up to 13
    values["applications.received.total"] = 14  # so that T3-BAL of the column still holds
    report = xxgk.parse_text(_markdown("2021", values))
    sums = [f for f in report.findings if f.rule == "T3-SUM"]
    assert len(sums) == 1
    assert "“总计”列" in sums[0].message
    assert "予以公开 7 + 部分公开 6" in sums[0].message
    assert "总计 7" not in sums[0].message
    rows = [f for f in report.findings if f.rule == "T3-ROW"]
    # the 总计 row: 14 printed, 13 from 自然人 alone; the 新收 row likewise
    assert {f.cells[0] for f in rows} == {"applications.total.total", "applications.received.total"}
    assert all("自然人 13" in f.message for f in rows)


@settings(max_examples=40, **SETTINGS)
@given(data=st.data(), template_id=st.sampled_from(("2019", "2021")))
def test_a_blank_in_a_layout_that_does_not_show_it_is_placed_by_arithmetic_or_flagged(data, template_id):
    """One cell per line: a blank cell leaves no trace but a row one value short. The reader may
    place the blank only where the arithmetic admits it; where it cannot tell, it says so."""
    values = data.draw(consistent_values(template_id))
    keys = sorted(k for k in values if k.startswith("applications."))
    gone = data.draw(st.sampled_from(keys))
    printed = {k: (None if k == gone else v) for k, v in values.items()}
    case = data.draw(reports(template_id, "one_per_line", printed))
    note(case.text)
    report = xxgk.parse_text(case.text)
    assert [f.message for f in report.findings if f.severity == "error"] == []
    for key, value in printed.items():
        cell = report.cells[key]
        assert cell.value == value or cell.ambiguous, (key, value, cell.value)
    row = gone.rsplit(".", 1)[0]
    if any(report.cells[k].ambiguous for k in report.cells if k.startswith(row + ".")):
        (said,) = [f for f in report.findings if f.rule == "AMBIGUOUS"]
        assert "无法确定空白的是哪一格" in said.message
