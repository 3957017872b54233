"""The JSON API under /api/ (documented at /api/docs): everything the pages do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from xxgk.serve.deps import StoreDep
from xxgk.serve.uploads import read_upload

router = APIRouter(prefix="/api", tags=["api"])

# the JSON contract is written by the worker that read the report: large, and no work for the server
JSON_CONTRACT = {
    200: {"description": "The JSON contract of docs/FORMAT.md", "content": {"application/json": {}}}
}


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


@router.post("/check", summary="Check an uploaded report (not stored)", responses=JSON_CONTRACT)
async def check_file(
    request: Request,
    file: Annotated[UploadFile, File(description="A report: text, HTML, DOCX, DOC/WPS, PDF or image")],
    cells: Annotated[bool, Query(description="Include each cell's printed text and source")] = True,
) -> Response:
    """The JSON contract of FORMAT.md for the uploaded file, with its findings."""
    data, name = await read_upload(file, request.app.state.max_upload)
    return _json(await request.app.state.pool.read(data, name, as_json=cells))


@router.post("/check/text", summary="Check pasted report text (not stored)", responses=JSON_CONTRACT)
async def check_text(
    request: Request,
    text: Annotated[str, Form(description="The report's text")],
    cells: Annotated[bool, Query()] = True,
) -> Response:
    return _json(await request.app.state.pool.read(text, "pasted", as_json=cells))


@router.get("/health", include_in_schema=False)
async def health(store: StoreDep) -> dict[str, str]:
    return {"status": "ok", "database": store.engine.dialect.name}
