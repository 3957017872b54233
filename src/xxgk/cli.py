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

import xxgk
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


@app.command()
def parse(files: Files, as_json: AsJson = False, no_cells: NoCells = False) -> None:
    """Read reports into the three statutory tables (JSON with --json: one object, or one per line)."""
    raise typer.Exit(_emit(files, as_json, no_cells, linter=False))


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
