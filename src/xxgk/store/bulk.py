"""Storing reports already read — the lines `xxgk parse --out` writes — a thousand at a time.

What is stored is what `Store.ingest` stores one report at a time: the same dedup by content
hash, the same bodies (`body_for`), the same versions (`versions.place`), the report's findings,
the cross-year findings against the body's current report of the year before (as it was when
each report arrived), and splits settled by a neighbouring year. It only writes in bulk: COPY on
PostgreSQL, one executemany per table on SQLite, one transaction per chunk.

A chunk is whole or absent: an interrupted load leaves the chunks before it stored, and a rerun
skips them by their hashes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import JSON, Column, Dialect, Table, select, text, tuple_, update
from sqlalchemy.orm import Session, selectinload

from xxgk.check import check_pair
from xxgk.errors import InputError
from xxgk.model import Report
from xxgk.store import splits
from xxgk.store.bodies import body_for
from xxgk.store.convert import finding_rows, from_record, row_values, to_report
from xxgk.store.models import Body, StoredCell, StoredFinding, StoredReport
from xxgk.store.versions import Key, latest, place
from xxgk.templates import TEMPLATES

if TYPE_CHECKING:
    from xxgk.store import Store

CHUNK = 1000  # reports per transaction
_SHA256 = re.compile(r"[0-9a-f]{64}")
YEARLESS = "the report year is not printed; cannot file it under a year"


@dataclass
class Line:
    """One line of a results file: a report read (`record`), or a file that was not."""

    number: int
    record: dict[str, Any]

    @property
    def read(self) -> bool:
        return "error" not in self.record


@dataclass
class Loaded:
    """What storing a line gave: "new", "version", "unchanged", or the error that kept it out."""

    status: str
    error: str | None = None


def read_lines(path: Path) -> Iterator[Line]:
    """The lines of a results file, each checked: a line that is not one `xxgk parse --out`
    writes is an error naming the file and line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", str(path)) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield Line(number, _record(raw, f"{path}:{number}"))


def count_lines(path: Path) -> int:
    """How many lines a results file holds (for the progress bar), without parsing them."""
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _record(raw: bytes, where: str) -> dict[str, Any]:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InputError("not a JSON line (a torn last line? read the files again)", where) from None
    if not isinstance(record, dict) or not isinstance(record.get("file"), str):
        raise InputError("not a line of `xxgk parse --out` (no file)", where)
    if "error" in record:
        return record
    sha256 = record.get("sha256")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InputError("no sha256 of the file read", where)
    if record.get("template") not in TEMPLATES:
        raise InputError(f"unknown template {record.get('template')!r}", where)
    if "narrative" not in record:
        raise InputError("no narrative: written by an older xxgk; read the files again", where)
    meta, cells, findings = record.get("meta"), record.get("cells"), record.get("findings")
    year = meta.get("year") if isinstance(meta, dict) else "?"
    if not isinstance(cells, dict) or not isinstance(findings, list) or not isinstance(year, int | None):
        raise InputError("meta, cells or findings missing or malformed", where)
    return record


@dataclass
class _Pending:
    """A report on its way in: its row id, version, and the report of the year before it is
    compared with (a report of this chunk, or a stored row's id)."""

    index: int  # in the chunk's results
    line: Line
    report: Report
    body: Body
    id: int = 0
    version: int = 0
    superseded: int | None = None
    previous: _Pending | int | None = None

    @property
    def key(self) -> Key:
        return (self.body.id, self.report.meta.year)  # type: ignore[return-value]


