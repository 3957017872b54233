"""Storing reports already read — the lines `xxgk parse --out` writes — in chunks of up to a thousand.

What is stored is what `Store.store_report` stores one report at a time, line after line: the
same dedup by file hash and by content (identity.py: another file of a stored report is another
source of it), the same attribution (`--body`, a manifest row, else the agency printed, else
待认定), the same version numbers and current version (versions.py), the report's findings, the
cross-year findings and the splits a neighbouring year settles. The rows are written in bulk:
COPY on PostgreSQL, one executemany per table on SQLite, one transaction per chunk.

A chunk is whole or absent: an interrupted load leaves the chunks before it stored, and a rerun
skips them by their hashes.

With two cores or more, a helper process works out what needs nothing but a line ahead of its
turn, on the core the storing leaves idle: it parses the line and hands over what storing needs
(the cells as JSON text, the cells typed for the report model, its identity and words for
search), which costs less to take than to parse again. The lines it has worked out are stored as
they come ready; only when too few are does this process work out lines itself (`Chunks`).
"""

from __future__ import annotations

import itertools
import mmap
import os
import pickle
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import JSON, Column, Dialect, Select, Table, func, select, text
from sqlalchemy.orm import Session

from xxgk.batch import dumps, start_worker
from xxgk.errors import InputError
from xxgk.model import Report
from xxgk.store import results_line, search
from xxgk.store.attribution import Attribution
from xxgk.store.convert import CellRow, cell_rows, cell_values, finding_rows, from_record, row_values
from xxgk.store.filing import BodyIndex, Filing, Row
from xxgk.store.identity import content_hash
from xxgk.store.models import Body, ReportSource, StoredFinding, StoredReport
from xxgk.templates import TEMPLATES

if TYPE_CHECKING:
    from xxgk.store import Store

CHUNK = 1000  # reports per transaction
FIRST_CHUNK = 200  # `xxgk ingest DIR`'s first chunk: storing begins while the workers have barely begun
LAST_CHUNK = 200  # and its last one at most: the workers have nothing to do while it is stored
BLOCK_LINES = 25  # lines of a results file worked out at a time (a helper's job)
MIN_CHUNK = 50  # lines ready before a chunk is stored (`Chunks`)
AHEAD = 2000  # lines of a results file given the helper before their turn
_SHA256 = re.compile(r"[0-9a-f]{64}")
YEARLESS = "the report year is not printed; cannot file it under a year"
_TEXT = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # a character of a line not blank (`bytes.isspace`)


Attributor = Callable[[str], Attribution | None]  # what is known of a line's file, by its path


@dataclass
class Line:
    """One line of a results file: a report read (`record`), or a file that was not."""

    number: int
    record: dict[str, Any] | None  # None until parsed (`prepare`): the `raw` line
    given: Attribution | None = None  # what is known of the file besides its content
    raw: bytes | None = None  # as written, until parsed (None where a `Worked` came with it)
    where: str = ""  # the file and line, for errors
    # made before its chunk is stored (`prepare`): its report model, year and identity
    report: Report | None = None
    year: int | None = None
    identity: str | None = None
    terms: str | None = None  # its words for search, when the helper cut them
    cells: str | None = None  # its cells as JSON, when the helper gave them (the record has none)

    @property
    def read(self) -> bool:
        return "error" not in self.record  # type: ignore[operator]


def prepare(lines: Sequence[Line], worked: Sequence[Worked | None] | None = None) -> None:
    """Each line parsed, with the report model, year and identity of each line read (a line
    prepared already is left as it is); `worked`: each line's `Worked` where it came with one
    (`xxgk ingest DIR`: each worker works out its own file's, see `batch.parse_data`). The first
    line not well formed raises."""
    _raise_first(_prepare(lines, worked or [None] * len(lines), None))


def _raise_first(errors: list[tuple[int, InputError]]) -> None:
    if errors:
        raise min(errors, key=lambda error: error[0])[1]


