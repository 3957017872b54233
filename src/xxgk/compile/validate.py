"""What the register's facts must satisfy before they are counted: a fact that breaks one is a
register error, named with its entries; the compiler then writes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from xxgk.compile.counting import FIGURE_CELLS, OUTCOMES
from xxgk.register.facts import (
    APPEAL_KINDS,
    APPEAL_RESULTS,
    APPLICANT_TYPES,
    DOCUMENT_KINDS,
    RegisterFacts,
)
from xxgk.templates import TEMPLATES, Template


@dataclass(frozen=True)
class Problem:
    """Why the report cannot be compiled: a register error or a rule the compiled report breaks,
    with the register entries behind it."""

    code: str  # a register check (REG-…) or the id of the rule that failed
    entries: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "entries": list(self.entries), "message": self.message}

    def __str__(self) -> str:
        return self.message


# the register checks: code → message (str.format); `entries` names the entries, `n` their number
MESSAGES: dict[str, str] = {
    "REG-AS-OF": "台账数据截至{as_of}，早于{year}年12月31日，不能据以编制{year}年度报告。",
    "REG-DUPLICATE": "申请编号{entries}出现{n}次，办理结果分别为{outcomes}：同一申请只能有一个办理结果。",
    "REG-APPLICANT": "申请{entries}：申请人类型“{value}”不是{valid}之一。",
    "REG-OUTCOME": "申请{entries}：办理结果“{value}”不是第三部分表格的办理结果行。",
    "REG-NO-DATE": "申请{entries}：有办理结果“{value}”，却没有办理日期。",
    "REG-NO-OUTCOME": "申请{entries}：有办理日期{day}，却没有办理结果。",
    "REG-BEFORE": "申请{entries}：办理日期{day}早于收到日期{received}。",
    "REG-FUTURE": "{what}{entries}：{field}{day}晚于台账数据的截止日期{as_of}。",
    "REG-APPEAL-DUPLICATE": "复议诉讼编号{entries}出现{n}次。",
    "REG-APPEAL-KIND": "复议诉讼{entries}：类别“{value}”不是{valid}之一。",
    "REG-APPEAL-RESULT": "复议诉讼{entries}：结果“{value}”不是{valid}之一。",
    "REG-APPEAL-OPEN": "复议诉讼{entries}：{problem}。",
    "REG-APPEAL-BEFORE": "复议诉讼{entries}：审结日期{day}早于立案日期{filed}。",
    "REG-APPEAL-APPLICATION": "复议诉讼{entries}：所涉申请{application}{problem}。",
    "REG-DOCUMENT-KIND": "文件{entries}：类别“{value}”不是{valid}之一。",
    "REG-DOCUMENT-DUPLICATE": "文号{entries}出现{n}次。",
    "REG-DOCUMENT-BEFORE": "文件{entries}：废止日期{day}早于制发日期{issued}。",
    "REG-FIGURES-DUPLICATE": "{year}年的年度数量录入了{n}次。",
    "REG-FIGURES-NEGATIVE": "{year}年的年度数量“{field}”为负数{value}。",
    "REG-FIGURES-MISSING": "{year}年的年度数量（{fields}）尚未录入，第二部分表格将留空。",
}


def _problem(code: str, entries: tuple[str, ...], **fields: object) -> Problem:
    """`entries` are named in the message; `n`, where the message has it, is how many times."""
    return Problem(code, entries, MESSAGES[code].format(entries="、".join(entries), **fields))


def validate(facts: RegisterFacts, year: int, template: Template) -> list[Problem]:
    """Every inconsistency of the facts (all of them, not the first), in a stable order; and the
    yearly figures the template's table 二 needs that are not entered."""
    return [
        *_applications(facts, year),
        *_appeals(facts),
        *_documents(facts),
        *_figures(facts, year, template),
    ]


def _applications(facts: RegisterFacts, year: int) -> Iterator[Problem]:
    if facts.as_of < date(year, 12, 31):
        yield _problem("REG-AS-OF", (), as_of=facts.as_of.isoformat(), year=year)
    by_id = defaultdict(list)
    for app in facts.applications:
        by_id[app.id].append(app)
    for app_id, apps in by_id.items():
        if len(apps) > 1:
            outcomes = "、".join(a.outcome or "未办结" for a in apps)
            yield _problem("REG-DUPLICATE", (app_id,), n=len(apps), outcomes=outcomes)
    for app in facts.applications:
        one = (app.id,)
        if app.applicant not in APPLICANT_TYPES:
            yield _problem("REG-APPLICANT", one, value=app.applicant, valid="、".join(APPLICANT_TYPES))
        if app.outcome is not None and app.outcome not in OUTCOMES:
            yield _problem("REG-OUTCOME", one, value=app.outcome)
        if app.outcome is not None and app.decided is None:
            yield _problem("REG-NO-DATE", one, value=app.outcome)
        if app.outcome is None and app.decided is not None:
            yield _problem("REG-NO-OUTCOME", one, day=app.decided.isoformat())
        if app.decided is not None and app.decided < app.received:
            yield _problem("REG-BEFORE", one, day=app.decided.isoformat(), received=app.received.isoformat())
        for field, day in (("收到日期", app.received), ("办理日期", app.decided)):
            if day is not None and day > facts.as_of:
                yield _future("申请", one, field, day, facts.as_of)


