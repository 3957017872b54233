"""The rules of FORMAT.md as declared objects: id, severity, the cells concerned, a message.

Severities, titles and messages are data (`rules.toml`); the functions here only compute. The
arithmetic rules evaluate the template's identities (templates/arithmetic.py), the same ones
the reader uses to split digits that ran together.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from xxgk.check import crossyear
from xxgk.extract.labels import LIKENESS, likeness
from xxgk.model import Finding, Report, Severity, json_value
from xxgk.templates import SECTIONS, TEMPLATES, TableSpec, template_for_year
from xxgk.templates.arithmetic import Identity, Number, identities, rule_positional

RuleCheck = Callable[..., Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """`scope` "report" rules look at one report; "pair" rules at a report and last year's."""

    id: str
    severity: Severity
    title: str
    data: Mapping[str, Any]
    run: RuleCheck
    scope: str = "report"

    def finding(self, cells: list[str] | tuple[str, ...], message: str = "message", **fields: Any) -> Finding:
        return Finding(self.id, self.severity, tuple(cells), self.data[message].format(**fields))


def _fmt(value: object) -> str:
    value = json_value(value)  # type: ignore[arg-type]
    return "空白" if value is None else str(value)


# --- arithmetic --------------------------------------------------------------------------------


def _terms(report: Report, identity: Identity, keys: tuple[str, ...]) -> str:
    """'自然人 2 + 商业企业 1', non-zero terms only, each named by what tells it apart from the
    others: its column in an identity about a row, its row in an identity about a column."""
    template = report.template
    parts = []
    for key in keys:
        value = report.value(key)
        if value in (0, None):
            continue
        _, row, column = template.cell(key)
        parts.append(f"{column.label if identity.about == 'row' else row.short} {_fmt(value)}")
    return " + ".join(parts) if parts else "各项均为0"


def _subject(report: Report, identity: Identity) -> str:
    table = report.template.table(identity.lhs[0].split(".")[0])
    if identity.about == "row":
        row = table.row(identity.subject)
        return row.label if table.unlabelled else row.short
    return table.rows[0].column(identity.subject).label


def check_identities(rule: Rule, report: Report) -> Iterator[Finding]:
    """An identity is broken only when every term is known: a blank cell or one that was not
    found may hold any number, so an identity with one is never reported (BLANK says what the
    identity implies for it)."""
    keys, own = rule_positional(report.template, rule.id)
    cells = report.cells
    in_order = [cells[key].value for key in keys]
    for identity, positional in own:
        sides = positional.sides(in_order)
        if sides is None or sides[0] == sides[1] or any(cells[k].value is None for k in identity.keys):
            continue
        # the cells concerned: every cell of the identity, as any may be the misprinted one (a
        # term printed as 0 too); the totals first, then the terms that hold something
        concerned = [*identity.lhs, *sorted(identity.rhs, key=lambda k: cells[k].value == 0)]
        yield rule.finding(
            concerned,
            subject=_subject(report, identity),
            lhs=_fmt(sides[0]),
            rhs=_fmt(sides[1]),
            lhs_terms=_terms(report, identity, identity.lhs),
            rhs_terms=_terms(report, identity, identity.rhs),
        )


# --- values ------------------------------------------------------------------------------------


def check_domain(rule: Rule, report: Report) -> Iterator[Finding]:
    for key, cell in report.cells.items():
        value = cell.value
        if value is None or (type(value) is int and value >= 0):  # most cells: nothing to check
            continue
        _, _, column = report.template.cell(key)
        problem = None
        if cell.value < 0 and column.kind != "signed":
            problem = rule.data["negative"]
        elif column.kind != "amount" and cell.value != int(cell.value):
            problem = rule.data["fraction"]
        if problem:
            yield rule.finding([key], cell=report.template.label(key), text=cell.text, problem=problem)


def check_blank(rule: Rule, report: Report) -> Iterator[Finding]:
    """Blank cells and placeholders are unknown, not 0: each is named, with the value an
    identity implies for it where its other terms are all printed."""
    blank, placeholder = [], []
    for key, cell in report.cells.items():
        if cell.found and cell.value is None:
            (placeholder if cell.text else blank).append(key)
    for keys, message in ((blank, "blank"), (placeholder, "placeholder")):
        if keys:
            names = "、".join(_blank_cell(rule, report, key) for key in keys)
            yield rule.finding(keys, message, count=len(keys), names=names)


