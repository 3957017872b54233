"""The `xxgk` command: a thin layer over the library (every command is also a Python call).

Exit codes: 0 fine; 1 `check` found an error-severity finding; 2 an input could not be read.
A user's mistake gets one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

import xxgk
from xxgk import batch
from xxgk.check import RULES
from xxgk.errors import XxgkError
from xxgk.model import Report
from xxgk.output.json import report_json
from xxgk.output.terminal import render_report

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Read and check 政府信息公开工作年度报告 (government information-disclosure annual reports).",
)

Files = Annotated[list[Path], typer.Argument(help="Report files.", show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print the JSON contract instead of tables.")]
NoCells = Annotated[bool, typer.Option("--no-cells", help="Leave per-cell provenance out of the JSON.")]

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _fail(error: XxgkError) -> None:
    print(f"xxgk: error: {error}", file=sys.stderr)


def _reports(files: list[Path]) -> Iterator[Report | XxgkError]:
    for path in files:
        try:
            yield xxgk.parse_path(path)
        except XxgkError as error:
            yield error
        except Exception as error:  # a bug must not stop a batch; say where, ask for a report
            yield XxgkError(f"internal error ({type(error).__name__}: {error}); please report it", str(path))


def _emit(files: list[Path], as_json: bool, no_cells: bool, *, linter: bool) -> int:
    console = _console()
    status = EXIT_OK
    for result in _reports(files):
        if isinstance(result, XxgkError):
            _fail(result)
            status = EXIT_UNREADABLE
            continue
        if as_json:
            print(report_json(result, indent=None if len(files) > 1 else 2, cells=not no_cells))
        else:
            render_report(console, result, tables=True, findings=linter or bool(result.findings))
        if linter and result.errors and status == EXIT_OK:
            status = EXIT_FINDINGS
    return status


Out = Annotated[
    Path | None,
    typer.Option("--out", help="Read files and folders in parallel into this JSON Lines file (resumable)."),
]
Jobs = Annotated[int | None, typer.Option("--jobs", help="Worker processes for --out (default: all cores).")]


@app.command()
def parse(
    files: Files, as_json: AsJson = False, no_cells: NoCells = False, out: Out = None, jobs: Jobs = None
) -> None:
    """Read reports into the three statutory tables (JSON with --json: one object, or one per line).

    With --out, FILES may be folders: every file under them is read, one JSON line each.
    """
    if out is not None:
        raise typer.Exit(_batch(files, out, jobs))
    raise typer.Exit(_emit(files, as_json, no_cells, linter=False))


def _batch(paths: list[Path], out: Path, jobs: int | None) -> int:
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        _fail(XxgkError("no such file or folder", str(path)))
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    with Progress(
        TextColumn("[bold]reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("read", total=None, rate="")

        def started(total: int) -> None:
            progress.update(task, total=total)

        def finished(_outcome: batch.Outcome) -> None:
            progress.advance(task)
            elapsed = progress.tasks[0].elapsed or 0
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / elapsed:,.0f}/s" if elapsed else "")

        summary = batch.run(
            [p for p in paths if p.exists()], out, jobs=jobs, on_start=started, on_result=finished
        )
    console.print(
        f"read {summary.read}, skipped {summary.skipped} already in {out}, failed {len(summary.failures)};"
        f" {summary.with_errors} read with error findings"
    )
    for reason, count in summary.failed_by_reason.most_common():
        console.print(f"  failed: {count} × {reason}")
    for path, message in summary.failures:
        console.print(f"xxgk: error: {path}: {message}", style="red", markup=False)
    return EXIT_UNREADABLE if summary.failures or missing else EXIT_OK


@app.command()
def check(files: Files, as_json: AsJson = False, no_cells: NoCells = False) -> None:
    """Read reports and list every rule they break; exit 1 if any error-severity finding."""
    raise typer.Exit(_emit(files, as_json, no_cells, linter=True))


@app.command()
def rules() -> None:
    """List the rules xxgk checks, with their ids and severities."""
    console = _console()
    for rule in RULES:
        console.print(f"{rule.id:18} {rule.severity:8} {rule.title}")


def main() -> None:
    try:
        app()
    except XxgkError as error:  # pragma: no cover - errors are caught per file above
        _fail(error)
        raise SystemExit(EXIT_UNREADABLE) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
