"""Rules across two years of one body: this year's report against last year's.

They need a corpus (the store calls them when the previous year is stored), but like every
rule they are declared in rules.toml and work on the report model only.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from xxgk.model import Finding, Report, json_value

if TYPE_CHECKING:
    from xxgk.check.rules import Rule

SHINGLE = 4


def check_carry(rule: Rule, report: Report, previous: Report) -> Iterator[Finding]:
    apps = report.template.table("applications")
    for column in apps.rows[0].columns:
        this = report.cells.get(f"applications.carried_over.{column.id}")
        before = previous.cells.get(f"applications.carried_forward.{column.id}")
        if this is None or before is None or this.value is None or before.value is None:
            continue
        if this.value != before.value:
            yield rule.finding(
                [this.key],
                column=column.label,
                this=json_value(this.value),
                previous=json_value(before.value),
                previous_year=previous.meta.year,
            )


def check_stock(rule: Rule, report: Report, previous: Report) -> Iterator[Finding]:
    for row in ("regulations", "normative_documents"):
        keys = {c: f"active.{row}.{c}" for c in ("issued", "repealed", "in_force")}
        if not all(k in report.cells for k in keys.values()) or keys["in_force"] not in previous.cells:
            continue
        issued, repealed, in_force = (report.value(keys[c]) for c in ("issued", "repealed", "in_force"))
        before = previous.value(f"active.{row}.in_force")
        if None in (issued, repealed, in_force, before):
            continue
        expected = before + issued - repealed  # type: ignore[operator]
        if in_force != expected:
            yield rule.finding(
                [keys["in_force"]],
                row=report.template.table("active").row(row).label,
                in_force=json_value(in_force),
                previous=json_value(before),
                issued=json_value(issued),
                repealed=json_value(repealed),
                expected=json_value(expected),
                previous_year=previous.meta.year,
            )


def narrative(report: Report) -> str:
    """The report's own words: sections 一, 五 and 六 (the tables are compared apart)."""
    return report.section_text("overview", "problems", "other")


@lru_cache(maxsize=1024)
def shingles(text: str) -> frozenset[str]:
    """A text's character shingles; kept for a while, as a report loaded in bulk is compared
    both with the year before and the year after."""
    return frozenset(text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character shingles: fast, and blind to moved paragraphs."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    common = len(sa & sb)
    return common / (len(sa) + len(sb) - common)  # the union's size, without making the union


def check_copy_text(rule: Rule, report: Report, previous: Report) -> Iterator[Finding]:
    score = similarity(narrative(report), narrative(previous))
    if score >= rule.data["threshold"]:
        yield rule.finding([], similarity=round(100 * score), previous_year=previous.meta.year)


def check_copy_tables(rule: Rule, report: Report, previous: Report) -> Iterator[Finding]:
    if report.template_id != previous.template_id:
        return
    mine = {k: c.value for k, c in report.cells.items()}
    theirs = {k: c.value for k, c in previous.cells.items()}
    nonzero = sum(1 for v in mine.values() if v not in (None, 0))
    if mine == theirs and nonzero >= rule.data["min_nonzero"]:
        yield rule.finding([], nonzero=nonzero, previous_year=previous.meta.year)
