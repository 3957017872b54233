"""Check results kept for a while, so a page can offer downloads and "add to the corpus" without
storing anything the user did not ask to store.

Kept on disk in a private temporary folder (the report read, its display name and the upload's
hash; never the raw upload), evicted by age and by total bytes, so a server full of large
uploads holds no more than a bounded amount in memory or on disk.
"""

from __future__ import annotations

import os
import pickle
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from xxgk.model import Report

MAX_BYTES = 256 * 1024 * 1024  # on disk, all results together
MAX_SECONDS = 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)


@dataclass
class CheckResult:
    report: Report
    name: str
    sha256: str  # of the upload, which is not kept: the corpus knows a file by it


class RecentResults:
    """Results as files named by an unguessable token; the oldest go first past the byte limit."""

    def __init__(
        self, folder: Path | None = None, *, max_bytes: int = MAX_BYTES, seconds: float = MAX_SECONDS
    ) -> None:
        self._given = folder
        self._folder: Path | None = None
        self.max_bytes, self.seconds = max_bytes, seconds
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        """Made on first use, so that an app that keeps no result leaves no folder behind."""
        if self._folder is None:
            self._folder = self._given or Path(tempfile.mkdtemp(prefix="xxgk-results-"))  # mode 0700
            self._folder.mkdir(parents=True, exist_ok=True)
        return self._folder

    def add(self, result: CheckResult) -> str:
        token = secrets.token_urlsafe(16)
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            (self.folder / token).write_bytes(data)
            self._evict()
        return token

    def get(self, token: str) -> CheckResult | None:
        if not TOKEN.fullmatch(token):
            return None
        path = self.folder / token
        with self._lock:
            try:
                if time.time() - path.stat().st_mtime > self.seconds:
                    path.unlink(missing_ok=True)
                    return None
                data = path.read_bytes()  # written by this server only, in a folder only it may read
                os.utime(path)  # recently used: evicted last
            except FileNotFoundError:
                return None
        return pickle.loads(data)

    def size(self) -> int:
        """Bytes held on disk."""
        return sum(p.stat().st_size for p in self._folder.iterdir()) if self._folder else 0

    def _evict(self) -> None:
        now = time.time()
        files = sorted(((p.stat(), p) for p in self.folder.iterdir()), key=lambda sp: sp[0].st_mtime)
        total = sum(s.st_size for s, _ in files)
        for stat, path in files:
            if total <= self.max_bytes and now - stat.st_mtime <= self.seconds:
                break
            path.unlink(missing_ok=True)
            total -= stat.st_size

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
