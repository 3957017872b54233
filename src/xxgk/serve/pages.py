"""HTML pages (Jinja2 + htmx). Check a report; sign in and out. The corpus pages are in
corpus_pages.py."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xxgk.output.json import report_json
from xxgk.output.xlsx import report_xlsx
from xxgk.serve.app import page
from xxgk.serve.deps import RequiredUser, StoreDep
from xxgk.serve.results import CheckResult
from xxgk.serve.uploads import UploadError, read_upload
from xxgk.serve.views import table_views
from xxgk.store import Store
from xxgk.store.users import SESSION_HOURS, authenticate, end_session, start_session

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def check_form(request: Request) -> HTMLResponse:
    return page(request, "check.html", {})


@router.post("/check", response_class=HTMLResponse)
async def check(
    request: Request,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form()] = "",
) -> HTMLResponse:
    pool = request.app.state.pool
    if file is not None and file.filename:
        data, name = await read_upload(file, request.app.state.max_upload)
        report = await pool.read(data, name)
    elif text.strip():
        data, name = text.encode("utf-8"), "粘贴的文本"
        report = await pool.read(text, name)
    else:
        raise UploadError(400, "请上传文件或粘贴报告全文 (upload a file or paste the text)")
    result = CheckResult(report, name, hashlib.sha256(data).hexdigest())
    token = await run_in_threadpool(request.app.state.results.add, result)
    return await run_in_threadpool(_result, request, token, result)


def _kept(request: Request, token: str) -> CheckResult:
    result = request.app.state.results.get(token)
    if result is None:
        raise HTTPException(404, "检查结果已过期，请重新上传 (this result has expired)")
    return result


def _result(
    request: Request, token: str, result: CheckResult | None = None, message: str | None = None
) -> HTMLResponse:
    """The result page (rendered off the event loop: a large report's tables take a while)."""
    result = result or _kept(request, token)
    report = result.report
    return page(
        request,
        "result.html",
        {
            "token": token,
            "name": result.name,
            "report": report,
            "tables": table_views(report),
            "message": message,
            # after the upload (a POST), the kept result is the page to ask again with its ids
            **({"ids_link": f"/check/{token}?ids=1"} if request.method != "GET" else {}),
        },
    )


@router.get("/check/{token}", response_class=HTMLResponse)
def check_result(request: Request, token: str) -> HTMLResponse:
    return _result(request, token)


@router.get("/check/{token}/report.json")
def download_json(request: Request, token: str) -> Response:
    result = _kept(request, token)
    return Response(
        report_json(result.report),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="report.json"'},
    )


@router.get("/check/{token}/report.xlsx")
def download_xlsx(request: Request, token: str) -> Response:
    result = _kept(request, token)
    return Response(
        report_xlsx(result.report),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="report.xlsx"'},
    )


@router.post("/check/{token}/store", response_class=HTMLResponse)
def add_to_corpus(request: Request, token: str, store: StoreDep, user: RequiredUser) -> HTMLResponse:
    result = _kept(request, token)
    status = store.ingest(result.report, result.sha256)
    words = {
        "new": "已加入语料库",
        "version": "已作为新版本加入语料库",
        "source": "语料库中已有同一份报告，已记下这份文件为它的来源",
        "unchanged": "语料库中已有同一文件",
        "queued": "已加入语料库，但报告没有印出机关名称，待认定单位后计入",
    }
    return _result(request, token, result, words[status])


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", {"next": _local(next)})


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    store: StoreDep,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    throttle = request.app.state.throttle
    address = request.client.host if request.client else ""
    throttle.check(name, address)
    token = await run_in_threadpool(_sign_in, store, name, password)
    if token is None:
        throttle.failed(name, address)
        return page(request, "login.html", {"next": _local(next), "failed": True}, status=401)
    throttle.succeeded(name)
    answer = RedirectResponse(_local(next), status_code=303)
    answer.set_cookie(
        request.app.state.cookie,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
    )
    return answer


def _sign_in(store: Store, name: str, password: str) -> str | None:
    """A new session's token if the password is the user's (argon2 is slow: not on the event loop)."""
    with store.session() as session:
        user = authenticate(session, name, password)
        return start_session(session, user)[0] if user is not None else None


@router.post("/logout")
async def logout(request: Request, store: StoreDep) -> Response:
    """End the session in the store, so its cookie is worthless wherever it was copied."""
    token = request.cookies.get(request.app.state.cookie)
    if token:
        await run_in_threadpool(_sign_out, store, token)
    answer = RedirectResponse("/", status_code=303)
    answer.delete_cookie(request.app.state.cookie, httponly=True, secure=request.app.state.secure_cookies)
    return answer


def _sign_out(store: Store, token: str) -> None:
    with store.session() as session:
        end_session(session, token)


def _local(target: str) -> str:
    """Only redirect within the site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
