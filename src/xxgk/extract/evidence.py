"""Evidence for splits the arithmetic leaves open.

Where digits ran together and the template's arithmetic admits several splits (section 二 has
no arithmetic at all), independent evidence may still tell which one was printed: a figure the
narrative states (制发的规范性文件88件), or the same body's report of the year before or after
(现行有效 = last year's 现行有效 + 制发 − 废止; 上年结转 = last year's 结转下年度). Each piece of evidence
is a linear relation between cells; a split is chosen only when exactly one of the readings the
arithmetic left agrees with every relation that applies, and the choice names its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from xxgk.model import Report, Value
from xxgk.templates import META


@dataclass(frozen=True)
class Evidence:
    """sum(coefficient × cell) == total, as `said` by `source` (正文, 2022年度报告)."""

    source: str
    said: str
    terms: tuple[tuple[str, int], ...]
    total: int | float

    def holds(self, values: Mapping[str, Value]) -> bool | None:
        """None when a cell it needs is unknown."""
        total = 0
        for key, coefficient in self.terms:
            value = values.get(key)
            if value is None:
                return None
            total += coefficient * value  # type: ignore[operator]
        return total == self.total

    def keys(self) -> set[str]:
        return {key for key, _ in self.terms}


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((key, re.compile(p)) for key, patterns in META.evidence for p in patterns)


def from_narrative(text: str, keys: Collection[str] | None = None) -> list[Evidence]:
    """The figures the text states for cells (those of `keys`, if given); a cell stated twice
    with different figures is given no evidence."""
    found: dict[str, dict[int, str]] = {}
    for key, pattern in _patterns():
        if keys is not None and key not in keys:
            continue
        for match in pattern.finditer(text):
            found.setdefault(key, {}).setdefault(int(match.group("n")), match.group())
    return [
        Evidence("正文", f"“{quote}”", ((key, 1),), figure)
        for key, figures in found.items()
        if len(figures) == 1
        for figure, quote in figures.items()
    ]


def across_years(report: Report, previous: Report | None, following: Report | None) -> list[Evidence]:
    """What the neighbouring years' reports say of this one's cells (X-STOCK, X-CARRY)."""
    out: list[Evidence] = []
    columns = [c.id for c in report.template.table("applications").rows[0].columns]
    if previous is not None:
        source = f"{previous.meta.year}年度报告"
        for row in ("regulations", "normative_documents"):
            before = _value(previous, f"active.{row}.in_force")
            if before is not None and f"active.{row}.in_force" in report.cells:
                terms = (
                    (f"active.{row}.in_force", 1),
                    (f"active.{row}.issued", -1),
                    (f"active.{row}.repealed", 1),
                )
                out.append(Evidence(source, f"现行有效{before}件", terms, before))  # type: ignore[arg-type]
        for column in columns:
            before = _value(previous, f"applications.carried_forward.{column}")
            if before is not None:
                terms = ((f"applications.carried_over.{column}", 1),)
                out.append(Evidence(source, f"结转下年度{before}件", terms, before))  # type: ignore[arg-type]
    if following is not None:
        source = f"{following.meta.year}年度报告"
        for row in ("regulations", "normative_documents"):
            keys = [f"active.{row}.{c}" for c in ("in_force", "issued", "repealed")]
            later = [_value(following, k) for k in keys]
            if None not in later and keys[0] in report.cells:
                stock = later[0] - later[1] + later[2]  # type: ignore[operator]
                out.append(Evidence(source, f"现行有效{later[0]}件", ((keys[0], 1),), stock))
        for column in columns:
            after = _value(following, f"applications.carried_over.{column}")
            if after is not None:
                terms = ((f"applications.carried_forward.{column}", 1),)
                out.append(Evidence(source, f"上年结转{after}件", terms, after))  # type: ignore[arg-type]
    return out


def _value(report: Report, key: str) -> Value:
    """A cell's value; None where the report's template has no such cell (a neighbouring year
    may be of the other template: the 2019 one has no 现行有效 of 规章)."""
    cell = report.cells.get(key)
    return None if cell is None else cell.value


def choose(
    readings: Sequence[Mapping[str, Value]], values: Mapping[str, Value], evidence: Sequence[Evidence]
) -> tuple[int, list[Evidence]] | None:
    """The one reading of a line the evidence admits, and the evidence that tells it; None when
    no evidence applies, or it admits none or several (readings: the line's cells each way;
    values: every other cell of the report)."""
    keys = set(readings[0]) if readings else set()
    relevant = [e for e in evidence if e.keys() & keys]
    if not relevant:
        return None
    admitted = []
    for index, reading in enumerate(readings):
        merged = {**values, **reading}
        verdicts = [e.holds(merged) for e in relevant]
        if False not in verdicts and True in verdicts:
            admitted.append(index)
    distinct = {tuple(readings[i].items()) for i in admitted}
    if len(distinct) != 1:
        return None
    chosen = admitted[0]
    merged = {**values, **readings[chosen]}
    return chosen, [e for e in relevant if e.holds(merged)]


def digits(value: Value) -> int | None:
    """How many digits a count was printed with (None for a blank or an amount)."""
    return len(str(value)) if isinstance(value, int) and value >= 0 else None


def by_layout(
    readings: Sequence[Mapping[str, Value]], widths: Mapping[str, frozenset[int]]
) -> tuple[int, str] | None:
    """The one reading in which every figure has as many digits as the other figures printed in
    its column (`widths`: by column id, the digit counts read without doubt in other rows), and
    the evidence said in words; None when a column has no such figures, or not exactly one
    reading fits. The weakest evidence: asked only where the arithmetic, the narrative and the
    neighbouring years (at ingest) say nothing."""
    fitting = []
    for index, reading in enumerate(readings):
        fits = True
        for key, value in reading.items():
            known = widths.get(key.rsplit(".", 1)[1])
            if not known or digits(value) not in known:
                fits = False
                break
        if fits:
            fitting.append(index)
    if len({tuple(readings[i].items()) for i in fitting}) != 1:
        return None
    chosen = fitting[0]
    counts = "、".join(f"{digits(v)}位" for v in readings[chosen].values())
    return chosen, f"版式（同列其他行的数字位数：{counts}）"
