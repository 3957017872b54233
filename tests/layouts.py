"""Random consistent report tables, and the layouts real reports print them in.

The round-trip tests (tests/test_roundtrip.py) generate the three statistical tables so that they obey
every arithmetic rule of FORMAT.md, print them as a whole report in one of the layouts seen in
scraped reports (tests/corpus), read the text back with `xxgk.parse_text` and compare cell by cell.
Because the data is consistent by construction, a changed cell or an error finding is the reader's
doing, never the data's.

The printed labels are written out here as the national format prints them (full-width
punctuation), not taken from the reader's template data, so that the tests check the reader against
the printed format rather than against itself. Only the row and column ids come from the templates.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from xxgk.templates import TEMPLATES, ColumnSpec, Template

Value = int | Decimal | None
Values = dict[str, Value]
Draw = Callable[[st.SearchStrategy[Any]], Any]

# Layouts whose cells are separated somehow: every cell must read back exactly.
SEPARATED = (
    "one_per_line",  # (a) one cell per line
    "blank_spaced",  # (b) cells between blank lines, with leading spaces
    "tabbed",  # (c) tab-indented cells, rows between blank lines
    "pipe_lines",  # (d) each cell followed by a line holding only |
    "markdown",  # (e) one markdown table per section, rows | label | v | v |
    "markdown_shifted",  # (f) markdown whose data cells are shifted against the header
    "fullwidth",  # (h) full-width punctuation, digits and U+3000 before numbers
    "broken_labels",  # (i) labels broken across two lines
)
# (g) every cell run together with no separator, as scrapers of some sites produce.
CONCATENATED = "concatenated"
# (j) OCR / LLM output: small broken tables, placeholder headers, page noise (tests/machine_markdown.py)
MACHINE_MARKDOWN = "machine_markdown"
LAYOUTS = (*SEPARATED, CONCATENATED, MACHINE_MARKDOWN)

WIDE = "\u3000"

# --------------------------------------------------------------------------------------------
# The printed format (国办公开办函〔2019〕60号 and 〔2021〕30号), full-width as published.

APPLICATION_LABELS: dict[str, tuple[str | None, str]] = {
    # row id -> (group label printed before the first row of a group, row label)
    "received": (None, "一、本年新收政府信息公开申请数量"),
    "carried_over": (None, "二、上年结转政府信息公开申请数量"),
    "granted": ("三、本年度办理结果", "（一）予以公开"),
    "partly_granted": (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "withheld_state_secret": ("（三）不予公开", "1.属于国家秘密"),
    "withheld_prohibited_by_law": (None, "2.其他法律行政法规禁止公开"),
    "withheld_security_stability": (None, "3.危及“三安全一稳定”"),
    "withheld_third_party": (None, "4.保护第三方合法权益"),
    "withheld_internal_affairs": (None, "5.属于三类内部事务信息"),
    "withheld_process_info": (None, "6.属于四类过程性信息"),
    "withheld_enforcement_file": (None, "7.属于行政执法案卷"),
    "withheld_inquiry": (None, "8.属于行政查询事项"),
    "unavailable_not_held": ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unavailable_needs_creation": (None, "2.没有现成信息需要另行制作"),
    "unavailable_unclear": (None, "3.补正后申请内容仍不明确"),
    "not_processed_complaint": ("（五）不予处理", "1.信访举报投诉类申请"),
    "not_processed_repeat": (None, "2.重复申请"),
    "not_processed_publication": (None, "3.要求提供公开出版物"),
    "not_processed_excessive": (None, "4.无正当理由大量反复申请"),
    "not_processed_confirmation": (None, "5.要求行政机关确认或重新出具已获取信息"),
    "other": (None, "（六）其他处理"),
    "other_no_correction": (
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    "other_unpaid_fee": (None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_misc": (None, "3.其他"),
    "total": (None, "（七）总计"),
    "carried_forward": (None, "四、结转下年度继续办理"),
}
APPLICANT_HEADER = (
    (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
        "",
        "",
        "",
        "",
        "",
        "",
    ),
    ("", "自然人", "法人或其他组织", "", "", "", "", "总计"),
    ("", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""),
)
OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
APPEALS_HEADER = (
    ("行政复议", "", "", "", "", "行政诉讼", *[""] * 9),
    (*OUTCOMES, "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""),
    ("", "", "", "", "", *OUTCOMES, *OUTCOMES),
)
# Table 二: (sub-header printed above a block, column labels, row ids with their labels)
ACTIVE_BLOCKS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...]] = {
    "2019": (
        (
            "第二十条第（一）项",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            (("regulations", "规章"), ("normative_documents", "规范性文件")),
        ),
        (
            "第二十条第（五）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
        ),
        (
            "第二十条第（六）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (("penalties", "行政处罚"), ("enforcement", "行政强制")),
        ),
        ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), (("fees", "行政事业性收费"),)),
        ("第二十条第（九）项", ("采购项目数量", "采购总金额"), (("procurement", "政府集中采购"),)),
    ),
    "2021": (
        (
            "第二十条第（一）项",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            (("regulations", "规章"), ("normative_documents", "行政规范性文件")),
        ),
        ("第二十条第（五）项", ("本年处理决定数量",), (("licensing", "行政许可"),)),
        (
            "第二十条第（六）项",
            ("本年处理决定数量",),
            (("penalties", "行政处罚"), ("enforcement", "行政强制")),
        ),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), (("fees", "行政事业性收费"),)),
    ),
}
HEADINGS = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
AGENCIES = (
    "某某县人民政府",
    "某某市某某区人民政府",
    "某某县某某镇人民政府",
    "某某市交通运输局",
    "某某区人民政府某某街道办事处",
)
YEARS = {"2019": (2019, 2020), "2021": (2021, 2022, 2023, 2024)}


# --------------------------------------------------------------------------------------------
# Values: realistic magnitudes, consistent with every identity of the template.


def count(draw: Draw, p_zero: float = 0.6, scale: int = 3) -> int:
    """A printed count: mostly 0, then 1–9, sometimes tens, rarely hundreds or thousands.

    `scale` caps the magnitude (0: below 10, … 3: below 10000), drawn once per table so that a
    small agency's table stays small. Written so that hypothesis shrinks every count to 0.
    """
    if draw(st.integers(0, 99)) < round(p_zero * 100):
        return 0
    size = min(draw(st.integers(0, 39)), (25, 35, 38, 39)[scale])
    if size < 26:
        return draw(st.integers(1, 9))
    if size < 36:
        return draw(st.integers(10, 99))
    if size < 39:
        return draw(st.integers(100, 999))
    return draw(st.integers(1000, 9999))


def signed(draw: Draw) -> int:
    """本年增/减 (2019): mostly 0, either sign."""
    value = count(draw, 0.6)
    return -value if value and draw(st.booleans()) else value


def amount(draw: Draw, p_zero: float = 0.4) -> Decimal:
    """An amount in 万元 with at most two decimals (158.85, 0.5, 1200)."""
    whole = count(draw, p_zero)
    cents = draw(st.sampled_from((0, 0, 50, 5, 85, 36, 99))) if draw(st.booleans()) else 0
    if whole == 0 and cents == 0:
        return Decimal(0)
    value = (Decimal(whole * 100 + cents) / 100).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value  # 1200, not 1.2E+3


# per applicant column and per outcome row: how likely a cell is 0 (so most tables are sparse)
_COLUMN_ZERO = {
    "natural_person": 0.4,
    "commercial": 0.75,
    "research": 0.95,
    "social_welfare": 0.95,
    "legal_services": 0.85,
    "other": 0.85,
}
_COMMON_OUTCOMES = {
    "granted",
    "partly_granted",
    "unavailable_not_held",
    "not_processed_complaint",
    "not_processed_repeat",
    "withheld_process_info",
    "other",
    "other_misc",
    "other_no_correction",
}


def applications(draw: Draw, template: Template) -> Values:
    """Table 三: each outcome cell drawn, then 总计, 结转 and 新收 derived so that T3-ROW, T3-SUM
    and T3-BAL hold for every row and column (carried_over is capped so received stays ≥ 0)."""
    table = template.table("applications")
    parts = [c.id for c in table.rows[0].columns if c.id != "total"]
    outcomes = [r.id for r in table.outcome_rows()]
    busy = draw(st.integers(0, 4))  # 0: no applications at all, as in most small agencies' reports
    scale = draw(st.integers(0, 3))
    out: Values = {}
    for c in parts:
        done = 0
        for r in outcomes:
            p_row = 0.3 if r in _COMMON_OUTCOMES else 0.85
            p_zero = 1 - (1 - _COLUMN_ZERO[c]) * (1 - p_row)
            value = count(draw, p_zero, scale) if busy else 0
            out[f"applications.{r}.{c}"] = value
            done += value
        forward = count(draw, 0.8, scale) if busy else 0
        over = min(count(draw, 0.8, scale), done + forward) if busy else 0
        out[f"applications.total.{c}"] = done
        out[f"applications.carried_forward.{c}"] = forward
        out[f"applications.carried_over.{c}"] = over
        out[f"applications.received.{c}"] = done + forward - over
    for row in table.rows:
        out[f"applications.{row.id}.total"] = sum(int(out[f"applications.{row.id}.{c}"]) for c in parts)
    return out


def appeals(draw: Draw, template: Template) -> Values:
    """Table 四: per group four outcomes and their 总计 (T4-SUM)."""
    busy = draw(st.integers(0, 2))
    scale = draw(st.integers(0, 2))
    out: Values = {}
    for row in template.table("appeals").rows:
        parts = [count(draw, 0.7, scale) if busy else 0 for _ in range(4)]
        for column, value in zip(row.columns, [*parts, sum(parts)], strict=True):
            out[f"appeals.{row.id}.{column.id}"] = value
    return out


def active(draw: Draw, template: Template) -> Values:
    """Table 二: no arithmetic; counts ≥ 0, 2019 本年增/减 signed, amounts in 万元."""
    out: Values = {}
    for row in template.table("active").rows:
        for column in row.columns:
            key = f"active.{row.id}.{column.id}"
            if column.kind == "signed":
                out[key] = signed(draw)
            elif column.kind == "amount":
                out[key] = amount(draw)
            else:
                out[key] = count(draw, 0.5)
    return out


@st.composite
def consistent_values(draw: Draw, template_id: str) -> Values:
    """All cells of a template's three tables, obeying every arithmetic rule."""
    template = TEMPLATES[template_id]
    return {**active(draw, template), **applications(draw, template), **appeals(draw, template)}