def _prepare(
    lines: Sequence[Line], worked: Sequence[Worked | None], attributor: Attributor | None
) -> list[tuple[int, InputError]]:
    """`prepare` for these lines, each with its `Worked` or None; the lines not well formed are
    returned (by number), not raised, so that the first of a chunk is raised in its turn."""
    from xxgk.store import report_identity

    errors: list[tuple[int, InputError]] = []
    for line, done in zip(lines, worked, strict=True):
        if line.record is None:
            if done is not None:
                line.record, line.cells = done.record, done.cells
                line.report = from_record(done.record, done.rows)
            else:
                assert line.raw is not None  # a line without a `Worked` comes as written
                try:
                    line.record = _record(line.raw, line.where)
                except InputError as error:
                    errors.append((line.number, error))
                    continue
            line.raw = None
            if attributor is not None:
                line.given = attributor(line.record["file"])
        if not line.read:
            continue
        if line.report is None:
            line.report = from_record(line.record)
        line.year = (line.given and line.given.year) or line.report.meta.year
        if line.identity is None and line.year is not None:
            # a `Worked`'s identity is by the year printed, and so only for that year
            if done is not None and line.year == line.report.meta.year:
                line.identity, line.terms = done.identity, done.terms
            else:
                line.identity = report_identity(line.report, line.year)
    return errors


@dataclass(frozen=True, slots=True)
class Worked:
    """What a line read gives that needs nothing but the line: the record but its cells and
    tables, the cells as JSON and as `cell_rows` (not provenance), its identity by the year it
    prints and its words for search (`search.TABLE`'s terms)."""

    record: dict[str, Any]
    cells: str
    rows: list[CellRow]
    identity: str | None
    terms: str

    def __reduce__(self) -> tuple[type[Worked], tuple[Any, ...]]:
        # pickled as its fields: a slotted dataclass is otherwise pickled by copyreg's code in
        # Python, which took as long as pickling the fields themselves
        return Worked, (self.record, self.cells, self.rows, self.identity, self.terms)


def work_out(raw: bytes) -> Worked | None:
    """A line's `Worked`; None for a line not read or not well formed (its turn says why)."""
    try:
        record = _record(raw, "")
        if "error" in record:
            return None
        cells = record.pop("cells")
        rows = cell_rows(record["template"], cells, provenance=False)
        meta, text = record["meta"], record.get("narrative") or ""
        year, title = meta.get("year"), meta.get("title")
        # as `report_identity` of the line's report model (`from_record`: its narrative the text)
        values = cell_values(record["template"], rows)
        agency = meta.get("agency")
        identity = None if year is None else content_hash(year, agency, values, text.strip(), title)
        terms = search.terms(search.report_text(title, text))
        return Worked(record, dumps(cells).decode("utf-8"), rows, identity, terms)
    except Exception:  # worked out again, or refused, in its turn
        return None


def _work_block(path: str, start: int, end: int, folder: str) -> str:
    """`work_out` of each line not blank between two offsets of a results file (a helper's job),
    pickled into a file of `folder`, whose name is returned: the pipe back from the helper holds
    64 KB, and a block's results (some 3 MB) sent through it kept the helper waiting until this
    process, busy storing, read them."""
    worked = [work_out(raw) for raw in _lines_between(path, start, end)]
    name = os.path.join(folder, f"{start}.pickle")
    with open(name, "wb") as out:
        pickle.dump(worked, out, protocol=pickle.HIGHEST_PROTOCOL)
    return name


def _lines_between(path: str | Path, start: int, end: int) -> list[bytes]:
    """The lines not blank between two offsets of a file."""
    with open(path, "rb") as handle:
        handle.seek(start)
        block = handle.read(end - start)
    return [raw for raw in block.split(b"\n") if _TEXT.search(raw)]


@dataclass
class _Block:
    """Lines not blank of a results file, worked out together: where its bytes are, each line's
    number, and once worked out (by the helper, `job`, or here) each line's `Worked`."""

    start: int
    end: int
    numbers: list[int]
    job: Future[str] | None = None
    worked: list[Worked | None] | None = None
    raws: list[bytes] | None = None  # the lines, where read here


