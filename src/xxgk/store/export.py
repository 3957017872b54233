"""Exports of the current reports for analysis elsewhere: CSV, XLSX, Parquet, JSON; long or wide.

long: one row per cell (body, year, template, table, row, column, value);
wide: one row per report (body, year, template, then one column per cell id "table.row.column").

Column names are the data-dictionary ids of FORMAT.md, so every format reads the same way.
Rows are streamed from the database (yield_per, a server-side cursor on PostgreSQL), one report
at a time, so an export of 100,000 reports does not hold them in memory.

Values keep their kind: counts are integers, amounts exact decimals (numbers in JSON, XLSX and
Parquet, plain text in CSV), blanks empty or null. A Parquet column has one type, so a long
Parquet file has two value columns: `value` (int64) for counts and `amount` (decimal(24, 6)) for
amounts (万元) and for a count printed as a fraction, which the DOMAIN rule flags; in a wide one
count columns are int64 and amount columns decimal(24, 6) (a count column holding a misprinted
fraction is decimal too, so nothing is lost). A value those columns cannot hold (a misprint of
more than six decimals or eighteen digits) stops a Parquet export with a clear error rather than
be rounded: CSV and JSON keep every digit, as the store does.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from xxgk.errors import InputError, require_choice
from xxgk.model import Value
from xxgk.output_file import check, output_file
from xxgk.store.columns import cell_label, has_cell, merged_keys, plain, typed
from xxgk.store.models import Body, StoredReport
from xxgk.store.regions import within
from xxgk.templates import TEMPLATES, ColumnKind

if TYPE_CHECKING:
    from xxgk.store import Store

__all__ = ["FORMATS", "SHAPES", "export", "read_export"]

Format = Literal["csv", "xlsx", "parquet", "json"]
Shape = Literal["long", "wide"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "json")
SHAPES: tuple[str, ...] = ("long", "wide")
LONG: tuple[str, ...] = ("body", "year", "template", "table", "row", "column", "value")
WIDE: tuple[str, ...] = ("body", "year", "template")
AMOUNT = "amount"  # a long Parquet file's decimal value column, beside the integer `value`
FIXED_LABELS = {
    "body": "机关",
    "year": "报告年度",
    "template": "模板",
    "table": "表",
    "row": "行",
    "column": "列",
    "value": "数值",
}
XLSX_ROWS = 1_048_576  # rows per sheet in Excel; a longer export continues on "cells 2", …
LABELS_SHEET = "labels"
BATCH = 20_000  # rows per Parquet row group
BATCH_REPORTS = 200  # reports per database fetch (each with its cells)


@dataclass
class _Report:
    body: str
    year: int
    template: str
    values: dict[str, Value]


def export(
    store: Store,
    fmt: str,
    shape: str,
    out: Path | None,
    *,
    region: str | None = None,
    body: str | None = None,
    stream: IO[str] = sys.stdout,
) -> int:
    """Write the current reports in `fmt` and `shape` to `out` (CSV and JSON: or to `stream`);
    only those of a region or a body and everything under it, when given.

    Returns the number of data rows written (cells for long, reports for wide).
    """
    require_choice("export format", fmt, FORMATS)
    require_choice("export shape", shape, SHAPES)
    if out is None and fmt in ("xlsx", "parquet"):
        raise InputError(f"a {fmt.upper()} export is a binary file: give it a file name with --out")
    if out is not None:
        _check_suffix(out, fmt)
        check(out)
    with store.session() as session:
        body_id = store.find_body(session, body).id if body is not None else None
        selected = [
            StoredReport.current,
            *within(session, StoredReport.body_id, region=region, body_id=body_id),
        ]
        templates = sorted(session.scalars(select(StoredReport.template).where(*selected).distinct()))
        keys = merged_keys(templates or TEMPLATES)
        columns = list(LONG) if shape == "long" else [*WIDE, *keys]
        rows = _rows(_reports(session, selected), shape, keys)
        if out is None:
            write = _write_csv if fmt == "csv" else _write_json
            return write(stream, columns, rows)
        fractional = _fractional_counts(session, selected) if fmt == "parquet" and shape == "wide" else set()
        with output_file(out) as part:
            if fmt == "csv":
                # with a BOM, so that Excel opens it as UTF-8
                with part.open("w", encoding="utf-8-sig", newline="") as handle:
                    return _write_csv(handle, columns, rows)
            if fmt == "json":
                with part.open("w", encoding="utf-8") as handle:
                    return _write_json(handle, columns, rows)
            if fmt == "xlsx":
                return _write_xlsx(part, shape, columns, rows, keys)
            if shape == "long":
                columns, rows = [*LONG, AMOUNT], _amounts_apart(rows)
            return _write_parquet(part, shape, columns, rows, fractional)


def _check_suffix(out: Path, fmt: str) -> None:
    """A file named as another format's (`--format xlsx --out e.csv`) is refused: the name would
    lie about what it holds. Any other name (no suffix, .txt, .dat) is the user's choice."""
    suffix = out.suffix.lower()
    if suffix != f".{fmt}" and suffix.removeprefix(".") in FORMATS:
        raise InputError(f"the {fmt} format is written to a .{fmt} file, not {suffix}", str(out))


