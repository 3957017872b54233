"""Reading on a Dask cluster (`--scheduler`): the same lines as the local run, resumable, and the
same stored reports; the cluster here is a LocalCluster of two workers in this process."""

from __future__ import annotations

import gc
import json
import shutil
import time
from pathlib import Path

import pytest

from tests import test_batch
from tests.conftest import TEXT_REPORTS
from tests.test_inputs import run
from tests.test_store_bulk import _rows
from xxgk import batch
from xxgk.store import Store

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
cluster_module = pytest.importorskip("xxgk.cluster")


@pytest.fixture(scope="module")
def scheduler():
    # threads in this process, reached over TCP so that the commands run as subprocesses reach it
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster:
        yield cluster.scheduler_address
    # what the cluster's threads left in reference cycles is freed here, not in a later test that
    # counts the cycles a reading leaves (tests/test_corpus.py)
    gc.collect()


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in TEXT_REPORTS:
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_bytes(b"")
    return folder


def _records(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def test_a_cluster_run_writes_the_lines_of_a_local_run(tmp_path, scheduler):
    folder = _folder(tmp_path)
    local, remote = tmp_path / "local.jsonl", tmp_path / "cluster.jsonl"
    batch.run([folder], local, jobs=1)
    seen = []
    summary = batch.run([folder], remote, scheduler=scheduler, on_result=seen.append)
    assert (summary.read, len(summary.failures)) == (len(TEXT_REPORTS), 1)
    assert len(seen) == len(TEXT_REPORTS) + 1  # progress: one call a file
    assert _records(remote) == _records(local)
    # resumable as the local run: a rerun reads only the failed file again
    again = batch.run([folder], remote, scheduler=scheduler)
    assert (again.read, again.skipped, len(again.failures)) == (0, len(TEXT_REPORTS), 1)
    assert _records(remote) == _records(local)


def test_the_commands_take_a_scheduler(tmp_path, scheduler):
    folder = _folder(tmp_path)
    out = tmp_path / "results.jsonl"
    result = run("parse", str(folder), "--out", str(out), "--scheduler", scheduler)
    assert result.returncode == 2 and f"read {len(TEXT_REPORTS)}, skipped 0" in result.stderr
    local, remote = f"sqlite:///{tmp_path / 'local.db'}", f"sqlite:///{tmp_path / 'cluster.db'}"
    Store(local).ingest_paths([folder], jobs=1)
    result = run("ingest", str(folder), "--db", remote, "--scheduler", scheduler)
    assert result.returncode == 2 and "empty.txt: empty file" in result.stderr
    assert _rows(Store(remote)) == _rows(Store(local))


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path):
    folder = _folder(tmp_path)
    result = run("parse", str(folder), "--out", str(tmp_path / "r.jsonl"), "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r.jsonl").exists()  # no empty results file left made


@pytest.mark.parametrize(
    ("then", "seconds", "error"),
    [
        (test_batch._hangs, 2.0, "reading it took longer than 2 s (the time limit, $XXGK_JOB_SECONDS)"),
        (test_batch._is_killed, 60.0, "the process reading it ended unexpectedly (killed by signal 9)"),
        (test_batch._takes_all_memory, 60.0, "reading it needed more than 1,536 MB of memory"),
    ],
)
def test_a_file_that_stops_its_reader_on_a_cluster_fails_alone(tmp_path, scheduler, then, seconds, error):
    """On a cluster too, a file past the time or memory limit (or whose reading ends its process)
    fails alone, saying why, and the worker reads the others: Dask cannot stop a running task, so
    each worker reads in processes of its own, given the batch's limits."""
    folder = _folder(tmp_path)
    (folder / "empty.txt").unlink()
    shutil.copy(test_batch.CORPUS / test_batch.BAD, folder / test_batch.BAD)
    files = sorted(folder.iterdir())
    limits = batch.Limits(workers=2, seconds=seconds, memory_mb=1536)  # a fresh reader: some 600 MB
    started = time.monotonic()
    found = test_batch._within(120, files, scheduler=scheduler, then=then, limits=limits)
    assert sorted(o.path for o in found) == files
    failed = [o for o in found if not o.read]
    assert [o.path.name for o in failed] == [test_batch.BAD]
    assert failed[0].error.startswith(error), failed[0].error
    assert failed[0].sha256 is not None  # a rerun finds it failed, and reads it again
    assert time.monotonic() - started < 90


def _process_cluster() -> distributed.LocalCluster:
    """Two workers in processes of their own (started by Dask's nanny, as `dask worker` does)."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",  # any free port: the cluster above may hold Dask's default
        worker_dashboard_address=None,
    )


def test_worker_processes_read_in_reader_processes_stopped_past_the_limit(tmp_path):
    """Workers as `dask worker` starts them, told they may start processes: a file that hangs
    its reader is stopped and fails alone."""
    folder = _folder(tmp_path)
    (folder / "empty.txt").unlink()
    shutil.copy(test_batch.CORPUS / test_batch.BAD, folder / test_batch.BAD)
    files = sorted(folder.iterdir())
    limits = batch.Limits(workers=2, seconds=2.0, memory_mb=2560)
    with dask.config.set({"distributed.worker.daemon": False}), _process_cluster() as cluster:
        address = cluster.scheduler_address
        found = test_batch._within(120, files, scheduler=address, then=test_batch._hangs, limits=limits)
    failed = [o for o in found if not o.read]
    assert sorted(o.path for o in found) == files and [o.path.name for o in failed] == [test_batch.BAD]
    assert failed[0].error.startswith("reading it took longer than 2 s"), failed[0].error


def test_daemonic_workers_read_without_limits_and_the_command_says_so(tmp_path):
    """Dask's default: a daemonic worker may start no process. Its files are read in its threads,
    as before, and the command says, in one line, that the limits do not hold there."""
    folder = _folder(tmp_path)
    out = tmp_path / "results.jsonl"
    with _process_cluster() as cluster:
        result = run("parse", str(folder), "--out", str(out), "--scheduler", cluster.scheduler_address)
    assert result.returncode == 2 and f"read {len(TEXT_REPORTS)}, skipped 0" in result.stderr
    assert "failed 1;" in result.stderr  # the empty file
    warnings = [line for line in result.stderr.splitlines() if line.startswith("xxgk: warning:")]
    assert warnings == [f"xxgk: warning: {cluster_module.DAEMONIC}"]
    assert "Traceback" not in result.stderr
