"""What the notice and the review share: Chinese numbering, dates, finding labels, a report."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.check import RULES_BY_ID
from xxgk.errors import InputError
from xxgk.store.models import StoredReport
from xxgk.templates import TEMPLATES

STATUS = {"open": "待审核", "confirmed": "已确认", "dismissed": "已排除"}
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (numbering of headings, up to 99; beyond, Arabic)."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"
    return str(n)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rule_title(rule: str) -> str:
    found = RULES_BY_ID.get(rule)
    return found.title if found else rule


def place(template_id: str, key: str) -> str:
    """A cell named as an overseer names it (“办理结果总计”行“自然人”列); the key if unknown."""
    template = TEMPLATES.get(template_id)
    try:
        return template.place(key) if template else key
    except KeyError:
        return key


def places(template_id: str, keys: list[str], most: int = 6) -> str:
    """The cells of a finding (a sum names every term: the first `most`, then how many more)."""
    named = "；".join(place(template_id, key) for key in keys[:most])
    return named + (f"等{len(keys)}个单元格" if len(keys) > most else "")


def current_report(session: Session, body_id: int, name: str, year: int) -> StoredReport:
    report = session.scalar(
        select(StoredReport).where(
            StoredReport.body_id == body_id, StoredReport.year == year, StoredReport.current
        )
    )
    if report is None:
        raise InputError(f"no report for {year} in the store", name)
    return report