def _blocks(path: Path) -> Iterator[_Block]:
    """The file's lines not blank in blocks of BLOCK_LINES, told without copying any line."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start = offset = number = 0
            numbers: list[int] = []
            while offset < len(data):
                end = data.find(b"\n", offset) + 1 or len(data)
                number += 1
                if _TEXT.search(data, offset, end):  # type: ignore[call-overload]
                    numbers.append(number)
                    if len(numbers) == BLOCK_LINES:
                        yield _Block(start, end, numbers)
                        start, numbers = end, []
                offset = end
            if numbers:
                yield _Block(start, offset, numbers)


class Chunks:
    """The lines of a results file in chunks, each line prepared (`_prepare`) before its chunk's
    turn. With a helper process (`pool`), the helper works the lines out block after block, ahead
    of their turn, while this process stores; a chunk is stored once MIN_CHUNK lines or more are
    ready at the head, at most CHUNK. Only when fewer are ready does this process work out lines
    itself: the first block the helper has not begun (withdrawn from it), and it waits only when
    the helper has begun every block. Storing is most of this process's time: when it worked out
    every block of a chunk the helper had not begun by its turn, the helper ran out of work well
    before the end, and the last chunks were stored on one core.

    Blocks are given the helper AHEAD lines ahead. A chunk holding a line not well formed raises
    its first one when its turn comes, so the chunks before it are stored as they were; with
    `fetch` as the `meanwhile` of `Loader.load` (PostgreSQL), the next chunk is made ready while
    the server stores the current one."""

    def __init__(
        self, path: Path, pool: Executor | None, folder: str | None, attributor: Attributor | None
    ) -> None:
        """`folder`: where the helper leaves its results; `attributor`: as for `_prepare`."""
        self._path = path
        self._pool = pool
        self._folder = folder
        self._attributor = attributor
        self._blocks = _blocks(path)
        self._queue: deque[_Block] = deque()  # blocks given out, in order, not yet ready
        self._queued = 0  # their lines
        self._ready: deque[tuple[Line, InputError | None]] = deque()
        self._next: list[Line] | None = None
        self._error: Exception | None = None
        self._done = False

    def fetch(self) -> None:
        if self._next is not None or self._error is not None or self._done:
            return
        try:
            chunk = self._take()
        except Exception as exc:  # raised in its turn by __iter__
            self._error = exc
        else:
            self._next = chunk
            self._done = not chunk

    def __iter__(self) -> Iterator[list[Line]]:
        while True:
            self.fetch()
            if self._error is not None:
                raise self._error
            if not self._next:
                return
            chunk, self._next = self._next, None
            yield chunk

    def close(self) -> None:
        """The helper's jobs not begun cancelled, the file let go."""
        for block in self._queue:
            if block.job is not None:
                block.job.cancel()
        self._blocks.close()

    def _take(self) -> list[Line]:
        """The next chunk (empty at the end of the file); raises its first line not well formed."""
        enough = MIN_CHUNK if self._pool is not None else CHUNK
        while True:
            self._give()
            self._advance()
            if not self._queue or len(self._ready) >= enough:
                break
            block = self._withdrawn()
            if block is not None:
                self._work_here(block)
            else:  # the helper has begun every block: its next one is waited for
                self._queue[0].worked = self._results(self._queue[0])
        chunk = [self._ready.popleft() for _ in range(min(CHUNK, len(self._ready)))]
        _raise_first([(line.number, error) for line, error in chunk if error is not None])
        return [line for line, _ in chunk]

    def _give(self) -> None:
        """Blocks queued (and given the helper) until AHEAD lines are."""
        while self._queued < AHEAD and (block := next(self._blocks, None)) is not None:
            if self._pool is not None:
                path, folder = str(self._path), self._folder
                block.job = self._pool.submit(_work_block, path, block.start, block.end, folder)
            self._queue.append(block)
            self._queued += len(block.numbers)

    def _advance(self) -> None:
        """The blocks at the head that are worked out, prepared and moved to the ready lines."""
        while self._queue:
            block = self._queue[0]
            if block.worked is None:
                if block.job is None or not block.job.done():
                    return
                block.worked = self._results(block)
            self._queue.popleft()
            self._queued -= len(block.numbers)
            self._ready_lines(block)

    def _withdrawn(self) -> _Block | None:
        """The block to work out here: the head one without a helper, else the first that the
        helper has not begun (withdrawn from it), if any."""
        if self._pool is None:
            return self._queue[0]
        for block in self._queue:
            if block.worked is None and block.job is not None and block.job.cancel():
                return block
        return None

    def _work_here(self, block: _Block) -> None:
        block.raws = _lines_between(self._path, block.start, block.end)
        block.worked = [work_out(raw) for raw in block.raws]

    @staticmethod
    def _results(block: _Block) -> list[Worked | None]:
        """The helper's results of a block, once it is done (their file removed); for a helper
        gone (killed), none: the lines are parsed here in their turn."""
        assert block.job is not None
        try:
            name = block.job.result()
        except Exception:
            return [None] * len(block.numbers)
        with open(name, "rb") as handle:
            data = handle.read()
        os.unlink(name)
        return pickle.loads(data)  # written by this load's own helper

    def _ready_lines(self, block: _Block) -> None:
        worked = block.worked
        assert worked is not None
        raws: list[bytes | None] = [None] * len(worked)
        if None in worked:  # a line not read, or not well formed: parsed (or refused) as written
            raws = block.raws or _lines_between(self._path, block.start, block.end)  # type: ignore[assignment]
        lines = [
            Line(number, None, raw=raw, where=f"{self._path}:{number}")
            for number, raw in zip(block.numbers, raws, strict=True)
        ]
        errors = dict(_prepare(lines, worked, self._attributor))
        self._ready.extend((line, errors.get(line.number)) for line in lines)


