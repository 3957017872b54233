"""Commands on the store: ingest, findings, bodies (and compare, stats, export).

The store (SQLAlchemy, Alembic) is imported inside each command, so reading a file does not load it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from xxgk.cli.common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    AsJson,
    Db,
    app,
    console,
    err_console,
    fail,
    progress_bar,
)
from xxgk.cli.reports import Jobs, report_summary
from xxgk.errors import XxgkError

if TYPE_CHECKING:
    from xxgk.store import Store

Paths = Annotated[list[Path], typer.Argument(help="Report files and folders.", show_default=False)]

bodies_app = typer.Typer(no_args_is_help=True, help="The bodies that publish reports, and their hierarchy.")
app.add_typer(bodies_app, name="bodies")


def _store(db: str | None) -> Store:
    from xxgk.store import Store

    return Store(db)


@app.command()
def ingest(paths: Paths, db: Db = None, jobs: Jobs = None) -> None:
    """Read, check and store reports (folders are read whole, in parallel)."""
    store = _store(db)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        fail(XxgkError("no such file or folder", str(path)))
    with progress_bar("ingesting") as (started, finished):
        summary = store.ingest_paths(
            [p for p in paths if p.exists()], jobs=jobs, on_start=started, on_result=finished
        )
    report_summary(
        f"stored {summary.new} new and {summary.versions} new versions, {summary.unchanged} unchanged,"
        f" failed {len(summary.failures)}; {summary.with_errors} with error findings",
        summary,
    )
    for line in store.settled:  # what a neighbouring year's report decided
        err_console().print(f"split settled: {line}", markup=False)
    raise typer.Exit(EXIT_UNREADABLE if summary.failures or missing else EXIT_OK)


@app.command()
def findings(
    db: Db = None,
    as_json: AsJson = False,
    body: Annotated[
        str | None, typer.Option(help="Only this body and those under it (name or alias).")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Only bodies of this region and the regions under it.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Only this report year.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule id (TXT-* for a family).")] = None,
    severity: Annotated[str | None, typer.Option(help="error, warning or info.")] = None,
    status: Annotated[str | None, typer.Option(help="open, confirmed or dismissed.")] = None,
) -> None:
    """List the stored findings of the current reports."""
    from xxgk.store.findings import list_findings

    found = list_findings(
        _store(db), body=body, region=region, year=year, rule=rule, severity=severity, status=status
    )
    if as_json:
        print(json.dumps([f.to_dict() for f in found], ensure_ascii=False, indent=1))
        return
    out = console()
    paged = any(f.pages for f in found)  # a PDF's findings name their pages
    grid = Table(
        "body", "year", *(["page"] if paged else []), "rule", "severity", "message", header_style="bold"
    )
    for f in found:
        style = {"error": "red", "warning": "yellow"}.get(f.severity, "cyan")
        page = [", ".join(map(str, f.pages))] if paged else []
        grid.add_row(f.body, str(f.year), *page, f.rule, f"[{style}]{f.severity}[/]", f.message)
    out.print(grid)
    out.print(f"{len(found)} findings")


@bodies_app.command("import")
def bodies_import(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: name, level, region, parent, aliases.")],
    db: Db = None,
) -> None:
    """Import bodies with their level, region, parent and aliases (re-importing updates them)."""
    count = _store(db).import_bodies(file)
    console().print(f"imported {count} bodies")


@bodies_app.command("list")
def bodies_list(db: Db = None, as_json: AsJson = False) -> None:
    """The bodies in the store, with their hierarchy."""
    from xxgk.store.models import Body

    store = _store(db)
    with store.session() as session:
        bodies = session.query(Body).order_by(Body.name).all()
        rows = [
            {
                "name": b.name,
                "level": b.level,
                "region": b.region,
                "parent": b.parent.name if b.parent else None,
                "aliases": [a.alias for a in b.aliases],
            }
            for b in bodies
        ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    grid = Table("name", "level", "region", "parent", "aliases", header_style="bold")
    for r in rows:
        grid.add_row(
            r["name"], r["level"] or "", r["region"] or "", r["parent"] or "", "、".join(r["aliases"])
        )
    console().print(grid)


users_app = typer.Typer(
    no_args_is_help=True, help="Accounts that may change the corpus in the web application."
)
app.add_typer(users_app, name="user")


@users_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    db: Db = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add a user (or set a user's password)."""
    from xxgk.store.users import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    store = _store(db)
    with store.session() as session:
        add_user(session, name, password)
    console().print(f"user {name} can now sign in")


