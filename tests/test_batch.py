"""Reading a folder tree into JSON Lines: parallel, summarised, resumable."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

import xxgk
from tests.conftest import CORPUS, TEXT_REPORTS
from tests.scans import cjk_font, generated_report, image_pdf, page_images
from tests.test_inputs import run
from xxgk import batch
from xxgk.read.ocr import ocr_available
from xxgk.store import Store
from xxgk.store.models import ReportSource


def _tree(tmp: Path) -> Path:
    root = tmp / "reports"
    (root / "county" / "town").mkdir(parents=True)
    for i, path in enumerate(TEXT_REPORTS):
        target = root / ("county" if i % 2 else "county/town") / path.name
        shutil.copy(path, target)
    (root / "county" / "empty.txt").write_bytes(b"")
    (root / "county" / "photo.txt").write_bytes(bytes(range(256)) * 10)
    (root / ".hidden").write_text("not read", encoding="utf-8")
    return root


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_a_folder_tree_becomes_one_line_per_file(tmp_path):
    root, out = _tree(tmp_path), tmp_path / "results.jsonl"
    summary = batch.run([root], out, jobs=2)
    assert (summary.read, summary.skipped, len(summary.failures)) == (len(TEXT_REPORTS), 0, 1)
    assert summary.failed_by_reason == {"empty file": 1}
    # binary data in no format xxgk reads: no report, so not a failure of the run
    assert [Path(p).name for p, _ in summary.not_reports] == ["photo.txt"]
    records = _lines(out)
    assert len(records) == len(TEXT_REPORTS) + 2
    good = {Path(r["file"]).name: r for r in records if "error" not in r}
    assert good["pt004.txt"]["tables"]["applications"]["received"]["total"] == 74
    assert all(len(r["sha256"]) == 64 for r in records)


def test_parallel_and_serial_runs_give_the_same_lines(tmp_path):
    root = _tree(tmp_path)
    batch.run([root], tmp_path / "one.jsonl", jobs=1)
    batch.run([root], tmp_path / "two.jsonl", jobs=2)

    def key(path: Path) -> list[str]:
        return sorted(json.dumps(r, sort_keys=True) for r in _lines(path))

    assert key(tmp_path / "one.jsonl") == key(tmp_path / "two.jsonl")


def test_a_rerun_skips_what_was_read_and_retries_failures(tmp_path):
    root, out = _tree(tmp_path), tmp_path / "results.jsonl"
    batch.run([root], out, jobs=2)
    (root / "county" / "empty.txt").write_text(
        (CORPUS / "001_0e974329021f3c6f.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    again = batch.run([root], out, jobs=2)
    # the formerly empty file now holds a report with the same content as one already read
    # (photo.txt is tried again: it is no report, so it is listed, not failed)
    assert (again.read, again.skipped, len(again.failures)) == (0, len(TEXT_REPORTS) + 1, 0)
    assert len(again.not_reports) == 1
    records = _lines(out)
    assert sum("error" in r for r in records) == 1  # the old failure line of empty.txt is gone
    assert len(records) == len(TEXT_REPORTS) + 1


def test_an_interrupted_output_with_a_torn_last_line_resumes(tmp_path):
    root, out = _tree(tmp_path), tmp_path / "results.jsonl"
    batch.run([root], out, jobs=1)
    lines = out.read_text(encoding="utf-8").splitlines()
    good = [line for line in lines if '"error"' not in line]
    out.write_text("\n".join(good[:3]) + "\n" + good[3][: len(good[3]) // 2], encoding="utf-8")
    summary = batch.run([root], out, jobs=1)
    assert summary.skipped == 3 and summary.read == len(TEXT_REPORTS) - 3
    assert len([r for r in _lines(out) if "error" not in r]) == len(TEXT_REPORTS)


def test_the_command_prints_a_summary_and_the_failures(tmp_path):
    root, out = _tree(tmp_path), tmp_path / "results.jsonl"
    result = run("parse", str(root), "--out", str(out), "--jobs", "2")
    assert result.returncode == 2
    assert f"read {len(TEXT_REPORTS)}, skipped 0" in result.stderr
    assert "1 × empty file" in result.stderr
    assert "empty.txt: empty file" in result.stderr and "Traceback" not in result.stderr
    assert "skipped 1 file(s) that are not reports:" in result.stderr and "photo.txt: binary" in result.stderr
    rerun = run("parse", str(root), "--out", str(out))
    assert f"read 0, skipped {len(TEXT_REPORTS)}" in rerun.stderr


def test_a_named_file_that_is_no_report_is_a_failure_not_skipped(tmp_path):
    root = _tree(tmp_path)
    summary = batch.run([root / "county" / "photo.txt"], tmp_path / "out.jsonl", jobs=1)
    assert summary.not_reports == []
    assert summary.failed_by_reason == {"binary data in no format xxgk reads": 1}


def test_a_folder_without_out_is_a_clear_error(tmp_path):
    result = run("parse", str(tmp_path))
    assert result.returncode == 2 and "use --out" in result.stderr


def test_an_output_that_cannot_be_written_is_one_clear_error(tmp_path):
    """No traceback and no hang: a folder that does not exist, a named pipe (reading back the
    lines already in it would wait for a writer forever), no worker at all."""
    import os

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    cases = [
        (
            ("--out", str(tmp_path / "no" / "results.jsonl")),
            "cannot write the results: No such file or directory",
        ),
        (("--out", str(pipe)), "the output is not a regular file; give a file name such as results.jsonl"),
    ]
    for args, message in cases:
        result = run("parse", str(TEXT_REPORTS[0]), *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args
        assert result.stderr.strip() == f"xxgk: error: {args[1]}: {message}"
    assert not (tmp_path / "no").exists()
    for command in ("parse", "ingest"):
        out = (
            ("--out", str(tmp_path / "r.jsonl"))
            if command == "parse"
            else ("--db", f"sqlite:///{tmp_path / 'x.db'}")
        )
        result = run(command, str(TEXT_REPORTS[0]), *out, "--jobs", "0")
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "Invalid value for '--jobs': 0 is not in the range x>=1" in result.stderr


def test_resuming_holds_the_hashes_of_an_earlier_run_not_its_lines(tmp_path):
    """A national corpus' results run to tens of gigabytes: resuming copies the good lines of
    the earlier run line by line and holds only their hashes. Here 20,000 lines of 3 KB (60 MB)
    are resumed within a third of that (their hashes some 4 MB; the reader warmed up first); a
    torn last line and a failure's line are dropped."""
    import hashlib
    import tracemalloc

    out = tmp_path / "results.jsonl"
    good = [
        json.dumps(
            {
                "file": f"r{i}.txt",
                "sha256": hashlib.sha256(str(i).encode()).hexdigest(),
                "narrative": "字" * 1000,
            },
            ensure_ascii=False,
        )
        for i in range(20_000)
    ]
    failed = json.dumps({"file": "bad.txt", "sha256": None, "error": "empty file", "reason": "empty file"})
    with out.open("w", encoding="utf-8") as lines:
        lines.write("\n".join([*good[:10], failed, *good[10:]]) + "\n" + good[0][:100])
    size = out.stat().st_size
    assert size > 60_000_000
    xxgk.parse_path(TEXT_REPORTS[0])  # the reader's tables and patterns, made once a process
    tracemalloc.start()
    try:
        summary = batch.run([TEXT_REPORTS[0]], out, jobs=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 3, peak
    assert summary.read == 1
    kept = out.read_text(encoding="utf-8").splitlines()
    assert kept[:-1] == good and json.loads(kept[-1])["file"] == str(TEXT_REPORTS[0])


@pytest.mark.parametrize(
    ("held", "line"),
    [
        ("report", 1),  # a report given as --out by mistake (`xxgk parse a.txt --out b.txt`)
        ("results of another program", 1),  # JSON lines, none with a file
        ("results, then something else", 2),
        ("a line no JSON", 1),  # one line without its end: no torn line of ours either
    ],
)
def test_an_output_that_holds_something_else_is_refused_and_kept(tmp_path, held, line):
    """Resuming keeps the lines of an earlier run and writes the file anew: a file that holds
    anything else is refused whole, never written over (before: a report given as the output was
    replaced by the results, its text lost)."""
    ours = b'{"file": "a.txt", "sha256": "' + b"0" * 64 + b'"}\n'
    content = {
        "report": TEXT_REPORTS[0].read_bytes(),
        "results of another program": b'{"id": 1, "name": "x"}\n{"id": 2}\n',
        "results, then something else": ours + "第二行：不是结果\n".encode() + ours,
        "a line no JSON": "平潭综合实验区".encode(),
    }[held]
    out = tmp_path / "b.txt"
    out.write_bytes(content)
    result = run("parse", str(TEXT_REPORTS[1]), "--out", str(out))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"xxgk: error: {out}: holds something other than the lines of `xxgk parse --out` (line {line});"
        " give the results a new file name\n"
    )
    assert out.read_bytes() == content
    assert list(tmp_path.iterdir()) == [out]  # no copy begun


