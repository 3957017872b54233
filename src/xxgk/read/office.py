"""Legacy Office files (.doc, .wps, .et): converted by LibreOffice, then read as DOCX or HTML.

No Python library reads Word 97 binary files and Kingsoft WPS files well, and many older
government reports are published in them. LibreOffice converts both, headless. Each
conversion runs in its own temporary directory with its own user profile (a shared profile
lets a second soffice hand its job to the first one, or refuse to start), under a time limit,
and the whole process group is killed on a timeout so that no soffice is left running. The
directory is removed afterwards whatever happened.

The file is told by its OLE2 streams, not its name: "WordDocument" (Word and WPS Writer) is
converted to DOCX, "Workbook"/"Book" (Excel and WPS Spreadsheets .et) to HTML.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from xxgk.errors import InputError, UnknownFormatError
from xxgk.read.document import Document
from xxgk.read.limits import LIMITS, exceeded

__all__ = ["TIMEOUT", "ole_kind", "read_legacy_office"]

TIMEOUT = float(os.environ.get("XXGK_SOFFICE_TIMEOUT", "120"))  # seconds per conversion

NO_LIBREOFFICE = "a legacy Word/WPS file (.doc/.wps/.et): install LibreOffice to read it"


def _stream(name: str) -> bytes:
    """How an OLE2 directory entry spells a stream name (UTF-16LE, NUL-terminated)."""
    return name.encode("utf-16-le") + b"\x00\x00"


_WORD = _stream("WordDocument")
_SHEETS = (_stream("Workbook"), _stream("Book"))
_SLIDES = _stream("PowerPoint Document")
_ENCRYPTED = _stream("EncryptedPackage")


def ole_kind(data: bytes) -> str:
    """word, sheet, slides, encrypted or unknown, from the stream names in the OLE2 directory."""
    if _ENCRYPTED in data:
        return "encrypted"
    if _WORD in data:
        return "word"
    if any(name in data for name in _SHEETS):
        return "sheet"
    if _SLIDES in data:
        return "slides"
    return "unknown"


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy_office(data: bytes, source: str) -> Document:
    """An OLE2 Office file to a document, through LibreOffice."""
    kind = ole_kind(data)
    if kind == "encrypted":
        raise InputError(
            "a password-protected Office file; save it without a password first", source, kind="password"
        )
    if kind == "slides":
        raise UnknownFormatError(
            "a PowerPoint/WPS presentation, not a report document", source, kind="presentation"
        )
    soffice = find_soffice()
    if soffice is None:
        raise InputError(NO_LIBREOFFICE, source, kind="no_libreoffice")
    if kind == "sheet":
        from xxgk.read.html import read_html

        document = read_html(convert(data, soffice, "xls", "html", source), source)
        document.format = "xls"  # Excel or WPS Spreadsheets (.et), through LibreOffice's HTML
    else:
        from xxgk.read.docx import read_docx

        document = read_docx(convert(data, soffice, "doc", "docx", source), source)
        document.format = "doc"  # Word 97-2003 or WPS Writer, through LibreOffice's DOCX
    return document


def convert(data: bytes, soffice: str, suffix: str, target: str, source: str) -> bytes:
    """The file converted by `soffice --headless --convert-to target`, as bytes."""
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        src = work / f"input.{suffix}"
        src.write_bytes(data)
        out = work / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nofirststartwizard",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ]
        env = {**os.environ, "HOME": str(work)}  # LibreOffice writes caches under $HOME too
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=work,
                env=env,
                start_new_session=True,  # its own process group, so a timeout kills every child
            )
        except OSError as exc:
            raise InputError(f"cannot run LibreOffice ({soffice}): {exc.strerror or exc}", source) from None
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise InputError(
                f"LibreOffice did not convert this file within {TIMEOUT:g} seconds "
                "(XXGK_SOFFICE_TIMEOUT sets the limit)",
                source,
            ) from None
        finally:
            _kill(process)
        result = out / f"input.{target}"
        if process.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            said = " ".join(
                line.strip()
                for line in output.decode("utf-8", "replace").splitlines()
                if line.strip() and "javaldx" not in line  # a warning every run prints
            )[-300:]
            hint = " (spreadsheets need LibreOffice Calc: libreoffice-calc)" if suffix == "xls" else ""
            raise InputError(
                f"LibreOffice could not convert this file to {target} (exit {process.returncode}){hint}"
                + (f": {said}" if said else ""),
                source,
            )
        size = result.stat().st_size
        if size > LIMITS.file_bytes:  # a small legacy file can convert to a large one
            raise exceeded("file_bytes", f"converted to {target}, a file of {size:,} bytes", source)
        return result.read_bytes()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the conversion's process group (soffice starts a child that would outlive it), and
    wait a moment for it to be gone so that its directory can be removed."""
    if not hasattr(os, "killpg"):  # Windows: no process groups
        process.kill()
        process.wait()
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return  # the group is gone already
    if process.returncode is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)
