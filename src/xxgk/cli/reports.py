"""Commands on report files: parse, check, rules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import xxgk
from xxgk.check import RULES
from xxgk.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNREADABLE,
    AsJson,
    app,
    console,
    err_console,
    fail,
    file_or_folder,
    on_terminal,
    out_path,
    progress_bar,
)
from xxgk.errors import NOT_REPORTS, XxgkError
from xxgk.model import Report
from xxgk.output import plain
from xxgk.output.json import report_json

if TYPE_CHECKING:
    from xxgk import batch

Files = Annotated[
    list[Path],
    typer.Argument(help="Report files.", show_default=False, parser=file_or_folder),
]
FilesAndFolders = Annotated[
    list[Path],
    typer.Argument(
        help="Report files and folders (every file under them).",
        show_default=False,
        parser=file_or_folder,
    ),
]
NoCells = Annotated[bool, typer.Option("--no-cells", help="Leave per-cell provenance out of the JSON.")]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Read files and folders in parallel into this JSON Lines file (resumable).",
        parser=out_path,
        metavar="FILE",
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        help="Worker processes (default: all cores); 1 reads in this process, without time limits.",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Read on the Dask cluster whose scheduler is at this address (tcp://host:8786).",
        show_default=False,
    ),
]


def _reports(files: list[Path]) -> Iterator[Report | XxgkError]:
    for path in files:
        try:
            yield xxgk.parse_path(path)
        except XxgkError as error:
            yield error
        except Exception as error:  # a bug must not stop a batch; say where, ask for a report
            yield XxgkError(f"internal error ({type(error).__name__}: {error}); please report it", str(path))


def show_report(report: Report, findings: bool) -> None:
    """A report's tables (and findings) on stdout: with rich on a terminal, else plain lines."""
    if on_terminal(sys.stdout):
        from xxgk.output import terminal

        terminal.render_report(console(), report, tables=True, findings=findings)
    else:
        plain.render_report(sys.stdout, report, tables=True, findings=findings)


def _emit(files: list[Path], as_json: bool, no_cells: bool, *, linter: bool, named: set[Path]) -> int:
    """Print each report; a file of a folder that is no report is listed as skipped, not failed.

    Off a terminal the view is printed without rich (output.plain), in the same lines.
    """
    status = EXIT_OK
    for path, result in zip(files, _reports(files), strict=True):
        if isinstance(result, NOT_REPORTS) and path not in named:
            print(f"xxgk: skipped: {result}", file=sys.stderr)
            continue
        if isinstance(result, XxgkError):
            fail(result)
            status = EXIT_UNREADABLE
            continue
        if as_json:
            print(report_json(result, indent=None if len(files) > 1 else 2, cells=not no_cells))
        else:
            show_report(result, findings=linter or bool(result.findings))
        if linter and result.errors and status == EXIT_OK:
            status = EXIT_FINDINGS
    return status


@app.command()
def parse(
    files: Files,
    as_json: AsJson = False,
    no_cells: NoCells = False,
    out: Out = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
) -> None:
    """Read reports into the three statutory tables (JSON with --json: one object, or one per line).

    With --out, FILES may be folders: every file under them is read, one JSON line each.
    """
    if out is not None:
        raise typer.Exit(_batch(files, out, jobs, scheduler))
    raise typer.Exit(_emit(files, as_json, no_cells, linter=False, named=set(files)))


def _batch(paths: list[Path], out: Path, jobs: int | None, scheduler: str | None) -> int:
    from xxgk import batch

    missing = [p for p in paths if not p.exists()]
    for path in missing:
        fail(XxgkError("no such file or folder", str(path)))
    with progress_bar("reading") as (started, finished):
        summary = batch.run(
            [p for p in paths if p.exists()],
            out,
            jobs=jobs,
            scheduler=scheduler,
            on_start=started,
            on_result=finished,
        )
    report_summary(
        f"read {summary.read}, skipped {summary.skipped} already in {out}, failed {len(summary.failures)};"
        f" {summary.with_errors} read with error findings",
        summary,
    )
    return EXIT_UNREADABLE if summary.failures or missing else EXIT_OK


def report_summary(headline: str, summary: batch.Summary) -> None:
    """The closing summary of a batch on stderr: counts, failures by reason, then each failure."""
    out = err_console()
    out.print(headline, markup=False)
    for reason, count in summary.failed_by_reason.most_common():
        out.print(f"  failed: {count} × {reason}", markup=False)
    if summary.not_reports:
        out.print(f"skipped {len(summary.not_reports)} file(s) that are not reports:", markup=False)
    for path, message in summary.not_reports:
        out.print(f"  {path}: {message}", markup=False)
    for path, message in summary.failures:
        out.print(f"xxgk: error: {path}: {message}", style="red", markup=False)


@app.command()
def check(paths: FilesAndFolders, as_json: AsJson = False, no_cells: NoCells = False) -> None:
    """Read reports and list every rule they break; exit 1 if any error-severity finding.

    Folders are read whole; a file in them that is no report (a README, a photo) is skipped.
    """
    from xxgk.files import discover, named_files

    files = discover(paths)
    # a folder with nothing to check is said, not passed as checked (a wrong folder, a failed copy)
    empty = [p for p in paths if p.is_dir() and not any(f.is_relative_to(p) for f in files)]
    for folder in empty:
        fail(XxgkError("no files in this folder", str(folder)))
    status = _emit(files, as_json, no_cells, linter=True, named=named_files(paths))
    raise typer.Exit(EXIT_UNREADABLE if empty else status)


@app.command()
def rules() -> None:
    """List the rules xxgk checks, with their ids and severities."""
    out = console()
    for rule in RULES:
        scope = "" if rule.scope == "report" else "  (across years, in the store)"
        out.print(f"{rule.id:18} {rule.severity:8} {rule.title}{scope}")