@contextmanager
def chunks_of(path: Path, attributor: Attributor | None = None) -> Iterator[Chunks]:
    """The `Chunks` of a results file, with a helper process where there are two cores or more
    (stopped on leaving)."""
    with ExitStack() as stack:
        pool: Executor | None = None
        folder: str | None = None
        if (os.cpu_count() or 1) >= 2:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            search.index_words("信息")  # the word list loaded here, before the fork, for both processes
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            context = multiprocessing.get_context(method)
            # the folder removed after the helper has stopped (a job it had begun may still write there)
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="xxgk-bulk-"))
            pool = stack.enter_context(ProcessPoolExecutor(1, context, initializer=start_worker))
        chunks = Chunks(path, pool, folder, attributor)
        try:
            yield chunks
        finally:
            chunks.close()


def chunk_sizes(files: int) -> Iterator[int]:
    """How many files each chunk of `xxgk ingest DIR` holds, in turn, of `files`: a small first
    chunk, so storing begins while the workers reading them have barely begun, and a small last
    one, whose storing they have nothing to do beside."""
    first = min(FIRST_CHUNK, CHUNK)
    yield first
    left = files - first
    while left > CHUNK:
        yield CHUNK
        left -= CHUNK
    if left > LAST_CHUNK:
        yield left - LAST_CHUNK
    yield from itertools.repeat(CHUNK)


@dataclass
class Loaded:
    """What storing a line gave: a status of `Store.store_report`, or the error that kept it out."""

    status: str
    error: str | None = None


def attributor(manifest: dict[Path, Attribution] | None, attribution: Attribution | None) -> Attributor:
    """Each line's file is given its manifest row (by its resolved path), else `attribution`."""
    if not manifest:
        return lambda file: attribution
    return lambda file: manifest.get(Path(file).resolve(), attribution)


def count_lines(path: Path) -> int:
    """How many lines a results file holds (for the progress bar), without parsing them."""
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _record(raw: bytes, where: str) -> dict[str, Any]:
    """A line parsed: a report read, its fields of their types (`results_line`), or a file not
    read (`error`); else what is wrong with it."""
    try:
        record, wrong = results_line.parse(raw), None
    except results_line.MalformedLine as malformed:  # a file not read, or a line not as written
        record, wrong = None, f"not a line of `xxgk parse --out` as it writes them: {malformed}"
    except msgspec.DecodeError as error:
        torn = "truncated" in str(error)
        raise InputError(
            f"not a JSON line ({'a torn last line? read the files again' if torn else error})", where
        ) from None
    if record is None:  # a line of a file not read has other fields: read without the shape
        try:
            record = msgspec.json.decode(raw)
        except msgspec.DecodeError:  # a number JSON allows, no float holds
            raise InputError(wrong, where) from None
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
    if wrong is not None:
        raise InputError(wrong, where)
    return record


