"""Pointing at the likely wrong cell: where one printed cell, changed, would make every broken
identity of a table hold (and break none that holds), the findings say so and the page marks it.

Tables are generated consistent (tests/layouts.py), then one cell is misprinted by hand.
"""

from __future__ import annotations

import random

import xxgk
from tests.layouts import Style, render
from xxgk.serve.views import table_views
from xxgk.templates import TEMPLATES
from xxgk.templates.arithmetic import likely_wrong


def _values() -> dict:
    """3 natural persons: 2 granted, 1 not held; a company: 1 granted. Every identity holds."""
    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    values |= {
        "applications.received.natural_person": 3,
        "applications.received.commercial": 1,
        "applications.received.total": 4,
        "applications.granted.natural_person": 2,
        "applications.granted.commercial": 1,
        "applications.granted.total": 3,
        "applications.unavailable_not_held.natural_person": 1,
        "applications.unavailable_not_held.total": 1,
        "applications.total.natural_person": 3,
        "applications.total.commercial": 1,
        "applications.total.total": 4,
    }
    return values


def _report(values: dict) -> xxgk.Report:
    text = render(
        "2021", 2023, "某某县人民政府", values, Style("markdown", True, base="markdown"), random.Random(0)
    )
    return xxgk.parse_text(text)


def test_one_misprinted_total_is_pointed_at_in_every_finding_and_on_the_page():
    values = _values()
    # （七）总计 of 自然人 misprinted 5 (the outcomes are 2 + 1 = 3). Broken: T3-SUM of 自然人
    # (5 ≠ 3), T3-BAL of 自然人 (3 + 0 ≠ 5 + 0), T3-ROW of the 总计 row (4 ≠ 5 + 1). That cell is
    # the only one in all three, and 3 makes each hold (3 = 3, 3 = 3, 4 = 3 + 1).
    values["applications.total.natural_person"] = 5
    report = _report(values)
    broken = [f for f in report.findings if f.rule in ("T3-SUM", "T3-BAL", "T3-ROW")]
    assert {f.rule for f in broken} == {"T3-SUM", "T3-BAL", "T3-ROW"}
    for finding in broken:
        assert finding.message.endswith("若“办理结果总计”行“自然人”列为3，则本表各项均平衡。"), (
            finding.message
        )
    assert report.value("applications.total.natural_person") == 5  # never changed
    marked = [
        cell.key for view in table_views(report) for row in view.rows for cell in row if "suspect" in cell.css
    ]
    assert marked == ["applications.total.natural_person"]


def test_no_cell_is_pointed_at_where_several_would_do():
    values = _values()
    # 予以公开·总计 misprinted 4 (true 3). Broken: T3-ROW of 予以公开 (4 ≠ 2 + 1) and T3-SUM of the
    # 总计 column (4 ≠ 4 + 1); T3-BAL of 总计 (4 + 0 = 4 + 0) holds and does not involve it. The
    # cell in both is 予以公开·总计: 4 + (3 − 4) = 3, and 4 + (4 − 5) = 3.
    values["applications.granted.total"] = 4
    report = _report(values)
    assert any(f.message.endswith("若“予以公开”行“总计”列为3，则本表各项均平衡。") for f in report.errors)
    # 行政复议 printed 1 | 0 | 0 | 0 | 总计 2: only T4-SUM breaks, and any of its five cells would
    # fix it alone (总计 → 1, 结果维持 → 2, 结果纠正, 其他结果 or 尚未审结 → 1): nothing is named
    values = _values()
    values["appeals.review.upheld"] = 1
    values["appeals.review.total"] = 2
    report = _report(values)
    (t4,) = [f for f in report.findings if f.rule == "T4-SUM"]
    assert "则本表各项均平衡" not in t4.message
    template = TEMPLATES["2021"]
    assert likely_wrong(template, {k: c.value for k, c in report.cells.items()}, "appeals") is None
