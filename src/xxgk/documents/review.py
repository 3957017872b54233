"""A region's 通报: who published (and when, against the deadline), what was found, the key
figures ranked among peers of the same level, a chart, and every finding in an appendix."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from xxgk.documents.common import SEVERITY, STATUS, cn_date, cn_number, places, rule_title
from xxgk.documents.model import Document, Figure, Heading, Paragraph, Table
from xxgk.errors import InputError
from xxgk.store.findings import FindingFilter, FindingRow, conditions, finding_row, findings_query
from xxgk.store.models import Body, StoredFinding, StoredReport
from xxgk.store.regions import Hierarchy, id_condition
from xxgk.store.stats import MIN_CASES, Rate, report_rates

if TYPE_CHECKING:
    from xxgk.store import Store

LATE = "LATE"  # the rule whose stored findings say a report was published after its deadline
CHART_BARS = 30  # a chart of more bars cannot be read on a page
PARTS = ("总体情况", "报告公布情况", "发现的问题", "主要数据")
APPENDIX = "附录：问题清单"


@dataclass
class Entry:
    """One body of the region, with its current report of the year (None: not found)."""

    name: str
    level: str
    report: StoredReport | None
    disclosure: Rate | None = None
    correction: Rate | None = None


def rate_text(rate: Rate | None) -> str:
    if rate is None or rate.value is None:
        return "—"
    return f"{100 * rate.value:.1f}%" + ("＊" if rate.small else "")


def ranks(entries: list[Entry], which: str) -> dict[str, int]:
    """Rank (1 = highest; ties share a rank) among bodies of the same level; rates on too few
    cases and missing rates are not ranked."""
    out: dict[str, int] = {}
    by_level: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for entry in entries:
        rate = getattr(entry, which)
        if rate is not None and rate.value is not None and not rate.small:
            by_level[entry.level].append((rate.value, entry.name))
    for peers in by_level.values():
        values = sorted((v for v, _ in peers), reverse=True)
        for value, name in peers:
            out[name] = values.index(value) + 1
    return out


def load_region(store: Store, region: str, year: int, min_cases: int) -> tuple[list[Entry], list[FindingRow]]:
    """Every body whose region starts with `region`, with its current report of the year (or
    none) and its rates; the findings of those reports."""
    with store.session() as session:
        inside = Hierarchy.load(session).in_region(region)  # with the regions under it
        bodies = list(session.scalars(select(Body).where(id_condition(Body.id, inside)).order_by(Body.name)))
        if not bodies:
            raise InputError("no body in the store has this region (see `xxgk bodies import`)", region)
        ids = [b.id for b in bodies]
        reports = {
            r.body_id: r
            for r in session.scalars(
                select(StoredReport).where(
                    id_condition(StoredReport.body_id, ids), StoredReport.year == year, StoredReport.current
                )
            )
        }
        session.expunge_all()
        query = (
            findings_query()
            .where(*conditions(FindingFilter(year=year)), id_condition(StoredReport.body_id, ids))
            .order_by(Body.name, StoredFinding.id)
        )
        findings = [finding_row(*row) for row in session.execute(query)]
    entries = []
    for body in bodies:
        report = reports.get(body.id)
        entry = Entry(body.name, body.level or "未分级", report)
        if report is not None:
            entry.disclosure, entry.correction = report_rates(report, min_cases)
        entries.append(entry)
    return entries, findings


def review(
    store: Store,
    region: str,
    year: int,
    *,
    number: str = "",
    signer: str = "",
    day: date | None = None,
    min_cases: int = MIN_CASES,
) -> Document:
    entries, findings = load_region(store, region, year, min_cases)
    published = [e for e in entries if e.report is not None]
    missing = [e.name for e in entries if e.report is None]
    late = {f.body: f.message for f in findings if f.rule == LATE}
    severities = Counter(f.severity for f in findings)
    doc = Document(
        title=f"关于{region}{year}年度政府信息公开工作年度报告审核情况的通报",
        number=number,
        signer=signer,
        date=cn_date(day or date.today()),
        footnotes=[
            "注：公开率 =（予以公开 + 部分公开）÷ 办理结果总计；纠错率 = 被纠错数 ÷（行政复议 + 行政诉讼）。"
            f"标＊的比率分母不足{min_cases}件，不参与排名；排名在同一层级的机关之间进行。",
            "本通报所列数字均取自各机关报告所印的表格，附录逐条列出每个问题所在的报告和单元格。",
        ],
    )
    heading = iter(f"{cn_number(n)}、{title}" for n, title in enumerate(PARTS, start=1))

    # 一、总体情况
    missing_text = f"，未找到{len(missing)}个（{'、'.join(missing)}）" if missing else "，全部按要求公布"
    doc.add(
        Heading(next(heading)),
        Paragraph(
            f"本次对{region}{len(entries)}个机关的{year}年度政府信息公开工作年度报告进行了审核。"
            f"已公布{len(published)}个{missing_text}；晚于期限公布{len(late)}个。"
            f"共发现问题{len(findings)}个，其中错误{severities['error']}个、警告{severities['warning']}个，"
            f"涉及{len({f.body for f in findings})}个机关。"
        ),
    )

    # 二、报告公布情况
    rows: list[list[object]] = []
    for n, e in enumerate(entries, start=1):
        if e.report is None:
            rows.append([n, e.name, e.level, "未找到", "—", "—"])
            continue
        day_text = cn_date(e.report.published) if e.report.published else "未注明"
        deadline = (
            f"逾期：{late[e.name]}" if e.name in late else ("按期" if e.report.published else "无法判断")
        )
        rows.append([n, e.name, e.level, "已公布", day_text, deadline])
    doc.add(
        Heading(next(heading)),
        Table.simple(
            ["序号", "机关", "层级", "公布情况", "报告日期", "期限情况"],
            rows,
            caption="表1 报告公布情况",
            sheet="公布情况",
            widths=[0.6, 2.6, 0.8, 1.1, 1.8, 3.6],
        ),
    )

    # 三、发现的问题
    by_rule: dict[str, list[FindingRow]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    rule_rows: list[list[object]] = [
        [
            rule_title(rule),
            SEVERITY.get(group[0].severity, group[0].severity),
            len(group),
            len({f.body for f in group}),
        ]
        for rule, group in sorted(by_rule.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    doc.add(Heading(next(heading)))
    doc.add(
        Paragraph(f"共发现问题{len(findings)}个，按问题类别统计如下（逐条见附录）。")
        if findings
        else Paragraph("未发现问题。")
    )
    doc.add(
        Table.simple(
            ["问题类别", "严重程度", "问题数", "涉及机关数"],
            rule_rows,
            caption="表2 发现的问题（按类别）",
            sheet="问题统计",
            widths=[3, 1, 1, 1],
        )
    )

    # 四、主要数据
    disclosure_rank, correction_rank = ranks(published, "disclosure"), ranks(published, "correction")
    figure_rows: list[list[object]] = []
    for e in published:
        r = e.report
        assert r is not None and e.disclosure is not None and e.correction is not None
        figure_rows.append(
            [
                e.name,
                e.level,
                r.received if r.received is not None else "—",
                r.processed if r.processed is not None else "—",
                rate_text(e.disclosure),
                disclosure_rank.get(e.name, "—"),
                e.correction.denominator,
                rate_text(e.correction),
                correction_rank.get(e.name, "—"),
            ]
        )
    doc.add(
        Heading(next(heading)),
        Table.simple(
            [
                "机关",
                "层级",
                "收到申请",
                "办理总计",
                "公开率",
                "公开率排名",
                "复议诉讼",
                "纠错率",
                "纠错率排名",
            ],
            figure_rows,
            caption="表3 主要数据及同级排名",
            sheet="主要数据",
            widths=[2.6, 0.8, 1, 1, 1.1, 1, 1, 1.1, 1],
            ids=["", "", "applications.received.total", "applications.total.total", "", "", "", "", ""],
        ),
    )
    received = sorted(
        ((e.name, e.report.received) for e in published if e.report and e.report.received is not None),
        key=lambda item: -item[1],
    )
    if received:
        from xxgk.documents.chart import bar_chart

        shown = received[:CHART_BARS]
        caption = "图1 各机关收到政府信息公开申请数" + (
            f"（收到最多的{CHART_BARS}个机关，全部见表3）" if len(received) > CHART_BARS else ""
        )
        png = bar_chart([n for n, _ in shown], [float(v) for _, v in shown], "收到政府信息公开申请（件）")
        doc.add(Figure(png, caption))

    # 附录
    doc.add(Heading(APPENDIX))
    versions = {e.name: e.report for e in published}
    appendix: list[list[object]] = []
    for n, f in enumerate(findings, start=1):
        report = versions.get(f.body)
        template = report.template if report else ""
        cells = places(template, f.cells) or "—"
        appendix.append(
            [
                n,
                f.body,
                f"{f.year}年度第{f.version}版",
                cells,
                rule_title(f.rule),
                f.message,
                STATUS.get(f.status, f.status),
            ]
        )
    doc.add(
        Table.simple(
            ["序号", "机关", "报告", "单元格", "问题类别", "报告所印及问题", "审核状态"],
            appendix,
            caption="附表 问题清单",
            sheet="问题清单",
            widths=[0.5, 1.8, 1.1, 3, 1.5, 4, 0.9],
        )
    )
    return doc
