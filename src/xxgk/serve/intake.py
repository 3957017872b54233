"""Pages that bring reports into the corpus and settle what they are: batch uploads as jobs,
the 待认定 queue with its attribution form, a reviewer's choice of a report's current version.
Every change needs a signed-in user (and the session's CSRF token, checked in auth.py)."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xxgk.serve import jobs
from xxgk.serve.app import page
from xxgk.serve.corpus_api import NO_REPORT
from xxgk.serve.deps import Id, RequiredUser, StoreDep
from xxgk.serve.uploads import UploadError
from xxgk.store.models import StoredReport
from xxgk.store.queue import queued

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 200


async def _save(upload: UploadFile, path: Path) -> None:
    """Copy an uploaded part to the job's folder a chunk at a time (a ZIP may be large)."""
    written = 0
    with path.open("wb") as sink:
        while chunk := await upload.read(jobs.ZIP_CHUNK):
            written += len(chunk)
            if written > jobs.BATCH.job_bytes:
                raise UploadError(
                    413, f"{_name(upload)}：超过 {jobs.BATCH.job_bytes >> 20} MB 的上限 (too large)"
                )
            await asyncio.to_thread(sink.write, chunk)


def _name(upload: UploadFile) -> str:
    return (upload.filename or "文件").replace("\\", "/").rsplit("/", 1)[-1][:200]


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, store: StoreDep, user: RequiredUser) -> HTMLResponse:
    context = {"jobs": jobs.recent_jobs(store), "limits": jobs.BATCH}
    return page(request, "jobs.html", context | {"max_mb": request.app.state.max_upload >> 20})


@router.post("/jobs")
async def new_job(
    request: Request,
    store: StoreDep,
    user: RequiredUser,
    files: Annotated[list[UploadFile], File()],
    manifest: Annotated[UploadFile | None, File()] = None,
    body: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Save the files in a new job's folder (ZIPs unpacked in a thread), record the job, start it."""
    parts = [f for f in files if f.filename]
    if not parts:
        raise UploadError(400, "没有选择文件 (no file was uploaded)")
    if len(parts) > jobs.BATCH.files:
        raise UploadError(413, f"一次最多上传 {jobs.BATCH.files} 个文件 (too many files)")
    runner: jobs.JobRunner = request.app.state.jobs
    folder = await asyncio.to_thread(jobs.new_job_folder, runner.root)
    try:
        per_file = request.app.state.max_upload
        incoming = []
        for number, upload in enumerate(parts):
            path = folder / f"upload-{number:05d}"
            await _save(upload, path)
            incoming.append(jobs.Incoming(_name(upload), path))
        found = await asyncio.to_thread(jobs.unpack, folder, incoming, per_file)
        for index, item in enumerate(found):  # the runner finds file i at NNNNN
            target = folder / f"{index:05d}"
            if item.path != target:
                await asyncio.to_thread(item.path.replace, target)
        manifest_data = (
            await manifest.read(jobs.BATCH.request_bytes) if manifest and manifest.filename else None
        )
        names = [item.name for item in found]
        rows = jobs.attributions(manifest_data, _name(manifest) if manifest else "", names)
        chosen = body.strip() or None
        listed = [(name, rows[name].to_dict() if name in rows else {}) for name in names]
        job_id = await run_in_threadpool(jobs.create_job, store, folder, user, chosen, listed)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    runner.start(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _progress(store: StoreDep, job_id: str) -> jobs.Progress:
    found = jobs.progress(store, job_id) if re.fullmatch(r"[0-9a-f]{32}", job_id) else None
    if found is None:
        raise HTTPException(404, "没有这个上传任务 (no such job)")
    return found


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, store: StoreDep, user: RequiredUser, job_id: str) -> HTMLResponse:
    return page(request, "job.html", {"job": _progress(store, job_id), "names": jobs.STATUS_NAMES})


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse)
def job_progress(request: Request, store: StoreDep, user: RequiredUser, job_id: str) -> HTMLResponse:
    """htmx: the job's progress, polled every second until it is finished."""
    return page(request, "_job_progress.html", {"job": _progress(store, job_id), "names": jobs.STATUS_NAMES})


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, store: StoreDep) -> HTMLResponse:
    rows = queued(store)
    return page(request, "queue.html", {"rows": rows[:QUEUE_PAGE], "total": len(rows)})


@router.post("/reports/{report_id}/attribute")
def attribute(
    request: Request,
    store: StoreDep,
    user: RequiredUser,
    report_id: Id,
    body: Annotated[str, Form(min_length=1, max_length=200)],
    back: Annotated[str, Form()] = "",
) -> Response:
    """File a report under the body entered; back to the queue (or the report)."""
    name = body.strip()
    if not name:
        raise UploadError(422, "请填写单位名称 (no body given)")
    if _missing(store, report_id):
        raise HTTPException(404, NO_REPORT)
    store.attribute(report_id, name)
    target = "/queue" if back == "queue" else f"/reports/{report_id}"
    return RedirectResponse(target, status_code=303)


def _missing(store: StoreDep, report_id: int) -> bool:
    with store.session() as session:
        return session.get(StoredReport, report_id) is None


@router.post("/reports/{report_id}/choose")
def choose_version(
    request: Request,
    store: StoreDep,
    user: RequiredUser,
    report_id: Id,
    why: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """A reviewer makes this version the current one, saying why."""
    if _missing(store, report_id):
        raise HTTPException(404, NO_REPORT)
    if not why.strip():
        raise UploadError(422, "请说明为什么选用这个版本 (say why)")
    store.choose_version(report_id, user, why)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)
