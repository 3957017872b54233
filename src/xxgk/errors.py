"""Errors a user can cause, each with one line that says what is wrong and where."""

from __future__ import annotations

from collections.abc import Collection


class XxgkError(Exception):
    """Base class: the CLI prints `where: message` and exits 2, never a traceback. `kind` names
    the error for those who word it otherwise (the web pages say it in Chinese: serve/messages.py);
    a subclass has its own, a raise may name a narrower one."""

    kind = "error"

    def __init__(self, message: str, where: str | None = None, *, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        if kind is not None:
            self.kind = kind

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(XxgkError):
    """The input cannot be read at all (missing, a directory, binary, unknown encoding)."""

    kind = "unreadable"


class NotAReportError(XxgkError):
    """The input is text, but not a government information-disclosure annual report."""

    kind = "not_report"


class UnknownFormatError(InputError):
    """The input is in no format a report comes in (other binary data, an archive, a presentation)."""

    kind = "unknown_format"


def require_choice(what: str, value: str, valid: Collection[str]) -> None:
    """A filter or option value the program knows, else one line naming those it does (a wrong value
    would otherwise select nothing, silently)."""
    if value not in valid:
        raise InputError(f"{what} {value!r} is not one of {', '.join(valid)}", kind="bad_choice")


# what a folder holds beside reports (a README, a photo, an archive): skipped when a folder is read
NOT_REPORTS = (NotAReportError, UnknownFormatError)