@dataclass
class _Plan:
    """What storing a line does, decided before anything is written: a file already stored
    ("known"), another source of a stored report ("same"), or a new report row ("new")."""

    index: int  # in the chunk's lines
    kind: str
    report_id: int
    report: Report
    given: Attribution


@dataclass
class Loader:
    """Stores chunks of lines into one store; the bodies are read once and kept up to date."""

    store: Store
    bodies: BodyIndex | None = None

    def load(self, lines: Sequence[Line], meanwhile: Callable[[], object] | None = None) -> list[Loaded]:
        """Store the report lines given (one transaction); a status for each, in order.
        `meanwhile` is work done while PostgreSQL stores the cells (as `copy_rows`)."""
        try:
            with self.store.writing() as session:
                return self._load(session, lines, meanwhile)
        except BaseException:
            self.bodies = None  # it may hold bodies that were not stored
            raise

    def _load(
        self, session: Session, lines: Sequence[Line], meanwhile: Callable[[], object] | None
    ) -> list[Loaded]:
        results = [Loaded("failed", YEARLESS) for _ in lines]
        read: list[tuple[int, Report, Attribution, int, str]] = []
        prepare(lines)
        for index, line in enumerate(lines):
            if line.year is not None:
                read.append((index, line.report, line.given or Attribution(), line.year, line.identity))  # type: ignore[arg-type]
        if not read:
            return results
        known = _in_chunks(
            session,
            select(ReportSource.sha256, ReportSource.report_id),
            ReportSource.sha256,
            [lines[i].record["sha256"] for i, *_ in read],
        )
        first_of = select(StoredReport.content, func.min(StoredReport.id)).where(
            StoredReport.kind == "published"
        )
        same = _in_chunks(session, first_of, StoredReport.content, [c for *_, c in read], group=True)
        fresh = {c for *_, c in read if c not in same}
        ids = iter(new_ids(session, StoredReport, len(fresh)))
        plans: list[tuple[int, str, int, str | None, Attribution]] = []
        models: dict[int, Report] = {}
        new_rows: list[Row] = []
        reports: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        findings: list[dict[str, Any]] = []
        worked_terms: list[tuple[int, str]] = []  # the words of new reports the helper cut
        unworked: list[dict[str, Any]] = []  # new reports whose words are cut here
        dialect = session.bind.dialect.name  # type: ignore[union-attr]
        for index, report, given, year, content in read:
            record = lines[index].record
            sha256 = record["sha256"]
            if sha256 in known:
                plans.append((index, "known", known[sha256], given.body, given))
                continue
            name = given.body or report.meta.agency
            if content in same:
                plans.append((index, "same", same[content], name, given))
            else:
                report_id = same[content] = next(ids)
                plans.append((index, "new", report_id, name, given))
                row = row_values(report, sha256, None, 1, report.text)  # type: ignore[arg-type]
                row.update(id=report_id, year=year, content=content, current=False, kind="published")
                # as the model would give them again, sources and all
                row["cells"] = record["cells"] if lines[index].cells is None else Dumped(lines[index].cells)
                if given.published:
                    row["published"] = date.fromisoformat(given.published)
                reports.append(row)
                if (terms := lines[index].terms) is not None:
                    worked_terms.append((report_id, terms))
                else:
                    unworked.append(row)
                findings += finding_rows(report.findings, report_id)
                models[report_id] = report
                new_rows.append(
                    Row(
                        report_id,
                        None,
                        year,
                        1,
                        False,
                        "published",
                        row["published"],
                        row["errors"],
                        report.layout,
                    )
                )
            known[sha256] = plans[-1][2]
            sources.append(
                {
                    "report_id": plans[-1][2],
                    "sha256": sha256,
                    "path": report.source,
                    "url": given.url,
                    "format": report.format,
                }
            )
        words: list[tuple[str, int, str]] = [("report", r, terms) for r, terms in worked_terms if terms]

        def cut_words() -> None:
            texts = ((r["id"], search.report_text(r["title"], r["narrative"])) for r in unworked)
            words.extend(search.index_rows("report", texts))

        def write_new() -> None:
            # the new rows as filed (a row written once, not written and then updated: on SQLite
            # an update writes the whole row again, cells and all); the client's own work done
            # while PostgreSQL stores what it was sent: the words for search cut as it stores the
            # reports, `meanwhile` as it indexes the words
            for row in reports:
                filed = filing.rows[row["id"]]
                row.update(body_id=filed.body_id, version=filed.version, current=filed.current)
                filed.changed = False
            write(session, StoredReport.__table__, reports, cut_words)
            write(session, ReportSource.__table__, sources)
            write(session, StoredFinding.__table__, findings)

        if self.bodies is None:
            self.bodies = BodyIndex(sqlite=dialect == "sqlite")
        self.bodies.refresh(session)
        filing = Filing(self.store, session, self.bodies, models, write_new)
        filing.read([p[3] for p in plans if p[3]], [p[2] for p in plans if p[1] != "new"], new_rows)
        for index, kind, report_id, name, given in plans:
            results[index] = Loaded(filing.file(kind, report_id, name, given))
        filing.finish()
        copy_rows(session, search.TABLE, search.COLUMNS, words, meanwhile)
        return results


