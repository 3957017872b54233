"""Search: the results page (/search, the nav's box) and its JSON (/api/search)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from xxgk.serve.app import page
from xxgk.serve.deps import StoreDep
from xxgk.store.search import MAX_QUERY, to_json

router = APIRouter()
LIMIT = 50

Q = Annotated[str, Query(max_length=1000, description="words to find; Chinese is cut into words by jieba")]


@router.get("/api/search", tags=["corpus"], summary="Find bodies and reports")
async def api_search(
    store: StoreDep, q: Q = "", limit: Annotated[int, Query(ge=1, le=200)] = LIMIT
) -> dict[str, Any]:
    """Bodies by name or alias, current reports by title and text, best first. Every word of the
    query is in each hit; `highlights` are [start, end) offsets of the words in `text`."""
    results = await run_in_threadpool(store.search, q, limit=limit)
    return to_json(results)


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(request: Request, store: StoreDep, q: Q = "") -> HTMLResponse:
    results = await run_in_threadpool(store.search, q, limit=LIMIT) if q.strip() else None
    return page(request, "search.html", {"q": q[:MAX_QUERY], "results": results})