# --------------------------------------------------------------------------------------------
# The printed tables, as rows of cells (the order a scraper meets them in the HTML table).


@dataclass(frozen=True)
class PrintedRow:
    """A row of a printed table: header cells aligned to the table grid ("" where a cell spans),
    or a data row's label cells (group label first) and the keys of its value cells."""

    cells: tuple[str, ...]
    keys: tuple[str, ...] = ()

    @property
    def is_header(self) -> bool:
        return not self.keys


@dataclass(frozen=True)
class PrintedTable:
    id: str
    width: int  # grid columns of the aligned markdown form (labels joined into one cell)
    rows: tuple[PrintedRow, ...]


def printed_tables(template: Template) -> tuple[PrintedTable, ...]:
    """The three tables of `template` as the national format prints them."""
    active_rows: list[PrintedRow] = []
    for sub, labels, rows in ACTIVE_BLOCKS[template.id]:
        active_rows.append(PrintedRow((sub, "", "", "")))
        active_rows.append(PrintedRow(("信息内容", *labels, *[""] * (3 - len(labels)))))
        for row_id, label in rows:
            row = template.table("active").row(row_id)
            active_rows.append(PrintedRow((label,), tuple(f"active.{row_id}.{c.id}" for c in row.columns)))
    apps = template.table("applications")
    app_rows = [PrintedRow(cells) for cells in APPLICANT_HEADER]
    for row in apps.rows:
        group, label = APPLICATION_LABELS[row.id]
        cells = (group, label) if group else (label,)
        app_rows.append(PrintedRow(cells, tuple(f"applications.{row.id}.{c.id}" for c in row.columns)))
    appeal_keys = tuple(key for key in template.table("appeals").cell_keys())
    appeal_rows = [*(PrintedRow(cells) for cells in APPEALS_HEADER), PrintedRow((), appeal_keys)]
    tables = (
        PrintedTable("active", 4, tuple(active_rows)),
        PrintedTable("applications", 8, tuple(app_rows)),
        PrintedTable("appeals", 15, tuple(appeal_rows)),
    )
    _check_complete(template, tables)
    return tables


