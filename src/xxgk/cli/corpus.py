"""Commands on the store: ingest, findings, bodies (and compare, stats, export).

The store (SQLAlchemy, Alembic) is imported inside each command, so reading a file does not load it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from itertools import pairwise
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
    file_or_folder,
    out_path,
    progress_bar,
)
from xxgk.cli.reports import Jobs, Scheduler, report_summary
from xxgk.errors import XxgkError

if TYPE_CHECKING:
    from xxgk.store import IngestSummary, Store

bodies_app = typer.Typer(no_args_is_help=True, help="The bodies that publish reports, and their hierarchy.")
app.add_typer(bodies_app, name="bodies")


def _store(db: str | None, *, create: bool = True) -> Store:
    """The store of `--db`; a command that only reads (not `create`) refuses a SQLite file that is
    not there, where a mistyped path would make a new, empty database and find nothing in it."""
    from xxgk.store import Store

    return Store(db, create=create)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Report files and folders (with --manifest: else its files).",
            show_default=False,
            parser=file_or_folder,
        ),
    ] = None,
    db: Db = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    body: Annotated[
        str | None, typer.Option(help="File every report under this body, whatever it prints.")
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(help="CSV or XLSX: file, body (and year, region, level, url, published) per file."),
    ] = None,
) -> None:
    """Read, check and store reports (folders are read whole, in parallel). A report whose body
    cannot be told is stored as 待认定 until `xxgk attribute` files it.

    A results file of `xxgk parse --out` (*.jsonl) is stored as it was read, without reading again.
    """
    from xxgk.store.attribution import Attribution, read_manifest

    rows = read_manifest(manifest) if manifest is not None else None
    paths = paths or []
    if not paths and not rows:
        raise XxgkError("name report files or folders, or a --manifest that lists them")
    results = [p for p in paths if p.suffix == RESULTS_SUFFIX and p.is_file()]
    files = [p for p in paths if p.exists() and p not in results]
    limits = None
    if files or not results:
        from xxgk import batch

        limits = batch.pool_limits(jobs)  # a wrong one in the environment is said before the database is made
    store = _store(db)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        fail(XxgkError("no such file or folder", str(path)))
    given = Attribution(body=body.strip()) if body and body.strip() else None
    failed = bool(missing)
    for path in results:
        with progress_bar("storing") as (started, finished):
            summary = store.ingest_results(
                path, on_start=started, on_result=finished, attribution=given, manifest=rows
            )
        _summarise(summary, store)
        failed |= bool(summary.failures)
    if files or not results:
        with progress_bar("ingesting") as (started, finished):
            summary = store.ingest_paths(
                files,
                jobs=jobs,
                scheduler=scheduler,
                on_start=started,
                on_result=finished,
                attribution=given,
                manifest=rows,
                limits=limits,
            )
        _summarise(summary, store)
        failed |= bool(summary.failures)
    raise typer.Exit(EXIT_UNREADABLE if failed else EXIT_OK)


RESULTS_SUFFIX = ".jsonl"


def _summarise(summary: IngestSummary, store: Store) -> None:
    report_summary(
        f"stored {summary.new} new and {summary.versions} new versions, {summary.sources} more sources"
        f" of stored reports, {summary.queued} to be attributed (待认定), {summary.unchanged} unchanged,"
        f" failed {len(summary.failures)}; {summary.with_errors} with error findings",
        summary,
    )
    if summary.unread:
        err_console().print(
            f"left out {len(summary.unread)} line(s) of files that were not read", markup=False
        )
    for line in store.settled:  # what a neighbouring year's report decided
        err_console().print(f"split settled: {line}", markup=False)
    store.settled.clear()


@app.command()
def attribute(
    report_id: Annotated[int, typer.Argument(help="The stored report's id (xxgk queue lists them).")],
    body: Annotated[str, typer.Option(help="The body the report belongs to.")],
    db: Db = None,
) -> None:
    """File a stored report (待认定, or filed wrongly) under a body."""
    status = _store(db).attribute(report_id, body.strip())
    words = {"new": "filed", "version": "filed as a new version", "unchanged": "already filed"}
    console().print(f"report {report_id}: {words[status]} under {body.strip()}", markup=False)


@app.command()
def queue(db: Db = None, as_json: AsJson = False) -> None:
    """The stored reports whose body is not known yet (待认定), counted nowhere until attributed."""
    from xxgk.store.queue import queued

    rows = queued(_store(db, create=False))
    if as_json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    grid = Table("id", "year", "title", "source", "errors", header_style="bold")
    for r in rows:
        grid.add_row(str(r.id), str(r.year), r.title or "", r.source or "", str(r.errors))
    console().print(grid)
    console().print(f"{len(rows)} reports to be attributed")


@app.command()
def versions(
    body: Annotated[str | None, typer.Argument(help="The body (name or alias).", show_default=False)] = None,
    year: Annotated[int | None, typer.Argument(help="The report year.", show_default=False)] = None,
    db: Db = None,
    as_json: AsJson = False,
    choose: Annotated[int | None, typer.Option(help="Make this stored report the current version.")] = None,
    by: Annotated[str | None, typer.Option(help="Who chooses (with --choose).")] = None,
    why: Annotated[str | None, typer.Option(help="Why this version (with --choose).")] = None,
) -> None:
    """The versions of a body's report for a year, and which is current and why; or choose one
    (given BODY and YEAR too, the report chosen must be one of theirs)."""
    from xxgk.store.versions import REASONS

    store = _store(db, create=choose is not None)
    if choose is not None:
        if not by or not why:
            raise XxgkError("--choose needs --by NAME and --why TEXT")
        store.choose_version(choose, by, why, body, year)
        console().print(f"report {choose} is now the current version (chosen by {by})", markup=False)
        return
    if body is None or year is None:
        raise XxgkError("name a BODY and a YEAR, or --choose ID --by NAME --why TEXT")
    name, found, reason = store.version_list(body, year)
    if not found:
        raise XxgkError(f"no report of {name} for {year} is stored")
    if as_json:
        out = {
            "body": name,
            "year": year,
            "why_current": REASONS[reason],
            "versions": [asdict(v) for v in found],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return
    grid = Table(
        "id", "version", "current", "published", "errors", "warnings", "sources", header_style="bold"
    )
    for v in found:
        sources = "\n".join(f"{where} ({fmt}, {when})" for where, fmt, when in v.sources)
        grid.add_row(
            str(v.id),
            str(v.version),
            "yes" if v.current else "",
            str(v.published or ""),
            str(v.errors),
            str(v.warnings),
            sources,
        )
    out = console()
    out.print(grid)
    chosen = next((v for v in found if v.current and v.chosen_by), None)
    detail = f" ({chosen.chosen_by}: {chosen.why})" if chosen else ""
    out.print(f"{name} {year}: {len(found)} versions; current: {REASONS[reason]}{detail}", markup=False)


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

    store = _store(db, create=False)
    found = list_findings(
        store, body=body, region=region, year=year, rule=rule, severity=severity, status=status
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

    store = _store(db, create=False)
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
        try:
            password = sys.stdin.buffer.readline().decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise XxgkError("the password on stdin is not UTF-8 text") from None
    elif not sys.stdin.isatty():  # a script, a pipe: no one to ask (getpass would echo, or wait)
        raise XxgkError("no terminal to ask the password on; give it on stdin with --password-stdin")
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

    store = _store(db, create=False)  # a token for a user of a store that is there
    with store.session() as session:
        token = new_api_token(session, name)
    print(token)


@app.command()
def serve(
    db: Db = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
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
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[BODY] [YEAR]...",
            help="The body (or --body); the years after the first, as in --years 2021 2022 2023.",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        list[int] | None, typer.Option("--years", help="The years, e.g. --years 2021 2022 2023.")
    ] = None,
    body_option: Annotated[str | None, typer.Option("--body", help="The body (name or alias).")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="A region: its bodies' key figures by year.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write a document: .xlsx, .docx, .pdf or .html.", parser=out_path, metavar="FILE"
        ),
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
    all_cells: Annotated[bool, typer.Option("--all", help="Every cell, not only the changed ones.")] = False,
) -> None:
    """One body (or a region) over two or more years: every cell's change, the findings, the
    narrative similarity; printed, or written as a document with --out."""
    from xxgk.store.compare import compare as compare_years
    from xxgk.store.compare import compare_series, render_comparison

    words = words or []
    chosen = [*(years or []), *(int(w) for w in words if w.isdigit())]
    names = [w for w in words if not w.isdigit()]
    body = body_option or (names[0] if names else None)
    if len(names) > (0 if body_option else 1):  # `compare B 2020 abc`: a word that is no year
        extra = names[1:] if not body_option else names
        raise XxgkError(f"{extra[0]!r} is no year; name one body, then its years")
    if (body is None) == (region is None):
        raise XxgkError("name one body (BODY or --body) or one region (--region), and the years with --years")
    if out is not None:
        from xxgk.documents import check_suffix, write
        from xxgk.documents.comparison import body_comparison, region_comparison

        check_suffix(out)
        store = _store(db, create=False)
        if region is not None:
            document = region_comparison(store, region, chosen)
        else:
            assert body is not None
            document = body_comparison(store, body, chosen, all_cells=all_cells)
        write(document, out)
        console().print(f"wrote {out}", markup=False)
        return
    if region is not None or body is None:
        raise XxgkError("a region's comparison is a document: give --out FILE.xlsx, .docx, .pdf or .html")
    store = _store(db, create=False)
    if len(chosen) != 2:
        series = compare_series(store, body, chosen)
        if as_json:
            print(json.dumps(series.to_dict(), ensure_ascii=False, indent=1, default=str))
            return
        for pair in pairwise(series.years):
            render_comparison(console(), compare_years(store, body, pair), all_cells=all_cells)
        return
    comparison = compare_years(store, body, (chosen[0], chosen[1]))
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

    store = _store(db, create=False)
    rows = corpus_stats(
        store, region=region, body=body, level=level, years=year, by=by, depth=depth, min_cases=min_cases
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
        Path | None,
        typer.Option(
            "--out", help="Output file (CSV and JSON: stdout without it).", parser=out_path, metavar="FILE"
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Only bodies of this region and the regions under it.")
    ] = None,
    body: Annotated[str | None, typer.Option(help="Only this body and those under it.")] = None,
    db: Db = None,
) -> None:
    """Export the current reports' cells; column names are the data-dictionary ids."""
    from xxgk.store.export import export as export_cells

    rows = export_cells(_store(db, create=False), fmt, shape, out, region=region, body=body)
    if out is not None:
        console().print(f"wrote {rows} rows to {out}")