@users_app.command("token")
def user_token(name: Annotated[str, typer.Argument(help="The user's name.")], db: Db = None) -> None:
    """Print a new API token for the user (send it as `Authorization: Bearer TOKEN`)."""
    from xxgk.store.users import new_api_token

    store = _store(db)
    with store.session() as session:
        token = new_api_token(session, name)
    print(token)


@app.command()
def serve(
    db: Db = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(help="Processes that read uploads (default $XXGK_WORKERS, else 2).", min=1),
    ] = None,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Send the session cookie over HTTPS only (also $XXGK_SECURE_COOKIES=1).",
        ),
    ] = False,
) -> None:
    """Serve the web application (check reports in the browser; browse the corpus)."""
    from xxgk.serve import serve as run_server

    run_server(host=host, port=port, db=db, workers=workers, secure_cookies=secure_cookies or None)


@app.command()
def compare(
    body: Annotated[str, typer.Argument(help="The body (name or alias).")],
    years: Annotated[tuple[int, int], typer.Option("--years", help="Two years, e.g. --years 2023 2024.")],
    db: Db = None,
    as_json: AsJson = False,
    all_cells: Annotated[bool, typer.Option("--all", help="Every cell, not only the changed ones.")] = False,
) -> None:
    """Two years of one body side by side: every cell's change, the findings, the narrative similarity."""
    from xxgk.store.compare import compare as compare_years
    from xxgk.store.compare import render_comparison

    comparison = compare_years(_store(db), body, years)
    if as_json:
        print(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=1, default=str))
        return
    render_comparison(console(), comparison, all_cells=all_cells)


@app.command()
def stats(
    db: Db = None,
    as_json: AsJson = False,
    region: Annotated[
        str | None, typer.Option(help="Only bodies of this region and the regions under it.")
    ] = None,
    body: Annotated[str | None, typer.Option(help="Only this body and those under it.")] = None,
    level: Annotated[
        str | None, typer.Option(help="Only bodies of this level (省/市/县/乡镇/街道/部门).")
    ] = None,
    year: Annotated[list[int] | None, typer.Option(help="Only these years (repeat the option).")] = None,
    by: Annotated[str, typer.Option(help="Group by year, region or level.")] = "year",
    depth: Annotated[str, typer.Option(help="With --by region: group at 省, 市 or 县.")] = "省",
    min_cases: Annotated[int, typer.Option(help="Flag rates resting on fewer cases than this.")] = 30,
) -> None:
    """Applications, 公开率, 纠错率, reports with errors and missing reports over a selection."""
    from xxgk.store.stats import render_stats
    from xxgk.store.stats import stats as corpus_stats

    rows = corpus_stats(
        _store(db), region=region, body=body, level=level, years=year, by=by, depth=depth, min_cases=min_cases
    )
    if as_json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    render_stats(console(), rows)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, parquet or json.")] = "csv",
    shape: Annotated[
        str, typer.Option("--shape", help="long (a row per cell) or wide (a row per report).")
    ] = "long",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (CSV and JSON: stdout without it).")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Only bodies of this region and the regions under it.")
    ] = None,
    body: Annotated[str | None, typer.Option(help="Only this body and those under it.")] = None,
    db: Db = None,
) -> None:
    """Export the current reports' cells; column names are the data-dictionary ids."""
    from xxgk.store.export import export as export_cells

    rows = export_cells(_store(db), fmt, shape, out, region=region, body=body)
    if out is not None:
        console().print(f"wrote {rows} rows to {out}")
