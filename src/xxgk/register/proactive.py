"""The proactive-disclosure side of the register (table 二): the 规章 and 行政规范性文件 a body
made (文号, 标题, 制发日期, 废止日期) and the yearly figures that come from other systems
(处理决定数量 of 行政许可 / 行政处罚 / 行政强制, 行政事业性收费 in 万元).

They come from the sheets `文件` and `年度数量` of the register's workbook (`import_proactive`,
called by `xxgk register import`): every row is checked first, and one bad row means nothing is
imported and every bad row is named. `proactive_facts` gives them to the compiler as of a date.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.errors import InputError
from xxgk.register.facts import DOCUMENT_KINDS, DocumentFacts, YearFigures
from xxgk.store.models import RegisterDocument, RegisterFigures
from xxgk.templates import TEMPLATES

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

DOCUMENTS_SHEET, FIGURES_SHEET = "文件", "年度数量"
# sheet 文件: header → field
DOCUMENT_HEADERS: dict[str, str] = {
    "类别": "kind",
    "文号": "number",
    "标题": "title",
    "制发日期": "issued",
    "废止日期": "repealed",
}
_ACTIVE = TEMPLATES["2021"].table("active")
# sheet 年度数量: header → YearFigures field; a figure's header is its row's label in table 二
# (行政许可, 行政处罚, 行政强制, 行政事业性收费 in 万元)
FIGURE_HEADERS: dict[str, str] = {"年度": "year"} | {
    _ACTIVE.row(f.name).label: f.name for f in dataclasses.fields(YearFigures) if f.name != "year"
}
MAX_ROWS = 100_000  # a body makes tens of documents a year; a sheet past this is not a register
MAX_BYTES = 50 * 1024 * 1024
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass
class ProactiveImport:
    documents: int = 0  # rows of 文件 imported (new or changed)
    figures: int = 0  # rows of 年度数量


def _kinds() -> dict[str, str]:
    """The 类别 a row may give → the document kind: the row labels of table 二 (and aliases)."""
    from xxgk.templates import TEMPLATES

    table = TEMPLATES["2021"].table("active")
    return {
        label: kind for kind in DOCUMENT_KINDS for label in (table.row(kind).label, *table.row(kind).aliases)
    }


def import_proactive(session: Session, body_id: int, workbook: Workbook | Path) -> ProactiveImport:
    """Import the sheets 文件 and 年度数量 (either may be absent): documents by 类别 and 文号,
    figures by year; a row already stored is updated. Any bad row: nothing imported, an
    InputError naming every bad row and why."""
    book = _open(workbook) if isinstance(workbook, Path) else workbook
    where = str(workbook) if isinstance(workbook, Path) else "workbook"
    problems: list[str] = []
    documents = _documents(book, problems) if DOCUMENTS_SHEET in book.sheetnames else []
    figures = _figures(book, problems) if FIGURES_SHEET in book.sheetnames else []
    if problems:
        shown = "; ".join(problems[:50]) + (f"; and {len(problems) - 50} more" if len(problems) > 50 else "")
        raise InputError(f"{len(problems)} bad rows, nothing imported: {shown}", where)
    stored = {
        (d.kind, d.number): d
        for d in session.scalars(select(RegisterDocument).where(RegisterDocument.body_id == body_id))
    }
    for fields in documents:
        row = stored.get((fields["kind"], fields["number"]))
        if row is None:
            session.add(RegisterDocument(body_id=body_id, **fields))
        else:
            for name, value in fields.items():
                setattr(row, name, value)
    years = {
        f.year: f for f in session.scalars(select(RegisterFigures).where(RegisterFigures.body_id == body_id))
    }
    for fields in figures:
        found = years.get(fields["year"])
        if found is None:
            session.add(RegisterFigures(body_id=body_id, **fields))
        else:
            for name, value in fields.items():
                setattr(found, name, value)
    session.flush()
    return ProactiveImport(len(documents), len(figures))


def proactive_facts(
    session: Session, body_id: int, as_of: date
) -> tuple[tuple[DocumentFacts, ...], tuple[YearFigures, ...]]:
    """The documents made by `as_of` (a repeal after it not yet known) and the figures of the
    years up to as_of's."""
    documents = tuple(
        DocumentFacts(
            d.kind, d.number, d.title, d.issued, d.repealed if d.repealed and d.repealed <= as_of else None
        )
        for d in session.scalars(
            select(RegisterDocument)
            .where(RegisterDocument.body_id == body_id, RegisterDocument.issued <= as_of)
            .order_by(RegisterDocument.issued, RegisterDocument.id)
        )
    )
    figures = tuple(
        YearFigures(f.year, f.licensing, f.penalties, f.enforcement, f.fees)
        for f in session.scalars(
            select(RegisterFigures)
            .where(RegisterFigures.body_id == body_id, RegisterFigures.year <= as_of.year)
            .order_by(RegisterFigures.year)
        )
    )
    return documents, figures