def _blank_cell(rule: Rule, report: Report, key: str) -> str:
    """“办理结果总计”行“自然人”列（按本列各项办理结果之和应为12）"""
    by_value: dict[Number, list[str]] = {}
    for identity in identities(report.template):
        if key not in identity.keys or any(report.value(k) is None for k in identity.keys if k != key):
            continue
        own, other = (identity.lhs, identity.rhs) if key in identity.lhs else (identity.rhs, identity.lhs)
        value = sum(report.value(k) for k in other) - sum(report.value(k) for k in own if k != key)  # type: ignore[misc]
        basis = rule.data["basis"][identity.rule][0 if own == identity.lhs and len(own) == 1 else 1]
        if basis not in by_value.setdefault(value, []):
            by_value[value].append(basis)
    implied = [
        rule.data["implied" if value >= 0 else "impossible"].format(basis="、".join(bases), value=_fmt(value))
        for value, bases in by_value.items()
    ]
    place = report.template.place(key)
    return f"{place}（{'；'.join(implied)}）" if implied else place


def check_ocr(rule: Rule, report: Report) -> Iterator[Finding]:
    threshold = rule.data["threshold"]
    low = [
        key
        for key, cell in report.cells.items()
        if (confidence := cell.confidence) is not None and confidence < threshold
    ]
    if low:
        names = "、".join(report.template.label(k) for k in low[:6]) + ("等" if len(low) > 6 else "")
        yield rule.finding(low, count=len(low), threshold=threshold, names=names)


def check_ambiguous(rule: Rule, report: Report) -> Iterator[Finding]:
    by_row: dict[str, list[str]] = {}
    for key, cell in report.cells.items():
        if cell.ambiguous:
            by_row.setdefault(key.rsplit(".", 1)[0], []).append(key)
    for row_key, keys in by_row.items():
        table_id, row_id = row_key.split(".")
        table = report.template.table(table_id)
        row_keys = table.row_keys(table.row(row_id))
        texts = [report.cells[k].text or "" for k in row_keys]
        printed = sum(1 for t in texts if t)
        others = (
            report.layout.get("tables", {})
            .get(table_id, {})
            .get("candidates", {})
            .get("" if table.unlabelled else row_id, [])
        )
        yield rule.finding(
            keys,
            "message" if printed == len(texts) else "placement",
            row=table.title if table.unlabelled else table.row(row_id).short,
            text="".join(texts),
            reading="|".join(t or "空" for t in texts),
            printed=printed,
            columns=len(texts),
            candidates="；".join("|".join(t or "空" for t in reading) for reading in others) or "见原文",
        )


def check_split(rule: Rule, report: Report) -> Iterator[Finding]:
    for table in report.template.tables:
        for row_id, said in report.layout.get("tables", {}).get(table.id, {}).get("decided", {}).items():
            row = table.rows[0] if table.unlabelled else table.row(row_id)
            keys = table.cell_keys() if table.unlabelled else table.row_keys(row)
            yield rule.finding(
                keys,
                row=table.title if table.unlabelled else row.short,
                text=said["text"],
                reading=said["reading"],
                evidence=said["evidence"],
            )


# --- template ----------------------------------------------------------------------------------


def check_template(rule: Rule, report: Report) -> Iterator[Finding]:
    template = report.template
    year = report.meta.year
    expected = template_for_year(year) if year else None
    if expected is not None and expected.id != template.id:
        newer = TEMPLATES[template.id].first_year > expected.first_year
        yield rule.finding(
            [],
            "new_format" if newer else "old_format",
            year=year,
            expected=expected.id,
            issued_by=expected.issued_by,
            actual=template.id,
        )
    numbers = {s.id: s.number for s in SECTIONS}
    layout = report.layout.get("tables", {})
    for table in template.tables:
        info = layout.get(table.id, {})
        # a row whose numbers are printed but whose label was lost is not missing: LABEL says so
        missing = [r for r in info.get("rows_missing", []) if r not in info.get("unplaced", {})]
        if len(info.get("rows_missing", [])) == len(table.rows):
            yield rule.finding(
                table.cell_keys(), "missing_table", number=numbers[table.section], title=table.title
            )
            continue
        if info.get("collapsed"):
            yield rule.finding(
                [
                    k
                    for k in table.cell_keys()
                    if k.split(".")[1] in missing or k.split(".")[1] in info["collapsed"]
                ],
                "collapsed",
                template=template.id,
            )
            missing = [r for r in missing if not _collapsed_into(table, r, info["collapsed"], missing)]
        for row_id, printed in info.get("misprinted", {}).items():
            if likeness(printed, table.row(row_id)) >= LIKENESS:
                continue  # the statutory label with a typo: LABEL says so
            yield rule.finding(
                [k for k in table.cell_keys() if k.split(".")[1] == row_id],
                "renamed",
                number=numbers[table.section],
                row=table.row(row_id).printed,
                printed=printed,
            )
        if missing:
            yield rule.finding(
                [k for k in table.cell_keys() if k.split(".")[1] in missing],
                "missing_rows",
                number=numbers[table.section],
                count=len(missing),
                rows="、".join(f"“{table.row(r).short}”" for r in missing),
            )


