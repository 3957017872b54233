"""Reading on a Dask cluster (`--scheduler`): this process loads each file and sends its bytes, so
the workers need xxgk installed but no view of the files.

A Dask worker cannot stop a task that runs too long, nor hold one task to a memory limit. So each
worker is given reader processes of its own for the run (a worker plugin, one process a worker
thread), with the batch's limits: a file past its time is stopped by killing its process, one
past its memory fails its allocation or ends its process, and either way the file alone fails,
saying why, as in a local batch (`batch._pooled`), and the worker goes on.

Imported only for a run on a cluster: it needs the `cluster` extra (dask.distributed).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distributed import Client, WorkerPlugin, as_completed, get_worker

from xxgk.batch import Outcome, Then, _failed, _stopped, parse_data, start_reader
from xxgk.errors import InputError, XxgkError
from xxgk.read import load_path
from xxgk.workers import Limits

# files in flight per worker thread of a cluster: enough to keep every worker busy, few enough
# that a corpus of scans is never all in the scheduler's memory at once
IN_FLIGHT_PER_THREAD = 4


# Dask's nanny starts its workers as daemonic processes by default, and such a process may start
# none of its own (multiprocessing refuses): there each file is read in the worker's threads
DAEMONIC = (
    "the cluster's workers are daemonic processes, which cannot start reader processes: files are"
    " read there without the time and memory limits (start the workers with"
    " DASK_DISTRIBUTED__WORKER__DAEMON=False to have them)"
)


def _daemonic() -> bool:
    return multiprocessing.current_process().daemon


class Readers(WorkerPlugin):
    """A worker's reader processes for one run, stopped when the run ends (or the worker does)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pool: Any = None  # made on the worker (`setup`)

    def setup(self, worker: Any) -> None:
        from pebble import ProcessPool

        if multiprocessing.current_process().daemon:  # may start no process: reads in its threads
            return
        # spawned: a worker process has threads (its event loop, its task threads), which a
        # forked copy would find stopped wherever they were, locks held
        self.pool = ProcessPool(
            worker.state.nthreads,
            initializer=start_reader,
            initargs=(self.limits.memory_mb,),
            context=multiprocessing.get_context("spawn"),
        )

    def teardown(self, worker: Any) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join()

    def read(self, data: bytes, path: Path, then: Then | None) -> Outcome:
        if self.pool is None:
            return parse_data(data, path, then)
        future = self.pool.schedule(parse_data, (data, path, then), timeout=self.limits.seconds)
        try:
            return future.result()
        except Exception as error:  # stopped past its time, its process ended, or pebble's own
            outcome = _stopped(path, error, self.limits)
            outcome.sha256 = hashlib.sha256(data).hexdigest()
            return outcome


def read_on_worker(plugin: str, data: bytes, path: Path, then: Then | None) -> Outcome:
    """A cluster's task: one file read in a reader process of the worker it runs on."""
    readers = get_worker().plugins[plugin]
    assert isinstance(readers, Readers)
    return readers.read(data, path, then)


def cluster_outcomes(
    todo: list[Path], scheduler: str, limits: Limits, then: Then | None = None
) -> Iterator[Outcome]:
    """Read files on the Dask cluster whose scheduler is at `scheduler`, each given `limits`'
    seconds and memory, yielding results as they finish."""
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler ({exc})", scheduler) from None
    with client:
        plugin = f"xxgk-readers-{uuid.uuid4().hex}"  # this run's: another run may share the cluster
        client.register_plugin(Readers(limits), name=plugin)
        try:
            if any(client.run(_daemonic).values()):
                warnings.warn(DAEMONIC, stacklevel=1)
            yield from _outcomes(client, plugin, todo, then)
        finally:
            client.unregister_worker_plugin(plugin)


def _outcomes(client: Client, plugin: str, todo: list[Path], then: Then | None) -> Iterator[Outcome]:
    window = IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))
    waiting = iter(todo)
    running = as_completed()
    sent: dict[Any, Path] = {}  # by the future's key

    def fill() -> Iterator[Outcome]:
        """Send files until the window is full; one that cannot be loaded here is an outcome."""
        while running.count() < window:
            path = next(waiting, None)
            if path is None:
                return
            try:
                data = load_path(path)
            except XxgkError as error:
                yield _failed(Outcome(path, None), error)
                continue
            future = client.submit(read_on_worker, plugin, data, path, then, pure=False)
            sent[future.key] = path
            running.add(future)

    yield from fill()
    for future in running:
        path = sent.pop(future.key)
        if future.status == "error":  # the worker died, or the task could not run there
            yield Outcome(path, None, error=f"the cluster could not read it ({future.exception()})")
        else:
            yield future.result()
        yield from fill()