def _in_chunks(
    session: Session, query: Select[Any], column: Any, values: list[str], group: bool = False
) -> dict[str, int]:
    """`query` (key, id) for the keys in `values`, a thousand at a time."""
    found: dict[str, int] = {}
    keys = sorted(set(values))
    for start in range(0, len(keys), 1000):
        chunk = query.where(column.in_(keys[start : start + 1000]))
        found.update((key, id_) for key, id_ in session.execute(chunk.group_by(column) if group else chunk))
    return found


def new_ids(session: Session, model: type[Body] | type[StoredReport], count: int) -> list[int]:
    """Ids for `count` new rows of a table, in the order the database would give them one by one
    (the writer's lock is held: no one else takes any)."""
    if count == 0:
        return []
    table = model.__tablename__
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        query = text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)")
        return list(session.scalars(query, {"n": count}))
    top = session.scalar(select(func.max(model.id))) or 0
    return list(range(top + 1, top + 1 + count))


def write(
    session: Session, table: Table, rows: list[dict[str, Any]], meanwhile: Callable[[], object] | None = None
) -> None:
    """Rows (dicts) into a table, bound as the ORM binds them but JSON through orjson where it
    can (the same JSON, less space); `meanwhile` as for `copy_rows`."""
    if not rows:
        if meanwhile:
            meanwhile()
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
    copy_rows(session, table.name, [c.name for c in columns + defaults], values, meanwhile)


def _binder(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(column.type, JSON):
        return _json_text
    if dialect.name == "postgresql":
        return None  # psycopg binds the rest itself
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def copy_rows(
    session: Session,
    table: str,
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """Rows already bound for the driver: COPY on PostgreSQL, one executemany elsewhere.
    `meanwhile` is work done while PostgreSQL stores the rows sent (the server lags the client).

    The COPY is binary, each value sent as its column's type (PostgreSQL casts nothing there):
    the server parses no text and the client escapes none (in a bulk load some 20% of the
    server's CPU, and some of the client's). A JSON column's value is its JSON text, sent as
    text: the json type's binary form is its text."""
    raw = session.connection().connection.driver_connection
    columns = ", ".join(f'"{name}"' for name in names)
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        types = _column_types(raw, table, names)
        with (
            raw.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
            if meanwhile:
                meanwhile()
    else:
        marks = ", ".join("?" * len(names))
        raw.cursor().executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # type: ignore[union-attr]
        if meanwhile:
            meanwhile()


_SENT_AS = {"json": "text"}  # a column type whose values the binary COPY sends as another type


def _column_types(raw: Any, table: str, names: Sequence[str]) -> list[str]:
    """The type of each named column of a table, as the binary COPY sends its values."""
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (table,),
        )
        types = dict(cursor.fetchall())
    return [_SENT_AS.get(types[name], types[name]) for name in names]


class Dumped(str):
    """JSON text already made, for a JSON column."""


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, Dumped):
        return value
    return dumps(value).decode("utf-8")
