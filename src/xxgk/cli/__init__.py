"""The `xxgk` command: a thin layer over the library (every command is also a Python call).

Exit codes: 0 fine; 1 `check` found an error-severity finding; 2 an input could not be read.
A user's mistake gets one line on stderr, never a traceback.

Each module of this package registers its commands on `app` when imported. `main` imports only
the module of the command asked for, so `xxgk check FILE` starts without the store's, the web's
or the register's code; help, or a name no module has, loads them all.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import TYPE_CHECKING, Any

from xxgk.cli.common import EXIT_UNREADABLE, fail
from xxgk.errors import XxgkError

if TYPE_CHECKING:
    import typer

__all__ = ["COMMAND_MODULES", "app", "load_commands", "main"]

# the module (of this package) that registers each top-level command or group
COMMAND_MODULES: dict[str, str] = {
    "parse": "reports",
    "check": "reports",
    "rules": "reports",
    "calendar": "clock",
    "deadline": "clock",
    "fee": "clock",
    "compile": "compile",
    "ingest": "corpus",
    "attribute": "corpus",
    "queue": "corpus",
    "versions": "corpus",
    "findings": "corpus",
    "bodies": "corpus",
    "user": "corpus",
    "serve": "corpus",
    "compare": "corpus",
    "stats": "corpus",
    "export": "corpus",
    "notice": "documents",
    "review": "documents",
    "register": "register",
    "search": "search",
    "reindex": "search",
}


def load_commands(args: list[str] | None = None) -> typer.Typer:
    """The app with the commands `args` asks for registered (all of them when `args` is None)."""
    from xxgk.cli.common import app

    name = next((arg for arg in args if not arg.startswith("-")), None) if args is not None else None
    modules = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else sorted(set(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(f"xxgk.cli.{module}")
    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # `from xxgk.cli import app` gives the whole command line
        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _one_line(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: str | None = None
) -> str:
    return f"xxgk: warning: {message}\n"


def main() -> None:
    warnings.formatwarning = _one_line  # a library's warning is a line, as an error is
    try:
        load_commands(sys.argv[1:])()
    except XxgkError as error:
        fail(error)
        raise SystemExit(EXIT_UNREADABLE) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
