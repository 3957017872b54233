"""Reading and checking uploads, and making downloads (exports.py), in a bounded pool of worker
processes.

A hostile or just very large file must never stall the server: every upload is read in a
separate process (pebble's pool), never on the event loop nor in the server's own memory. Each
worker has an address-space limit (set when it starts), and each job a time limit: a job past it
is ended by killing its worker, which the pool replaces. Too many waiting jobs are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
from typing import Any

from pebble import ProcessExpired, ProcessPool

from xxgk.errors import XxgkError
from xxgk.model import Report
from xxgk.serve.uploads import UploadError
from xxgk.workers import Limits, limit_memory, out_of_memory

__all__ = ["Limits", "ReadingPool"]

QUEUE_PER_WORKER = 32  # jobs in the pool per worker, waiting or running, before new ones are refused (503)
QUEUE_BYTES = 256 * 1024 * 1024  # uploads held for the pool, together, before new ones are refused

# what a job does and what the user can do about a failure, in its messages
READING = {"what": "读取这份报告", "advice": "请检查文件是否正常"}
MAKING = {"what": "生成这份文件", "advice": "请缩小范围后再试"}
TOO_SLOW = "{what}超过了 {seconds:g} 秒的时间上限，已停止；{advice} (took too long)"
TOO_BIG = "{what}超过了 {mb} MB 的内存上限，已停止；{advice} (too much memory)"
BUSY = "服务器正忙，正在处理的任务太多；请稍后再试 (server busy)"
CRASHED = "{what}时工作进程意外退出（多半超出了 {mb} MB 的内存上限）；{advice} (worker failed)"


def _warm_up() -> None:
    """Read a report made of each template's own labels: the readers build their tables and
    patterns on first use (a tenth of a second), which must not count against a job's time."""
    import xxgk
    from xxgk.templates import SECTIONS, TEMPLATES

    for template in TEMPLATES.values():
        lines = [f"某县人民政府{template.first_year}年度政府信息公开工作年度报告"]
        for section in SECTIONS:
            lines.append(f"{section.number}、{section.keywords[0]}")
            rows = [row for table in template.tables if table.section == section.id for row in table.rows]
            lines += [f"{row.label} 0" for row in rows]
        with contextlib.suppress(XxgkError):
            xxgk.parse_text("\n".join(lines), "warm-up")


def _start_worker(megabytes: int) -> None:
    """Worker initializer: ready the readers, then limit the address space (past it an
    allocation fails with MemoryError)."""
    _warm_up()
    limit_memory(megabytes)


class _OutOfMemory(Exception):
    """A job ran out of its worker's memory (raised in the worker, answered as 413)."""


def read_job(data: bytes | str, name: str, as_json: bool | None) -> Report | str:
    """In a worker: read and check one upload (bytes) or pasted text (str). `as_json`: the JSON
    contract as text, with (True) or without (False) cells; None: the report itself."""
    import xxgk
    from xxgk.output.json import report_json

    try:
        report = xxgk.parse_text(data, name) if isinstance(data, str) else xxgk.parse_bytes(data, name)
        return report if as_json is None else report_json(report, indent=None, cells=as_json)
    except Exception as error:
        if out_of_memory(error):  # MemoryError, or native code's own (onnxruntime in OCR)
            raise _OutOfMemory() from None
        raise


def make_job(url: str, kind: str, params: dict[str, Any], suffix: str) -> bytes:
    """In a worker: a download (serve/exports.py), its running out of memory told as a reading's is."""
    from xxgk.serve.exports import document_job

    try:
        return document_job(url, kind, params, suffix)
    except MemoryError:
        raise _OutOfMemory() from None


class ReadingPool:
    """A process pool started on first use (so an app that checks nothing starts no process)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()
        self._waiting = 0
        self._bytes = 0

    def _get(self) -> ProcessPool:
        with self._lock:
            if self._pool is None or not self._pool.active:
                self._pool = ProcessPool(
                    max_workers=self.limits.workers,
                    initializer=_start_worker,
                    initargs=(self.limits.memory_mb,),
                    # a fresh interpreter: forking a server with threads running is unsafe
                    context=multiprocessing.get_context("spawn"),
                )
            return self._pool

    def start(self) -> None:
        """Start the workers now (they take a second or two to be ready), not on the first upload."""
        self._get().schedule(os.getpid)

    async def read(self, data: bytes | str, name: str, as_json: bool | None = None) -> Any:
        """Read in a worker; a job past a limit is an UploadError with a clear message."""
        return await self._run(read_job, (data, name, as_json), len(data), READING)

    async def make(self, url: str, kind: str, params: dict[str, Any], suffix: str) -> bytes:
        """A download made in a worker (serve/exports.py), under the same limits as a reading."""
        return await self._run(make_job, (url, kind, params, suffix), 0, MAKING)

    async def _run(self, job: Any, args: tuple[Any, ...], size: int, what: dict[str, str]) -> Any:
        if self._waiting >= self.limits.workers * QUEUE_PER_WORKER or self._bytes + size > QUEUE_BYTES:
            raise UploadError(503, BUSY)
        self._waiting += 1
        self._bytes += size
        try:
            future = self._get().schedule(job, args, timeout=self.limits.seconds)
            return await asyncio.wrap_future(future)
        except TimeoutError:
            raise UploadError(504, TOO_SLOW.format(**what, seconds=self.limits.seconds)) from None
        except _OutOfMemory:
            raise UploadError(413, TOO_BIG.format(**what, mb=self.limits.memory_mb)) from None
        except ProcessExpired:
            # the worker died (most often at the memory limit inside C code, which cannot raise)
            raise UploadError(422, CRASHED.format(**what, mb=self.limits.memory_mb)) from None
        finally:
            self._waiting -= 1
            self._bytes -= size

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join(timeout=10)
                self._pool = None
