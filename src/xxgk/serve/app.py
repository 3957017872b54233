"""The web application: check a report in the browser, browse and compare the corpus.

Thin routes over the library (pages.py for HTML with htmx, api.py for JSON); the store and the
signed-in user are injected (deps.py, auth.py). Uploads are read in worker processes
(workers.py). Errors become a message on the page or a JSON error body, never a stack trace.
Every response carries the security headers below.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xxgk.check import RULES
from xxgk.errors import XxgkError
from xxgk.serve import messages
from xxgk.serve.auth import LoginThrottle, cookie_name, resolve_auth
from xxgk.serve.jobs import BATCH, JobRunner, jobs_folder
from xxgk.serve.results import RecentResults
from xxgk.serve.uploads import UploadError
from xxgk.serve.workers import Limits, ReadingPool
from xxgk.store import Store

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
FORM_SLACK = 64 * 1024  # a multipart body is a little larger than the file it carries
log = logging.getLogger("xxgk.serve")
templates = Jinja2Templates(directory=HERE / "templates")
# a finding's severity as the pages name it (templates: {{ severities[f.severity] }})
templates.env.globals["severities"] = {"error": "错误", "warning": "警告", "info": "提示"}
# a finding's rule as the pages name it (its id only with ?ids=1): {{ rule_titles[f.rule] }}
templates.env.globals["rule_titles"] = {rule.id: rule.title for rule in RULES}

# no inline script anywhere (scripts are static files); inline style attributes are allowed
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_URL, OPENAPI_URL = "/api/docs", "/api/openapi.json"
SWAGGER = "/static/vendor/swagger-ui"  # vendored (static/vendor/README.md): the docs work offline
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
TRUE = {"1", "true", "yes", "on"}


def docs_page() -> tuple[bytes, str]:
    """The API documentation page (Swagger UI from the vendored files), and its security policy:
    the page's one inline script, which starts Swagger UI, is admitted by its hash, no other."""
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="xxgk API",
        swagger_js_url=f"{SWAGGER}-bundle.js",
        swagger_css_url=f"{SWAGGER}.css",
        swagger_favicon_url=f"{SWAGGER}-favicon.png",
        swagger_ui_parameters={"validatorUrl": None},  # else it asks validator.swagger.io
    ).body
    inline = re.findall(rb"<script>(.*?)</script>", page, flags=re.DOTALL)
    hashes = [base64.b64encode(hashlib.sha256(script).digest()).decode() for script in inline]
    allowed = " ".join(f"'sha256-{h}'" for h in hashes)
    return page, CSP.replace("script-src 'self'", f"script-src 'self' {allowed}")


class Guard:
    """ASGI middleware: the security headers on every response, and a body announced larger than
    the upload limit refused before it is read."""

    def __init__(self, app: ASGIApp, max_body: int, secure: bool, docs_csp: str, batch_body: int = 0) -> None:
        self.app, self.max_body, self.docs_csp = app, max_body, docs_csp
        self.batch_body = max(batch_body, max_body)  # a batch upload (/jobs) may carry many files
        self.headers = HEADERS + ([(b"strict-transport-security", b"max-age=31536000")] if secure else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] == DOCS_URL

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *self.headers,
                    (b"content-security-policy", (self.docs_csp if docs else CSP).encode()),
                ]
            await send(message)

        length = dict(scope["headers"]).get(b"content-length", b"0")
        limit = self.batch_body if scope["path"] == "/jobs" else self.max_body
        if length.isdigit() and int(length) > limit:
            message = f"{messages.STATUSES[413]}：上传的内容超过了上限"
            if scope["path"].startswith("/api/"):
                too_big: Response = JSONResponse({"error": f"{message} (request too large)"}, status_code=413)
            else:
                context = {"status": 413, "message": message}
                too_big = templates.TemplateResponse(Request(scope), "error.html", context, status_code=413)
            await too_big(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)