def _check_complete(template: Template, tables: tuple[PrintedTable, ...]) -> None:
    """The printed tables hold every cell of the template once, in template order."""
    printed = [key for table in tables for row in table.rows for key in row.keys]
    if printed != template.cell_keys():
        raise AssertionError(
            f"layouts.py prints {printed} but template {template.id} has {template.cell_keys()}"
        )


# --------------------------------------------------------------------------------------------
# How a report is printed.


@dataclass(frozen=True)
class Style:
    """The printing choices of one report (drawn, so that a failing example shows them)."""

    layout: str
    fullwidth: bool  # （一）：，as published; otherwise NFKC-folded (一):, as many scrapers leave it
    wide_digits: bool = False  # ０１２ in value cells (fullwidth layout)
    wide_indent: bool = False  # U+3000 before numbers (fullwidth layout, as in 003)
    break_labels: bool = False  # "本年新\n制作数量" (broken_labels layout)
    base: str = "one_per_line"  # the line layout a fullwidth / broken_labels report is built on
    amount_unit: str = ""  # "", "万元" or "元" after amounts
    two_decimals: bool = False  # 158.80 rather than 158.8
    plus_sign: bool = False  # +3 for a positive 本年增/减
    spaced: bool = False  # concatenated layout: a space after labels and between sections
    title_own_line: bool = True  # concatenated layout: title on its own line


