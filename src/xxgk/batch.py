"""Reading many report files in parallel: into a JSON Lines file, or (see store) a database.

Each input gives one line: the report's JSON (with `file` and `sha256`) or, when it cannot be
read, `file`, `sha256`, `error` and `reason`. Lines are appended and flushed as reports finish,
so an interrupted run loses nothing; a rerun skips every file whose content hash already has a
good line (failed files are tried again, their old lines dropped).
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import xxgk
from xxgk.errors import NOT_REPORTS, InputError, XxgkError
from xxgk.model import Report
from xxgk.read.limits import LIMITS


@dataclass
class Outcome:
    """What reading one file gave: a report, or the error that says why not."""

    path: Path
    sha256: str | None
    report: Report | None = None
    error: str | None = None
    not_a_report: bool = False  # the error says the file is no report at all (a README, a photo)

    def line(self) -> str:
        head = {"file": str(self.path), "sha256": self.sha256}
        if self.report is None:
            body = {"error": self.error, "reason": reason_of(self.error or "")}
        else:
            body = self.report.to_dict()
        return json.dumps({**head, **body}, ensure_ascii=False)


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
        if outcome.report is None and outcome.not_a_report and outcome.path not in self.named:
            self.not_reports.append((str(outcome.path), outcome.error or ""))
        elif outcome.report is None:
            self.failures.append((str(outcome.path), outcome.error or ""))
        else:
            self.read += 1
            self.with_errors += bool(outcome.report.errors)

    @property
    def failed_by_reason(self) -> Counter[str]:
        return Counter(reason_of(message) for _, message in self.failures)


def reason_of(message: str) -> str:
    """The kind of a failure: an error message up to its first detail."""
    return message.split(":")[0].split("(")[0].split(";")[0].strip()


def named_files(paths: Iterable[Path]) -> set[Path]:
    """The paths given that are not folders (a failure to read one of them is never skipped)."""
    return {path for path in paths if not path.is_dir()}


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files named, and every file under folders named (hidden ones left out), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
        else:
            found.append(path)
    return found


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


def parse_one(path: Path) -> Outcome:
    """Read one file (runs in a worker process)."""
    outcome = Outcome(path, sha256_of(path))
    try:
        outcome.report = xxgk.parse_path(path)
    except XxgkError as error:
        outcome.error = error.message
        outcome.not_a_report = isinstance(error, NOT_REPORTS)
    except Exception as error:  # a bug must not stop a batch of thousands
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


def start_worker() -> None:
    """Initializer of a worker process that reads reports."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def outcomes(todo: list[Path], jobs: int | None = None) -> Iterator[Outcome]:
    """Read files on `jobs` processes (default: all cores), yielding results as they finish."""
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(todo) < 2:
        with batch_gc():
            yield from map(parse_one, todo)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with multiprocessing.get_context(method).Pool(jobs, initializer=start_worker) as pool:
        chunk = max(1, min(16, len(todo) // (jobs * 8)))
        yield from pool.imap_unordered(parse_one, todo, chunksize=chunk)


def _done(out: Path) -> tuple[set[str], list[str]]:
    """Hashes already read well, and the good lines to keep (a torn last line is dropped)."""
    good: set[str] = set()
    keep: list[str] = []
    if not out.exists():
        return good, keep
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "error" not in record and record.get("sha256"):
            good.add(record["sha256"])
            keep.append(line)
    return good, keep


def run(
    paths: Iterable[Path],
    out: Path,
    *,
    jobs: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Read every file under `paths` into `out`; the callbacks report progress."""
    if out.is_dir():
        raise InputError("the output is a directory; give a file name such as results.jsonl", str(out))
    paths = list(paths)
    files = discover(paths)
    summary = Summary(named=named_files(paths))
    done, keep = _done(out)
    todo = []
    for path in files:
        if path.resolve() == out.resolve():
            continue
        if done and sha256_of(path) in done:
            summary.skipped += 1
        else:
            todo.append(path)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in keep), encoding="utf-8")
    tmp.replace(out)
    if on_start:
        on_start(len(todo))
    with out.open("a", encoding="utf-8") as sink:
        for outcome in outcomes(todo, jobs):
            sink.write(outcome.line() + "\n")
            sink.flush()
            summary.count(outcome)
            if on_result:
                on_result(outcome)
    return summary
