"""Comparison reports over two or more years: one body's cells (each change and its percentage,
the findings of every year, the narrative's similarity to the year before), or a region's key
figures year by year and body by body."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from xxgk.documents.common import SEVERITY, STATUS, cn_date, cn_number, rule_title
from xxgk.documents.model import Document, Heading, Paragraph, Table
from xxgk.documents.review import Entry, load_region, rate_text
from xxgk.errors import InputError
from xxgk.model import Value
from xxgk.store.columns import plain
from xxgk.store.compare import CellSeries, compare_series, copy_threshold
from xxgk.store.stats import MIN_CASES, Rate

if TYPE_CHECKING:
    from xxgk.store import Store

BLANK, ABSENT = "空", "—"  # a blank cell; a cell the year's template does not have


def _figure(value: Value) -> int | float | str:
    """A figure as a number (a whole Decimal as an int), so a spreadsheet can add it up."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, int | float) else plain(value)


def _value(value: Value, present: bool) -> object:
    if not present:
        return ABSENT
    return BLANK if value is None else _figure(value)


def change_text(change: Value) -> object:
    """A change as a figure (negative with its sign), or nothing where there is none."""
    return "" if change is None else _figure(change)


def percent_text(percent: float | None) -> str:
    return "" if percent is None else f"{percent:+.1f}%"


def growth(before: int | None, after: int | None) -> tuple[int | None, float | None]:
    """after − before, and that against before in per cent (None on a base of 0 or none)."""
    if before is None or after is None:
        return None, None
    return after - before, (after - before) / before * 100 if before else None


def _span(years: Sequence[int]) -> str:
    return f"{years[0]}—{years[-1]}年度" if len(years) > 2 else f"{years[0]}、{years[1]}年度"


def _cell_table(cells: list[CellSeries], years: tuple[int, ...], caption: str, sheet: str) -> Table:
    headers = ["单元格", *(f"{y}年度" for y in years)]
    for before, after in pairwise(years):
        headers += [f"{after}比{before}增减", "增减幅度"]
    rows: list[list[object]] = []
    for cell in cells:
        row: list[object] = [cell.label]
        row += [_value(v, here) for v, here in zip(cell.values, cell.present, strict=True)]
        for i in range(1, len(years)):
            row += [change_text(cell.change(i)), percent_text(cell.percent(i))]
        rows.append(row)
    widths = [3.0] + [1.0] * len(years) + [1.0] * (2 * (len(years) - 1))
    return Table.simple(headers, rows, caption=caption, sheet=sheet, widths=widths)


def body_comparison(
    store: Store, body: str, years: Sequence[int], *, all_cells: bool = False, day: date | None = None
) -> Document:
    """The changed cells (every cell with `all_cells`), each year's findings, the similarity."""
    series = compare_series(store, body, years)
    span = _span(series.years)
    doc = Document(
        title=f"{series.body}{span}政府信息公开工作年度报告比较",
        date=cn_date(day or date.today()),
        footnotes=[
            f"注：“{ABSENT}”表示该年度的报告格式没有这一栏，“{BLANK}”表示报告这一栏未填；"
            "增减幅度以上一年度的数字为基数，基数为零或未填的不计算。数字均为报告所印。"
        ],
    )
    templates = "、".join(
        f"{y}年度按{t}年版格式" for y, t in zip(series.years, series.templates, strict=True)
    )
    changed = series.changed
    doc.add(
        Paragraph(
            f"本表比较{series.body}{span}的政府信息公开工作年度报告（{templates}）。"
            f"共比较{len(series.cells)}个单元格，其中{len(changed)}个在相邻年度之间有变化。"
        )
    )
    heading = iter(
        f"{cn_number(n)}、{t}" for n, t in enumerate(("数据变化", "各年度的问题", "正文相似度"), 1)
    )
    shown = series.cells if all_cells else changed
    doc.add(Heading(next(heading)))
    if shown:
        caption = "表1 各单元格的数字" if all_cells else "表1 有变化的单元格"
        doc.add(_cell_table(shown, series.years, caption, "数据变化"))
    else:
        doc.add(Paragraph("各年度统计表的数字没有变化。"))

    doc.add(Heading(next(heading)))
    rows: list[list[object]] = [
        [
            f"{year}年度",
            rule_title(f.rule),
            SEVERITY.get(f.severity, f.severity),
            f.message,
            STATUS.get(f.status, f.status),
        ]
        for year in series.years
        for f in series.findings.get(year, [])
    ]
    counts = "，".join(f"{y}年度{len(series.findings.get(y, []))}个" for y in series.years)
    doc.add(Paragraph(f"各年度报告发现的问题（含与上一年度报告对照发现的问题）：{counts}。"))
    if rows:
        doc.add(
            Table.simple(
                ["年度", "问题类别", "严重程度", "问题", "审核状态"],
                rows,
                caption="表2 各年度的问题",
                sheet="各年度的问题",
                widths=[1, 1.8, 0.8, 5, 0.9],
            )
        )

    doc.add(Heading(next(heading)))
    threshold = copy_threshold()
    similar_rows: list[list[object]] = []
    for (before, after), score in zip(pairwise(series.years), series.similarities, strict=True):
        if score is None:
            similar_rows.append([f"{after}年度与{before}年度", "无法计算（缺少正文）", ""])
        else:
            similar_rows.append(
                [
                    f"{after}年度与{before}年度",
                    f"{100 * score:.0f}%",
                    "疑似照搬上年" if score >= threshold else "",
                ]
            )
    doc.add(
        Table.simple(
            ["比较的报告", "正文相似度", "说明"],
            similar_rows,
            caption="表3 正文与上一年度的相似度",
            sheet="正文相似度",
            widths=[2, 1.2, 1.5],
        )
    )
    return doc


