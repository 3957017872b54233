"""Uploaded reports: size-limited, their kind told by content, never written to disk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xxgk.read import sniff

if TYPE_CHECKING:  # the worker processes import this module, and need no web stack
    from fastapi import UploadFile

ACCEPTED = {"text", "html", "docx", "pdf", "ole", "image"}


class UploadError(Exception):
    """A bad upload: status code and one clear line for the page or the JSON error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_upload(upload: UploadFile | None, limit: int) -> tuple[bytes, str]:
    """The file's bytes and a display name (the name is shown, never used as a path)."""
    if upload is None or not upload.filename:
        raise UploadError(400, "没有选择文件 (no file was uploaded)")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadError(413, f"文件超过 {limit // (1024 * 1024)} MB 的上限 (file too large)")
    if not data.strip():
        raise UploadError(400, "文件是空的 (empty file)")
    kind = sniff(data)
    if kind not in ACCEPTED:
        raise UploadError(415, f"不支持的文件类型：{kind} (unsupported file type)")
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    return data, name
