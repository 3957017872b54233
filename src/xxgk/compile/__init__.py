"""The annual report compiled from a body's register (issue 19): a pure function of the
register's facts as of the year's end (`xxgk.register.facts`), giving the same `Report` the
reader produces, every cell with the register entries behind it (`Provenance.entries`).

The compiled report is checked with xxgk's own rules, and against last year's report when one is
given; a register error or a rule that fails is a `Problem` naming the entries, and no report.
Nothing is ever adjusted to make a rule hold. The counting rules are in docs/compile.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from xxgk.check import check, check_pair
from xxgk.compile.counting import count, fee_total
from xxgk.compile.narrative import Narrative, build
from xxgk.compile.validate import Problem, validate
from xxgk.errors import InputError
from xxgk.model import Cell, Finding, Meta, Provenance, Report, Value
from xxgk.register.facts import RegisterFacts
from xxgk.templates import SECTIONS, Template, template_for_year

if TYPE_CHECKING:
    from xxgk.compile.locked import Change, Locked
    from xxgk.documents import Document

__all__ = ["Compiled", "Problem", "compile_report", "counted"]

FORMAT = "compiled"  # Report.format of a compiled report
# findings of the rules that do not stop a compiled report: what the office writes itself (the
# publication date, section 五's words) and a quiet register's tables equal to last year's
NOT_BLOCKING: frozenset[str] = frozenset({"LATE", "SECTION-MISSING", "X-COPY-TEXT", "X-COPY-TABLES"})


@dataclass
class Compiled:
    """The outcome of compiling: a report, or the problems that stop it (then `report` is None)."""

    report: Report | None
    problems: list[Problem] = field(default_factory=list)
    narrative: Narrative | None = None
    notes: list[Finding] = field(default_factory=list)  # findings that do not stop the report
    fee: Decimal = Decimal(0)  # 信息处理费 charged in the year, 元
    locked: Locked | None = None  # the year's lock, where it is locked (xxgk.compile.locked)
    changes: list[Change] = field(default_factory=list)  # cells that differ from the locked report

    @property
    def ok(self) -> bool:
        return self.report is not None and not self.problems

    @property
    def amended(self) -> bool:
        """A locked year amended (or changed) since: the report carries the note 锁定后更正."""
        return (
            self.report is not None
            and self.locked is not None
            and bool(self.locked.amendments or self.changes)
        )

    def document(self) -> Document:
        """The report in the official layout, with its narrative skeleton (xxgk.documents)."""
        from xxgk.documents.annual import annual_report, from_report

        if self.report is None or self.narrative is None:
            raise ValueError("a report that did not compile has no document")
        annual = from_report(self.report)
        annual.intro, annual.sections = self.narrative.intro, self.narrative.sections
        document = annual_report(annual)
        if self.amended:
            from xxgk.documents.annual import amendments_section

            assert self.locked is not None
            document.add(*amendments_section(self.locked, self.changes))
        return document

    def entries(self, key: str) -> tuple[str, ...]:
        """The register entries behind a cell."""
        if self.report is None:
            return ()
        provenance = self.report.cells[key].provenance
        return provenance.entries if provenance is not None and provenance.entries is not None else ()


def compile_report(facts: RegisterFacts, year: int, previous: Report | None = None) -> Compiled:
    """The report of `year` from the facts (as of its 12-31 or later); `previous`: last year's
    report (compiled or published), for the rules across years."""
    template = template_for_year(year) if year < date.max.year else None
    if template is None:
        raise InputError(f"there is no national template for {year} (the first is for 2019)", "--year")
    problems = validate(facts, year, template)
    if problems:
        return Compiled(None, problems)
    values, entries = counted(facts, year, template)
    fee, charged = fee_total(facts, year)
    narrative = build(template, year, values, fee, len(charged))
    report = _report(facts.body, year, template.id, values, entries, narrative)
    findings = check(report)
    if previous is not None:
        findings += check_pair(report, previous)
        report.findings = findings
    unfilled = set(report.cells) - set(values)  # cells no register holds (2019: 上一年项目数量 …)
    notes = [
        f for f in findings if f.rule in NOT_BLOCKING or (f.rule == "BLANK" and unfilled >= set(f.cells))
    ]
    problems = [
        Problem(f.rule, tuple(dict.fromkeys(e for key in f.cells for e in entries.get(key, ()))), f.message)
        for f in findings
        if f not in notes
    ]
    if problems:
        return Compiled(None, problems, narrative, notes, fee)
    return Compiled(report, [], narrative, notes, fee)


def counted(
    facts: RegisterFacts, year: int, template: Template
) -> tuple[dict[str, Value], dict[str, list[str]]]:
    """Each cell's value (how many entries it counts, or the yearly figure) and its entries."""
    entries, figures = count(facts, year, template)
    return {key: len(ids) for key, ids in entries.items()} | figures, entries


def _report(
    agency: str,
    year: int,
    template_id: str,
    values: dict[str, Value],
    entries: dict[str, list[str]],
    narrative: Narrative,
) -> Report:
    report = Report.blank(template_id)
    report.format = FORMAT
    report.meta = Meta(agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告")
    for key, value in values.items():
        report.cells[key] = Cell(
            key,
            value,
            text=str(value),
            provenance=Provenance(entries=tuple(entries.get(key, ()))),
            found=True,
        )
    # the text as a reader would see it (tables aside), so the narrative's rules run on it
    lines = [report.meta.title or "", *narrative.intro]
    offset = sum(len(line) + 1 for line in lines)
    for section in SECTIONS:
        body = [f"{section.number}、{section.title}", *narrative.sections.get(section.id, ())]
        text = "\n".join(body) + "\n"
        report.sections[section.id] = (offset, offset + len(text))
        lines.append(text.rstrip("\n"))
        offset += len(text)
    report.text = "\n".join(lines) + "\n"
    return report
