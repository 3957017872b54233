"""Rules across two years of one body: this year's report against last year's.

They need a corpus (the store calls them when the previous year is stored), but like every
rule they are declared in rules.toml and work on the report model only.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

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


def shingles(text: str) -> frozenset[str]:
    """A text's character shingles: each run of SHINGLE characters."""
    return frozenset(text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1))


@lru_cache(maxsize=1024)
def _packed(text: str) -> Any:
    """The text's shingles as sorted, distinct 64-bit integers, each its characters' UTF-16 code
    units side by side, for numpy to compare some five times faster than sets of strings (which
    took 0.3 ms of a report's 1 ms in a bulk load); None where a character is past the first
    plane (a surrogate pair: its units would not be characters). Kept for a while: a report
    loaded in bulk is compared with the year before and the year after."""
    import numpy as np

    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) != 2 * len(text):
        return None
    units = np.frombuffer(data, dtype="<u2").astype(np.uint64)
    width = max(0, len(units) - SHINGLE + 1)
    keys = np.zeros(width, dtype=np.uint64)
    for i in range(SHINGLE):
        keys |= units[i : i + width] << np.uint64(16 * (SHINGLE - 1 - i))
    keys.sort()  # then each once (np.unique does the same, four times slower on arrays this small)
    first = np.ones(width, dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return keys[first]


def _common(a: Any, b: Any) -> int:
    """How many values two sorted arrays of distinct values share."""
    import numpy as np

    if not len(a) or not len(b):
        return 0
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    return int(np.count_nonzero(b[at] == a))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character shingles: fast, and blind to moved paragraphs."""
    pa, pb = _packed(a), _packed(b)
    if pa is not None and pb is not None:
        sizes, common = (len(pa), len(pb)), _common(pa, pb)
    else:
        sa, sb = shingles(a), shingles(b)
        sizes, common = (len(sa), len(sb)), len(sa & sb)
    if not all(sizes):
        return 0.0
    return common / (sum(sizes) - common)  # the union's size, without making the union


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
