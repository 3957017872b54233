"""The web application: check a report in the browser, browse and compare the corpus.

Thin routes over the library (pages.py for HTML with htmx, api.py for JSON); the store and the
signed-in user are injected (deps.py). Errors become a message on the page or a JSON error
body, never a stack trace.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from xxgk.errors import XxgkError
from xxgk.serve.results import RecentResults
from xxgk.serve.uploads import UploadError
from xxgk.store import Store

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
log = logging.getLogger("xxgk.serve")
templates = Jinja2Templates(directory=HERE / "templates")


def create_app(db: str | None = None, *, max_upload: int = MAX_UPLOAD, secret: str | None = None) -> FastAPI:
    from xxgk.serve import api, corpus_api, corpus_pages, pages

    app = FastAPI(
        title="xxgk",
        summary="政府信息公开工作年度报告：读取、检查、比较",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.store = Store(db)
    app.state.max_upload = max_upload
    app.state.results = RecentResults()
    key = secret or os.environ.get("XXGK_SECRET") or secrets.token_urlsafe(32)
    app.add_middleware(SessionMiddleware, secret_key=key, same_site="strict", max_age=8 * 3600)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(corpus_api.router)
    app.include_router(corpus_pages.router)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        page = templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
        return page

    @app.exception_handler(UploadError)
    async def upload_error(request: Request, exc: UploadError) -> Response:
        return error(request, exc.status, exc.message)

    @app.exception_handler(XxgkError)
    async def xxgk_error(request: Request, exc: XxgkError) -> Response:
        return error(request, 422, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error(request, 422, f"请求参数不正确：{where} {first.get('msg', '')}".strip())

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error(request, 500, "服务器内部错误，已记录；请稍后再试 (internal error)")

    return app


def page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    context = {"user": request.session.get("user"), **context}
    return templates.TemplateResponse(request, name, context, status_code=status)
