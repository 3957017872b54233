"""Batch uploads: many files or a ZIP, read and stored in the background as a job.

A job's files wait in its own folder (named by the job's unguessable id) and its state is rows
of the database (jobs, job_files), so a restarted server continues every unfinished job where it
stopped (a file stored but not yet marked is found stored again: "unchanged"). Each file is read
in the worker pool (workers.py: time and memory limits), stored in a thread: the event loop only
waits. A ZIP is unpacked in a thread too, within the limits below, checked against the sizes the
archive declares and again while each member is read (a lying header stops there).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import click
from sqlalchemy import func, select, update

from xxgk.errors import NOT_REPORTS, XxgkError
from xxgk.read import sniff
from xxgk.serve import messages
from xxgk.serve.uploads import ACCEPTED, UploadError
from xxgk.serve.workers import ReadingPool
from xxgk.store import Store
from xxgk.store.attribution import Attribution, manifest_rows
from xxgk.store.models import Job, JobFile

log = logging.getLogger("xxgk.serve.jobs")


@dataclass(frozen=True)
class BatchLimits:
    files: int = 1000  # files in one job, a ZIP's members counted (a form may carry 1,000 parts)
    job_bytes: int = 512 << 20  # bytes of one job's files together, unpacked
    ratio: int = 200  # a ZIP member may unpack to this many times its packed size (text: 5-10)
    request_bytes: int = 256 << 20  # a batch upload request (the files as sent, a ZIP packed)


BATCH = BatchLimits()
BUSY_RETRY_SECONDS = 1.0  # the pool refuses work while full: a job waits, it does not fail
ZIP_CHUNK = 1 << 20

# a job file's status, as the pages name it; "waiting", "reading", then Store's status
STATUS_NAMES = {
    "waiting": "等待读取",
    "reading": "正在读取",
    "new": "已入库",
    "version": "已入库（新版本）",
    "source": "已有同一报告，记为其来源",
    "unchanged": "同一文件已入库",
    "queued": "待认定（未能确定单位）",
    "skipped": "不是年度报告，已跳过",
    "failed": "读取失败",
}
DONE = {"new", "version", "source", "unchanged", "queued", "skipped", "failed"}


def jobs_folder(given: Path | None = None) -> Path:
    """Where jobs keep their files: given, else $XXGK_JOBS_DIR, else the user's xxgk folder."""
    if given is not None:
        return given
    if os.environ.get("XXGK_JOBS_DIR"):
        return Path(os.environ["XXGK_JOBS_DIR"])
    return Path(click.get_app_dir("xxgk")) / "jobs"


@dataclass
class Incoming:
    """One uploaded part: a file, or a ZIP to unpack, already saved in the job's folder."""

    name: str
    path: Path


def unpack(folder: Path, parts: list[Incoming], per_file: int) -> list[Incoming]:
    """The job's files: the parts, each ZIP replaced by its members (in a thread, never on the
    event loop). Past a limit: an UploadError naming it, and the job is not made."""
    files: list[Incoming] = []
    total = count = 0

    def admit(name: str, size: int) -> None:
        nonlocal total, count
        total += size
        count += 1
        if count > BATCH.files:
            raise UploadError(413, f"一次最多上传 {BATCH.files} 个文件 (too many files)")
        if size > per_file:
            raise UploadError(413, f"{name}：超过每个文件 {per_file >> 20} MB 的上限 (file too large)")
        if total > BATCH.job_bytes:
            raise UploadError(413, f"文件合计超过 {BATCH.job_bytes >> 20} MB 的上限 (too much data)")

    for part in parts:
        with part.path.open("rb") as handle:
            head = handle.read(4096)
        if head.startswith(b"PK\x03\x04") and sniff(part.path.read_bytes()) == "zip":
            files += _members(folder, part, admit, len(files))
            part.path.unlink()
        else:
            admit(part.name, part.path.stat().st_size)
            files.append(part)
    return files