# --- reading the store ---------------------------------------------------------------------------


def _reports(session: Session, selected: list[ColumnElement[bool]]) -> Iterator[_Report]:
    """The current reports with their cells, one at a time, by body and year."""
    query = (
        select(Body.name, StoredReport.year, StoredReport.template, StoredReport.cells)
        .join(Body, Body.id == StoredReport.body_id)
        .where(*selected)
        .order_by(Body.name, StoredReport.year, StoredReport.id)
    )
    # Core rows on a streaming connection: a server-side cursor on PostgreSQL, and none of the
    # ORM's per-row work, which would cost more than the database here
    connection = session.connection().execution_options(stream_results=True, yield_per=BATCH_REPORTS)
    for chunk in connection.execute(query).partitions():
        for body, year, template, cells in chunk:
            values: dict[str, Value] = {}
            for key, kind in _kinds(template):
                cell = cells.get(key)
                if cell is not None:  # a cell of another template is not the report's (never stored)
                    value = cell.get("value")
                    values[key] = None if value is None else typed(value, kind)
            yield _Report(body, year, template, values)


@cache
def _kinds(template_id: str) -> tuple[tuple[str, ColumnKind], ...]:
    """Each cell id of a template with its column's kind."""
    return tuple((key, cell_label(key).kind) for key in TEMPLATES[template_id].cell_keys())


def _rows(reports: Iterable[_Report], shape: str, keys: list[str]) -> Iterator[list[Any]]:
    for report in reports:
        if shape == "long":
            for key in TEMPLATES[report.template].cell_keys():
                if key in report.values:
                    table, row, column = key.split(".")
                    yield [report.body, report.year, report.template, table, row, column, report.values[key]]
        else:
            yield [report.body, report.year, report.template, *(report.values.get(k) for k in keys)]


