"""The `xxgk` command: a thin layer over the library (every command is also a Python call).

Exit codes: 0 fine; 1 `check` found an error-severity finding; 2 an input could not be read.
A user's mistake gets one line on stderr, never a traceback.
"""

from __future__ import annotations

from xxgk.cli.common import EXIT_UNREADABLE, app, fail
from xxgk.errors import XxgkError

# the commands register themselves on `app`
from xxgk.cli import clock, compile, corpus, documents, register, reports, search  # noqa: F401  isort: skip

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except XxgkError as error:
        fail(error)
        raise SystemExit(EXIT_UNREADABLE) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