def _future(what: str, entries: tuple[str, ...], field: str, day: date, as_of: date) -> Problem:
    return _problem(
        "REG-FUTURE", entries, what=what, field=field, day=day.isoformat(), as_of=as_of.isoformat()
    )


def _appeals(facts: RegisterFacts) -> Iterator[Problem]:
    received = {app.id: app.received for app in facts.applications}
    seen: dict[str, int] = defaultdict(int)
    for appeal in facts.appeals:
        seen[appeal.id] += 1
    for appeal_id, n in seen.items():
        if n > 1:
            yield _problem("REG-APPEAL-DUPLICATE", (appeal_id,), n=n)
    for appeal in facts.appeals:
        one = (appeal.id,)
        if appeal.kind not in APPEAL_KINDS:
            yield _problem("REG-APPEAL-KIND", one, value=appeal.kind, valid="、".join(APPEAL_KINDS))
        if appeal.result is not None and appeal.result not in APPEAL_RESULTS:
            yield _problem("REG-APPEAL-RESULT", one, value=appeal.result, valid="、".join(APPEAL_RESULTS))
        if appeal.result is not None and appeal.decided is None:
            yield _problem("REG-APPEAL-OPEN", one, problem="有结果却没有审结日期")
        if appeal.result is None and appeal.decided is not None:
            yield _problem("REG-APPEAL-OPEN", one, problem="有审结日期却没有结果")
        if appeal.decided is not None and appeal.decided < appeal.filed:
            yield _problem(
                "REG-APPEAL-BEFORE", one, day=appeal.decided.isoformat(), filed=appeal.filed.isoformat()
            )
        for field, day in (("立案日期", appeal.filed), ("审结日期", appeal.decided)):
            if day is not None and day > facts.as_of:
                yield _future("复议诉讼", one, field, day, facts.as_of)
        if appeal.application is not None:
            if appeal.application not in received:
                yield _problem(
                    "REG-APPEAL-APPLICATION", one, application=appeal.application, problem="不在台账中"
                )
            elif appeal.filed < received[appeal.application]:
                yield _problem(
                    "REG-APPEAL-APPLICATION",
                    (appeal.id, appeal.application),
                    application=appeal.application,
                    problem=f"收到于{received[appeal.application].isoformat()}，晚于立案日期{appeal.filed.isoformat()}",
                )


def _documents(facts: RegisterFacts) -> Iterator[Problem]:
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for doc in facts.documents:
        seen[(doc.kind, doc.number)] += 1
        one = (doc.number,)
        if doc.kind not in DOCUMENT_KINDS:
            yield _problem("REG-DOCUMENT-KIND", one, value=doc.kind, valid="、".join(DOCUMENT_KINDS))
        if doc.repealed is not None and doc.repealed < doc.issued:
            yield _problem(
                "REG-DOCUMENT-BEFORE", one, day=doc.repealed.isoformat(), issued=doc.issued.isoformat()
            )
        for field, day in (("制发日期", doc.issued), ("废止日期", doc.repealed)):
            if day is not None and day > facts.as_of:
                yield _future("文件", one, field, day, facts.as_of)
    for (_, number), n in seen.items():
        if n > 1:
            yield _problem("REG-DOCUMENT-DUPLICATE", (number,), n=n)


# the YearFigures fields, by the label of their row in table 二 (行政许可 …)
FIGURE_FIELDS: dict[str, str] = {
    field: TEMPLATES["2021"].table("active").row(field).label for field in FIGURE_CELLS
}


def _figures(facts: RegisterFacts, year: int, template: Template) -> Iterator[Problem]:
    years: dict[int, int] = defaultdict(int)
    for figures in facts.figures:
        years[figures.year] += 1
        for field, name in FIGURE_FIELDS.items():
            value = getattr(figures, field)
            if value is not None and value < 0:
                yield _problem("REG-FIGURES-NEGATIVE", (), year=figures.year, field=name, value=value)
    for figures_year, n in years.items():
        if n > 1:
            yield _problem("REG-FIGURES-DUPLICATE", (), year=figures_year, n=n)
    this = [f for f in facts.figures if f.year == year]
    keys = set(template.cell_keys())
    needed = {field for field, key in FIGURE_CELLS.items() if key in keys}
    missing = [
        name
        for field, name in FIGURE_FIELDS.items()
        if field in needed and (not this or getattr(this[0], field) is None)
    ]
    if missing:
        yield _problem("REG-FIGURES-MISSING", (), year=year, fields="、".join(missing))
