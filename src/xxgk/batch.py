"""Reading many report files in parallel: into a JSON Lines file, or (see store) a database.

Each input gives one line: the report's JSON (with `file`, `sha256` and the `narrative` the
store keeps) or, when it cannot be read, `file`, `sha256`, `error` and `reason`. The workers
write the lines (the parent only appends them), and lines are flushed at least every second,
so an interrupted run loses at most that second's; a rerun skips every file whose content hash
already has a good line (failed files are tried again, their old lines dropped). A file that
stops its worker (past its time or memory, or crashing it) fails alone; the others are read.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import msgspec
import orjson

from xxgk.errors import NOT_REPORTS, InputError, XxgkError
from xxgk.files import discover, named_files
from xxgk.model import Report
from xxgk.read.limits import LIMITS
from xxgk.workers import BATCH_FILE_SECONDS, Limits, limit_memory, out_of_memory

FLUSH_SECONDS = 1.0
# more work on a report's JSON line, done in the worker that read it (a top-level function, so
# that it can be sent to a process or a cluster); None to keep the line as it is
Then = Callable[[bytes], Any]


@dataclass
class Outcome:
    """What reading one file gave: its JSON line, or the error that says why not. Small, so a
    worker (a process, or a machine of a cluster) sends it back cheaply."""

    path: Path
    sha256: str | None
    line: bytes | None = None  # the report's JSON line (no newline), when it was read
    errors: int = 0  # its error-severity findings
    error: str | None = None
    not_a_report: bool = False  # the error says the file is no report at all (a README, a photo)
    # what the worker's `then` made of the line (the store's: what storing it needs), in its place
    worked: Any = None

    @property
    def read(self) -> bool:
        return self.line is not None or self.worked is not None

    def json_line(self) -> bytes:
        if self.line is not None:
            return self.line
        return dumps(
            {
                "file": str(self.path),
                "sha256": self.sha256,
                "error": self.error,
                "reason": reason_of(self.error or ""),
            }
        )


def dumps(record: dict[str, Any]) -> bytes:
    """One JSON line. orjson is some ten times faster than json; json takes what orjson refuses
    (an integer past 64 bits, printed in a hostile report)."""
    try:
        return orjson.dumps(record)
    except TypeError:
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


LINE_START = b'{"file":'  # how every line begins (`report_line`, `Outcome.json_line`)


def report_line(path: Path | str, sha256: str | None, report: Report) -> bytes:
    """A read report's line: the JSON contract, where it came from, and its narrative (sections
    一, 五, 六: the store keeps it for the cross-year rules, so the line can be loaded unread)."""
    from xxgk.check.crossyear import narrative

    return dumps({"file": str(path), "sha256": sha256, **report.to_dict(), "narrative": narrative(report)})


@dataclass
class Summary:
    """What a run gave. A file found in a folder that is no report is listed in `not_reports`,
    not as a failure; a file named on its own that cannot be read is always a failure."""

    read: int = 0
    skipped: int = 0
    with_errors: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    not_reports: list[tuple[str, str]] = field(default_factory=list)
    named: set[Path] = field(default_factory=set)  # the files given by name, not found in a folder

    def count(self, outcome: Outcome) -> None:
        if not outcome.read and outcome.not_a_report and outcome.path not in self.named:
            self.not_reports.append((str(outcome.path), outcome.error or ""))
        elif not outcome.read:
            self.failures.append((str(outcome.path), outcome.error or ""))
        else:
            self.read += 1
            self.with_errors += outcome.errors > 0

    @property
    def failed_by_reason(self) -> Counter[str]:
        return Counter(reason_of(message) for _, message in self.failures)


def reason_of(message: str) -> str:
    """The kind of a failure: an error message up to its first detail."""
    return message.split(":")[0].split("(")[0].split(";")[0].strip()


def sha256_of(path: Path) -> str | None:
    """The file's digest; None for what xxgk does not read (a pipe or a device would block the
    hashing or never end it; a file past the size limit is not read in full)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > LIMITS.file_bytes:
            return None
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def parse_one(path: Path, then: Then | None = None) -> Outcome:
    """Read one file (runs in a worker process): its bytes once, for the hash and the reader."""
    from xxgk.read import load_path

    try:
        data = load_path(path)
    except XxgkError as error:
        return _failed(Outcome(path, None), error)
    return parse_data(data, path, then)