def _members(folder: Path, part: Incoming, admit: Any, start: int) -> list[Incoming]:
    out: list[Incoming] = []
    try:
        archive = zipfile.ZipFile(part.path)
    except (zipfile.BadZipFile, OSError):
        raise UploadError(422, f"{part.name}：压缩包已损坏 (damaged ZIP)") from None
    with archive:
        for info in archive.infolist():
            inner = PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir() or any(p.startswith((".", "__MACOSX")) for p in inner.parts):
                continue
            name = f"{part.name}/{inner}"[:300]
            admit(name, info.file_size)
            if info.compress_size and info.file_size > BATCH.ratio * info.compress_size:
                raise UploadError(413, f"{name}：压缩比异常，疑似压缩炸弹 (suspicious ZIP)")
            target = folder / f"{start + len(out):05d}"
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    written = 0
                    while chunk := source.read(ZIP_CHUNK):
                        written += len(chunk)
                        if written > info.file_size:  # the header lied
                            raise UploadError(413, f"{name}：实际大小超过压缩包声明的大小 (suspicious ZIP)")
                        sink.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                raise UploadError(422, f"{name}：无法从压缩包中读出 (damaged or encrypted ZIP)") from None
            out.append(Incoming(name, target))
    return out


def attributions(manifest: bytes | None, manifest_name: str, names: list[str]) -> dict[str, Attribution]:
    """Each file's manifest row by the file's name (its path inside a ZIP, or its last part when
    that is unique). A row naming no uploaded file is an error: nothing is stored."""
    if manifest is None:
        return {}
    by_base: dict[str, list[str]] = {}
    for name in names:
        by_base.setdefault(PurePosixPath(name).name, []).append(name)
    out: dict[str, Attribution] = {}
    try:
        rows = list(manifest_rows(manifest, manifest_name))
    except XxgkError as error:
        row = getattr(error, "row", 0)  # a ManifestError names its row
        where = f"清单第 {row} 行" if row else "清单有误"
        raise UploadError(422, f"{where}：{messages.wording(error)} ({error.message})") from None
    for number, file, attribution in rows:
        exact = [n for n in names if n == file or n.endswith("/" + file)]
        found = exact if len(exact) == 1 else by_base.get(PurePosixPath(file).name, [])
        if len(found) != 1:
            why = "上传的文件中没有它" if not found else "上传的文件中有多个同名文件"
            raise UploadError(422, f"清单第 {number} 行：{file}：{why} (manifest row {number})")
        out[found[0]] = attribution
    return out


def create_job(store: Store, folder: Path, user: str, body: str | None, files: list[tuple[str, dict]]) -> str:
    """Record a job of `files` (name, manifest row) whose data is already in `folder`."""
    with store.session() as session:
        job = Job(id=folder.name, created_by=user, body=body)
        job.files = [
            JobFile(position=i, name=name, attribution=row or None, status="waiting")
            for i, (name, row) in enumerate(files)
        ]
        session.add(job)
    return job.id


def new_job_folder(root: Path) -> Path:
    folder = root / secrets.token_hex(16)
    folder.mkdir(parents=True, mode=0o700)
    return folder


@dataclass
class Progress:
    id: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    body: str | None
    total: int
    done: int
    counts: dict[str, int]  # by status
    files: list[JobFile]

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def progress(store: Store, job_id: str) -> Progress | None:
    with store.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return None
        files = list(job.files)
        counts: dict[str, int] = {}
        for f in files:
            counts[f.status] = counts.get(f.status, 0) + 1
        done = sum(n for s, n in counts.items() if s in DONE)
        return Progress(
            job.id, job.created_by, job.created_at, job.finished_at, job.body, len(files), done, counts, files
        )


