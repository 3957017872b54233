"""Which files a command's paths name: the files named, and every file under the folders named.

Apart from batch so that `xxgk check FILE` finds its files without the batch machinery (hashing,
JSON Lines, worker pools).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def named_files(paths: Iterable[Path]) -> set[Path]:
    """The paths given that are not folders (a failure to read one of them is never skipped)."""
    return {path for path in paths if not path.is_dir()}


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files named, and every file under folders named (hidden ones left out), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
        else:
            found.append(path)
    return found