def parse_data(data: bytes, path: Path, then: Then | None = None) -> Outcome:
    """Read one file's bytes (runs in a worker: a process, or a machine of a Dask cluster).
    `then`: more work on the JSON line, done by the worker too (the store's `bulk.work_out`), so
    that the process collecting the outcomes does not."""
    import xxgk
    from xxgk.read import read_bytes

    outcome = Outcome(path, hashlib.sha256(data).hexdigest())
    try:
        report = xxgk.parse_document(read_bytes(data, str(path)))
        outcome.line = report_line(path, outcome.sha256, report)
    except Exception as error:
        return _failed(outcome, error)
    outcome.errors = len(report.errors)
    if then is not None:
        outcome.worked = then(outcome.line)
        if outcome.worked is not None:  # else the line goes as it is
            outcome.line = None
    return outcome


def _failed(outcome: Outcome, error: Exception, memory_mb: int | None = None) -> Outcome:
    """The outcome of a file that could not be read (`memory_mb`: the address space it had, where
    limited; by default, this worker's)."""
    memory_mb = memory_mb or _memory_mb
    if isinstance(error, XxgkError):
        outcome.error = error.message
        outcome.not_a_report = isinstance(error, NOT_REPORTS)
    elif memory_mb is not None and out_of_memory(error):
        outcome.error = TOO_BIG.format(mb=memory_mb)
    else:  # a bug must not stop a batch of thousands
        outcome.error = f"internal error ({type(error).__name__}: {error}); please report it"
    return outcome


# Reading a text, HTML or DOCX report leaves no cyclic garbage (reference counting frees it all);
# reading a PDF does (pypdfium2 makes ctypes types per document), and collecting it rarely makes
# PDF batches about 5% faster.
GC_THRESHOLD = 50_000


@contextmanager
def batch_gc() -> Iterator[None]:
    """Collect garbage less often while many reports are read."""
    saved = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No collection of garbage while parsed lines are stored: they make no cycles, and the
    collector would walk the thousands held waiting again and again (8% of a bulk load)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_memory_mb: int | None = None  # a worker's address-space limit (None: not limited)


