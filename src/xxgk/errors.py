"""Errors a user can cause, each with one line that says what is wrong and where."""

from __future__ import annotations


class XxgkError(Exception):
    """Base class: the CLI prints `where: message` and exits 2, never a traceback."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(XxgkError):
    """The input cannot be read at all (missing, a directory, binary, unknown encoding)."""


class NotAReportError(XxgkError):
    """The input is text, but not a government information-disclosure annual report."""