def _pooled(entries: list[Entry], which: str, min_cases: int) -> Rate:
    """A region's rate: the parts of every report added up first (as `xxgk stats` pools them)."""
    rates = [getattr(e, which) for e in entries if getattr(e, which) is not None]
    return Rate(sum(r.numerator for r in rates), sum(r.denominator for r in rates), min_cases)


def region_comparison(
    store: Store, region: str, years: Sequence[int], *, day: date | None = None, min_cases: int = MIN_CASES
) -> Document:
    """The region's totals by year, then each body's applications and 公开率 year by year."""
    ordered = sorted({int(y) for y in years})
    if len(ordered) < 2:
        raise InputError("at least two different years are needed to compare", region)
    loaded = {year: load_region(store, region, year, min_cases) for year in ordered}
    span = _span(ordered)
    doc = Document(
        title=f"{region}{span}政府信息公开工作年度报告主要数据比较",
        date=cn_date(day or date.today()),
        footnotes=[
            "注：公开率 =（予以公开 + 部分公开）÷ 办理结果总计；纠错率 = 被纠错数 ÷（行政复议 + 行政诉讼）；"
            f"全地区的比率由各机关的数字相加后计算。标＊的比率分母不足{min_cases}件。"
            "增减幅度以上一年度的数字为基数。"
        ],
    )
    heading = iter(
        f"{cn_number(n)}、{t}" for n, t in enumerate(("总体情况", "各机关收到申请", "各机关公开率"), 1)
    )
    totals: list[list[object]] = []
    received_before: int | None = None
    for year in ordered:
        entries, findings = loaded[year]
        published = [e for e in entries if e.report is not None]
        received = sum(e.report.received or 0 for e in published if e.report is not None)
        change, percent = growth(received_before, received)
        totals.append(
            [
                f"{year}年度",
                len(entries),
                len(published),
                len(entries) - len(published),
                received,
                change_text(change),
                percent_text(percent),
                rate_text(_pooled(published, "disclosure", min_cases)),
                rate_text(_pooled(published, "correction", min_cases)),
                len(findings),
            ]
        )
        received_before = received
    doc.add(
        Heading(next(heading)),
        Table.simple(
            [
                "年度",
                "机关数",
                "已公布",
                "未找到",
                "收到申请",
                "比上年增减",
                "增减幅度",
                "公开率",
                "纠错率",
                "问题数",
            ],
            totals,
            caption="表1 全地区主要数据",
            sheet="总体情况",
            widths=[1.1, 0.8, 0.8, 0.8, 1, 1, 1, 1, 1, 0.8],
        ),
    )
    names = sorted({e.name for entries, _ in loaded.values() for e in entries})
    by_year = {year: {e.name: e for e in loaded[year][0]} for year in ordered}
    first, last = ordered[0], ordered[-1]
    received_rows: list[list[object]] = []
    rate_rows: list[list[object]] = []
    for name in names:
        entries = [by_year[y].get(name) for y in ordered]
        figures = [
            e.report.received if e and e.report and e.report.received is not None else None for e in entries
        ]
        row: list[object] = [name, *(ABSENT if v is None else v for v in figures)]
        change, percent = growth(figures[0], figures[-1])
        row += [change_text(change), percent_text(percent)]
        received_rows.append(row)
        rate_rows.append([name, *(rate_text(e.disclosure if e else None) for e in entries)])
    doc.add(
        Heading(next(heading)),
        Table.simple(
            ["机关", *(f"{y}年度" for y in ordered), f"{last}比{first}增减", "增减幅度"],
            received_rows,
            caption="表2 各机关收到政府信息公开申请数",
            sheet="各机关收到申请",
            widths=[3] + [1] * (len(ordered) + 2),
        ),
        Heading(next(heading)),
        Table.simple(
            ["机关", *(f"{y}年度" for y in ordered)],
            rate_rows,
            caption="表3 各机关公开率",
            sheet="各机关公开率",
            widths=[3] + [1] * len(ordered),
        ),
    )
    return doc