@st.composite
def styles(draw: Draw, layout: str) -> Style:
    fullwidth = True if layout == "fullwidth" else draw(st.booleans())
    return Style(
        layout=layout,
        fullwidth=fullwidth,
        wide_digits=layout == "fullwidth" and draw(st.booleans()),
        wide_indent=layout == "fullwidth",
        break_labels=layout == "broken_labels",
        base=draw(st.sampled_from(("one_per_line", "blank_spaced", "tabbed", "pipe_lines")))
        if layout in ("fullwidth", "broken_labels")
        else layout,
        amount_unit=draw(st.sampled_from(("", "万元", "元"))),
        two_decimals=draw(st.booleans()),
        plus_sign=draw(st.booleans()),
        spaced=layout == CONCATENATED and draw(st.booleans()),
        title_own_line=layout != CONCATENATED or draw(st.booleans()),
    )


def value_text(value: Value, column: ColumnSpec, style: Style) -> str:
    """One value cell as printed: amounts in 万元 or 元, signs, full-width digits, U+3000 indent;
    None is a cell left blank."""
    if value is None:
        return ""
    if column.kind == "amount":
        number = Decimal(value)
        if style.amount_unit == "元":
            text = f"{int(number * 10000)}元" if number >= 0 else f"-{int(-number * 10000)}元"
        else:
            text = f"{number:.2f}" if style.two_decimals else f"{number:f}"
            text += style.amount_unit
    else:
        text = f"+{value}" if style.plus_sign and column.kind == "signed" and value > 0 else str(value)
    if style.wide_digits:
        text = text.translate(_WIDE_DIGITS)
    return (WIDE if style.wide_indent else "") + text


_WIDE_DIGITS = str.maketrans(
    {**{str(d): chr(0xFF10 + d) for d in range(10)}, ".": "．", "-": "－", "+": "＋"}
)


def break_label(label: str, rnd: random.Random) -> str:
    """A label broken across two lines between two ideographs, as narrow PDF/Word cells print it."""
    spots = [i for i in range(2, len(label) - 1) if _ideograph(label[i - 1]) and _ideograph(label[i])]
    if len(label) < 4 or not spots or rnd.random() < 0.3:
        return label
    i = rnd.choice(spots)
    return f"{label[:i]}\n{label[i:]}"


def _ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


