"""The store: every report of many bodies over many years, in SQLite (default) or PostgreSQL.

    >>> from xxgk.store import Store
    >>> store = Store("sqlite:///xxgk.db")        # or postgresql+psycopg://…, or $XXGK_DB
    >>> store.ingest_paths([Path("reports/")])    # read, check, store; cross-year checks
    >>> store.report("沭阳县发展和改革局", 2023)   # the current version, as a report model

Re-ingesting a file already stored changes nothing; a different file for the same body and
year becomes a new version, and the old one is kept (no longer current).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from xxgk import batch
from xxgk.check import RULES, check_pair
from xxgk.errors import InputError
from xxgk.model import Report
from xxgk.store import splits
from xxgk.store.bodies import body_for, import_bodies, match, read_bodies
from xxgk.store.convert import cell_rows, finding_rows, to_report, to_row
from xxgk.store.db import StoreError, connect, file_lock, lock_transaction, resolve_url
from xxgk.store.models import Body, StoredCell, StoredFinding, StoredReport
from xxgk.store.versions import latest, place

__all__ = ["IngestSummary", "Store", "StoreError", "resolve_url"]

PAIR_RULES = tuple(rule.id for rule in RULES if rule.scope == "pair")


@dataclass
class IngestSummary(batch.Summary):
    new: int = 0
    versions: int = 0
    unchanged: int = 0
    unread: list[tuple[str, str]] = field(default_factory=list)  # lines of a results file: not read

    def tally(self, status: str) -> None:
        self.new += status == "new"
        self.versions += status == "version"
        self.unchanged += status == "unchanged"


class Store:
    def __init__(self, url: str | None = None) -> None:
        self.settled: list[str] = []  # splits in doubt that a neighbouring year settled, as ingested
        self.url = resolve_url(url)
        self.engine = connect(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for a write that reads first (is this file stored? this body?): one writer at
        a time, across processes, so concurrent ingests neither collide nor lose a report."""
        with file_lock(self.engine), self.sessions.begin() as session:
            lock_transaction(session.connection())
            yield session

    # --- ingest ---------------------------------------------------------------------------------

    def ingest(self, report: Report, sha256: str) -> str:
        """Store one read report: "new", "version" (a changed file for a stored body and year)
        or "unchanged" (this file is already stored)."""
        if report.meta.year is None:
            raise InputError("the report year is not printed; cannot file it under a year", report.source)
        with self.writing() as session:
            if session.scalar(select(StoredReport.id).where(StoredReport.sha256 == sha256)) is not None:
                return "unchanged"
            body = body_for(session, report.meta.agency or _unsigned(report))
            version, superseded = place(
                latest(session, [(body.id, report.meta.year)])[(body.id, report.meta.year)]
            )
            if superseded is not None:
                session.execute(
                    update(StoredReport).where(StoredReport.id == superseded).values(current=False)
                )
            row = to_row(report, sha256, body.id, version)
            session.add(row)
            session.flush()
            connection = session.connection()  # Core executemany: an ORM object per cell is slow
            connection.execute(insert(StoredCell.__table__), cell_rows(report, row.id))
            if report.findings:
                connection.execute(insert(StoredFinding.__table__), finding_rows(report.findings, row.id))
            year = report.meta.year
            near = {
                r.year: r
                for r in session.scalars(
                    select(StoredReport).where(
                        StoredReport.body_id == body.id,
                        StoredReport.current,
                        StoredReport.year.between(year - 2, year + 2),
                    )
                )
            }
            for this in (near.get(y) for y in (year - 1, year, year + 1)):  # splits a neighbour decides
                if this is not None and splits.in_doubt(this):
                    before, after = (near.get(y) for y in (this.year - 1, this.year + 1))
                    self.settled += splits.settle(
                        session,
                        this,
                        body.name,
                        None if before is None else to_report(before, body.name),
                        None if after is None else to_report(after, body.name),
                    )
            self._cross_year(session, body, year)
            self._cross_year(session, body, year + 1)
            return "new" if superseded is None else "version"

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        jobs: int | None = None,
        scheduler: str | None = None,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[batch.Outcome], None] | None = None,
    ) -> IngestSummary:
        """Read files and folders in parallel (or on a Dask cluster) and store each report, a
        chunk at a time; files already stored are recognised by their content hash and not read."""
        import orjson

        from xxgk.store import bulk

        paths = list(paths)
        summary = IngestSummary(named=batch.named_files(paths))
        files = batch.discover(paths)
        with self.session() as session:
            known = set(session.scalars(select(StoredReport.sha256)))
        todo = []
        for path in files:
            if known and batch.sha256_of(path) in known:
                summary.unchanged += 1
            else:
                todo.append(path)
        if on_start:
            on_start(len(todo))
        loader = bulk.Loader(self)
        waiting: list[tuple[batch.Outcome, bulk.Line]] = []

        def store_waiting() -> None:
            loaded = loader.load([line for _, line in waiting])
            for (outcome, _), result in zip(waiting, loaded, strict=True):
                if result.error is not None:
                    outcome.line, outcome.error = None, result.error
                summary.tally(result.status)
                summary.count(outcome)
                if on_result:
                    on_result(outcome)
            waiting.clear()

        for outcome in batch.outcomes(todo, jobs, scheduler):
            if outcome.line is None:
                summary.count(outcome)
                if on_result:
                    on_result(outcome)
                continue
            waiting.append((outcome, bulk.Line(0, orjson.loads(outcome.line))))
            if len(waiting) >= bulk.CHUNK:
                store_waiting()
        if waiting:
            store_waiting()
        return summary

    def ingest_results(
        self,
        path: Path,
        *,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[object], None] | None = None,
    ) -> IngestSummary:
        """Store the reports of a results file (`xxgk parse --out`) without reading them again.
        A line of a file that was not read is listed in `unread`; a line that is no line of
        `xxgk parse --out` stops the load before its chunk (those before it stay stored)."""
        from xxgk.store import bulk

        if on_start:
            on_start(bulk.count_lines(path))
        summary = IngestSummary()
        loader = bulk.Loader(self)
        for chunk in bulk.chunks(bulk.read_lines(path)):
            good = [line for line in chunk if line.read]
            loaded = iter(loader.load(good))
            for line in chunk:
                record = line.record
                if not line.read:
                    summary.unread.append((record["file"], str(record["error"])))
                else:
                    result = next(loaded)
                    if result.error is not None:
                        summary.failures.append((record["file"], result.error))
                    else:
                        summary.tally(result.status)
                        summary.read += 1
                        summary.with_errors += any(f.get("severity") == "error" for f in record["findings"])
                if on_result:
                    on_result(line)
        return summary

    def _cross_year(self, session: Session, body: Body, year: int) -> None:
        """(Re)compute the cross-year findings of the body's current report of `year`."""
        this = self._current(session, body.id, year)
        if this is None:
            return
        mine = (StoredFinding.report_id == this.id, StoredFinding.rule.in_(PAIR_RULES))
        # a reviewer's verdict on a finding that is found again is kept
        reviews = {
            (f.rule, tuple(f.cells)): {
                "status": f.status,
                "comment": f.comment,
                "reviewed_by": f.reviewed_by,
                "reviewed_at": f.reviewed_at,
            }
            for f in session.scalars(select(StoredFinding).where(*mine))
            if f.status != "open"
        }
        session.execute(delete(StoredFinding).where(*mine))
        previous = self._current(session, body.id, year - 1)
        found = (
            [] if previous is None else check_pair(to_report(this, body.name), to_report(previous, body.name))
        )
        if found:
            rows = finding_rows(found, this.id)
            unreviewed = {"status": "open", "comment": None, "reviewed_by": None, "reviewed_at": None}
            for row in rows:
                row.update(reviews.get((row["rule"], tuple(row["cells"])), unreviewed))  # type: ignore[arg-type]
            session.connection().execute(insert(StoredFinding.__table__), rows)
        session.expire(this, ["findings"])

    @staticmethod
    def _current(session: Session, body_id: int, year: int) -> StoredReport | None:
        return session.scalar(
            select(StoredReport).where(
                StoredReport.body_id == body_id, StoredReport.year == year, StoredReport.current
            )
        )

    # --- bodies ---------------------------------------------------------------------------------

    def import_bodies(self, path: Path) -> int:
        records = list(read_bodies(path))
        with self.writing() as session:
            return import_bodies(session, records)

    def find_body(self, session: Session, name: str) -> Body:
        body = match(session, name)
        if body is None:
            raise InputError("no such body in the store", name)
        return body

    # --- reading back ---------------------------------------------------------------------------

    def report(self, body: str, year: int, *, version: int | None = None) -> Report | None:
        """A stored report as a report model: the current version, or the one asked for."""
        with self.session() as session:
            found = self.find_body(session, body)
            query = select(StoredReport).where(StoredReport.body_id == found.id, StoredReport.year == year)
            query = (
                query.where(StoredReport.version == version) if version else query.where(StoredReport.current)
            )
            row = session.scalar(query)
            return to_report(row, found.name) if row else None

    def versions(self, body: str, year: int) -> list[int]:
        with self.session() as session:
            found = self.find_body(session, body)
            return list(
                session.scalars(
                    select(StoredReport.version)
                    .where(StoredReport.body_id == found.id, StoredReport.year == year)
                    .order_by(StoredReport.version)
                )
            )


def _unsigned(report: Report) -> str:
    """A body name for a report that prints none: its file's name, marked as such."""
    return f"（未署名）{Path(report.source or 'report').stem}"
