"""Reading a whole folder tree of reports in parallel into one JSON Lines file.

Each input gives one line: the report's JSON (with `file` and `sha256`) or, when it cannot be
read, `file`, `sha256`, `error` and `reason`. Lines are appended and flushed as reports finish,
so an interrupted run loses nothing; a rerun skips every file whose content hash already has a
good line (failed files are tried again, their old lines dropped).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import xxgk
from xxgk.errors import InputError, XxgkError


@dataclass
class Summary:
    read: int = 0
    skipped: int = 0
    with_errors: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed_by_reason(self) -> Counter[str]:
        return Counter(reason_of(message) for _, message in self.failures)


def reason_of(message: str) -> str:
    """The kind of a failure: an error message up to its first detail."""
    return message.split(":")[0].split("(")[0].split(";")[0].strip()


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
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def read_one(path: Path) -> str:
    """One output line for one file (runs in a worker process)."""
    digest = sha256_of(path)
    head = {"file": str(path), "sha256": digest}
    try:
        report = xxgk.parse_path(path)
    except XxgkError as error:
        return json.dumps(
            {**head, "error": error.message, "reason": reason_of(error.message)}, ensure_ascii=False
        )
    except Exception as error:  # a bug must not stop a batch of thousands
        message = f"internal error ({type(error).__name__}: {error}); please report it"
        return json.dumps({**head, "error": message, "reason": "internal error"}, ensure_ascii=False)
    return json.dumps({**head, **report.to_dict()}, ensure_ascii=False)


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
    on_result: Callable[[dict], None] | None = None,
) -> Summary:
    """Read every file under `paths` into `out`; `on_start(total)` and `on_result(record)` report progress."""
    files = discover(paths)
    if out.exists() and out.is_dir():
        raise InputError("the output is a directory; give a file name such as results.jsonl", str(out))
    summary = Summary()
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
        for line in _lines(todo, jobs):
            sink.write(line + "\n")
            sink.flush()
            record = json.loads(line)
            if "error" in record:
                summary.failures.append((record["file"], record["error"]))
            else:
                summary.read += 1
                summary.with_errors += any(f["severity"] == "error" for f in record["findings"])
            if on_result:
                on_result(record)
    return summary


def _lines(todo: list[Path], jobs: int | None) -> Iterator[str]:
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(todo) < 2:
        yield from map(read_one, todo)
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with context.Pool(jobs) as pool:
        yield from pool.imap_unordered(read_one, todo, chunksize=max(1, min(16, len(todo) // (jobs * 8))))