class Printer:
    """Turns printed rows into text for one layout; `rnd` decides the noise (blank lines, shifts)."""

    def __init__(self, template: Template, values: Values, style: Style, rnd: random.Random) -> None:
        self.template = template
        self.values = values
        self.style = style
        self.rnd = rnd

    # --- cells ------------------------------------------------------------------------------

    def label(self, text: str) -> str:
        return break_label(text, self.rnd) if self.style.break_labels else text

    def value(self, key: str) -> str:
        _, _, column = self.template.cell(key)
        return value_text(self.values[key], column, self.style)

    def cells(self, row: PrintedRow) -> list[str]:
        """A row's non-empty cells in reading order (what a line layout prints)."""
        return [self.label(c) for c in row.cells if c] + [self.value(k) for k in row.keys]

    # --- layouts ------------------------------------------------------------------------------

    def table(self, table: PrintedTable) -> str:
        layout = self.style.base
        if layout in ("markdown", "markdown_shifted"):
            return self.markdown(table, shifted=layout == "markdown_shifted")
        if layout == CONCATENATED:
            gap = " " if self.style.spaced else ""
            out = []
            for row in table.rows:
                out += [c + gap for c in row.cells if c]
                out += [self.value(k) for k in row.keys]
            return "".join(out)
        if layout == "tabbed":
            return "\n\n".join(self.tabbed_row(row) for row in table.rows)
        cells = [cell for row in table.rows for cell in self.cells(row)]
        return self.join_lines(cells)

    def join_lines(self, pieces: list[str]) -> str:
        """Line layouts (a), (b), (d); also used for the paragraphs of the report."""
        layout = self.style.base
        if layout == "one_per_line":
            gap = self.rnd.choice(("\n", "\n\n"))
            return gap.join(pieces)
        if layout == "blank_spaced":
            out = []
            for piece in pieces:
                indent = self.rnd.choice(("", "", " ", "  ", "    ", WIDE * 2))
                spacer = self.rnd.choice(("\n\n", "\n  \n", "\n\n  \n\n", f"\n{WIDE}\n"))
                out.append(indent + piece + spacer)
            return "".join(out).rstrip()
        if layout == "pipe_lines":
            return "\n".join(f"{piece}\n|" for piece in pieces)
        if layout == "tabbed":
            return "\n\n".join(pieces)
        raise ValueError(layout)

    def tabbed_row(self, row: PrintedRow) -> str:
        """(c) as in 003: every cell on its own tab-indented line; header placeholders as a bare tab."""
        if row.is_header:
            cells = [self.label(c) if c else "" for c in row.cells]
            # keep a few spanned (empty) header cells as bare tabs, drop the rest
            cells = [c for c in cells if c or self.rnd.random() < 0.3]
        else:
            cells = self.cells(row)
        return "\n".join(f"\t{c}" for c in cells)

    def markdown(self, table: PrintedTable, *, shifted: bool) -> str:
        """(e) aligned grid with one label column, or (f) as 002: spanned cells dropped, values
        shifted by empty cells before, between and after, the table sometimes restarted."""
        rows: list[list[str]] = []
        for row in table.rows:
            if shifted:
                if row.is_header:
                    cells = [c for c in row.cells if c]
                    lead = self.rnd.choice((0, 0, 1, 2))
                    rows.append([""] * lead + cells)
                else:
                    lead = self.rnd.choice((0, 0, 1, 2)) if row.cells else 0
                    mid = self.rnd.choice((0, 0, 1)) if row.cells else 0
                    labels = [self.label(c) for c in row.cells]
                    rows.append([""] * lead + labels + [""] * mid + [self.value(k) for k in row.keys])
            elif row.is_header:
                rows.append(list(row.cells))
            else:
                labels = [" ".join(row.cells)] if row.cells else []
                rows.append(labels + [self.value(k) for k in row.keys])
        width = max(max(len(r) for r in rows), table.width)
        if shifted:
            width += self.rnd.choice((0, 0, 1, 2))
        separator = "|" + "|".join("-" * 6 for _ in range(width)) + "|"
        lines = []
        for i, cells in enumerate(rows):
            if i and shifted and self.rnd.random() < 0.05:
                # the scraper restarted the table: a blank line, an empty header, a separator
                lines += ["", "|" + " |" * width, separator]
            padded = cells + [""] * (width - len(cells))
            lines.append("| " + " | ".join(padded) + " |")
            if i == 0:
                lines.append(separator)
        return "\n".join(lines)

    def paragraphs(self, pieces: list[str]) -> str:
        layout = self.style.base
        if layout in ("markdown", "markdown_shifted"):
            return "\n\n".join(pieces)
        if layout == CONCATENATED:
            return (" " if self.style.spaced else "").join(pieces)
        if layout == "pipe_lines":
            return "\n".join(pieces)  # as in 004: only table cells are followed by |
        return self.join_lines(pieces)


# --------------------------------------------------------------------------------------------
# The whole report.


