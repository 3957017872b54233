"""Every document, export, template and notices file xxgk writes goes through here (the results of
`parse --out` are appended and resume: batch.py): whole or not at all, with the permissions the
user's umask gives a new file, and a path where nothing can be written is one line, never a
traceback.

`output_file(target)` checks the target (a folder of that name, no such folder to write into, a
folder the user may not write in), yields a temporary file beside it and, once the body is done,
renames it over the target. An OSError meanwhile (no permission, /proc, a full disk) becomes one
InputError naming the target and the system's reason; the temporary file never survives, and an
existing target is left as it was. `output_files(a, b)` writes files that go together (a register
export's two CSVs): they are renamed into place only once all are written, and a rename that fails
puts back those done before it, so all are written or none.

The temporary file is made as a new file is, mode 0o666 less the umask (mkstemp's is 0o600); a
writer that opens it again by name (openpyxl, pyarrow) truncates it and keeps that mode.

"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from xxgk.errors import InputError

__all__ = ["PREFIX", "check", "make_folder", "output_file", "output_files"]

PREFIX = ".xxgk-"  # a temporary file's name: hidden, and xxgk's


def check(path: Path) -> None:
    """A one-line error before any work is done if nothing can be written at `path`."""
    try:
        if path.is_dir():
            raise InputError("a folder, not a file: name the file to write", str(path))
        folder = path.parent
        if not folder.is_dir():
            if folder.exists():
                raise InputError("a file, not a folder to write into", str(folder))
            raise InputError("no such folder to write into: it does not exist", str(folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"cannot write here ({os.strerror(errno.EACCES)})", str(path))
    except OSError as error:  # a folder on the way that may not be read
        raise _cannot_write(error, [], [path]) from None


def make_folder(folder: Path) -> Path:
    """`folder`, made with its parents where missing, or a one-line error."""
    if folder.exists() and not folder.is_dir():
        raise InputError("a file, not a folder", str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot make this folder ({error.strerror or error})", str(folder)) from None
    return folder


@contextmanager
def output_file(target: Path) -> Iterator[Path]:
    """A temporary file beside `target` that replaces it once the body is done."""
    with output_files(target) as (part,):
        yield part


@contextmanager
def output_files(*targets: Path) -> Iterator[list[Path]]:
    """Temporary files beside `targets`, renamed over them together once the body is done."""
    for target in targets:
        check(target)
    parts: list[Path] = []
    try:
        try:
            for target in targets:
                parts.append(_temporary(target))
            yield parts
            _move(parts, targets)
        except Exception as error:
            failed = _as_os_error(error)
            if failed is None:
                raise
            _drop_quietly(error)
            raise _cannot_write(failed, parts, targets) from None
    finally:
        for part in parts:
            with suppress(OSError):
                part.unlink(missing_ok=True)


def _temporary(target: Path) -> Path:
    """A new empty file beside `target`, with the mode the umask gives."""
    import secrets  # here: `xxgk check` imports this module for its options, and writes nothing

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        part = target.with_name(f"{PREFIX}{secrets.token_hex(4)}{target.suffix}")
        try:
            os.close(os.open(part, flags, 0o666))
        except FileExistsError:
            continue
        return part
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(target))


def _move(parts: Sequence[Path], targets: Sequence[Path]) -> None:
    """Each part renamed over its target; when one rename fails, the targets done before it are
    put back as they were (a pair: an old file waits under a temporary name until both are done)."""
    done: list[tuple[Path, Path | None]] = []  # a target in place, and where its old file waits
    try:
        for part, target in zip(parts, targets, strict=True):
            old = _set_aside(target) if len(targets) > 1 else None
            try:
                os.replace(part, target)
            except OSError:
                if old is not None:
                    with suppress(OSError):
                        os.replace(old, target)
                raise
            done.append((target, old))
    except OSError:
        for target, old in reversed(done):
            with suppress(OSError):
                if old is None:
                    target.unlink()
                else:
                    os.replace(old, target)
        raise
    for _, old in done:
        if old is not None:
            with suppress(OSError):
                old.unlink()


def _set_aside(target: Path) -> Path | None:
    """An existing target moved to a temporary name (to be put back if its partner fails)."""
    if not os.path.lexists(target):
        return None
    old = _temporary(target)
    try:
        os.replace(target, old)
    except OSError:
        old.unlink(missing_ok=True)
        raise
    return old


def _as_os_error(error: Exception) -> OSError | None:
    """The system's refusal to write, also where lxml (openpyxl's and python-docx's XML writer)
    reports it as SerialisationError("IO_ENOSPC")."""
    if isinstance(error, OSError):
        return error
    etree = sys.modules.get("lxml.etree")
    if etree is not None and isinstance(error, etree.SerialisationError) and str(error).startswith("IO_"):
        code = getattr(errno, str(error)[3:], 0)
        return OSError(code, os.strerror(code) if code else str(error))
    return None


def _drop_quietly(error: BaseException) -> None:
    """The frames of a writer that failed hold its half-written streams (openpyxl writes a sheet
    through lxml into a temporary file as it goes); collected later, each would fail again and
    print a traceback after the error's one line. They are dropped now, quietly."""
    import gc
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        traceback.clear_frames(error.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


def _cannot_write(error: OSError, parts: Sequence[Path], targets: Sequence[Path]) -> InputError:
    """One line naming the target the system refused (a temporary file's is its target's)."""
    named = {str(error.filename), str(error.filename2)}
    temporaries = dict(zip(targets, map(str, parts), strict=False))
    where = next((t for t in targets if str(t) in named or temporaries.get(t) in named), targets[0])
    return InputError(f"cannot write here ({error.strerror or error})", str(where))
