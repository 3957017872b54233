"""What the commands share: the app, the consoles, the error line, the progress bar.

rich is imported where a console is made, not here: `xxgk check FILE` off a terminal prints
without it (output.plain).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from xxgk.errors import InputError, XxgkError

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Read and check 政府信息公开工作年度报告 (government information-disclosure annual reports).",
)


@app.callback()
def _commands() -> None:
    # a callback keeps `app` a group of commands when only one module of them is loaded
    # (typer runs a lone command as the whole program otherwise)
    pass


# Parsers of path arguments as typed: pathlib reads "" as "." and drops a trailing slash, so an
# unset shell variable (`xxgk check "$FILE"`) would read every file of the current folder, and
# `--out reports/` write a file named reports.


def file_or_folder(value: str) -> Path:
    """A path to read; an empty one is refused."""
    if not value:
        raise InputError("an empty path; name a file or folder")
    return Path(value)


def out_path(text: str) -> Path:
    """An --out value: an empty one, or one ending in a slash (a folder's name), is refused."""
    if not text:
        raise InputError("an empty file name: name the file to write", "--out")
    if text.endswith(("/", os.sep)):
        raise InputError("a folder name, not a file: name the file to write", text)
    return Path(text)


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
Db = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: $XXGK_DB, else sqlite:///xxgk.db).", show_default=False
    ),
]


# A pipe or a file has no width: rich would take 80 columns and cut table cells to fit them, so
# there lines are as long as their text (a terminal keeps its own width)
UNCUT_WIDTH = 100_000


def on_terminal(stream: TextIO) -> bool:
    """Whether rich's Console would take `stream` for a terminal (and print colour), by rich's rule:
    $TTY_COMPATIBLE 0 or 1 decides, else a set $FORCE_COLOR (non-empty: yes), else isatty()."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def console(*, stderr: bool = False, cut: bool = False) -> Console:
    """A console on stdout (or stderr); `cut` keeps 80 columns off a terminal (a calendar's grid)."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal and not cut:
        out.width = UNCUT_WIDTH
    return out


def err_console() -> Console:
    return console(stderr=True)


def fail(error: XxgkError) -> None:
    """One line, whatever the message holds (a server's message may run over several)."""
    print("xxgk: error:", " ".join(line.strip() for line in str(error).splitlines()), file=sys.stderr)


@contextmanager
def progress_bar(verb: str) -> Iterator[tuple[Callable[[int], None], Callable[[Any], None]]]:
    """A progress bar on stderr (only on a terminal): yields (on_start(total), on_result(_))."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    out = err_console()
    with Progress(
        TextColumn(f"[bold]{verb}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=out,
        transient=True,
        disable=not out.is_terminal,
    ) as progress:
        task = progress.add_task(verb, total=None, rate="")

        def started(total: int) -> None:
            progress.update(task, total=total)

        def finished(_: Any) -> None:
            progress.advance(task)
            state = progress.tasks[0]
            if state.elapsed:
                progress.update(task, rate=f"{state.completed / state.elapsed:,.0f}/s")

        yield started, finished