@dataclass(frozen=True)
class Case:
    """A generated report: what was printed and what a correct reader must return."""

    template_id: str
    year: int
    agency: str
    values: Values
    style: Style
    text: str = field(repr=False)
    lost: tuple[str, ...] = ()  # cells of rows printed without their label (machine markdown)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints this for a failing example; the text is printed by the test's note()."""
        printer.text(f"Case(template_id={self.template_id!r}, year={self.year}, style={self.style!r})")


def narrative(values: Values, template_id: str, year: int, agency: str) -> dict[str, list[str]]:
    """Narrative sentences for each section, their figures agreeing with the tables.

    Figures stand only where real reports put them and where they cannot be a table's cells: in
    sections 一, 五, 六, and before (never after) the tables in 二, 三, 四.
    """
    received = values["applications.received.total"]
    done = values["applications.total.total"]
    forward = values["applications.carried_forward.total"]
    review = values["appeals.review.total"]
    litigation = int(values["appeals.litigation_direct.total"] or 0) + int(
        values["appeals.litigation_after_review.total"] or 0
    )
    published = 20 + int(
        values["active.regulations." + ("published" if template_id == "2019" else "issued")] or 0
    )
    fee = "本年度未收取信息处理费。" if template_id == "2021" else "无。"
    return {
        "intro": [
            f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。本报告所列数据的统计期限"
            f"自{year}年1月1日起至{year}年12月31日止。"
        ],
        "overview": [
            "（一）主动公开情况",
            f"{year}年，{agency}通过政府网站主动公开政府信息{published}条，其中机构职能类信息3条。",
            "（二）依申请公开情况",
            f"全年共收到政府信息公开申请{received}件，办结{done}件，结转下年度继续办理{forward}件。",
            "（三）政府信息管理",
            "严格落实信息发布审核制度，确保公开内容准确规范。",
        ],
        "active": [f"截至{year}年12月31日，本机关主动公开政府信息情况如下："],
        "applications": [f"{year}年度收到和处理政府信息公开申请情况如下："],
        "appeals": [
            f"{year}年，本机关发生政府信息公开行政复议{review}件，行政诉讼{litigation}件。"
            if review or litigation
            else f"{year}年，本机关未发生政府信息公开行政复议、行政诉讼案件。"
        ],
        "problems": [
            f"{year}年，本机关政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容不够全面；"
            "二是政策解读形式较为单一。",
            f"{year + 1}年，我们将进一步完善工作机制，加强业务培训。",
        ],
        "other": [fee],
    }


def render(template_id: str, year: int, agency: str, values: Values, style: Style, rnd: random.Random) -> str:
    """The complete report text: title, intro, six sections with the three tables, signature."""
    template = TEMPLATES[template_id]
    printer = Printer(template, values, style, rnd)
    story = narrative(values, template_id, year, agency)
    tables = {t.id: t for t in printed_tables(template)}
    title = f"{agency}{year}年政府信息公开工作年度报告"
    body: list[str] = [printer.paragraphs(story["intro"])]
    for section, heading in HEADINGS.items():
        pieces = [heading, *story[section]]
        body.append(printer.paragraphs(pieces))
        if section in tables:
            body.append(printer.table(tables[section]))
    body.append(printer.paragraphs([agency, f"{year + 1}年1月{rnd.randint(10, 28)}日"]))
    if style.base == CONCATENATED:
        text = (" " if style.spaced else "").join(body)
        text = title + ("\n" if style.title_own_line else " ") + text
    elif style.base in ("markdown", "markdown_shifted", "tabbed"):
        text = title + "\n\n" + "\n\n".join(body)
    else:
        text = title + "\n\n" + printer.paragraphs(body)
    if not style.fullwidth:
        text = unicodedata.normalize("NFKC", text)
    return text + "\n"


@st.composite
def reports(draw: Draw, template_id: str, layout: str, values: Values | None = None) -> Case:
    """A consistent report of `template_id` printed in `layout` (or the given values printed so)."""
    if layout == MACHINE_MARKDOWN:
        from tests.machine_markdown import machine_reports  # it builds on this module

        return draw(machine_reports(template_id, values))
    if values is None:
        values = draw(consistent_values(template_id))
    year = draw(st.sampled_from(YEARS[template_id]))
    agency = draw(st.sampled_from(AGENCIES))
    style = draw(styles(layout))
    rnd = draw(st.randoms(use_true_random=False))
    text = render(template_id, year, agency, values, style, rnd)
    return Case(template_id, year, agency, values, style, text)