def check_labels(rule: Rule, report: Report) -> Iterator[Finding]:
    """A row label printed with a typo, or lost: read as the row it plainly is, and said so;
    numbers whose row the arithmetic cannot confirm are named and left unread."""
    numbers = {s.id: s.number for s in SECTIONS}
    layout = report.layout.get("tables", {})
    for table in report.template.tables:
        info = layout.get(table.id, {})
        number = numbers[table.section]
        for row_id, printed in info.get("misprinted", {}).items():
            row = table.row(row_id)
            if likeness(printed, row) >= LIKENESS:
                yield rule.finding(table.row_keys(row), number=number, row=row.printed, printed=printed)
        for row_id in info.get("lost", []):
            row = table.row(row_id)
            yield rule.finding(table.row_keys(row), "lost", number=number, row=row.printed)
        for row_id, printed in info.get("unplaced", {}).items():
            row = table.row(row_id)
            yield rule.finding(
                table.row_keys(row), "unplaced", number=number, row=row.printed, printed=printed
            )


def _collapsed_into(table: TableSpec, row_id: str, collapsed: list[str], missing: list[str]) -> bool:
    """Missing rows printed as part of a collapsed row (those just before it) are not reported again."""
    ids = [row.id for row in table.rows]
    for row in collapsed:
        i = ids.index(row) - 1
        while i >= 0 and ids[i] in missing:
            if ids[i] == row_id:
                return True
            i -= 1
    return False


# --- narrative ---------------------------------------------------------------------------------


@cache
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def check_narrative(rule: Rule, report: Report) -> Iterator[Finding]:
    """A figure the narrative states with a statutory phrase must match one reading of the table."""
    claims: list[tuple[int, str]] = []
    for pattern in _compiled(tuple(rule.data["patterns"])):
        claims += [(int(m.group("n")), m.group()) for m in pattern.finditer(report.text)]
    for pattern in _compiled(tuple(rule.data["zero_patterns"])):
        claims += [(0, m.group()) for m in pattern.finditer(report.text)]
    if not claims:
        return
    readings = []
    for keys in rule.data["cells"]:
        values = [report.value(k) for k in keys]
        if None in values:  # a blank cell may hold anything: the figure cannot be compared
            return
        readings.append((keys, sum(values)))
    accepted = {total for _, total in readings}
    seen = set()
    for number, quote in claims:
        if number in accepted or quote in seen:
            continue
        seen.add(quote)
        keys, total = readings[0]
        with_carried = readings[1][1] if len(readings) > 1 else total
        yield rule.finding(
            list(dict.fromkeys(k for ks, _ in readings for k in ks)),
            quote=quote,
            table=_fmt(total),
            with_carried=_fmt(with_carried),
        )


def check_fee_note(rule: Rule, report: Report) -> Iterator[Finding]:
    if report.template.id == "2019" and (report.meta.year or 0) < 2021:
        return
    span = report.sections.get("other")
    if span is None:
        yield rule.finding([], "missing_section")
        return
    section = report.text[span[0] : span[1]]
    if not any(word in section for word in rule.data["mentions"]):
        yield rule.finding([], year=report.meta.year or "")


_CHECKS: dict[str, RuleCheck] = {
    "T3-BAL": check_identities,
    "T3-SUM": check_identities,
    "T3-ROW": check_identities,
    "T4-SUM": check_identities,
    "DOMAIN": check_domain,
    "TEMPLATE": check_template,
    "LABEL": check_labels,
    "BLANK": check_blank,
    "AMBIGUOUS": check_ambiguous,
    "SPLIT": check_split,
    "OCR-LOW": check_ocr,
    "TXT-RECEIVED": check_narrative,
    "TXT-DONE": check_narrative,
    "TXT-CARRIED": check_narrative,
    "TXT-CARRIED-OVER": check_narrative,
    "TXT-REVIEW": check_narrative,
    "TXT-LITIGATION": check_narrative,
    "FEE-NOTE": check_fee_note,
    "X-CARRY": crossyear.check_carry,
    "X-STOCK": crossyear.check_stock,
    "X-COPY-TEXT": crossyear.check_copy_text,
    "X-COPY-TABLES": crossyear.check_copy_tables,
}


def _load() -> tuple[Rule, ...]:
    text = resources.files(__package__).joinpath("rules.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    missing = set(data) ^ set(_CHECKS)
    if missing:
        raise RuntimeError(f"rules.toml and the rule functions disagree on: {sorted(missing)}")
    return tuple(
        Rule(rule_id, spec["severity"], spec["title"], spec, _CHECKS[rule_id], spec.get("scope", "report"))
        for rule_id, spec in data.items()
    )


RULES: tuple[Rule, ...] = _load()
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
