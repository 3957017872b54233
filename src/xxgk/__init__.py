"""xxgk: read and check China's government information-disclosure annual reports.

    >>> import xxgk
    >>> report = xxgk.parse_path("report.txt")
    >>> report.tables()["applications"]["received"]["total"]
    >>> [f.rule for f in report.findings]

Every CLI command is a thin wrapper over these functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from xxgk.errors import InputError, NotAReportError, UnknownFormatError, XxgkError
from xxgk.model import Cell, Finding, Meta, Report

if TYPE_CHECKING:
    from xxgk.read import Document

# The reader, extractor and checker are imported when a report is first read, so that a command
# that reads none (xxgk deadline, xxgk fee) or a program using only xxgk.clock does not load them.

__all__ = [
    "Cell",
    "Finding",
    "InputError",
    "Meta",
    "NotAReportError",
    "Report",
    "UnknownFormatError",
    "XxgkError",
    "parse_bytes",
    "parse_document",
    "parse_path",
    "parse_text",
]
__version__ = "0.1.0"


def parse_document(document: Document) -> Report:
    """Extract the tables and metadata of a read document and check them against the rules."""
    from xxgk.check import check
    from xxgk.extract import extract

    report = extract(document).report
    check(report)
    return report


def parse_path(path: str | Path) -> Report:
    from xxgk.read import read_path

    return parse_document(read_path(path))


def parse_text(text: str, source: str = "<text>") -> Report:
    from xxgk.read import read_text

    return parse_document(read_text(text, source))


def parse_bytes(data: bytes, source: str = "<bytes>") -> Report:
    from xxgk.read import read_bytes

    return parse_document(read_bytes(data, source))
