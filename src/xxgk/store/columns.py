"""Cell ids across templates: one order and one label for cells of the 2019 and 2021 formats.

Comparisons and exports span years printed in different templates; they need a single list of
cell ids in which each table's rows keep their printed order and a row's columns stay together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from xxgk.model import Value
from xxgk.templates import TABLE_IDS, TEMPLATES, ColumnKind, Template


def newest_first(template_ids: Iterable[str]) -> list[Template]:
    """Templates, the newest first: its order and labels win where templates differ."""
    return sorted({TEMPLATES[t] for t in template_ids}, key=lambda t: -t.first_year)


@cache
def _merged(template_ids: tuple[str, ...]) -> tuple[str, ...]:
    templates = newest_first(template_ids)
    keys: list[str] = []
    for table_id in TABLE_IDS:
        rows: list[str] = []
        for template in templates:
            previous: str | None = None
            for row in template.table(table_id).rows:
                if row.id not in rows:
                    # an older template's own row goes right after the row it follows there
                    rows.insert(rows.index(previous) + 1 if previous is not None else 0, row.id)
                previous = row.id
        for row_id in rows:
            for template in templates:
                table = template.table(table_id)
                if table.has_row(row_id):
                    for column in table.row(row_id).columns:
                        key = f"{table_id}.{row_id}.{column.id}"
                        if key not in keys:
                            keys.append(key)
    return tuple(keys)


def merged_keys(template_ids: Iterable[str]) -> list[str]:
    """Every cell id of the given templates, in printed order (newest template's order first)."""
    return list(_merged(tuple(sorted(set(template_ids)))))


@dataclass(frozen=True)
class CellLabel:
    """The Chinese names of a cell id, from the newest template that has it."""

    key: str
    label: str  # row and column, short (Template.label)
    table: str
    row: str  # as printed, with its enumeration
    column: str
    kind: ColumnKind
    templates: tuple[str, ...]  # the templates that have this cell


@cache
def cell_label(key: str) -> CellLabel:
    having = newest_first(t for t in TEMPLATES if key in _keys_of(t))
    if not having:
        raise KeyError(key)
    table, row, column = having[0].cell(key)
    return CellLabel(
        key=key,
        label=having[0].label(key),
        table=table.title,
        row=row.printed,
        column=column.label,
        kind=column.kind,
        templates=tuple(sorted(t.id for t in having)),
    )


@cache
def _keys_of(template_id: str) -> frozenset[str]:
    return frozenset(TEMPLATES[template_id].cell_keys())


def has_cell(template_id: str, key: str) -> bool:
    return key in _keys_of(template_id)


def typed(value: object, kind: ColumnKind) -> Value:
    """A value as the report model holds it: counts as ints, amounts as exact decimals.

    Accepts what a database or a file gives back (Decimal with trailing zeros, float, int, text),
    so that a read-back export compares equal, type included, with the stored cell.
    """
    if value is None or value == "":
        return None
    if type(value) is int and kind != "amount":
        return value
    if isinstance(value, float):
        value = Decimal(repr(value))
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if kind != "amount" and number == number.to_integral_value():
        return int(number)
    return number.normalize()


def plain(value: Value) -> str:
    """A value as text, never in exponent form (Decimal('1E+2') → '100'); blank → ''."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