def recent_jobs(store: Store, limit: int = 20) -> list[tuple[str, datetime, str, int, bool]]:
    """The latest jobs: id, when, who, how many files, finished."""
    with store.session() as session:
        rows = session.execute(
            select(Job.id, Job.created_at, Job.created_by, func.count(JobFile.id), Job.finished_at)
            .join(JobFile, JobFile.job_id == Job.id, isouter=True)
            .group_by(Job.id)
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
        return [(r[0], r[1], r[2], r[3], r[4] is not None) for r in rows]


class JobRunner:
    """Runs jobs as tasks of the server's event loop; the work itself is in the pool and in threads."""

    def __init__(self, store: Store, pool: ReadingPool, root: Path) -> None:
        self.store, self.pool, self.root = store, pool, root
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._claiming = asyncio.Lock()  # SQLite has no row locks: one claim at a time here

    def start(self, job_id: str) -> None:
        if job_id not in self.tasks or self.tasks[job_id].done():
            self.tasks[job_id] = asyncio.get_running_loop().create_task(self._run(job_id))

    async def resume(self) -> None:
        """Continue the jobs a stopped server left unfinished."""
        unfinished = await asyncio.to_thread(self._unfinished)
        for job_id in unfinished:
            log.info("resuming job %s", job_id)
            self.start(job_id)

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        for task in self.tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _unfinished(self) -> list[str]:
        """Unfinished jobs; a file a stopped server was reading waits again."""
        with self.store.session() as session:
            session.execute(update(JobFile).where(JobFile.status == "reading").values(status="waiting"))
            return list(session.scalars(select(Job.id).where(Job.finished_at.is_(None))))

    def _claim(self, job_id: str) -> tuple[JobFile, Attribution] | None:
        """The job's next waiting file, marked as being read (one reader per file)."""
        with self.store.session() as session:
            job = session.get(Job, job_id)
            waiting = session.scalar(
                select(JobFile)
                .where(JobFile.job_id == job_id, JobFile.status == "waiting")
                .order_by(JobFile.position)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None or waiting is None:
                return None
            waiting.status = "reading"
            given = Attribution.from_dict(waiting.attribution)
            if given.body is None and job.body:
                given = Attribution(body=job.body)
            return waiting, given

    def _finish(self, job_id: str) -> None:
        with self.store.session() as session:
            job = session.get(Job, job_id)
            if job is not None:
                job.finished_at = datetime.now(UTC).replace(tzinfo=None)

    def _mark(self, file_id: int, status: str, message: str | None, report_id: int | None = None) -> None:
        with self.store.session() as session:
            row = session.get_one(JobFile, file_id)
            row.status, row.message, row.report_id = status, message, report_id

    async def _run(self, job_id: str) -> None:
        """As many readers as the pool has workers, each taking the next waiting file."""
        await asyncio.gather(*(self._reader(job_id) for _ in range(self.pool.limits.workers)))
        await asyncio.to_thread(self._finish, job_id)
        shutil.rmtree(self.root / job_id, ignore_errors=True)

    async def _next(self, job_id: str) -> tuple[JobFile, Attribution] | None:
        async with self._claiming:
            return await asyncio.to_thread(self._claim, job_id)

    async def _reader(self, job_id: str) -> None:
        while (item := await self._next(job_id)) is not None:
            file, given = item
            path = self.root / job_id / f"{file.position:05d}"
            try:
                status, message, report_id = await self._one(path, file.name, given)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not stop the job, nor leave it waiting forever
                log.exception("job %s: %s", job_id, file.name)
                status, message, report_id = "failed", "服务器内部错误，已记录 (internal error)", None
            await asyncio.to_thread(self._mark, file.id, status, message, report_id)
            path.unlink(missing_ok=True)

    async def _one(self, path: Path, name: str, given: Attribution) -> tuple[str, str | None, int | None]:
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return "failed", "文件已不在服务器上 (file lost)", None
        kind = sniff(data)
        if not data.strip() or kind not in ACCEPTED:
            return "skipped", f"不支持的文件类型：{kind}" if data.strip() else "文件是空的", None
        while True:
            try:
                report = await self.pool.read(data, name)
                break
            except UploadError as error:
                if error.status != 503:
                    return "failed", error.message, None
                await asyncio.sleep(BUSY_RETRY_SECONDS)
            except XxgkError as error:
                return ("skipped" if isinstance(error, NOT_REPORTS) else "failed"), error.message, None
        sha256 = hashlib.sha256(data).hexdigest()
        try:
            status, report_id = await asyncio.to_thread(self.store.store_report, report, sha256, given)
        except XxgkError as error:
            return "failed", error.message, None
        return status, None, report_id
