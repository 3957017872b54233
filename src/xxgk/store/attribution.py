"""Which body a report belongs to when the report does not say, or says it wrongly: a body given
for every file (`--body`), or a manifest (CSV or XLSX, one row per file).

A manifest's columns, in English or Chinese (the first row names them, in any order):
file/文件 and body/机关/单位 are required; year/年度, region/地区, level/层级, url/网址,
published/发布日期 are optional. A bad row is an error naming the row and what is wrong, and
nothing is ingested.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from xxgk.errors import InputError
from xxgk.model import FIRST_YEAR, LAST_YEAR
from xxgk.templates import META

# each column's accepted headers (compared case-insensitively, spaces ignored)
COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("file", "文件", "文件名"),
    "body": ("body", "机关", "单位", "机关/单位"),
    "year": ("year", "年度", "年份"),
    "region": ("region", "地区"),
    "level": ("level", "层级"),
    "url": ("url", "网址", "链接"),
    "published": ("published", "发布日期", "发布时间"),
}
REQUIRED = ("file", "body")
MAX_ROWS = 100_000
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class ManifestError(InputError):
    """A manifest that cannot be used; `row` is the row at fault (the first is the header)."""

    kind = "manifest"

    def __init__(
        self, message: str, where: str | None = None, *, kind: str | None = None, row: int = 0
    ) -> None:
        super().__init__(message, where, kind=kind)
        self.row = row


def levels() -> list[str]:
    return list(dict.fromkeys(level for level, _ in META.levels))


@dataclass(frozen=True)
class Attribution:
    """What is known of a file besides its content; None: what the report prints."""

    body: str | None = None
    year: int | None = None
    region: str | None = None
    level: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Attribution:
        return cls(**(data or {}))


def manifest_rows(data: bytes, name: str) -> Iterator[tuple[int, str, Attribution]]:
    """The rows of a manifest: row number, `file` as written (a path or a file name), attribution."""
    rows = _xlsx_rows(data, name) if name.lower().endswith((".xlsx", ".xlsm")) else _csv_rows(data, name)
    header = next(rows, None)
    if header is None:
        raise ManifestError("the manifest is empty", name, kind="manifest_empty")
    columns = _columns(header, name)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise ManifestError(f"over {MAX_ROWS:,} rows", name, kind="manifest_long")
        cells = [("" if v is None else str(v)).strip() for v in row]
        record = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
        if not any(record.values()):
            continue
        file, attribution = _row(record, number, name)
        if file in seen:
            raise ManifestError(
                f"row {number}: file {file!r} is listed twice", name, kind="manifest_twice", row=number
            )
        seen.add(file)
        yield number, file, attribution
    if not seen:
        raise ManifestError(
            "the manifest lists no files, only the names of its columns", name, kind="manifest_empty"
        )


def read_manifest(path: Path) -> dict[Path, Attribution]:
    """A manifest on disk, its `file` column read relative to the manifest's folder."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the manifest ({error.strerror})", str(path)) from None
    out: dict[Path, Attribution] = {}
    for number, file, attribution in list(manifest_rows(data, str(path))):
        target = (path.parent / file).resolve()
        if not target.is_file():
            raise InputError(f"row {number}: no such file {file!r}", str(path))
        out[target] = attribution
    return out


def _columns(header: list[object], name: str) -> dict[str, int]:
    wanted = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = wanted.get("".join(str(cell or "").split()).lower())
        if key is not None:
            columns.setdefault(key, index)
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        need = ", ".join(f"{k} ({COLUMNS[k][1]})" for k in missing)
        raise ManifestError(
            f"the first row must name the columns; missing: {need}", name, kind="manifest_columns"
        )
    return columns


def _row(record: dict[str, str], number: int, name: str) -> tuple[str, Attribution]:
    def bad(why: str, kind: str) -> ManifestError:
        return ManifestError(f"row {number}: {why}", name, kind=kind, row=number)

    if not record["file"]:
        raise bad("no file", "manifest_no_file")
    if not record["body"]:
        raise bad(f"no body for {record['file']!r}", "manifest_no_body")
    year = None
    if record.get("year"):
        text = record["year"].removesuffix("年").removesuffix(".0")
        if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
            raise bad(
                f"year {record['year']!r} is not a year between {FIRST_YEAR} and {LAST_YEAR}", "manifest_year"
            )
        year = int(text)
    level = record.get("level") or None
    if level is not None and level not in levels():
        raise bad(f"level {level!r} is not one of {', '.join(levels())}", "bad_choice")
    published = None
    if record.get("published"):
        published = _iso_date(record["published"])
        if published is None:
            raise bad(f"published {record['published']!r} is not a date (2021-01-20)", "manifest_date")
    url = record.get("url") or None
    if url is not None and not re.match(r"https?://\S+$", url):
        raise bad(f"url {url!r} is not an http(s) address", "manifest_url")
    attribution = Attribution(record["body"], year, record.get("region") or None, level, url, published)
    return record["file"].replace("\\", "/"), attribution


def _iso_date(text: str) -> str | None:
    match = _DATE.fullmatch(text.split(" ")[0] if "年" not in text else text.strip())
    if match is None:
        return None
    try:
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def _csv_rows(data: bytes, name: str) -> Iterator[list[str]]:
    from xxgk.read.decode import decode_text

    yield from csv.reader(decode_text(data, name).splitlines())


def _xlsx_rows(data: bytes, name: str) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ManifestError(f"not a readable XLSX file ({type(exc).__name__})", name) from None
    for row in workbook.active.iter_rows(values_only=True):
        yield [v.date().isoformat() if hasattr(v, "date") and callable(v.date) else v for v in row]
