"""Readers: turn a report file of any format into a `Document` for the extractor.

The format is told by content (magic bytes), never by the file name: government sites serve
PDFs named .htm and Word files named .pdf.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from xxgk.errors import InputError, UnknownFormatError
from xxgk.read.decode import Replaced, decode
from xxgk.read.document import Document, DocumentBuilder, GridCell, Origin
from xxgk.read.limits import LIMITS, exceeded
from xxgk.read.normalize import normalize

__all__ = [
    "Document",
    "DocumentBuilder",
    "GridCell",
    "Origin",
    "load_path",
    "read_bytes",
    "read_path",
    "read_text",
    "sniff",
]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF8")
_HTML_MARKS = (b"<!doctype html", b"<html", b"<table", b"<body", b"<head", b"<meta", b"<div", b"<p>", b"<p ")


def sniff(data: bytes) -> str:
    """The format of a file from its first bytes: pdf, docx, ole (doc/wps/et), image, html, text."""
    head = data[:4096]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "binary"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    if head.startswith(_OLE2):
        return "ole"
    if head.startswith(_IMAGES) or head[4:12] in (b"ftypavif", b"ftypheic") or head[:4] == b"RIFF":
        return "image"
    if b"<" not in head:  # most text files: no need to look for tags
        return "text"
    lowered = head.lower()
    if any(mark in lowered for mark in _HTML_MARKS):
        return "html"
    return "text"


def read_text(text: str, source: str = "<text>", replaced: Replaced | None = None) -> Document:
    if len(text) > LIMITS.text_chars:
        raise exceeded("text_chars", f"a text of {len(text):,} characters", source)
    return Document(text=normalize(text), source=source, replaced=replaced)


def read_bytes(data: bytes, source: str = "<bytes>") -> Document:
    if len(data) > LIMITS.file_bytes:
        raise exceeded("file_bytes", f"a file of {len(data):,} bytes", source)
    if data.isspace() or not data:
        raise InputError("empty file", source, kind="empty")
    kind = sniff(data)
    if kind == "text":
        return _read_plain(data, source)
    if kind == "html":
        from xxgk.read.html import read_html

        return read_html(data, source)
    if kind == "docx":
        from xxgk.read.docx import read_docx

        return read_docx(data, source)
    if kind == "pdf":
        from xxgk.read.pdf import read_pdf

        return read_pdf(data, source)
    if kind == "ole":
        from xxgk.read.office import read_legacy_office

        return read_legacy_office(data, source)
    if kind == "image":
        from xxgk.read.ocr import read_image

        return read_image(data, source)
    if kind == "zip":
        raise UnknownFormatError(
            "a ZIP archive that is not a Word document; unpack it first", source, kind="archive"
        )
    return _read_plain(data, source)


def _read_plain(data: bytes, source: str) -> Document:
    text, replaced = decode(data, source)
    _refuse_json(text, source)
    return read_text(text, source, replaced)


def _refuse_json(text: str, source: str) -> None:
    """JSON is data, never a report as published: read as text, the numbers of its strings made a
    report of cells no one printed (results of `xxgk parse --out` given to `check`, say)."""
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        return
    import json

    first = text.lstrip().split("\n", 1)[0]
    try:
        value = json.loads(first)
    except ValueError:
        try:
            value = json.loads(text)  # JSON over several lines
        except ValueError:
            return
    if isinstance(value, dict) and "file" in value and "sha256" in value:
        raise UnknownFormatError(
            "results of `xxgk parse --out` (JSON Lines), not a report; `xxgk ingest` stores them"
            " (as a .jsonl file)",
            source,
        )
    raise UnknownFormatError("JSON data, not a report", source)


_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def read_path(path: str | Path) -> Document:
    return read_bytes(load_path(path), str(path))


def load_path(path: str | Path) -> bytes:
    """A report file's bytes, up to the size limit. What is not a regular file (a pipe, a device,
    a socket: reading one may block or never end) is refused before it is opened, and again from
    the opened file itself, in case the path changed in between."""
    path = Path(path)
    where = str(path)
    try:
        _regular(path.stat(), where)  # follows links: a link to /dev/zero is a device
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError("no such file", where) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", where) from None
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        _regular(info, where)
        try:
            # as much as the file holds: a read of the limit would take the limit's memory first
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since: the rest, up to the limit
                data += handle.read(LIMITS.file_bytes + 1 - len(data))
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror or exc}", where) from None
    if len(data) > LIMITS.file_bytes:
        raise exceeded("file_bytes", "a file that grew while it was read", where)
    return data


def _regular(info: os.stat_result, where: str) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise InputError("is a directory; to read every report in it, use --out results.jsonl", where)
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _SPECIAL if test(mode)), "a special file")
        raise InputError(f"not a regular file ({kind}); xxgk reads report files", where)
    if info.st_size > LIMITS.file_bytes:
        raise exceeded("file_bytes", f"a file of {info.st_size:,} bytes", where)