def start_worker() -> None:
    """Initializer of a worker process that reads reports or their lines."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def start_reader(memory_mb: int) -> None:
    """Initializer of a batch's worker: a page of a scan read on one thread (the workers are one
    a core), its address space limited. (The readers make their patterns as the first file is
    read: a tenth of a second, nothing beside a file's limit.)"""
    global _memory_mb
    from xxgk.read import ocr

    start_worker()
    ocr.use_threads(1)
    limit_memory(memory_mb)
    _memory_mb = memory_mb


def outcomes(
    todo: list[Path],
    jobs: int | None = None,
    scheduler: str | None = None,
    *,
    then: Then | None = None,
    limits: Limits | None = None,
) -> Iterator[Outcome]:
    """Read files on `jobs` worker processes (default: all cores), or on the Dask cluster whose
    scheduler is at `scheduler`, yielding results as they finish (`then`: see `parse_data`). A
    worker's file is given `limits` (default: the environment's, see `xxgk.workers`). One file,
    or `jobs=1`, is read in this process, without them."""
    if scheduler:
        try:
            from xxgk.cluster import cluster_outcomes
        except ModuleNotFoundError as error:
            if error.name not in ("dask", "distributed"):
                raise
            raise InputError("--scheduler needs dask.distributed: pip install 'xxgk[cluster]'") from None
        yield from cluster_outcomes(todo, scheduler, limits or pool_limits(jobs), then)
        return
    if len(todo) < 2 or jobs == 1:  # read here, where a failure is the command's own
        with batch_gc():
            yield from (parse_one(path, then) for path in todo)
        return
    yield from _pooled(todo, limits or pool_limits(jobs), then)


def pool_limits(jobs: int | None) -> Limits:
    """The limits of a batch's pool of `jobs` workers (default: all cores): asked for before a
    batch begins, so that a wrong one in the environment is said before anything is written."""
    return Limits.from_env(jobs or os.cpu_count() or 1, seconds=BATCH_FILE_SECONDS)


# A worker reads a task of files in turn and sends their outcomes back together (a task a file
# cost 10-20% more on text reports); a task holds up to this many files, and this many bytes of
# them, so that a scan's long reading is mostly a task of its own.
TASK_FILES = 16
TASK_BYTES = 1 << 20
TASKS_PER_WORKER = 4  # tasks sent ahead to each worker

# what a file that stops its worker gets as its error
TOO_SLOW = "reading it took longer than {seconds:g} s (the time limit, $XXGK_JOB_SECONDS); stopped"
TOO_BIG = "reading it needed more than {mb:,} MB of memory (the limit, $XXGK_JOB_MEMORY_MB); stopped"
ENDED = (
    "the process reading it ended unexpectedly ({how}), most often past the memory limit of {mb:,} MB"
    " ($XXGK_JOB_MEMORY_MB)"
)


def read_files(paths: list[Path], then: Then | None) -> list[Outcome]:
    """A worker's task: `parse_one` of each file."""
    return [parse_one(path, then) for path in paths]


def _tasks(todo: list[Path], workers: int) -> Iterator[list[Path]]:
    most = max(1, min(TASK_FILES, len(todo) // (workers * 8)))  # a short run: work for every worker
    task: list[Path] = []
    size = 0
    for path in todo:
        try:
            length = path.stat().st_size
        except OSError:
            length = 0  # its reading says why it cannot be read
        if task and (len(task) >= most or size + length > TASK_BYTES):
            yield task
            task, size = [], 0
        task.append(path)
        size += length
    if task:
        yield task


def _stopped(path: Path, error: Exception, limits: Limits) -> Outcome:
    """The outcome of a file whose task failed as a whole (read alone)."""
    from pebble import ProcessExpired

    outcome = Outcome(path, None)
    if isinstance(error, TimeoutError):
        outcome.error = TOO_SLOW.format(seconds=limits.seconds)
    elif isinstance(error, ProcessExpired):
        code = error.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        outcome.error = ENDED.format(how=how, mb=limits.memory_mb)
    else:
        _failed(outcome, error, limits.memory_mb)
    return outcome


def _pooled(todo: list[Path], limits: Limits, then: Then | None) -> Iterator[Outcome]:
    """Read on a pool of `limits.workers` processes. A task past the time limit is stopped by
    killing its worker, and one whose worker died (a crash in native code, the kernel's killer)
    is lost: either way its files are read again each alone, and the one that stops its worker
    alone is given the error, so that one file never stops (or hangs) a batch of a million."""
    import multiprocessing  # here: a run on one file or on a cluster needs no pool
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    from pebble import ProcessPool

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPool(
        limits.workers,
        initializer=start_reader,
        initargs=(limits.memory_mb,),
        context=multiprocessing.get_context(method),
    )
    tasks = _tasks(todo, limits.workers)
    alone: list[Path] = []  # files of a task that stopped its worker, to be read again each alone
    running: dict[Future[list[Outcome]], list[Path]] = {}

    def send() -> None:
        while len(running) < limits.workers * TASKS_PER_WORKER:
            task = [alone.pop()] if alone else next(tasks, None)
            if task is None:
                return
            try:
                running[pool.schedule(read_files, (task, then), timeout=limits.seconds)] = task
            except RuntimeError as error:  # pebble's pool is broken: no worker could start
                raise XxgkError(f"the worker processes failed ({error}); the lines so far are kept") from None

    try:
        send()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                try:
                    yield from future.result()
                except Exception as error:
                    if len(task) > 1:
                        alone.extend(reversed(task))
                    else:
                        yield _stopped(task[0], error, limits)
            send()
    finally:
        pool.stop()
        pool.join()


def _keep_done(out: Path, tmp: Path) -> set[str]:
    """The good lines of an earlier run copied to `tmp` (a torn last line, and the lines of files
    that failed, left out), and the hashes of the files they read. Line by line: a national
    corpus' results run to tens of gigabytes, of which only the hashes are held."""
    good: set[str] = set()
    try:
        lines = out.open("rb") if out.exists() else io.BytesIO()
    except OSError as error:
        raise InputError(
            f"cannot read the results already there: {error.strerror or error}", str(out)
        ) from None
    foreign: int | None = None  # the first line none of ours (unless the torn last one)
    with lines, tmp.open("wb") as kept:
        for number, line in enumerate(lines, start=1):
            if foreign is not None:
                break
            try:
                record = _RESUMED.decode(line)
            except msgspec.DecodeError:
                torn = line.startswith(LINE_START) and not line.endswith(b"\n")
                if not torn and line.strip():
                    foreign = number
                continue
            if "file" not in record:
                foreign = number
                continue
            sha256 = record.get("sha256")
            if "error" not in record and sha256:
                good.add(sha256)
                kept.write(line if line.endswith(b"\n") else line + b"\n")
    if foreign is not None:  # another file (a report, another program's lines): never written over
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"holds something other than the lines of `xxgk parse --out` (line {foreign});"
            " give the results a new file name",
            str(out),
        )
    return good


class _Resumed(TypedDict, total=False):
    """What resuming reads of a line (the rest is skipped unread)."""

    file: str
    sha256: str | None
    error: object


_RESUMED = msgspec.json.Decoder(_Resumed)


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Writing the results file: what the system refuses (no such folder, no space left, no
    permission) is the user's to mend, said in one line."""
    try:
        yield
    except OSError as error:
        raise InputError(f"cannot write the results: {error.strerror or error}", str(out)) from None


def run(
    paths: Iterable[Path],
    out: Path,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Read every file under `paths` into `out`; the callbacks report progress."""
    if out.is_dir():
        raise InputError("the output is a directory; give a file name such as results.jsonl", str(out))
    if out.exists() and not out.is_file():  # a pipe or a device: reading back what it holds would block
        raise InputError("the output is not a regular file; give a file name such as results.jsonl", str(out))
    limits = pool_limits(jobs)
    paths = list(paths)
    files = discover(paths)
    summary = Summary(named=named_files(paths))
    tmp = out.with_name(out.name + ".tmp")
    new = not out.exists()
    with _writing(out):
        done = _keep_done(out, tmp)
    todo = []
    target = out.resolve()
    for path in files:
        if path.resolve() == target:
            continue
        if done and sha256_of(path) in done:
            summary.skipped += 1
        else:
            todo.append(path)
    with _writing(out):
        tmp.replace(out)
        sink = out.open("ab")
    if on_start:
        on_start(len(todo))
    with sink:
        flushed = time.monotonic()
        try:
            for outcome in outcomes(todo, jobs, scheduler, limits=limits):
                with _writing(out):  # a disk full: the lines written so far are kept, a rerun goes on
                    sink.write(outcome.json_line() + b"\n")
                    if time.monotonic() - flushed >= FLUSH_SECONDS:
                        sink.flush()
                        flushed = time.monotonic()
                summary.count(outcome)
                if on_result:
                    on_result(outcome)
        except BaseException:
            if new and sink.tell() == 0:  # no line yet (a scheduler not reached): no file left made
                out.unlink(missing_ok=True)
            raise
    return summary