def test_results_already_there_that_cannot_be_read_are_one_clear_error(tmp_path, monkeypatch):
    """An earlier run's results the user may not read (their permissions): said as that, not as
    a failure to write, and left as they are."""
    from xxgk.errors import InputError

    out = tmp_path / "results.jsonl"
    out.write_bytes(b'{"file": "a.txt", "sha256": "' + b"0" * 64 + b'"}\n')
    real_open = Path.open

    def refused(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self == out and mode == "rb":
            raise PermissionError(13, "Permission denied")
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)
    with pytest.raises(InputError) as raised:
        batch.run([TEXT_REPORTS[0]], out, jobs=1)
    assert str(raised.value) == f"{out}: cannot read the results already there: Permission denied"
    monkeypatch.undo()
    assert out.read_bytes() == b'{"file": "a.txt", "sha256": "' + b"0" * 64 + b'"}\n'
    assert list(tmp_path.iterdir()) == [out]  # no copy of them begun


# --- a file that stops its worker ------------------------------------------------------------------
# Each hook below runs in the worker after a report is read (`then`, as the store's bulk.work_out
# does) and acts on one file only, named in its JSON line: they stand for what a hostile file may
# do to the process reading it, which the readers' own limits are made never to let happen.
BAD = "pt004.txt"


