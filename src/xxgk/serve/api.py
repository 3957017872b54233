"""The JSON API under /api/ (documented at /api/docs): everything the pages do."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile

import xxgk
from xxgk.serve.deps import StoreDep
from xxgk.serve.uploads import read_upload

router = APIRouter(prefix="/api", tags=["api"])

ReportJSON = dict[str, Any]


@router.post("/check", summary="Check an uploaded report (not stored)")
async def check_file(
    request: Request,
    file: Annotated[UploadFile, File(description="A report: text, HTML, DOCX, DOC/WPS, PDF or image")],
    cells: Annotated[bool, Query(description="Include each cell's printed text and source")] = True,
) -> ReportJSON:
    """The JSON contract of FORMAT.md for the uploaded file, with its findings."""
    data, name = await read_upload(file, request.app.state.max_upload)
    return xxgk.parse_bytes(data, name).to_dict(cells=cells)


@router.post("/check/text", summary="Check pasted report text (not stored)")
async def check_text(
    text: Annotated[str, Form(description="The report's text")],
    cells: Annotated[bool, Query()] = True,
) -> ReportJSON:
    return xxgk.parse_text(text, "pasted").to_dict(cells=cells)


@router.get("/health", include_in_schema=False)
async def health(store: StoreDep) -> dict[str, str]:
    return {"status": "ok", "database": store.engine.dialect.name}
