"""Check results kept in memory for a while, so a page can offer downloads and "add to the
corpus" without storing anything the user did not ask to store."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from xxgk.model import Report


@dataclass
class CheckResult:
    report: Report
    name: str
    data: bytes
    created: float = field(default_factory=time.monotonic)


class RecentResults:
    """A small LRU with a time limit; tokens are unguessable."""

    def __init__(self, size: int = 64, seconds: float = 3600) -> None:
        self.size, self.seconds = size, seconds
        self._items: OrderedDict[str, CheckResult] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, result: CheckResult) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._items[token] = result
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> CheckResult | None:
        with self._lock:
            result = self._items.get(token)
            if result is None or time.monotonic() - result.created > self.seconds:
                self._items.pop(token, None)
                return None
            self._items.move_to_end(token)
            return result