# --- reading the sheets ------------------------------------------------------------------------


def _open(path: Path) -> Workbook:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"larger than {MAX_BYTES // 2**20} MB; not a register workbook", str(path))
        return load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", str(path)) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        raise InputError(f"not an XLSX workbook ({error})", str(path)) from None


def _rows(book: Workbook, sheet: str, headers: dict[str, str], problems: list[str]) -> list[tuple[int, dict]]:
    """(row number, field → cell value) of the sheet's filled rows, by its header row's names."""
    rows = book[sheet].iter_rows(values_only=True)
    first = next(rows, None)
    names = [str(v).strip() if v is not None else "" for v in (first or ())]
    missing = [h for h in headers if h not in names]
    if missing:
        problems.append(f"{sheet} row 1: no column {'、'.join(missing)}")
        return []
    index = {headers[h]: names.index(h) for h in headers}
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(f"{sheet}: more than {MAX_ROWS} rows")
            break
        cells = {f: (values[i] if i < len(values) else None) for f, i in index.items()}
        cells = {f: (v.strip() or None) if isinstance(v, str) else v for f, v in cells.items()}
        if any(v is not None for v in cells.values()):
            out.append((number, cells))
    return out


def _documents(book: Workbook, problems: list[str]) -> list[dict[str, Any]]:
    kinds = _kinds()
    out, seen = [], {}
    for number, cells in _rows(book, DOCUMENTS_SHEET, DOCUMENT_HEADERS, problems):
        why = []
        for header, field in DOCUMENT_HEADERS.items():
            if field != "repealed" and cells[field] is None:
                why.append(f"{header} is empty")
        kind = kinds.get(str(cells["kind"])) if cells["kind"] is not None else None
        if cells["kind"] is not None and kind is None:
            why.append(f"类别 {cells['kind']!r} is not one of {'、'.join(kinds)}")
        issued, repealed = _day(cells["issued"], "制发日期", why), _day(cells["repealed"], "废止日期", why)
        if issued and repealed and repealed < issued:
            why.append(f"废止日期 {repealed} is before 制发日期 {issued}")
        doc_number = str(cells["number"]) if cells["number"] is not None else None
        if kind and doc_number:
            if (kind, doc_number) in seen:
                why.append(f"文号 {doc_number} is also on row {seen[(kind, doc_number)]}")
            else:
                seen[(kind, doc_number)] = number
        if why:
            problems.append(f"{DOCUMENTS_SHEET} row {number}: {', '.join(why)}")
            continue
        out.append(
            {
                "kind": kind,
                "number": doc_number,
                "title": str(cells["title"]),
                "issued": issued,
                "repealed": repealed,
            }
        )
    return out


def _figures(book: Workbook, problems: list[str]) -> list[dict[str, Any]]:
    out, seen = [], {}
    for number, cells in _rows(book, FIGURES_SHEET, FIGURE_HEADERS, problems):
        why: list[str] = []
        year = _whole(cells["year"], "年度", why)
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            why.append(f"年度 {year} is not a year")
        elif year is None and cells["year"] is None:
            why.append("年度 is empty")
        elif year is not None and year in seen:
            why.append(f"年度 {year} is also on row {seen[year]}")
        elif year is not None:
            seen[year] = number
        fields: dict[str, Any] = {"year": year}
        for header, field in FIGURE_HEADERS.items():
            if field in ("year", "fees"):
                continue
            fields[field] = _whole(cells[field], header, why)
        fields["fees"] = _amount(cells["fees"], "行政事业性收费", why)
        if why:
            problems.append(f"{FIGURES_SHEET} row {number}: {', '.join(why)}")
            continue
        out.append(fields)
    return out


def _day(value: object, header: str, why: list[str]) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        why.append(f"{header} {value!r} is not a date (YYYY-MM-DD)")
        return None


def _whole(value: object, header: str, why: list[str]) -> int | None:
    """A count ≥ 0 (a whole float, as spreadsheets store numbers, is taken; a fraction is not)."""
    if value is None:
        return None
    number = _amount(value, header, why)
    if number is None:
        return None
    if number != number.to_integral_value():
        why.append(f"{header} {value!r} is not a whole number")
        return None
    return int(number)


def _amount(value: object, header: str, why: list[str]) -> Decimal | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
    except InvalidOperation:
        why.append(f"{header} {value!r} is not a number")
        return None
    if not number.is_finite() or number < 0:
        why.append(f"{header} {value!r} is not a number ≥ 0")
        return None
    return number
