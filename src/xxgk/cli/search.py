"""Commands on the search index: `xxgk search QUERY`, `xxgk reindex`.

The store and jieba are imported inside each command, so reading a file loads neither.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from xxgk.cli.common import AsJson, Db, app, console, err_console

Limit = Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many of each kind.")]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find (Chinese is cut into words by jieba).")],
    db: Db = None,
    limit: Limit = 20,
    as_json: AsJson = False,
) -> None:
    """Find bodies by name or alias, and current reports by title and text."""
    from xxgk.store import Store
    from xxgk.store.search import to_json

    results = Store(db, create=False).search(query, limit=limit)
    if as_json:
        print(json.dumps(to_json(results), ensure_ascii=False, indent=1))
        return
    out = console()
    if not results.bodies and not results.reports:
        err_console().print(f"nothing found for {query!r}", markup=False)
        return
    for body in results.bodies:
        line = Text("body    ")
        _append(line, body.name)
        for alias in body.aliases:
            line.append(" / ")
            _append(line, alias)
        out.print(line)
    for report in results.reports:
        line = Text(f"report  {report.body} {report.year} (#{report.id}) ")
        _append(line, report.title)
        out.print(line)
        if report.snippet:
            line = Text("        ")
            _append(line, report.snippet)
            out.print(line)
    if results.reports_total > len(results.reports):
        err_console().print(f"{results.reports_total} reports in all; --limit shows more", markup=False)


def _append(line: Text, pieces: list[tuple[str, bool]]) -> None:
    for piece, hit in pieces:
        line.append(piece, style="bold reverse" if hit else "")


@app.command()
def reindex(db: Db = None) -> None:
    """Rebuild the search index from the stored bodies and reports."""
    from xxgk.store import Store

    count = Store(db).reindex()
    err_console().print(f"indexed {count} bodies and reports", markup=False)
