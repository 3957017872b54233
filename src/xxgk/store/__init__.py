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
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from xxgk import batch
from xxgk.check import RULES, check_pair
from xxgk.errors import InputError
from xxgk.model import Report
from xxgk.store import search, splits
from xxgk.store.bodies import body_for, import_bodies, match, read_bodies
from xxgk.store.convert import cell_rows, finding_rows, to_report, to_row
from xxgk.store.db import StoreError, connect, file_lock, lock_transaction, resolve_url
from xxgk.store.models import Body, StoredCell, StoredFinding, StoredReport

__all__ = ["IngestSummary", "Store", "StoreError", "resolve_url"]

PAIR_RULES = tuple(rule.id for rule in RULES if rule.scope == "pair")


@dataclass
class IngestSummary(batch.Summary):
    new: int = 0
    versions: int = 0
    unchanged: int = 0


class Store:
    def __init__(self, url: str | None = None) -> None:
        self.settled: list[str] = []  # splits in doubt that a neighbouring year settled, as ingested
        self.url = resolve_url(url)
        self.engine = connect(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        search.watch(self.sessions)  # what is written is indexed for search as it is flushed

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
            raise InputError(
                "the report year is not printed; cannot file it under a year", report.source, kind="no_year"
            )
        with self.writing() as session:
            if session.scalar(select(StoredReport.id).where(StoredReport.sha256 == sha256)) is not None:
                return "unchanged"
            body = body_for(session, report.meta.agency or _unsigned(report))
            old = session.scalar(
                select(StoredReport).where(
                    StoredReport.body_id == body.id,
                    StoredReport.year == report.meta.year,
                    StoredReport.current,
                )
            )
            version = 1
            if old is not None:
                old.current = False
                version = (
                    session.scalar(
                        select(StoredReport.version)
                        .where(StoredReport.body_id == body.id, StoredReport.year == report.meta.year)
                        .order_by(StoredReport.version.desc())
                    )
                    + 1
                )  # type: ignore[operator]
            session.flush()
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
                    before, after = near.get(this.year - 1), near.get(this.year + 1)
                    self.settled += splits.settle(session, this, body.name, before, after)
            self._cross_year(session, body, year)
            self._cross_year(session, body, year + 1)
            return "new" if old is None else "version"

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        jobs: int | None = None,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[batch.Outcome], None] | None = None,
    ) -> IngestSummary:
        """Read files and folders in parallel and store each report; files already stored are
        recognised by their content hash and not read again."""
        paths = list(paths)
        summary = IngestSummary(named=batch.named_files(paths))
        files = batch.discover(paths)
        with self.session() as session:
            known = set(session.scalars(select(StoredReport.sha256)))
        todo = []
        for path in files:
            if batch.sha256_of(path) in known:
                summary.unchanged += 1
            else:
                todo.append(path)
        if on_start:
            on_start(len(todo))
        for outcome in batch.outcomes(todo, jobs):
            if outcome.report is not None and outcome.sha256:
                try:
                    status = self.ingest(outcome.report, outcome.sha256)
                except InputError as error:
                    outcome.report, outcome.error = None, error.message
                else:
                    summary.new += status == "new"
                    summary.versions += status == "version"
                    summary.unchanged += status == "unchanged"
            summary.count(outcome)
            if on_result:
                on_result(outcome)
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

    # --- search ---------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 50) -> search.Results:
        with self.session() as session:
            return search.search(session, query, limit=limit)

    def reindex(self) -> int:
        """Rebuild the search index from what is stored; returns how many bodies and reports."""
        with self.writing() as session:
            return search.rebuild(session.connection())

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
