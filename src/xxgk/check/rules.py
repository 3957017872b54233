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
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from xxgk.check import crossyear
from xxgk.extract.labels import LIKENESS, likeness
from xxgk.extract.meta import body_level
from xxgk.model import Finding, Meta, Report, Severity, json_value
from xxgk.templates import META, SECTIONS, TEMPLATES, TableSpec, template_for_year
from xxgk.templates.arithmetic import Identity, Number, identities, likely_wrong, rule_positional

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
    pointed: dict[str, str] = {}  # table → the sentence naming its likely wrong cell
    for identity, positional in own:
        sides = positional.sides(in_order)
        if sides is None or sides[0] == sides[1] or any(cells[k].value is None for k in identity.keys):
            continue
        # the cells concerned: every cell of the identity, as any may be the misprinted one (a
        # term printed as 0 too); the totals first, then the terms that hold something
        concerned = [*identity.lhs, *sorted(identity.rhs, key=lambda k: cells[k].value == 0)]
        finding = rule.finding(
            concerned,
            subject=_subject(report, identity),
            lhs=_fmt(sides[0]),
            rhs=_fmt(sides[1]),
            lhs_terms=_terms(report, identity, identity.lhs),
            rhs_terms=_terms(report, identity, identity.rhs),
        )
        table_id = identity.lhs[0].split(".")[0]
        if table_id not in pointed:
            suspect = likely_wrong(report.template, {k: c.value for k, c in cells.items()}, table_id)
            pointed[table_id] = (
                rule.data["likely"].format(place=report.template.place(suspect[0]), value=_fmt(suspect[1]))
                if suspect
                else ""
            )
        if pointed[table_id]:
            finding = Finding(
                finding.rule, finding.severity, finding.cells, finding.message + pointed[table_id]
            )
        yield finding


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
    unread = _apart(report)
    for key, cell in report.cells.items():
        if cell.found and cell.value is None and key not in unread:
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
    unread = _apart(report)  # LABEL says why
    for key, cell in report.cells.items():
        if cell.ambiguous and key not in unread:
            by_row.setdefault(key.rsplit(".", 1)[0], []).append(key)
    for row_key, keys in by_row.items():
        table_id, row_id = row_key.split(".")
        layout = report.layout.get("tables", {}).get(table_id, {})
        if row_id in layout.get("lost", ()):
            continue  # a row read by its place: LABEL says why it is in doubt
        table = report.template.table(table_id)
        row_keys = table.row_keys(table.row(row_id))
        texts = [report.cells[k].text or "" for k in row_keys]
        printed = sum(1 for t in texts if t)
        others = layout.get("candidates", {}).get("" if table.unlabelled else row_id, [])
        hint = layout.get("preferred", {}).get(row_id)
        yield rule.finding(
            keys,
            "placement" if printed < len(texts) else "preferred" if hint else "message",
            evidence=hint["evidence"] if hint else "",
            row=table.title if table.unlabelled else table.row(row_id).short,
            text="".join(texts),
            reading="|".join(t or "空" for t in texts),
            printed=printed,
            columns=len(texts),
            candidates="；".join("|".join(t or "空" for t, _, _ in reading) for reading in others)
            or "见原文",
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


def check_decode(rule: Rule, report: Report) -> Iterator[Finding]:
    """Bytes the reader replaced because they did not decode (layout["undecodable"], see read.decode)."""
    undecodable = report.layout.get("undecodable")
    if not undecodable:
        return
    places = "、".join(rule.data["place"].format(**place) for place in undecodable["at"])
    if undecodable["count"] > len(undecodable["at"]):
        places += "等"
    yield rule.finding(
        [], encoding=undecodable["encoding"].upper(), count=undecodable["count"], places=places
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
            keys = table.row_keys(row)
            # read by its place, confirmed by the arithmetic, denied by it, or with none to tell
            if row_id in info.get("denied", ()):
                kind = "lost_denied"
            elif all(report.cells[key].value is None for key in keys):
                kind = "lost_blank"
            else:
                kind = "lost_in_doubt" if any(report.cells[key].ambiguous for key in keys) else "lost"
            yield rule.finding(keys, kind, number=number, row=row.printed)
        for row_id, printed in info.get("unplaced", {}).items():
            row = table.row(row_id)
            yield rule.finding(
                table.row_keys(row), "unplaced", number=number, row=row.printed, printed=printed
            )
        if info.get("among_header"):
            yield rule.finding(table.cell_keys(), "among_header", number=number, printed=info["among_header"])
        for apart in info.get("apart", []):
            rows = [table.row(row_id) for row_id in apart["rows"]]
            values = apart["printed"].split()
            printed = " ".join(values[:APART_SHOWN]) + (" …" if len(values) > APART_SHOWN else "")
            keys = [key for row in rows for key in table.row_keys(row)]
            named = "、".join(f"“{row.short}”" for row in rows[:ROWS_SHOWN]) + (
                "等" if len(rows) > ROWS_SHOWN else ""
            )
            if "stray" in apart:  # rows short of values, the numbers no row took
                yield rule.finding(
                    keys,
                    "stray",
                    number=number,
                    stray=apart["stray"],
                    printed=printed,
                    count=len(rows),
                    rows=named,
                )
                continue
            if "among_header" in apart:  # a table printed as one line, its numbers among its header
                count = apart["among_header"]
                why = (
                    rule.data["among_header_denied"]
                    if count == len(keys)
                    else rule.data["among_header_count"].format(cells=len(keys))
                )
                yield rule.finding(
                    keys, "among_header_unread", number=number, count=count, printed=printed, why=why
                )
                continue
            if "unordered" in apart:  # rows printed out of order
                yield rule.finding(keys, "unordered", number=number, count=len(rows), rows=named)
                continue
            yield rule.finding(
                keys,
                "apart",
                number=number,
                first=rows[0].printed,
                last=rows[-1].printed,
                count=len(rows),
                printed=printed,
            )


APART_SHOWN = 30  # numbers of rows left unread named in their finding, the rest as "…"
ROWS_SHOWN = 6  # rows left unread named in a `stray` finding, the rest as "等"


def _apart(report: Report) -> set[str]:
    """The cells of rows whose values were printed apart from them (left unread: LABEL names them)."""
    cells: set[str] = set()
    for table in report.template.tables:
        for apart in report.layout.get("tables", {}).get(table.id, {}).get("apart", []):
            for row_id in apart["rows"]:
                cells.update(table.row_keys(table.row(row_id)))
    return cells


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
    # without a section 六 (SECTION-MISSING says so) the fee may be stated elsewhere; only words
    # that no table label holds are looked for there (the tables print 收费 and 费用)
    if span is None:
        stated = any(word in report.text for word in rule.data["mentions_elsewhere"])
    else:
        stated = any(word in report.text[span[0] : span[1]] for word in rule.data["mentions"])
    if not stated:
        yield rule.finding([], year=report.meta.year or "")


# --- the narrative's totals and years, sections 五 and 六, the publication date ------------------


def _clause_before(text: str, start: int, limit: int, ends: str = "，,。；;：:\n") -> str:
    """The words before `start` back to the start of their clause (at most `limit` characters)."""
    window = text[max(0, start - limit) : start]
    return window[max(window.rfind(c) for c in ends) + 1 :]


def _sentence_after(text: str, end: int, limit: int) -> str:
    """The rest of the sentence from `end` (at most `limit` characters)."""
    window = text[end : end + limit]
    stops = [i for i in (window.find(c) for c in "。\n") if i >= 0]
    return window[: min(stops)] if stops else window


def check_active_total(rule: Rule, report: Report) -> Iterator[Finding]:
    """主动公开N条: its parts may not exceed it, nor may it fall short of the documents the table
    says were made this year (see rules.toml for why nothing else is provable)."""
    data, text = rule.data, report.text
    totals = []
    for pattern in _compiled(tuple(data["patterns"])):
        for match in pattern.finditer(text):
            clause = _clause_before(text, match.start(), data["clause_chars"])
            if not any(word in clause for word in data["subset_words"]):
                totals.append((int(match.group("n")), match))
    if not totals:
        return
    (part_pattern,) = _compiled((data["part"],))
    for total, match in totals:
        rest = _sentence_after(text, match.end(), data["part_chars"]).lstrip("，,（( ")
        if not rest.startswith("其中"):
            continue
        for item in re.split(f"[{data['part_marks']}]", rest.removeprefix("其中")):
            if any(word in item for word in data["part_stop_words"]):
                break
            if any(int(part.group("n")) > total for part in part_pattern.finditer(item)):
                yield rule.finding([], "parts", quote=match.group(), part=item.strip(" ）)"))
                break
    keys = data["cells"].get(report.template_id, [])
    cells = [report.cells[k] for k in keys]
    if not cells or any(c.value is None or c.ambiguous for c in cells):
        return
    stated = sum(int(c.value) for c in cells)  # type: ignore[arg-type]
    largest, match = max(totals, key=lambda t: t[0])
    if largest < stated:
        terms = []
        for cell in cells:
            _, row, column = report.template.cell(cell.key)
            terms.append(f"“{row.short}”{column.label}{_fmt(cell.value)}件")
        yield rule.finding(keys, "table", quote=match.group(), table=stated, terms="、".join(terms))


def _quote(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def check_year(rule: Rule, report: Report) -> Iterator[Finding]:
    """A statistics period, or a sentence about the body's own work, dated another year."""
    year = report.meta.year
    if year is None:
        return
    data, text = rule.data, report.text
    period, statement, lead, figure = _compiled(
        (data["period_pattern"], data["statement_pattern"], data["lead_pattern"], data["figure"])
    )
    reported: set[int] = set()
    for match in period.finditer(text):
        printed = _year_before(text, match.start())
        if printed is None:
            continue
        start = printed[0]
        end = int(match.group("y2")) if match.group("y2") else start
        if start == end != year and start not in reported:
            reported.add(start)
            quote = text[printed[1] : match.end()]
            yield rule.finding([], "period", year=year, quote=quote, other=start)
    actors = [*data["actor_words"], *([report.meta.agency] if report.meta.agency else [])]
    for match in statement.finditer(text):
        printed = _year_before(text, match.start())
        if printed is None or printed[0] >= year or printed[0] in reported:
            continue
        said, opening = printed
        before = _clause_before(text, opening, data["lead_chars"], data["sentence_ends"])
        if lead.fullmatch(before) is None:
            continue
        sentence = text[opening : match.end()] + _sentence_after(text, match.end(), data["sentence_chars"])
        by_body = any(word in sentence for word in actors)
        counted = figure.search(sentence) is not None
        if said < year - 1:
            suspect = by_body and counted
        else:  # last year's, in a report that names its own year nowhere but in a title or date
            suspect = (by_body or counted) and not _names_year(rule, text, year)
        if suspect:
            reported.add(said)
            quote = _quote(sentence, data["quote_chars"])
            yield rule.finding([], "statement", year=year, quote=quote, other=said)


# the year printed before a 年 the patterns start with (they start with 年 to be searched fast)
_YEAR_BEFORE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s{0,3}\Z")


def _year_before(text: str, end: int) -> tuple[int, int] | None:
    """The year printed just before `end` and where it starts."""
    match = _YEAR_BEFORE.search(text, max(0, end - 7), end)
    return (int(match.group(1)), match.start()) if match else None


def _names_year(rule: Rule, text: str, year: int) -> bool:
    """Whether the text names `year` other than in a title, a date line or a plan."""
    data = rule.data
    title, date_line = _compiled((data["title_pattern"], data["date_line_pattern"]))
    for match in re.finditer(rf"(?<!\d){year}\s*年", text):
        if title.match(text, match.end()):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        if date_line.fullmatch(text, line_start, line_end if line_end >= 0 else len(text)):
            continue
        limit = data["sentence_chars"]
        sentence = _clause_before(text, match.start(), limit, data["sentence_ends"]) + _sentence_after(
            text, match.start(), limit
        )
        if not any(word in sentence for word in data["plan_words"]):
            return True
    return False


_SIGNATURE_DATE = re.compile(
    r"(?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?"
    r"|(?:19|20)\d{3,6}"  # as scrapers mangle it: 2021115
    # 二〇二四年一月二十日
    r"|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
)
_SIGNATURE_NAME = re.compile(r"[\u4e00-\u9fff()（）]{2,40}")


def _holds_text(content: str, agency: str | None) -> bool:
    """Whether a section holds any words before the signature (the body's name, the date) that
    may close it; what follows a signature (a site's footer) is not the section's."""
    lines = [line.strip() for line in content.split("\n")]
    printed = [line for line in lines if line]
    for i, line in enumerate(printed):
        following = printed[i + 1] if i + 1 < len(printed) else ""
        named = line == agency or (
            _SIGNATURE_NAME.fullmatch(line) is not None
            and line.endswith(META.agency_suffixes)
            and _SIGNATURE_DATE.fullmatch(following) is not None
        )
        if named or _SIGNATURE_DATE.fullmatch(line):
            printed = printed[:i]
            break
    return any(ch.isalnum() for line in printed for ch in line)


def check_sections(rule: Rule, report: Report) -> Iterator[Finding]:
    numbers = {s.id: s.number for s in SECTIONS}
    for section_id, spec in rule.data["sections"].items():
        fields = {"number": numbers[section_id], "title": spec["title"]}
        span = report.sections.get(section_id)
        if span is None:
            # printed otherwise numbered (5. 其他需要报告的事项, ## 其他需要报告的事项): not missing
            if not any(word in report.text for word in spec["words"]):
                yield rule.finding([], "missing", **fields)
        elif not _holds_text(report.text[span[0] : span[1]], report.meta.agency):
            yield rule.finding([], "empty", **fields)


_TITLE_SUBJECT = re.compile(
    r"^\s*(?:标题|题目)?\s*:?\s*(?P<pre>[^\s:]*?)\s*(?:关于)?(?:19|20)\d{2}\s*年度?\s*(?P<mid>\S*?)政府信息公开"
)


def _level(meta: Meta, data: Mapping[str, Any]) -> str | None:
    """The level of the body whose report it is: the title's subject first (a government's own
    report is often signed by its 办公室), else the signing body; None where neither tells."""
    uncertain, offices = tuple(data["uncertain_endings"]), tuple(data["office_endings"])
    subject = _TITLE_SUBJECT.match(meta.title or "")
    name = (subject.group("pre") or subject.group("mid")) if subject else None
    if name and body_level(name) is not None:
        return None if name.endswith(uncertain) else body_level(name)
    if meta.agency and meta.agency.endswith(uncertain + offices):
        return None
    return meta.level


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_late(rule: Rule, report: Report) -> Iterator[Finding]:
    meta = report.meta
    if not meta.published or meta.year is None:
        return
    try:
        published = date.fromisoformat(meta.published)
    except ValueError:
        return
    deadlines = rule.data["deadlines"]
    due = {level: date(meta.year + 1, d["month"], d["day"]) for level, d in deadlines.items()}
    level = _level(meta, rule.data)
    if level in deadlines:
        if published <= due[level]:
            return
        spec = deadlines[level]
        yield rule.finding(
            [],
            "assumed" if spec.get("assumed") else "message",
            date=_cn_date(published),
            deadline=f"{spec['month']}月{spec['day']}日",
            basis=spec["basis"],
            kind=spec["kind"],
        )
        return
    statutory = sorted(day for lvl, day in due.items() if not deadlines[lvl].get("assumed"))
    first, last = statutory[0], statutory[-1]
    if published > first:
        passed = last if published > last else first
        yield rule.finding(
            [],
            "unknown",
            date=_cn_date(published),
            deadline=f"{passed.month}月{passed.day}日",
            first=f"{first.month}月{first.day}日",
            last=f"{last.month}月{last.day}日",
        )


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
    "DECODE": check_decode,
    "TXT-RECEIVED": check_narrative,
    "TXT-DONE": check_narrative,
    "TXT-CARRIED": check_narrative,
    "TXT-CARRIED-OVER": check_narrative,
    "TXT-REVIEW": check_narrative,
    "TXT-LITIGATION": check_narrative,
    "FEE-NOTE": check_fee_note,
    "TXT-ACTIVE": check_active_total,
    "YEAR": check_year,
    "SECTION-MISSING": check_sections,
    "LATE": check_late,
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