@dataclass
class Loader:
    """Stores chunks of lines into one store; bodies found once are remembered across chunks."""

    store: Store
    bodies: dict[str, int] = field(default_factory=dict)

    def load(self, lines: Sequence[Line]) -> list[Loaded]:
        """Store the report lines given (one transaction); a status for each, in order."""
        with self.store.writing() as session:
            return self._load(session, lines)

    def _load(self, session: Session, lines: Sequence[Line]) -> list[Loaded]:
        shas = [line.record["sha256"] for line in lines]
        stored = set(session.scalars(select(StoredReport.sha256).where(StoredReport.sha256.in_(shas))))
        results: list[Loaded] = []
        pending: list[_Pending] = []
        for line in lines:
            if line.record["sha256"] in stored:
                results.append(Loaded("unchanged"))
                continue
            stored.add(line.record["sha256"])
            report = from_record(line.record)
            if report.meta.year is None:
                results.append(Loaded("failed", YEARLESS))
                continue
            pending.append(_Pending(len(results), line, report, self._body(session, report)))
            results.append(Loaded("new"))
        if not pending:
            return results
        known = latest(session, [p.key for p in pending])
        ids = _new_ids(session, len(pending))
        now: dict[Key, _Pending | int] = {k: v.current_id for k, v in known.items() if v.current_id}
        first = ids[0]
        for p, new_id in zip(pending, ids, strict=True):
            p.id = new_id
            p.version, p.superseded = place(known[p.key], new_id)
            results[p.index] = Loaded("new" if p.version == 1 else "version")
            body_id, year = p.key
            p.previous = now.get((body_id, year - 1))
            following = now.get((body_id, year + 1))
            if isinstance(following, _Pending):  # it is compared with this one from now on
                following.previous = p
            now[p.key] = p
        current = {v.current_id for v in known.values()}
        retired = [p.superseded for p in pending if p.superseded is not None and p.superseded < first]
        for start in range(0, len(retired), 1000):
            session.execute(
                update(StoredReport)
                .where(StoredReport.id.in_(retired[start : start + 1000]))
                .values(current=False)
            )
        self._insert(session, pending, current)
        self._cross_year(session, pending, first)
        return results

    def _body(self, session: Session, report: Report) -> Body:
        from xxgk.store import _unsigned

        name = report.meta.agency or _unsigned(report)
        known = self.bodies.get(name)
        body = session.get(Body, known) if known is not None else None
        if body is None:
            body = body_for(session, name)
            self.bodies[name] = body.id
        return body

    def _insert(self, session: Session, pending: list[_Pending], current: set[int | None]) -> None:
        reports, cells, findings = [], [], []
        for p in pending:
            row = row_values(p.report, p.line.record["sha256"], p.body.id, p.version, p.report.text)
            row.update(id=p.id, current=p.id in current)
            reports.append(row)
            cells += _cell_rows(p.line.record["cells"], p.id, session.bind.dialect.name)  # type: ignore[union-attr]
            findings += finding_rows(p.report.findings, p.id)
        write(session, StoredReport.__table__, reports)
        copy_rows(session, StoredCell.__tablename__, CELL_COLUMNS, cells)
        write(session, StoredFinding.__table__, findings)

    def _cross_year(self, session: Session, pending: list[_Pending], first: int) -> None:
        """Each new report against the year before as it was on arrival; stored reports of the
        year after, and splits a neighbour settles, as `Store.ingest` works them out."""
        stored = _stored_reports(session, {p.previous for p in pending if isinstance(p.previous, int)})
        found = []
        for p in pending:
            before = p.previous.report if isinstance(p.previous, _Pending) else stored.get(p.previous)
            if before is not None:
                found += finding_rows(check_pair(p.report, before), p.id)
        write(session, StoredFinding.__table__, found)
        touched = {p.key for p in pending}
        rows = _current_rows(session, {(b, y) for b, y in touched for y in (y - 1, y, y + 1)})
        bodies = {p.body.id: p.body for p in pending}
        mine = {p.id: p.report for p in pending}
        doubtful = {key for key, row in rows.items() if splits.in_doubt(row)}
        others = {rows[b, y].id for b, y in doubtful for y in (y - 1, y + 1) if (b, y) in rows} - set(mine)
        models = mine | _stored_reports(session, others)
        redo: set[Key] = set()
        for body_id, year in sorted(doubtful):
            row = rows[body_id, year]
            before, after = (
                models.get(rows[body_id, y].id) if (body_id, y) in rows else None
                for y in (year - 1, year + 1)
            )
            settled = splits.settle(session, row, bodies[body_id].name, before, after, mine.get(row.id))
            self.store.settled += settled
            if settled:  # its neighbours, and the rules across years, see the cells as settled
                models[row.id] = to_report(row, bodies[body_id].name)
                redo |= {(body_id, year), (body_id, year + 1)}
        for body_id, year in touched:  # a stored report of the year after: compared anew
            after_row = rows.get((body_id, year + 1))
            if after_row is not None and after_row.id < first:
                redo.add((body_id, year + 1))
        for body_id, year in sorted(redo):
            self.store._cross_year(session, bodies[body_id], year)


