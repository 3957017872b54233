"""Bodies: matching a report's printed name to a body, and importing a list of bodies."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from xxgk.errors import InputError
from xxgk.extract.meta import body_level
from xxgk.read.limits import LIMITS, exceeded
from xxgk.store.models import Body, BodyAlias
from xxgk.templates import META

COLUMNS = ("name", "level", "region", "parent", "aliases")
# the same columns as a Chinese list heads them
CHINESE_COLUMNS = {"名称": "name", "层级": "level", "地区": "region", "上级": "parent", "别名": "aliases"}


@cache
def _word_order() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    pairs = list(dict.fromkeys(META.abbreviations))
    full = sorted(((f, i) for i, (_, f) in enumerate(pairs)), key=lambda p: -len(p[0]))
    short = sorted(((s, i) for i, (s, _) in enumerate(pairs)), key=lambda p: -len(p[0]))
    return full, short


def canonical(name: str) -> str:
    """A body name with its short and full forms read as one word (发改局 = 发展和改革局)."""
    name = "".join(unicodedata.normalize("NFKC", name).split())
    full, short = _word_order()
    for words in (full, short):
        for word, index in words:
            if word in name:
                name = name.replace(word, f"\ue000{index}\ue001")
    return name


def match(session: Session, name: str) -> Body | None:
    """The body a printed name means: its name, an alias, the same canonical name, or the one
    body whose name ends with it (河埒街道办事处 → 无锡市滨湖区河埒街道办事处)."""
    body = session.scalar(select(Body).where(Body.name == name))
    if body is not None:
        return body
    alias = session.scalar(select(BodyAlias).where(BodyAlias.alias == name))
    if alias is not None:
        return alias.body
    wanted = canonical(name)
    same = _ids(session, Body.key == wanted, BodyAlias.key == wanted)
    if not same and len(wanted) >= 4:
        pattern = "%" + wanted.replace("%", r"\%").replace("_", r"\_")
        same = _ids(session, Body.key.like(pattern, escape="\\"), BodyAlias.key.like(pattern, escape="\\"))
    if len(same) == 1:
        return session.get(Body, same.pop())
    return None


def _ids(session: Session, on_body: ColumnElement[bool], on_alias: ColumnElement[bool]) -> set[int]:
    found = set(session.scalars(select(Body.id).where(on_body)))
    return found | set(session.scalars(select(BodyAlias.body_id).where(on_alias)))


def body_for(session: Session, name: str) -> Body:
    """The matching body, or a new one named as printed."""
    if not name or name.isspace():  # `--body ""`: an unset variable, never a body's name
        raise InputError("a body's name is empty", kind="empty_name")
    body = match(session, name)
    if body is None:
        body = Body(name=name, key=canonical(name), level=body_level(name))
        session.add(body)
        session.flush()
    return body


@dataclass
class BodyRecord:
    name: str
    level: str | None = None
    region: str | None = None
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)


def read_bodies(path: Path) -> Iterator[BodyRecord]:
    """Rows of a CSV or XLSX file with columns name, level, region, parent, aliases (、;, separated),
    or 名称, 层级, 地区, 上级, 别名."""
    if not path.is_file():
        raise InputError("a folder, not a file" if path.is_dir() else "no such file", str(path))
    if (size := path.stat().st_size) > LIMITS.file_bytes:
        raise exceeded("file_bytes", f"{size:,} bytes", str(path))
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    header = [str(h or "").strip().lower() for h in next(rows, [])]
    header = [CHINESE_COLUMNS.get(h, h) for h in header]
    if "name" not in header:
        columns = f"{', '.join(COLUMNS)}, or {', '.join(CHINESE_COLUMNS)}"
        raise InputError(f"the first row must name the columns ({columns}); 'name' is missing", str(path))
    rows_of: dict[str, int] = {}  # each name's row, and each alias's
    for number, row in enumerate(rows, start=2):
        record = dict(zip(header, [("" if v is None else str(v)).strip() for v in row], strict=False))
        name = record.get("name")
        if not name:
            if any(record.values()):
                raise InputError(f"row {number} has no name", str(path))
            continue
        aliases = record.get("aliases", "").replace("、", ";").replace(",", ";").replace("，", ";")
        body = BodyRecord(
            name=name,
            level=record.get("level") or body_level(name),
            region=record.get("region") or None,
            parent=record.get("parent") or None,
            aliases=[a.strip() for a in aliases.split(";") if a.strip()],
        )
        _check_row(body, number, rows_of, str(path))
        yield body


def _check_row(body: BodyRecord, number: int, rows_of: dict[str, int], where: str) -> None:
    """What a list of bodies cannot mean: one row per body, a level the templates know, a body
    not its own parent, an alias no other body's name (the store would hold them as given)."""
    from xxgk.store.attribution import levels

    def bad(message: str) -> InputError:
        return InputError(f"row {number}: {message}", where, kind="bad_row")

    if body.name in rows_of:
        raise bad(f"{body.name} is listed again (row {rows_of[body.name]}, as a name or an alias)")
    if body.level is not None and body.level not in levels():
        raise bad(f"level {body.level!r} is not one of {', '.join(levels())}")
    if body.parent == body.name:
        raise bad(f"{body.name} is its own parent")
    rows_of[body.name] = number
    for alias in body.aliases:
        if alias != body.name and rows_of.setdefault(alias, number) != number:
            raise bad(f"alias {alias} is another row's name or alias (row {rows_of[alias]})")


