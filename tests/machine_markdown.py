"""Machine-made markdown: a report run through OCR or an LLM, its tables broken as no typesetter
breaks them (issue 13, point 1).

The values are the same rule-abiding tables as every other layout (layouts.py); only the printing
differs. Each breakage is a field of `MachineStyle`, drawn independently, so that hypothesis tries
them together and a failing example names the ones that were on:

  (a) `split`: one small table per row group or per row, each with a header line and separator;
  (b) `placeholders`: header cells that mean nothing (数据1 …, 列1 …, Column 1 …, (数据项目), -, "");
  (c) `lost_labels`: rows of table 三 printed as bare numbers, their label lost (`Case.lost`);
  (d) `page_breaks`: page markers, the title and the section heading repeated mid-table;
      `fragments`: tables holding only a header, rows holding only `-`;
  (e) `foreign_header`: a header row of a table printed again inside table 二 or 三;
  (f) `appeals_split`: table 四 as three small tables told apart by the heading above each;
  (g) `annotations`: table 二 counts printed `22（其中修订16件）`;
  (h) `numbering`: section headings numbered 1. / （三） / 第三部分 / not at all, as `##` or `###`.

A row whose label was lost is confirmed only by arithmetic, so it is drawn among the outcome rows
of table 三, whose T3-SUM column sums fix its place.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.layouts import (
    AGENCIES,
    HEADINGS,
    MACHINE_MARKDOWN,
    OUTCOMES,
    YEARS,
    Case,
    Draw,
    PrintedRow,
    PrintedTable,
    Style,
    Values,
    consistent_values,
    narrative,
    printed_tables,
    value_text,
)
from xxgk.templates import TEMPLATES, Template

SPLITS = ("whole", "group", "row")
# how a tool numbers the six sections: 一、 as the format prints, or otherwise
NUMBERINGS = ("statutory", "arabic", "paren", "part", "none")
# the breakages `only=` can single out (each names one field of MachineStyle)
BREAKAGES = (
    "split",
    "placeholders",
    "lost_labels",
    "page_breaks",
    "fragments",
    "foreign_header",
    "appeals_split",
    "annotations",
    "numbering",
)

APPLICANT_LEAVES = ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
APPEAL_GROUPS = (
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
    ("litigation_after_review", "行政诉讼（复议后起诉）"),
)
ANNOTATIONS = ("（其中修订{n}件）", "（含自然失效{n}件）", "（其中新制定{n}件）", "（其中网上办理{n}件）")
PAGE_MARKS = ("第 {n} 页", "- {n} -", "<!-- page {n} -->", "{n}/{total}", "第{n}页 共{total}页")
NUMERALS = "一二三四五六"


@dataclass(frozen=True)
class MachineStyle(Style):
    """The breakages of one machine-made report (all off: plain aligned markdown, one table each)."""

    split: str = "whole"  # (a) "whole" table, a table per row "group", or per "row"
    placeholders: bool = False  # (b) header lines of placeholders, drawn per table
    drop_column_labels: bool = False  # (b) with placeholders: the real column-label rows are not printed
    lost_labels: tuple[str, ...] = ()  # (c) row ids of table 三 printed without their label
    page_breaks: bool = False  # (d) page marker / title / section heading between two rows
    fragments: bool = False  # (d) header-only tables and `| - | - |` rows between two rows
    foreign_header: bool = False  # (e) another table's (or the same one's) header row inside 二 or 三
    appeals_split: bool = False  # (f) table 四 as one small table per group under ### headings
    annotations: bool = False  # (g) 22（其中修订16件） in table 二's count cells
    numbering: str = "statutory"  # (h) section numbering, see NUMBERINGS
    heading_marks: str = "##"  # (h) "##" or "###" before section headings


@st.composite
def machine_styles(draw: Draw, template_id: str, only: str | None = None) -> MachineStyle:
    """A drawn MachineStyle; with `only`, that breakage is on and every other one off."""

    def on(name: str) -> bool:
        return name == only if only else draw(st.booleans())

    outcomes = [r.id for r in TEMPLATES[template_id].table("applications").outcome_rows()]
    placeholders = on("placeholders")
    return MachineStyle(
        layout=MACHINE_MARKDOWN,
        base=MACHINE_MARKDOWN,
        fullwidth=draw(st.booleans()),
        amount_unit=draw(st.sampled_from(("", "万元"))),
        two_decimals=draw(st.booleans()),
        plus_sign=draw(st.booleans()),
        split=draw(st.sampled_from(SPLITS[1:])) if on("split") else "whole",
        placeholders=placeholders,
        drop_column_labels=placeholders and draw(st.booleans()),
        lost_labels=tuple(draw(st.lists(st.sampled_from(outcomes), min_size=1, max_size=2, unique=True)))
        if on("lost_labels")
        else (),
        page_breaks=on("page_breaks"),
        fragments=on("fragments"),
        foreign_header=on("foreign_header"),
        appeals_split=on("appeals_split"),
        annotations=on("annotations"),
        numbering=draw(st.sampled_from(NUMBERINGS[1:])) if on("numbering") else "statutory",
        heading_marks=draw(st.sampled_from(("##", "###"))),
    )


@dataclass
class Line:
    """A table row as the tool prints it: its cells, and whether it holds values (not a header)."""

    cells: list[str]
    data: bool
    group: bool = False  # opens a row group (a group label, or a numbered top-level item)


class MachinePrinter:
    """Prints one report as machine-made markdown; `rnd` decides positions and spellings."""

    def __init__(
        self, template: Template, values: Values, style: MachineStyle, rnd: random.Random, title: str
    ) -> None:
        self.template = template
        self.values = values
        self.style = style
        self.rnd = rnd
        self.title = title
        self.pages = rnd.randint(6, 20)
        self.page = rnd.randint(1, 3)

    # --- headings and noise -------------------------------------------------------------------

    def heading(self, section: str) -> str:
        number, text = HEADINGS[section].split("、", 1)
        n = NUMERALS.index(number) + 1
        numbered = {
            "statutory": f"{number}、{text}",
            "arabic": f"{n}{self.rnd.choice(('. ', '、'))}{text}",
            "paren": f"（{number}）{text}",
            "part": f"第{number}部分 {text}",
            "none": text,
        }[self.style.numbering]
        return f"{self.style.heading_marks} {numbered}"

    def page_break(self, section: str) -> list[str]:
        """What a page break leaves between two rows: the page's footer marker, the next page's
        running title, the section heading repeated (at least one of them)."""
        self.page += 1
        mark = self.rnd.choice(PAGE_MARKS).format(n=self.page, total=self.pages)
        kept = [self.rnd.random() < 0.6 for _ in range(3)]
        if not any(kept):
            kept[self.rnd.randrange(3)] = True
        lines = [
            line for line, keep in zip((mark, self.title, self.heading(section)), kept, strict=True) if keep
        ]
        return "\n\n".join(lines).split("\n") if self.rnd.random() < 0.5 else lines

    def placeholder(self, width: int) -> list[str]:
        """A header line that means nothing, drawn per table."""
        kind = self.rnd.randrange(6)
        if kind == 0:
            return [self.rnd.choice(("(数据项目)", "项目", "")), *(f"数据{i}" for i in range(1, width))]
        if kind == 1:
            return [f"列{i}" for i in range(1, width + 1)]
        if kind == 2:
            return [f"Column {i}" for i in range(1, width + 1)]
        if kind == 3:
            return ["(数据项目)", *[""] * (width - 1)]
        if kind == 4:
            return ["-"] * width
        return [""] * width

    def fragment(self, width: int, leaves: list[str]) -> list[str]:
        """A table that carries nothing: a header alone, or rows of `-` (with or without a header)."""
        dashes = "| " + " | ".join(["-"] * width) + " |"
        kind = self.rnd.randrange(3)
        if kind == 0:
            return self.grid(self.header(leaves, width), [])
        if kind == 1:
            return self.grid(self.header(leaves, width), [["-"] * width])
        return [dashes]

    # --- tables -------------------------------------------------------------------------------

    def header(self, leaves: list[str], width: int) -> list[str]:
        if self.style.placeholders:
            return self.placeholder(width)
        return (leaves + [""] * width)[:width] if len(leaves) < width else leaves

    @staticmethod
    def grid(header: list[str] | None, body: list[list[str]]) -> list[str]:
        """Markdown lines: header line and separator (unless None), then the body rows as they are."""
        lines = []
        if header is not None:
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return lines

    def value(self, key: str) -> str:
        _, _, column = self.template.cell(key)
        text = value_text(self.values[key], column, self.style)
        value = self.values[key]
        if (
            self.style.annotations
            and key.startswith("active.")
            and column.kind == "count"
            and value
            and self.rnd.random() < 0.4
        ):
            text += self.rnd.choice(ANNOTATIONS).format(n=self.rnd.randint(1, int(value)))
        return text

    def lines(self, table: PrintedTable) -> tuple[list[Line], list[list[str]]]:
        """The table's rows as the tool prints them, and for each row the real column labels a
        header line above it would carry."""
        rows: list[Line] = []
        leaves: list[list[str]] = []
        current = {"active": ["信息内容"], "applications": list(APPLICANT_LEAVES)}.get(
            table.id, list(OUTCOMES * 3)
        )
        for printed in table.rows:
            if printed.is_header:
                labels = [c for c in printed.cells if c]
                if table.id == "active" and printed.cells[0] == "信息内容":
                    current = labels
                if self.style.drop_column_labels and len(labels) > 1:
                    continue
                rows.append(Line(list(printed.cells), data=False))
            else:
                rows.append(self.data_line(table, printed))
            leaves.append(current)
        return rows, leaves

    def data_line(self, table: PrintedTable, printed: PrintedRow) -> Line:
        values = [self.value(k) for k in printed.keys]
        if not printed.cells:
            return Line(values, data=True)
        row_id = printed.keys[0].split(".")[1]
        lost = table.id == "applications" and row_id in self.style.lost_labels
        label = "" if lost else " ".join(printed.cells)
        top = printed.cells[-1][:2] in {f"{n}、" for n in NUMERALS} or printed.cells[-1].startswith("（七）")
        return Line([label, *values], data=True, group=len(printed.cells) > 1 or top)

    def starts_block(self, rows: list[Line], i: int) -> bool:
        """Whether row i opens a new small table under the style's split (a header stays with the
        rows below it)."""
        if i == 0:
            return True
        row, before = rows[i], rows[i - 1]
        if self.style.split == "whole" or not before.data:
            return False
        if self.style.split == "row":
            return True
        return not row.data or row.group or self.rnd.random() < 0.2

    def foreign_rows(
        self, table: PrintedTable, tables: dict[str, PrintedTable], leaves: list[str]
    ) -> list[str]:
        """A header row another table (or this one, repeated) prints, for (e). Table 二 never gets
        another block's column labels: those would rightly change the meaning of its columns."""
        own = [list(r.cells) for r in tables["applications"].rows if r.is_header]
        own += [list(r.cells) for r in tables["appeals"].rows if r.is_header]
        if table.id == "active":
            own.append(leaves)
        else:
            own += [list(r.cells) for r in tables["active"].rows if r.is_header and r.cells[0] == "信息内容"]
        return self.rnd.choice(own)

    def table(self, table: PrintedTable, section: str, tables: dict[str, PrintedTable]) -> str:
        rows, leaves = self.lines(table)
        width = max(len(r.cells) for r in rows) if self.style.split == "whole" else 0
        inside = [i for i in range(1, len(rows)) if rows[i - 1].data and rows[i].data] or list(
            range(1, len(rows))
        )
        noise: dict[int, str] = {}
        for name in ("page_breaks", "fragments", "foreign_header"):
            if inside and getattr(self.style, name) and (name != "foreign_header" or table.id != "appeals"):
                for _ in range(self.rnd.randint(1, 3)):
                    noise.setdefault(self.rnd.choice(inside), name)
        chunks: list[list[str]] = []  # each chunk: markdown lines printed together
        block: list[list[str]] = []
        header: list[str] | None = None

        def close() -> None:
            if block or header is not None:
                chunks.append(self.grid(header, block))

        for i, row in enumerate(rows):
            kind = noise.get(i)
            if kind == "foreign_header" and self.rnd.random() < 0.5:
                block.append(self.foreign_rows(table, tables, leaves[i]))  # a stray row in the table
                kind = None
            if self.starts_block(rows, i) or kind:
                close()
                if kind == "page_breaks":
                    chunks.append(self.page_break(section))
                elif kind == "fragments":
                    chunks.append(self.fragment(width or len(row.cells), leaves[i]))
                block = []
                w = width or max(len(r.cells) for r in rows[i : i + 3])
                if kind == "foreign_header":
                    header = self.foreign_rows(table, tables, leaves[i])  # the table restarts under it
                elif kind == "page_breaks" and self.rnd.random() < 0.3:
                    header = None  # the rows go on after the break without a header line of their own
                elif row.data or self.style.placeholders:
                    header = self.header(leaves[i], w)
                else:
                    header = row.cells
                    continue
            block.append(row.cells)
        close()
        return "\n\n".join("\n".join(chunk) for chunk in chunks)

    def appeals_groups(self) -> str:
        """(f) One small table per group, told apart only by the heading above it."""
        marks = self.style.heading_marks + "#"
        out = []
        for row_id, heading in APPEAL_GROUPS:
            keys = [f"appeals.{row_id}.{c.id}" for c in self.template.table("appeals").row(row_id).columns]
            out.append(
                f"{marks} {heading}\n\n"
                + "\n".join(self.grid(list(OUTCOMES), [[self.value(k) for k in keys]]))
            )
        return "\n\n".join(out)