def create_app(
    db: str | None = None,
    *,
    max_upload: int = MAX_UPLOAD,
    workers: int | None = None,
    limits: Limits | None = None,
    secure_cookies: bool | None = None,
    jobs_dir: Path | None = None,
) -> FastAPI:
    """The application over a store. `workers` (else $XXGK_WORKERS) read uploads, within `limits`
    (else $XXGK_JOB_SECONDS, $XXGK_JOB_MEMORY_MB); `secure_cookies` (else $XXGK_SECURE_COOKIES)
    for a site served over HTTPS; `jobs_dir` (else $XXGK_JOBS_DIR) keeps batch uploads' files."""
    from xxgk.serve import (
        api,
        corpus_api,
        corpus_pages,
        downloads,
        intake,
        pages,
        register_web,
        review_api,
        search,
    )

    if secure_cookies is None:
        secure_cookies = os.environ.get("XXGK_SECURE_COOKIES", "").strip().lower() in TRUE
    pool = ReadingPool(limits or Limits.from_env(workers))
    results = RecentResults()
    store = Store(db)
    runner = JobRunner(store, pool, jobs_folder(jobs_dir))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.start()
        await runner.resume()
        yield
        await runner.close()
        pool.close()
        results.close()

    app = FastAPI(
        title="xxgk",
        summary="政府信息公开工作年度报告：读取、检查、比较",
        version="0.1.0",
        docs_url=None,  # served below, from vendored files
        openapi_url=OPENAPI_URL,
        redoc_url=None,
        dependencies=[Depends(resolve_auth)],
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.jobs = runner
    app.state.max_upload = max_upload
    app.state.pool = pool
    app.state.results = results
    app.state.secure_cookies = secure_cookies
    app.state.cookie = cookie_name(secure_cookies)
    app.state.throttle = LoginThrottle()
    docs, docs_csp = docs_page()
    app.add_middleware(
        Guard,
        max_body=max_upload + FORM_SLACK,
        secure=secure_cookies,
        docs_csp=docs_csp,
        batch_body=BATCH.request_bytes,
    )

    async def api_docs(_: Request) -> HTMLResponse:
        return HTMLResponse(docs)

    app.add_route(DOCS_URL, api_docs, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(corpus_api.router)
    app.include_router(corpus_pages.router)
    app.include_router(search.router)
    app.include_router(downloads.router)
    app.include_router(intake.router)
    app.include_router(review_api.router)
    app.include_router(register_web.api)
    app.include_router(register_web.pages)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error(request: Request, status: int, message: str, english: str = "") -> Response:
        """A JSON body under /api/ (the Chinese, the English beside it), else the error page (the
        Chinese alone)."""
        if wants_json(request):
            return JSONResponse({"error": messages.with_english(message, english)}, status_code=status)
        context = {"status": status, "message": messages.for_page(message)}
        return templates.TemplateResponse(request, "error.html", context, status_code=status)

    @app.exception_handler(UploadError)
    async def upload_error(request: Request, exc: UploadError) -> Response:
        return error(request, exc.status, exc.message)

    @app.exception_handler(XxgkError)
    async def xxgk_error(request: Request, exc: XxgkError) -> Response:
        return error(request, 422, messages.for_error(exc), str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, messages.for_status(exc.status_code, str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        english = f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', '')}"
        return error(request, 422, messages.for_validation(exc.errors()), english)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error(request, 500, messages.STATUSES[500], "internal error")

    return app


def page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    auth = getattr(request.state, "auth", None)
    show_ids = request.query_params.get("ids") == "1"  # data-dictionary and rule ids, when asked for
    url = request.url
    toggled = url.remove_query_params("ids") if show_ids else url.include_query_params(ids="1")
    context = {
        "user": auth and auth.user,
        "csrf": auth and auth.csrf,
        "show_ids": show_ids,
        # the page again with the ids (or without): only a GET can be asked for again
        "ids_link": (f"{toggled.path}?{toggled.query}" if toggled.query else toggled.path)
        if request.method == "GET"
        else None,
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)
