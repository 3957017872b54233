"""A report as the national format prints it: paragraphs and tables with merged cells.

Format round-trip tests render these blocks into HTML, DOCX and PDF and read them back. The
table layouts follow the national templates (国办公开办函〔2019〕60号, 〔2021〕30号): merged
header cells, the 三、本年度办理结果 and （三）… group cells spanning their rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xxgk.templates import TEMPLATES, RowSpec, TableSpec

Value = int | Decimal | None
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Block:
    """A paragraph (`text`) or a table (`cells`)."""

    text: str | None = None
    cells: list[Cell] | None = None


def fmt(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _active(table: TableSpec, values: dict[str, Value]) -> list[Cell]:
    """Each 第二十条 group: a title row, a header row, its data rows; 4 grid columns."""
    cells: list[Cell] = []
    r = 0
    groups = {
        "regulations": "第二十条第（一）项",
        "licensing": "第二十条第（五）项",
        "penalties": "第二十条第（六）项",
        "fees": "第二十条第（八）项",
        "procurement": "第二十条第（九）项",
    }
    previous_columns = None
    for row in table.rows:
        if row.id in groups or row.columns is not previous_columns:
            if row.id in groups:
                cells.append(Cell(groups[row.id], r, 0, colspan=4))
                r += 1
            width = 3 // len(row.columns)
            cells.append(Cell("信息内容", r, 0))
            for i, column in enumerate(row.columns):
                cells.append(
                    Cell(
                        column.label,
                        r,
                        1 + i * width,
                        colspan=width if i < len(row.columns) - 1 else 3 - i * width,
                    )
                )
            r += 1
            previous_columns = row.columns
        width = 3 // len(row.columns)
        cells.append(Cell(row.label, r, 0))
        for i, column in enumerate(row.columns):
            span = width if i < len(row.columns) - 1 else 3 - i * width
            cells.append(Cell(fmt(values[f"active.{row.id}.{column.id}"]), r, 1 + i * width, colspan=span))
        r += 1
    return cells


def _group_spans(rows: tuple[RowSpec, ...]) -> dict[str, int]:
    """How many rows each printed group label spans, keyed by its first row."""
    spans: dict[str, int] = {}
    current = None
    for row in rows:
        if row.group and row.enum and row.enum[0].isdigit():
            current = row.id
            spans[current] = 0
        elif not (row.enum and row.enum[0].isdigit()):
            current = None
        if current:
            spans[current] += 1
    return spans


def _applications(table: TableSpec, values: dict[str, Value]) -> list[Cell]:
    """Three label columns (三、… / （三）… / 1.…), seven value columns, a three-row header."""
    columns = table.rows[0].columns
    cells = [
        Cell(
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, 0, rowspan=3, colspan=3
        ),
        Cell("申请人情况", 0, 3, colspan=7),
        Cell("自然人", 1, 3, rowspan=2),
        Cell("法人或其他组织", 1, 4, colspan=5),
        Cell("总计", 1, 9, rowspan=2),
    ]
    cells += [Cell(c.label, 2, 4 + i) for i, c in enumerate(columns[1:6])]
    spans = _group_spans(table.rows)
    outcomes = [r.id for r in table.outcome_rows()]
    r = 3
    for row in table.rows:
        if row.id == outcomes[0]:
            cells.append(Cell("三、本年度办理结果", r, 0, rowspan=len(outcomes)))
        numbered = bool(row.enum and row.enum[0].isdigit())
        if row.id in spans:
            cells.append(Cell(row.group or "", r, 1, rowspan=spans[row.id]))
        if numbered:
            cells.append(Cell(f"{row.enum}{row.label}", r, 2))
        elif row.id in outcomes:
            cells.append(Cell(f"{row.enum}{row.label}", r, 1, colspan=2))
        else:
            cells.append(Cell(f"{row.enum}{row.label}", r, 0, colspan=3))
        for i, column in enumerate(columns):
            cells.append(Cell(fmt(values[f"applications.{row.id}.{column.id}"]), r, 3 + i))
        r += 1
    return cells


def _appeals(table: TableSpec, values: dict[str, Value]) -> list[Cell]:
    labels = [c.label for c in table.rows[0].columns]
    cells = [Cell("行政复议", 0, 0, colspan=5), Cell("行政诉讼", 0, 5, colspan=10)]
    cells += [Cell(label, 1, i, rowspan=2) for i, label in enumerate(labels)]
    cells += [Cell("未经复议直接起诉", 1, 5, colspan=5), Cell("复议后起诉", 1, 10, colspan=5)]
    cells += [Cell(label, 2, 5 + i + 5 * g) for g in range(2) for i, label in enumerate(labels)]
    keys = table.cell_keys()
    cells += [Cell(fmt(values[k]), 3, i) for i, k in enumerate(keys)]
    return cells


def report_blocks(template_id: str, values: dict[str, Value], year: int, agency: str) -> list[Block]:
    """The whole report in reading order."""
    template = TEMPLATES[template_id]
    blocks = [
        Block(f"{agency}{year}年政府信息公开工作年度报告"),
        Block("一、总体情况"),
        Block(f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政务公开工作。"),
    ]
    builders = {"active": _active, "applications": _applications, "appeals": _appeals}
    numbers = {"active": "二", "applications": "三", "appeals": "四"}
    for table in template.tables:
        blocks.append(Block(f"{numbers[table.id]}、{table.title}"))
        blocks.append(Block(cells=builders[table.id](table, values)))
    blocks += [
        Block("五、存在的主要问题及改进情况"),
        Block("一是公开内容还不够全面；二是解读形式较为单一。下一步将持续改进。"),
        Block("六、其他需要报告的事项"),
        Block("本年度未收取信息处理费。"),
        Block(agency),
        Block(f"{year + 1}年1月20日"),
    ]
    return blocks
