"""A report as the national format prints it: paragraphs and tables with merged cells.

Format round-trip tests render these blocks into HTML, DOCX and PDF and read them back. The
tables are the package's own official layout (xxgk.output.official), filled with values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xxgk.output.official import LayoutCell as Cell
from xxgk.output.official import official_grid
from xxgk.templates import TEMPLATES

Value = int | Decimal | None
__all__ = ["Block", "Cell", "fmt", "report_blocks"]


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


def _table(template_id: str, table_id: str, values: dict[str, Value]) -> list[Cell]:
    """The official grid (xxgk.output.official) with the value cells filled in."""
    cells = official_grid(TEMPLATES[template_id], table_id)
    for cell in cells:
        if cell.key is not None:
            cell.text = fmt(values[cell.key])
    return cells


def report_blocks(template_id: str, values: dict[str, Value], year: int, agency: str) -> list[Block]:
    """The whole report in reading order."""
    template = TEMPLATES[template_id]
    blocks = [
        Block(f"{agency}{year}年政府信息公开工作年度报告"),
        Block("一、总体情况"),
        Block(f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政务公开工作。"),
    ]
    numbers = {"active": "二", "applications": "三", "appeals": "四"}
    for table in template.tables:
        blocks.append(Block(f"{numbers[table.id]}、{table.title}"))
        blocks.append(Block(cells=_table(template_id, table.id, values)))
    blocks += [
        Block("五、存在的主要问题及改进情况"),
        Block("一是公开内容还不够全面；二是解读形式较为单一。下一步将持续改进。"),
        Block("六、其他需要报告的事项"),
        Block("本年度未收取信息处理费。"),
        Block(agency),
        Block(f"{year + 1}年1月20日"),
    ]
    return blocks
