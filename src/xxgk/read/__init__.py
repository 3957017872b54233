"""Readers: turn a report file into a `Document` (normalised text) for the extractor."""

from __future__ import annotations

from pathlib import Path

from xxgk.errors import InputError
from xxgk.read.decode import decode_text
from xxgk.read.document import Document
from xxgk.read.normalize import normalize

__all__ = ["Document", "read_bytes", "read_path", "read_text"]


def read_text(text: str, source: str = "<text>") -> Document:
    return Document(text=normalize(text), source=source)


def read_bytes(data: bytes, source: str = "<bytes>") -> Document:
    return read_text(decode_text(data, source), source)


def read_path(path: str | Path) -> Document:
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise InputError("no such file", where)
    if path.is_dir():
        raise InputError("is a directory, not a report file", where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", where) from None
    return read_bytes(data, where)