def _csv_rows(path: Path) -> Iterator[list[str]]:
    from xxgk.read.decode import decode_text

    text = decode_text(path.read_bytes(), str(path))
    reader = csv.reader(text.splitlines(), strict=True)
    try:
        yield from reader
    except csv.Error as error:  # a quote left open took the rest of the file as one name
        raise InputError(f"line {reader.line_num}: not CSV ({error})", str(path)) from None


def _xlsx_rows(path: Path) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"not a readable XLSX file ({type(exc).__name__})", str(path)) from None
    for row in workbook.active.iter_rows(values_only=True):
        yield list(row)


def import_bodies(session: Session, records: list[BodyRecord]) -> int:
    """Create or update bodies, their aliases and their parents; returns how many rows were read."""
    by_name: dict[str, Body] = {}
    for record in records:
        body = session.scalar(select(Body).where(Body.name == record.name))
        body = body or Body(name=record.name, key=canonical(record.name))
        body.level = record.level or body.level
        body.region = record.region or body.region
        session.add(body)
        by_name[record.name] = body
    session.flush()
    for record in records:
        body = by_name[record.name]
        if record.parent:
            parent = by_name.get(record.parent) or body_for(session, record.parent)
            body.parent_id = parent.id
        known = {a.alias for a in body.aliases}
        for alias in record.aliases:
            named = by_name.get(alias) or session.scalar(select(Body).where(Body.name == alias))
            if named is not None and named is not body:
                raise InputError(f"{record.name}: alias {alias} is the name of another body", kind="bad_row")
            if alias not in known and alias != body.name:
                other = session.scalar(select(BodyAlias).where(BodyAlias.alias == alias))
                if other is None:
                    body.aliases.append(BodyAlias(alias=alias, key=canonical(alias)))
    session.flush()
    for body in by_name.values():
        _no_circle(session, body)
    return len(records)


def _no_circle(session: Session, body: Body) -> None:
    """A body is never above itself: A under B under A would make every region's sums loop."""
    seen = [body.name]
    parent_id = body.parent_id
    while parent_id is not None:
        parent = session.get_one(Body, parent_id)
        if parent.id == body.id:
            raise InputError(
                f"the parents go round in a circle: {' → '.join([*seen, body.name])}", kind="bad_row"
            )
        if parent.name in seen or len(seen) > 100:  # a circle above this body: said from its own
            return
        seen.append(parent.name)
        parent_id = parent.parent_id