def _new_ids(session: Session, count: int) -> list[int]:
    """Ids for `count` new report rows (the writer's lock is held: no one else takes any)."""
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        query = text("SELECT nextval(pg_get_serial_sequence('reports', 'id')) FROM generate_series(1, :n)")
        return list(session.scalars(query, {"n": count}))
    top = session.scalar(select(StoredReport.id).order_by(StoredReport.id.desc()).limit(1)) or 0
    return list(range(top + 1, top + 1 + count))


CELL_COLUMNS = (
    "report_id",
    "table_id",
    "row_id",
    "column_id",
    "value",
    "text",
    "provenance",
    "found",
    "ambiguous",
)


def _cell_rows(cells: dict[str, dict[str, Any]], report_id: int, dialect: str) -> list[tuple[Any, ...]]:
    """The cells of a line as rows of CELL_COLUMNS, bound as the ORM binds `convert.cell_rows`:
    on SQLite a number as a float, a flag as 0 or 1; on PostgreSQL a Decimal and a bool."""
    number: Callable[[Any], Any] = float if dialect == "sqlite" else _decimal
    flag: Callable[[Any], Any] = int if dialect == "sqlite" else bool
    rows = []
    for key, cell in cells.items():
        table_id, row_id, column_id = key.split(".")
        value = cell.get("value")
        source = cell.get("source")
        rows.append(
            (
                report_id,
                table_id,
                row_id,
                column_id,
                None if value is None else number(value),
                cell.get("text"),
                None if source is None else orjson.dumps(source).decode("utf-8"),
                flag(not cell.get("missing", False)),
                flag(cell.get("ambiguous", False)),
            )
        )
    return rows


def _decimal(value: int | float) -> int | Decimal:
    return value if isinstance(value, int) else Decimal(str(value))


def _stored_reports(session: Session, ids: set[int]) -> dict[int, Report]:
    found: dict[int, Report] = {}
    for start in range(0, len(ids), 1000):
        chunk = sorted(ids)[start : start + 1000]
        query = (
            select(StoredReport)
            .where(StoredReport.id.in_(chunk))
            .options(selectinload(StoredReport.cells), selectinload(StoredReport.findings))
        )
        for row in session.scalars(query):
            found[row.id] = to_report(row, session.get(Body, row.body_id).name)  # type: ignore[union-attr]
    return found


def _current_rows(session: Session, keys: set[Key]) -> dict[Key, StoredReport]:
    found: dict[Key, StoredReport] = {}
    keys_list = sorted(keys)
    pair = tuple_(StoredReport.body_id, StoredReport.year)
    for start in range(0, len(keys_list), 1000):
        query = select(StoredReport).where(pair.in_(keys_list[start : start + 1000]), StoredReport.current)
        for row in session.scalars(query):
            found[(row.body_id, row.year)] = row
    return found


def write(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows (dicts) into a table, bound as the ORM binds them but JSON through orjson (the same
    JSON, less space)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = [c for c in table.columns if c.name in rows[0]]
    # what the ORM fills in itself (a finding's status "open") is given here too
    defaults = [
        c for c in table.columns if c.name not in rows[0] and c.default is not None and c.default.is_scalar
    ]
    fixed = [c.default.arg for c in defaults]  # type: ignore[union-attr]
    convert = [_binder(c, dialect) for c in columns]
    pairs = list(zip([c.name for c in columns], convert, strict=True))
    values = [[row[name] if to is None else to(row[name]) for name, to in pairs] + fixed for row in rows]
    copy_rows(session, table.name, [c.name for c in columns + defaults], values)


def _binder(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(column.type, JSON):
        return _json_text
    if dialect.name == "postgresql":
        return None  # psycopg binds the rest itself
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def copy_rows(session: Session, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows already bound for the driver: COPY on PostgreSQL, one executemany elsewhere."""
    raw = session.connection().connection.driver_connection
    columns = ", ".join(f'"{name}"' for name in names)
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(names))
        raw.cursor().executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # type: ignore[union-attr]


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode("utf-8")


def chunks(lines: Iterable[Line], size: int = CHUNK) -> Iterator[list[Line]]:
    chunk: list[Line] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