def _ends_its_worker(line: bytes) -> None:
    if BAD.encode() in line[:300]:
        os._exit(9)  # a native library ending the process


def _is_killed(line: bytes) -> None:
    if BAD.encode() in line[:300]:
        os.kill(os.getpid(), signal.SIGKILL)  # a crash in native code, the kernel's out-of-memory killer


def _hangs(line: bytes) -> None:
    if BAD.encode() in line[:300]:
        time.sleep(600)


def _takes_all_memory(line: bytes) -> None:
    if BAD.encode() in line[:300]:
        bytearray(2 << 30)  # 2 GB: more than the limit set below leaves, less than this machine has


def _within(seconds: float, *args: Any, **kwargs: Any) -> list[batch.Outcome]:
    """`batch.outcomes` to its end, or the test fails after `seconds` (a file lost with its worker
    hung `multiprocessing.Pool` forever)."""
    found: list[batch.Outcome] = []
    reading = threading.Thread(target=lambda: found.extend(batch.outcomes(*args, **kwargs)), daemon=True)
    reading.start()
    reading.join(seconds)
    assert not reading.is_alive(), "the batch did not end"
    return found


def _vsize_mb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE") >> 20


@pytest.mark.parametrize(
    ("then", "seconds", "error"),
    [
        (_ends_its_worker, 60.0, "the process reading it ended unexpectedly (exit code 9)"),
        (_is_killed, 60.0, "the process reading it ended unexpectedly (killed by signal 9)"),
        (_hangs, 2.0, "reading it took longer than 2 s (the time limit, $XXGK_JOB_SECONDS); stopped"),
        (_takes_all_memory, 60.0, "reading it needed more than {mb:,} MB of memory"),
    ],
)
def test_a_file_that_stops_its_worker_fails_alone_and_the_batch_goes_on(tmp_path, then, seconds, error):
    """64 files in tasks of four (the bad one among others): the task that stops its worker is
    read again a file at a time, so every other file is read and the bad one alone fails, saying
    why; the pool replaces the worker it lost."""
    files = []
    for i in range(16):
        (tmp_path / f"{i}").mkdir()
        for path in [*TEXT_REPORTS[:3], CORPUS / BAD] if i == 5 else TEXT_REPORTS[:4]:
            files.append(Path(shutil.copy(path, tmp_path / f"{i}" / path.name)))
    assert len(files) == 64 and sum(p.name == BAD for p in files) == 1
    assert [len(task) for task in batch._tasks(files, 2)] == [4] * 16  # 64 // (2 workers * 8)
    memory_mb = _vsize_mb() + 1024  # a worker starts as a copy of this process
    limits = batch.Limits(workers=2, seconds=seconds, memory_mb=memory_mb)
    started = time.monotonic()
    found = _within(120, files, then=then, limits=limits)
    assert sorted(o.path for o in found) == sorted(files)
    failed = [o for o in found if not o.read]
    assert [o.path.name for o in failed] == [BAD]
    assert failed[0].error.startswith(error.format(mb=memory_mb)), failed[0].error
    assert time.monotonic() - started < 60


def _ocr_threads(line: bytes) -> tuple[int, int]:
    """The threads a worker read its scan's pages on: onnxruntime's (as asked) and OpenCV's."""
    import cv2

    from xxgk.read import ocr

    return ocr.THREADS, cv2.getNumThreads()


