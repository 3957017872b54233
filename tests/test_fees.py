"""信息处理费 (国办函〔2020〕109号): every fee worked out by hand from the bands."""

from __future__ import annotations

from datetime import date

import pytest

from xxgk.clock import fee, fee_by_count, fee_by_pages, unpaid_outcome
from xxgk.clock.fees import UNPAID_OUTCOME
from xxgk.errors import XxgkError

# (n-th application of the month, fee in 元, the band it falls in)
BY_COUNT = [
    (1, 0, (1, 10)),  # 1–10 free
    (10, 0, (1, 10)),
    (11, 100, (11, 30)),  # 11–30: 100元 each
    (30, 100, (11, 30)),
    (31, 200, (31, 40)),  # from 31 each band of 10 adds 100元: 31–40 200
    (40, 200, (31, 40)),
    (41, 300, (41, 50)),  # 41–50: 300
    (50, 300, (41, 50)),
    (51, 400, (51, 60)),  # 51–60: 400
    (105, 900, (101, 110)),  # 101–110 is the 8th band after 30: 100 + 8 × 100 = 900
]


@pytest.mark.parametrize(("n", "yuan", "band"), BY_COUNT)
def test_fee_by_count(n, yuan, band):
    result = fee_by_count(n)
    assert result.basis == "count"
    assert result.yuan == yuan
    assert [(b.first, b.last, b.yuan) for b in result.bands] == [(*band, yuan)]


# (pages, fee in 元, the amount of each band touched: 1–30 free, 31–100 10元, 101–200 20元, 201+ 40元)
BY_PAGES = [
    (1, 0, [0]),
    (30, 0, [0]),
    (31, 10, [0, 10]),  # 1 page × 10
    (100, 700, [0, 700]),  # 70 × 10
    (101, 720, [0, 700, 20]),  # 700 + 1 × 20
    (200, 2700, [0, 700, 2000]),  # 700 + 100 × 20
    (201, 2740, [0, 700, 2000, 40]),  # 2700 + 1 × 40
    (250, 4700, [0, 700, 2000, 2000]),  # 700 + 2000 + 50 × 40
]


@pytest.mark.parametrize(("pages", "yuan", "amounts"), BY_PAGES)
def test_fee_by_pages(pages, yuan, amounts):
    result = fee_by_pages(pages)
    assert result.basis == "pages"
    assert result.yuan == yuan
    assert [b.amount for b in result.bands] == amounts
    assert sum(b.units for b in result.bands) == pages


def test_the_result_states_basis_and_bands():
    assert fee_by_pages(250).lines() == [
        "按量计收：250页",
        "第1–30页：0元/页，30页，0元",
        "第31–100页：10元/页，70页，700元",
        "第101–200页：20元/页，100页，2000元",
        "第201页起：40元/页，50页，2000元",
        "合计：4700元",
    ]
    assert fee_by_count(41).to_dict()["fee"] == 300


def test_one_basis_never_both():
    with pytest.raises(XxgkError, match="exactly one"):
        fee(count=11, pages=40)
    with pytest.raises(XxgkError, match="exactly one"):
        fee()
    assert fee(count=11).yuan == 100
    assert fee(pages=31).yuan == 10
    with pytest.raises(XxgkError, match="count: must be 1 or more"):
        fee(count=0)
    with pytest.raises(XxgkError, match="pages: must be 1 or more"):
        fee(pages=-3)


def test_unpaid_past_the_deadline_is_other_unpaid_fee():
    due = date(2025, 3, 3)
    assert unpaid_outcome(due, None, date(2025, 3, 3)) is None  # the last day is still in time
    assert unpaid_outcome(due, None, date(2025, 3, 4)) == "other_unpaid_fee"
    assert unpaid_outcome(due, date(2025, 3, 3), date(2025, 4, 1)) is None
    assert unpaid_outcome(due, date(2025, 3, 5), date(2025, 4, 1)) == "other_unpaid_fee"


def test_the_outcome_is_a_row_of_the_2021_template():
    from xxgk.templates import TEMPLATES

    assert f"applications.{UNPAID_OUTCOME}.total" in TEMPLATES["2021"].cell_keys()