def render_machine(
    template_id: str, year: int, agency: str, values: Values, style: MachineStyle, rnd: random.Random
) -> str:
    """The whole report as machine-made markdown: `# title`, headed sections, broken tables."""
    template = TEMPLATES[template_id]
    title = f"{agency}{year}年政府信息公开工作年度报告"
    printer = MachinePrinter(template, values, style, rnd, title)
    story = narrative(values, template_id, year, agency)
    tables = {t.id: t for t in printed_tables(template)}
    body = [f"# {title}", *story["intro"]]
    for section in HEADINGS:
        body += [printer.heading(section), *story[section]]
        if section == "appeals" and style.appeals_split:
            body.append(printer.appeals_groups())
        elif section in tables:
            body.append(printer.table(tables[section], section, tables))
    body += [agency, f"{year + 1}年1月{rnd.randint(10, 28)}日"]
    text = "\n\n".join(body)
    if not style.fullwidth:
        text = unicodedata.normalize("NFKC", text)
    return text + "\n"


@st.composite
def machine_reports(
    draw: Draw, template_id: str, values: Values | None = None, only: str | None = None
) -> Case:
    """A consistent report printed as machine-made markdown; `Case.lost` holds the cells of the
    rows printed without their label."""
    if values is None:
        values = draw(consistent_values(template_id))
    year = draw(st.sampled_from(YEARS[template_id]))
    agency = draw(st.sampled_from(AGENCIES))
    style = draw(machine_styles(template_id, only))
    rnd = draw(st.randoms(use_true_random=False))
    text = render_machine(template_id, year, agency, values, style, rnd)
    table = TEMPLATES[template_id].table("applications")
    lost = tuple(f"applications.{r}.{c.id}" for r in style.lost_labels for c in table.row(r).columns)
    return Case(template_id, year, agency, values, style, text, lost)