def _amounts_apart(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    """Long rows with the value in `value` when an integer (a count), else in `amount`."""
    for row in rows:
        value = row[-1]
        yield [*row[:-1], None, value] if isinstance(value, Decimal) else [*row, None]


def _fractional_counts(session: Session, selected: list[ColumnElement[bool]]) -> set[str]:
    """Count cells of current reports holding a fraction (a misprint): their column is decimal.
    Found by the database in the cells documents: a value written as a JSON real (whole numbers
    are written as integers)."""
    cells = func.json_each(StoredReport.cells).table_valued("key", "value").alias("cell")
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        fraction = cells.c.value.op("->>")("value").regexp_match("[.eE]")
    else:
        fraction = func.json_type(cells.c.value, "$.value") == "real"
    query = select(cells.c.key).select_from(StoredReport).join(cells, true()).where(*selected, fraction)
    return {key for key in session.scalars(query.distinct()) if _is_count(key)}


def _is_count(key: str) -> bool:
    return cell_label(key).kind != "amount"


# --- writers -----------------------------------------------------------------------------------


def _write_csv(handle: IO[str], columns: list[str], rows: Iterable[list[Any]]) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([plain(v) if not isinstance(v, str) else v for v in row])
        count += 1
    return count


@lru_cache(maxsize=4096)
def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # names and ids repeat on every row: encode once


def _json_scalar(value: Any) -> str:
    """Decimals as exact JSON numbers (json.dumps would refuse them or round through a float)."""
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    if isinstance(value, Decimal):
        return plain(value)
    return _json_string(value)


def _write_json(handle: IO[str], columns: list[str], rows: Iterable[list[Any]]) -> int:
    """A JSON array of objects, written one object per line as the rows arrive."""
    names = [_json_string(c) + ": " for c in columns]
    count = 0
    handle.write("[")
    for row in rows:
        body = ", ".join([name + _json_scalar(v) for name, v in zip(names, row, strict=True)])
        handle.write(("\n{" if count == 0 else ",\n{") + body + "}")
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def _label_rows(shape: str, keys: list[str]) -> Iterator[list[str]]:
    yield ["id", "label", "table", "row", "column", "templates"]
    for column in LONG if shape == "long" else WIDE:
        yield [column, FIXED_LABELS[column], "", "", "", ""]
    for key in keys:
        label = cell_label(key)
        yield [key, label.label, label.table, label.row, label.column, " ".join(label.templates)]


def _write_xlsx(out: Path, shape: str, columns: list[str], rows: Iterable[list[Any]], keys: list[str]) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    name = "cells" if shape == "long" else "reports"
    sheet = book.create_sheet(name)
    labels = book.create_sheet(LABELS_SHEET)
    for label_row in _label_rows(shape, keys):
        labels.append(label_row)
    sheet.append(columns)
    count, used, part = 0, 1, 1
    for row in rows:
        if used == XLSX_ROWS:
            part += 1
            sheet, used = book.create_sheet(f"{name} {part}"), 1
            sheet.append(columns)
        sheet.append(row)
        used += 1
        count += 1
    book.save(out)
    return count


def _arrow_schema(shape: str, columns: list[str], fractional: set[str]) -> Any:
    import pyarrow as pa

    decimal = pa.decimal128(24, 6)
    fields = [pa.field("body", pa.string()), pa.field("year", pa.int32()), pa.field("template", pa.string())]
    if shape == "long":
        fields += [pa.field(c, pa.string()) for c in ("table", "row", "column")]
        fields += [pa.field("value", pa.int64()), pa.field(AMOUNT, decimal)]
    else:
        for key in columns[len(WIDE) :]:
            exact = cell_label(key).kind == "amount" or key in fractional
            fields.append(pa.field(key, decimal if exact else pa.int64()))
    return pa.schema(fields)


def _write_parquet(
    out: Path, shape: str, columns: list[str], rows: Iterable[list[Any]], fractional: set[str]
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(shape, columns, fractional)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[list[Any]] = [[] for _ in columns]

        def flush() -> None:
            try:
                table = pa.Table.from_arrays(batch, schema=schema)
            except (pa.ArrowInvalid, OverflowError):
                raise InputError(_misfit(schema, batch), str(out)) from None
            writer.write_table(table)
            for values in batch:
                values.clear()

        for row in rows:
            for values, value in zip(batch, row, strict=True):
                values.append(value)
            count += 1
            if len(batch[0]) >= BATCH:
                flush()
        if batch[0] or count == 0:
            flush()
    return count


def _misfit(schema: Any, batch: list[list[Any]]) -> str:
    """Which value a Parquet column cannot hold, said plainly: the file is not written, as a
    number would not be what was printed (the store keeps every digit; CSV and JSON do too)."""
    import pyarrow as pa

    for field, values in zip(schema, batch, strict=True):
        for i, value in enumerate(values):
            try:
                pa.array([value], type=field.type)
            except (pa.ArrowInvalid, OverflowError):
                where = f"{batch[0][i]} {batch[1][i]}"
                return (
                    f"{where}: {field.name} = {value} does not fit Parquet's {field.type} column"
                    " (a misprint?); export it as CSV or JSON, which keep every digit"
                )
    return "a value does not fit its Parquet column; export as CSV or JSON"


# --- reading an export back --------------------------------------------------------------------


def read_export(path: Path, fmt: str, shape: str) -> dict[tuple[str, int, str], Value]:
    """(body, year, "table.row.column") → value, as an export file holds it.

    Values come back typed as the store gives them (ints, exact decimals, None), and a wide
    row gives only the cells of its own template, so an export round-trips exactly.
    """
    if fmt not in FORMATS or shape not in SHAPES:
        raise InputError(f"cannot read a {fmt} {shape} export", str(path))
    out: dict[tuple[str, int, str], Value] = {}
    for record in _records(path, fmt):
        body, year, template = str(record["body"]), int(record["year"]), str(record["template"])
        if shape == "long":
            key = f"{record['table']}.{record['row']}.{record['column']}"
            value = record["value"] if record.get(AMOUNT) is None else record[AMOUNT]
            out[(body, year, key)] = typed(value, cell_label(key).kind)
            continue
        for key, value in record.items():
            if key not in WIDE and has_cell(template, key):
                out[(body, year, key)] = typed(value, cell_label(key).kind)
    return out


def _records(path: Path, fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)
    elif fmt == "json":
        with path.open(encoding="utf-8") as handle:
            yield from json.load(handle, parse_float=Decimal)
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                if sheet.title == LABELS_SHEET:
                    continue
                rows = sheet.iter_rows(values_only=True)
                header = [str(h) for h in next(rows, ())]
                for row in rows:
                    padded = list(row) + [None] * (len(header) - len(row))
                    yield dict(zip(header, padded, strict=False))
        finally:
            book.close()
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH):
            yield from batch.to_pylist()
