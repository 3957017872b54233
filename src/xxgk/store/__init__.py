"""The store: every report of many bodies over many years, in SQLite (default) or PostgreSQL.

    >>> from xxgk.store import Store
    >>> store = Store("sqlite:///xxgk.db")        # or postgresql+psycopg://…, or $XXGK_DB
    >>> store.ingest_paths([Path("reports/")])    # read, check, store; cross-year checks
    >>> store.report("沭阳县发展和改革局", 2023)   # the current version, as a report model

A report is known by its content (identity.py), not by its file: the same report as HTML and
PDF, or with other line ends, is one report with several sources. Another content for the same
body and year is a new version; which version is current is settled by versions.py, never by
the order of ingestion. A report whose body cannot be told (none printed, none given) is stored
under no body (待认定): not current, so counted nowhere, until someone attributes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from xxgk import batch
from xxgk.check import RULES, check_pair
from xxgk.check.crossyear import narrative
from xxgk.errors import InputError
from xxgk.files import discover, named_files
from xxgk.model import Report
from xxgk.store import search, splits, versions
from xxgk.store.attribution import Attribution
from xxgk.store.bodies import body_for, import_bodies, match, read_bodies
from xxgk.store.convert import finding_rows, to_report, to_row
from xxgk.store.db import (
    StoreError,
    connect,
    file_lock,
    lock_transaction,
    own_files,
    resolve_url,
    said,
    vacuum_reports,
)
from xxgk.store.identity import content_hash
from xxgk.store.models import (
    REPORT_KINDS,
    Body,
    ReportSource,
    StoredFinding,
    StoredReport,
    VersionChoice,
)

__all__ = ["Attribution", "IngestSummary", "Store", "StoreError", "resolve_url"]

PAIR_RULES = tuple(rule.id for rule in RULES if rule.scope == "pair")


# what storing a file did: a new report, a new version of a body's report for a year, another
# source of a stored report, nothing (the file is stored), or a report filed under no body (待认定)
STATUSES = ("new", "version", "source", "unchanged", "queued")
# workers reading files whose lines the storing process works out itself (`ingest_paths`): its
# share of the work (~1.7 ms a report against a worker's ~2 ms) keeps two cores busy; past two
# workers it is their bottleneck, and each worker works out its own line (`bulk.work_out`),
# which costs more in all: its results are larger to send than the line
STORING_KEEPS_UP = 2


@dataclass
class IngestSummary(batch.Summary):
    new: int = 0
    versions: int = 0
    sources: int = 0
    unchanged: int = 0
    queued: int = 0
    unread: list[tuple[str, str]] = field(default_factory=list)  # lines of a results file: not read

    def add(self, status: str) -> None:
        name = {"version": "versions", "source": "sources"}.get(status, status)
        setattr(self, name, getattr(self, name) + 1)


class Store:
    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
        """The store at `url`; a SQLite file not there is made, unless not to `create` (one who
        only reads gets a StoreError: a mistyped path would find nothing in a new database)."""
        self.settled: list[str] = []  # splits in doubt that a neighbouring year settled, as ingested
        self.url = resolve_url(url)
        self.engine = connect(self.url, create=create)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        search.watch(self.sessions)  # what is written is indexed for search as it is flushed

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction; the database's own trouble (busy, read-only, a server gone) a StoreError."""
        with said(self.engine), self.sessions.begin() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for a write that reads first (is this file stored? this body?): one writer at
        a time, across processes, so concurrent ingests neither collide nor lose a report (a wait
        for another is said: db.SAY_WAITING_AFTER)."""
        with said(self.engine), file_lock(self.engine), self.sessions.begin() as session:
            lock_transaction(session.connection())
            yield session

    # --- ingest ---------------------------------------------------------------------------------

    def ingest(
        self, report: Report, sha256: str, attribution: Attribution | None = None, kind: str = "published"
    ) -> str:
        """Store one read report; its status (STATUSES)."""
        return self.store_report(report, sha256, attribution, kind)[0]

    def store_report(
        self, report: Report, sha256: str, attribution: Attribution | None = None, kind: str = "published"
    ) -> tuple[str, int]:
        """Store one read report, filed under the body `attribution` names, else the one it prints,
        else under no body (待认定); returns its status and the stored report's id:
        "unchanged" (this file is stored), "source" (the same report from another file: its source
        is added), "new", "version" (another content for a stored body and year), "queued".
        A report compiled from a register (kind "compiled") is stored beside the published ones,
        never as the current version."""
        if kind not in REPORT_KINDS:
            raise ValueError(f"a report's kind is one of {REPORT_KINDS}, not {kind!r}")
        given = attribution or Attribution()
        year = given.year or report.meta.year
        if year is None:
            raise InputError(
                "the report year is not printed; cannot file it under a year", report.source, kind="no_year"
            )
        content = report_identity(report, year)
        with self.writing() as session:
            known = session.scalar(select(ReportSource.report_id).where(ReportSource.sha256 == sha256))
            if known is not None:
                row = session.get_one(StoredReport, known)
                if row.body_id is None and given.body:  # a file stored as 待认定, now attributed
                    return self._file_under(session, row, self._body(session, given.body, given)), known
                return "unchanged", known
            name = given.body or report.meta.agency
            same = session.scalar(
                select(StoredReport)
                .where(StoredReport.content == content, StoredReport.kind == kind)
                .order_by(StoredReport.id)
            )
            if same is not None:
                _add_source(session, same.id, sha256, report, given)
                if same.body_id is None and name:
                    self._file_under(session, same, self._body(session, name, given))
                return "source", same.id
            body = self._body(session, name, given) if name else None
            row = to_row(report, sha256, None, 1)
            row.year, row.content, row.current, row.kind = year, content, False, kind
            if given.published:
                row.published = date.fromisoformat(given.published)
            session.add(row)
            session.flush()
            _add_source(session, row.id, sha256, report, given)
            if report.findings:
                rows = finding_rows(report.findings, row.id)
                session.connection().execute(insert(StoredFinding.__table__), rows)
            if body is None:
                return "queued", row.id
            return self._file_under(session, row, body), row.id

    def attribute(self, report_id: int, body: str) -> str:
        """File a stored report (one 待认定, or one filed wrongly) under a body: "new" or
        "version" as for an ingest, "unchanged" when it already is."""
        with self.writing() as session:
            row = session.get(StoredReport, report_id)
            if row is None:
                raise InputError(f"no stored report has the id {report_id}", kind="no_such_report")
            target = self._body(session, body, Attribution())
            if row.body_id == target.id:
                return "unchanged"
            self._unfile(session, row)
            return self._file_under(session, row, target)

    def attribute_file(self, sha256: str, attribution: Attribution) -> str | None:
        """A stored file given a body (a manifest row, --body): its report, if 待认定, is filed
        under it ("new" or "version"); None when it is no 待认定 report."""
        if attribution.body is None:
            return None
        with self.session() as session:
            row = session.scalar(
                select(StoredReport)
                .join(ReportSource, ReportSource.report_id == StoredReport.id)
                .where(ReportSource.sha256 == sha256, StoredReport.body_id.is_(None))
            )
        return None if row is None else self.attribute(row.id, attribution.body)

    def choose_version(
        self, report_id: int, by: str, why: str, body: str | None = None, year: int | None = None
    ) -> None:
        """A reviewer makes a stored version the current one; who and why are kept. `body` and
        `year`, where given, are the report's the reviewer means: another's is refused."""
        if not why.strip():
            raise InputError("say why this version is the right one (--why)", kind="no_reason")
        with self.writing() as session:
            row = session.get(StoredReport, report_id)
            if row is None:
                raise InputError(f"no stored report has the id {report_id}", kind="no_such_report")
            if body is not None or year is not None:
                found = self.find_body(session, body) if body is not None else None
                if (found is not None and row.body_id != found.id) or (year is not None and row.year != year):
                    meant = " ".join(str(part) for part in (found and found.name, year) if part)
                    raise InputError(
                        f"report {report_id} is no version of the report of {meant}", kind="other_report"
                    )
            if row.body_id is None:
                raise InputError(
                    f"report {report_id} is not attributed to a body yet (待认定)", kind="unattributed"
                )
            choice = VersionChoice(
                body_id=row.body_id, year=row.year, report_id=row.id, chosen_by=by, why=why.strip()
            )
            session.add(choice)
            session.flush()
            versions.settle(session, row.body_id, row.year)
            self._after_change(session, session.get_one(Body, row.body_id), row.year)

    def _body(self, session: Session, name: str, given: Attribution) -> Body:
        body = body_for(session, name)
        body.level = given.level or body.level
        body.region = body.region or given.region
        return body

    def _file_under(self, session: Session, row: StoredReport, body: Body) -> str:
        """Give a report its body and its version number; settle which version is current."""
        latest = session.scalar(
            select(func.max(StoredReport.version)).where(
                StoredReport.body_id == body.id, StoredReport.year == row.year, StoredReport.id != row.id
            )
        )
        same_kind = session.scalar(
            select(StoredReport.id).where(
                StoredReport.body_id == body.id,
                StoredReport.year == row.year,
                StoredReport.kind == row.kind,
                StoredReport.id != row.id,
            )
        )
        row.body_id, row.version = body.id, (latest or 0) + 1  # numbered across kinds: one list
        session.flush()
        versions.settle(session, body.id, row.year)
        self._after_change(session, body, row.year)
        return "new" if same_kind is None else "version"

    def _unfile(self, session: Session, row: StoredReport) -> None:
        """Take a report off its body (before it is filed under another)."""
        if row.body_id is None:
            return
        body = session.get_one(Body, row.body_id)
        row.body_id, row.current = None, False
        session.flush()
        versions.settle(session, body.id, row.year)
        self._after_change(session, body, row.year)

    def _after_change(self, session: Session, body: Body, year: int) -> None:
        """A current version changed: settle the splits a neighbouring year decides, and compute
        the cross-year findings again."""
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
                self.settled += splits.settle(
                    session,
                    this,
                    body.name,
                    None if before is None else to_report(before, body.name),
                    None if after is None else to_report(after, body.name),
                )
        for kind in REPORT_KINDS:  # a compiled report is compared with last year's compiled or published
            self._cross_year(session, body, year, kind)
            self._cross_year(session, body, year + 1, kind)

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        jobs: int | None = None,
        scheduler: str | None = None,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[batch.Outcome], None] | None = None,
        attribution: Attribution | None = None,
        manifest: dict[Path, Attribution] | None = None,
        limits: batch.Limits | None = None,
    ) -> IngestSummary:
        """Read files and folders in parallel (or on a Dask cluster) and store each report, a
        chunk at a time; files already stored are recognised by their content hash and not read
        again. `manifest` (by resolved path) and `attribution` (for every other file) say what the
        reports do not; `limits`: a file's in a worker (default: the environment's)."""
        from xxgk.store import bulk

        if limits is None:
            limits = batch.pool_limits(jobs)
        paths = list(paths) or list(manifest or ())
        manifest = manifest or {}
        summary = IngestSummary(named=named_files(paths))
        files = discover(paths)
        if own := own_files(self.engine):  # found in a folder, the store's files are no reports
            files = [f for f in files if f in summary.named or f.resolve() not in own]
        with self.session() as session:
            known = set(session.scalars(select(ReportSource.sha256)))

        def given(path: Path) -> Attribution | None:
            return manifest.get(path.resolve(), attribution)

        todo = []
        for path in files:
            sha256 = batch.sha256_of(path) if known else None
            if sha256 is None or sha256 not in known:
                todo.append(path)
                continue
            status = self.attribute_file(sha256, given(path) or Attribution())
            summary.add(status or "unchanged")
        if on_start:
            on_start(len(todo))
        loader = bulk.Loader(self)
        waiting: list[tuple[batch.Outcome, bulk.Line]] = []

        def store_waiting() -> None:
            lines = [line for _, line in waiting]
            bulk.prepare(lines, [outcome.worked for outcome, _ in waiting])
            loaded = loader.load(lines)
            for (outcome, _), result in zip(waiting, loaded, strict=True):
                if result.error is not None:
                    outcome.line, outcome.worked, outcome.error = None, None, result.error
                else:
                    summary.add(result.status)
                summary.count(outcome)
                if on_result:
                    on_result(outcome)
            waiting.clear()

        sizes = bulk.chunk_sizes(len(todo))
        size = next(sizes)
        keeps_up = scheduler is None and (jobs or os.cpu_count() or 1) <= STORING_KEEPS_UP
        then = None if keeps_up else bulk.work_out
        with batch.batch_gc():  # the lines waiting are millions of objects, none cyclic
            for outcome in batch.outcomes(todo, jobs, scheduler, then=then, limits=limits):
                if not outcome.read:
                    summary.count(outcome)
                    if on_result:
                        on_result(outcome)
                    continue
                line = bulk.Line(0, None, given(outcome.path), raw=outcome.line, where=str(outcome.path))
                waiting.append((outcome, line))
                if len(waiting) >= size:
                    store_waiting()
                    size = next(sizes)
            if waiting:
                store_waiting()
        self._after_load(summary)
        return summary

    def _after_load(self, summary: IngestSummary) -> None:
        from xxgk.store import bulk

        if summary.new + summary.versions + summary.queued >= bulk.CHUNK:  # else autovacuum's turn
            vacuum_reports(self.engine)

    def ingest_results(
        self,
        path: Path,
        *,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[object], None] | None = None,
        attribution: Attribution | None = None,
        manifest: dict[Path, Attribution] | None = None,
    ) -> IngestSummary:
        """Store the reports of a results file (`xxgk parse --out`) without reading them again;
        `manifest` (by resolved path of each line's file) and `attribution` as for `ingest_paths`.
        A line of a file that was not read is listed in `unread`; a line that is no line of
        `xxgk parse --out` stops the load before its chunk (those before it stay stored)."""
        from xxgk.store import bulk

        count = bulk.count_lines(path)
        if on_start:
            on_start(count)
        summary = IngestSummary()
        loader = bulk.Loader(self)
        with batch.paused_gc(), bulk.chunks_of(path, bulk.attributor(manifest, attribution)) as chunks:
            # PostgreSQL stores a chunk after the client has sent it: the next chunk is prepared
            # then. SQLite stores it as it is sent: the next chunk is prepared once this one is
            # stored, by which time the helper has worked out more of it
            meanwhile = chunks.fetch if self.engine.dialect.name == "postgresql" else None
            for chunk in chunks:
                loaded = iter(loader.load([line for line in chunk if line.read], meanwhile))
                for line in chunk:
                    record = line.record
                    assert record is not None  # parsed by `prepare`
                    if not line.read:
                        summary.unread.append((record["file"], str(record["error"])))
                    elif (result := next(loaded)).error is not None:
                        summary.failures.append((record["file"], result.error))
                    else:
                        summary.add(result.status)
                        summary.read += 1
                        summary.with_errors += any(f.get("severity") == "error" for f in record["findings"])
                    if on_result:
                        on_result(line)
        self._after_load(summary)
        return summary

    def _cross_year(self, session: Session, body: Body, year: int, kind: str = "published") -> None:
        """(Re)compute the cross-year findings of the body's report of `year` of that kind; a
        compiled report is compared with last year's compiled one, else the published one."""
        this = self._latest(session, body.id, year, kind)
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
        previous = self._latest(session, body.id, year - 1, kind) or self._current(session, body.id, year - 1)
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

    @staticmethod
    def _latest(session: Session, body_id: int, year: int, kind: str) -> StoredReport | None:
        """The current published report, or the newest compiled one."""
        if kind == "published":
            return Store._current(session, body_id, year)
        return session.scalar(
            select(StoredReport)
            .where(StoredReport.body_id == body_id, StoredReport.year == year, StoredReport.kind == kind)
            .order_by(StoredReport.version.desc())
            .limit(1)
        )

    # --- bodies ---------------------------------------------------------------------------------

    def import_bodies(self, path: Path) -> int:
        records = list(read_bodies(path))
        with self.writing() as session:
            return import_bodies(session, records)

    def find_body(self, session: Session, name: str) -> Body:
        if not name.strip():  # `--body ""`: an unset variable
            raise InputError("a body's name is empty", kind="empty_name")
        body = match(session, name)
        if body is None:
            raise InputError("no such body in the store", name, kind="no_body")
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

    def report(
        self, body: str, year: int, *, version: int | None = None, kind: str = "published"
    ) -> Report | None:
        """A stored report as a report model: the current version (of a compiled report, the
        newest), or the one asked for."""
        with self.session() as session:
            found = self.find_body(session, body)
            query = select(StoredReport).where(StoredReport.body_id == found.id, StoredReport.year == year)
            if version:
                row = session.scalar(query.where(StoredReport.version == version))
            else:
                row = self._latest(session, found.id, year, kind)
            return to_report(row, found.name) if row else None

    def version_list(self, body: str, year: int) -> tuple[str, list[versions.VersionInfo], str]:
        """The body's name, every version of its report for the year, why the current one is."""
        with self.session() as session:
            found = self.find_body(session, body)
            return (found.name, *versions.version_list(session, found.id, year))

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


def report_identity(report: Report, year: int) -> str:
    """The identity of a read report (identity.py)."""
    values = {key: cell.value for key, cell in report.cells.items()}
    return content_hash(year, report.meta.agency, values, narrative(report), report.meta.title)


def _add_source(session: Session, report_id: int, sha256: str, report: Report, given: Attribution) -> None:
    source = ReportSource(
        report_id=report_id, sha256=sha256, path=report.source, url=given.url, format=report.format
    )
    session.add(source)
    session.flush()