# a batch of scans in a fresh process (this one may have read a scan: its workers would be copies);
# with an argument, that process reads the first scan itself first
_SCANS_IN_A_BATCH = """
import sys
from pathlib import Path

import xxgk
from tests.test_batch import _ocr_threads
from xxgk import batch

files = [Path(p) for p in sys.argv[2:]]
if sys.argv[1] == "read one here first":
    xxgk.parse_path(files[0])
print([o.worked if o.read else o.error for o in batch.outcomes(files, 2, then=_ocr_threads)])
"""


@pytest.mark.skipif(not ocr_available() or not cjk_font(), reason="needs the xxgk[ocr] extra and a CJK font")
@pytest.mark.parametrize("first", ["", "read one here first"])
def test_a_batch_worker_reads_a_scan_on_one_thread(tmp_path, first):
    """The workers are one a core: each reads a page on one thread, where OCR's default is every
    core (four scans of four pages, two workers on two cores: 20-21 s, against 31-34 s before).
    Where the process had read a scan before the batch began, its workers, copies of it, keep the
    engine they were given as it is: setting its threads, or letting it go, waited forever on the
    threads that stayed in the parent."""
    _, pdf = generated_report(5)
    scan = image_pdf(page_images(pdf)[:1])  # the first page: a report of table 二 alone
    files = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for path in files:
        path.write_bytes(scan)
    done = subprocess.run(
        [sys.executable, "-c", _SCANS_IN_A_BATCH, first, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    threads = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    if first:  # the parent's engine: every core (-1), OpenCV's own count
        assert [t[0] for t in threads] == [-1, -1], threads
    else:
        assert threads == [(1, 1), (1, 1)]


@pytest.mark.skipif(not ocr_available(), reason="the xxgk[ocr] extra is not installed")
@pytest.mark.parametrize("command", ["parse", "ingest"])
def test_a_scan_past_the_time_limit_fails_and_the_rest_is_read(tmp_path, command):
    """A page image of 2,800 numbers, read through OCR in some 8 s on this machine, given a limit of
    1 s (a text report takes a few milliseconds): it fails with the limit named, the text
    reports beside it are read (and stored)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in TEXT_REPORTS[:3]:
        shutil.copy(path, folder / path.name)
    page = Image.new("RGB", (2480, 3508), "white")  # A4 at 300 dpi
    draw = ImageDraw.Draw(page)
    for y in range(40, 3460, 40):
        draw.text((60, y), " ".join(str(1000 + 37 * i + y) for i in range(30)), fill="black")
    page.save(folder / "scan.png")
    out, db = tmp_path / "out.jsonl", f"sqlite:///{tmp_path / 'x.db'}"
    started = time.monotonic()
    where = ["--out", str(out)] if command == "parse" else ["--db", db]
    result = run(command, str(folder), *where, env={"XXGK_JOB_SECONDS": "1"})
    assert time.monotonic() - started < 60
    assert result.returncode == 2, result.stderr
    limit = "reading it took longer than 1 s (the time limit, $XXGK_JOB_SECONDS); stopped"
    assert "failed: 1 × reading it took longer than 1 s" in result.stderr
    if command == "parse":
        errors = {Path(r["file"]).name: r.get("error") for r in _lines(out)}
        assert errors == {**{path.name: None for path in TEXT_REPORTS[:3]}, "scan.png": limit}
    else:
        assert f"scan.png: {limit}" in result.stderr
        with Store(db).session() as session:
            stored = session.scalars(select(ReportSource.path)).all()
        assert sorted(Path(p).name for p in stored) == [path.name for path in TEXT_REPORTS[:3]]


@pytest.mark.parametrize("command", ["parse", "ingest"])
@pytest.mark.parametrize(("name", "value"), [("XXGK_JOB_SECONDS", "soon"), ("XXGK_JOB_MEMORY_MB", "-1")])
def test_a_wrong_limit_in_the_environment_is_said_before_anything_is_written(tmp_path, command, name, value):
    out = (
        ["--out", str(tmp_path / "out.jsonl")]
        if command == "parse"
        else ["--db", f"sqlite:///{tmp_path}/x.db"]
    )
    result = run(command, str(TEXT_REPORTS[0]), str(TEXT_REPORTS[1]), *out, env={name: value})
    assert result.returncode == 2
    message = "must be a number, not 'soon'" if value == "soon" else "must be above 0, not -1"
    assert result.stderr == f"xxgk: error: ${name} {message}\n"
    assert list(tmp_path.iterdir()) == []
