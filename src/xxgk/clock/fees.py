"""信息处理费 (国办函〔2020〕109号): by count or by pages, chosen per application, never both.

By count the fee is that of the n-th application of one applicant in a natural month (every
application in a band costs the band's rate); by pages it is progressive over the bands of one
application. The bands are data (clock.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xxgk.clock.rules import RULES
from xxgk.errors import XxgkError

FEES: dict = RULES["fees"]
UNPAID_OUTCOME: str = FEES["unpaid_outcome"]
BASES = {"count": ("件", "按件计收"), "pages": ("页", "按量计收")}


@dataclass(frozen=True)
class Band:
    """One band the fee touches: its range, its rate, how many units it charges, and the amount."""

    first: int
    last: int | None
    yuan: int  # per unit
    units: int
    amount: int

    def text(self, unit: str) -> str:
        span = f"第{self.first}–{self.last}{unit}" if self.last else f"第{self.first}{unit}起"
        return f"{span}：{self.yuan}元/{unit}，{self.units}{unit}，{self.amount}元"

    def to_dict(self) -> dict:
        return {
            "first": self.first,
            "last": self.last,
            "yuan": self.yuan,
            "units": self.units,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class Fee:
    basis: str  # count or pages
    quantity: int
    yuan: int
    bands: tuple[Band, ...]

    def lines(self) -> list[str]:
        unit, label = BASES[self.basis]
        head = f"{label}：第{self.quantity}件申请" if self.basis == "count" else f"{label}：{self.quantity}页"
        return [head, *(band.text(unit) for band in self.bands), f"合计：{self.yuan}元"]

    def to_dict(self) -> dict:
        return {
            "basis": self.basis,
            "quantity": self.quantity,
            "fee": self.yuan,
            "bands": [band.to_dict() for band in self.bands],
            "text": self.lines(),
        }


def _positive(value: int, what: str) -> None:
    if value < 1:
        raise XxgkError(f"must be 1 or more, not {value}", what)


def fee_by_count(n: int) -> Fee:
    """The fee of the n-th application of one applicant in a natural month."""
    _positive(n, "count")
    bands = FEES["count"]["bands"]
    for band in bands:
        if band["first"] <= n <= band["last"]:
            return Fee(
                "count", n, band["yuan"], (Band(band["first"], band["last"], band["yuan"], 1, band["yuan"]),)
            )
    beyond = FEES["count"]["beyond"]
    step = (n - beyond["first"]) // beyond["band"]
    first = beyond["first"] + step * beyond["band"]
    yuan = bands[-1]["yuan"] + (step + 1) * beyond["step_yuan"]
    return Fee("count", n, yuan, (Band(first, first + beyond["band"] - 1, yuan, 1, yuan),))


def fee_by_pages(pages: int) -> Fee:
    """The fee of one application of `pages` pages, each page at its band's rate."""
    _positive(pages, "pages")
    touched = []
    for band in FEES["pages"]["bands"]:
        if pages < band["first"]:
            break
        last = band.get("last")
        units = min(pages, last or pages) - band["first"] + 1
        touched.append(Band(band["first"], last, band["yuan"], units, units * band["yuan"]))
    return Fee("pages", pages, sum(b.amount for b in touched), tuple(touched))


def fee(*, count: int | None = None, pages: int | None = None) -> Fee:
    """By count or by pages: one basis per application, never both."""
    if (count is None) == (pages is None):
        raise XxgkError("a fee is by count or by pages, exactly one of them (109号)", "fee")
    return fee_by_count(count) if count is not None else fee_by_pages(pages or 0)


def unpaid_outcome(payment_due: date, paid_on: date | None, today: date) -> str | None:
    """The outcome of an application whose fee was not paid by its deadline (else None)."""
    if paid_on is None and today > payment_due:
        return UNPAID_OUTCOME
    if paid_on is not None and paid_on > payment_due:
        return UNPAID_OUTCOME
    return None
