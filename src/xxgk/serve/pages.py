"""HTML pages (Jinja2 + htmx). Check a report; sign in and out. The corpus pages are in
corpus_pages.py."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import xxgk
from xxgk.output.json import report_json
from xxgk.output.xlsx import report_xlsx
from xxgk.serve.app import page
from xxgk.serve.deps import RequiredUser, StoreDep
from xxgk.serve.results import CheckResult
from xxgk.serve.uploads import UploadError, read_upload
from xxgk.serve.views import table_views
from xxgk.store.users import authenticate

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
    if file is not None and file.filename:
        data, name = await read_upload(file, request.app.state.max_upload)
        report = xxgk.parse_bytes(data, name)
    elif text.strip():
        data, name = text.encode("utf-8"), "粘贴的文本"
        report = xxgk.parse_text(text, name)
    else:
        raise UploadError(400, "请上传文件或粘贴报告全文 (upload a file or paste the text)")
    token = request.app.state.results.add(CheckResult(report, name, data))
    return _result(request, token)


def _kept(request: Request, token: str) -> CheckResult:
    result = request.app.state.results.get(token)
    if result is None:
        raise HTTPException(404, "检查结果已过期，请重新上传 (this result has expired)")
    return result


def _result(request: Request, token: str, message: str | None = None) -> HTMLResponse:
    result = _kept(request, token)
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
        },
    )


@router.get("/check/{token}", response_class=HTMLResponse)
async def check_result(request: Request, token: str) -> HTMLResponse:
    return _result(request, token)


@router.get("/check/{token}/report.json")
async def download_json(request: Request, token: str) -> Response:
    result = _kept(request, token)
    return Response(
        report_json(result.report),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="report.json"'},
    )


@router.get("/check/{token}/report.xlsx")
async def download_xlsx(request: Request, token: str) -> Response:
    result = _kept(request, token)
    return Response(
        report_xlsx(result.report),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="report.xlsx"'},
    )


@router.post("/check/{token}/store", response_class=HTMLResponse)
async def add_to_corpus(request: Request, token: str, store: StoreDep, user: RequiredUser) -> HTMLResponse:
    result = _kept(request, token)
    status = store.ingest(result.report, hashlib.sha256(result.data).hexdigest())
    words = {"new": "已加入语料库", "version": "已作为新版本加入语料库", "unchanged": "语料库中已有同一文件"}
    return _result(request, token, words[status])


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
    with store.session() as session:
        user = authenticate(session, name, password)
    if user is None:
        return page(request, "login.html", {"next": _local(next), "failed": True}, status=401)
    request.session["user"] = user.name
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def _local(target: str) -> str:
    """Only redirect within the site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
