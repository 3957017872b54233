"""Who is asking, and whether a request that changes something may: server-side sessions (a
random token in the cookie, revoked on sign-out), API tokens (`Authorization: Bearer …`), CSRF
protection and the throttling of sign-in attempts.

A request that changes state (POST and the like) is refused when it comes from another site
(its Origin, else its Referer, names another host; or the browser says so in Sec-Fetch-Site).
One made with the session cookie must also send the session's CSRF token, as a form field or
the X-CSRF-Token header (htmx sends it from `hx-headers`). A request with an API token needs no
CSRF token: a browser never adds that header to a request of another site by itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from xxgk.store import Store
from xxgk.store.users import session_user, token_user

T = TypeVar("T")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
COOKIE = "xxgk_session"
SECURE_COOKIE = "__Host-xxgk_session"  # the browser keeps a __Host- cookie only from HTTPS, for this host

CROSS_SITE = "跨站请求被拒绝 (cross-site request refused)"
NO_CSRF = "表单已过期或缺少校验码，请刷新页面后重试 (missing or wrong CSRF token)"
BAD_TOKEN = "API 令牌无效 (invalid API token)"


@dataclass(frozen=True)
class Auth:
    user: str | None = None
    csrf: str | None = None  # set for a browser session: its forms carry it
    via: str | None = None  # "cookie" or "token"


def cookie_name(secure: bool) -> str:
    return SECURE_COOKIE if secure else COOKIE


def _same_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True  # not a browser (API clients send neither), or one that hides both: the token decides
    return urlsplit(source).netloc.lower() == request.headers.get("host", "").lower()


async def resolve_auth(request: Request) -> Auth:
    """An app-wide dependency: who is asking (kept on request.state for the pages), and the CSRF
    and origin checks of requests that change state."""
    store: Store = request.app.state.store
    unsafe = request.method not in SAFE_METHODS
    if unsafe and not _same_site(request):
        raise HTTPException(403, CROSS_SITE)
    auth = Auth()
    bearer = request.headers.get("authorization", "")
    cookie = request.cookies.get(request.app.state.cookie)
    if bearer:
        scheme, _, token = bearer.partition(" ")
        name = (
            await run_in_threadpool(_lookup, store, token_user, token.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if name is None:
            raise HTTPException(401, BAD_TOKEN)
        auth = Auth(name, None, "token")
    elif cookie:
        found = await run_in_threadpool(_lookup, store, session_user, cookie)
        if found is not None:
            auth = Auth(found[0], found[1], "cookie")
    if unsafe and auth.via == "cookie":
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and _is_form(request):
            sent = (await request.form()).get(CSRF_FIELD)
        if not isinstance(sent, str) or sent != auth.csrf:
            raise HTTPException(403, NO_CSRF)
    request.state.auth = auth
    return auth


def _lookup(store: Store, find: Callable[[Session, str], T], token: str) -> T:
    with store.session() as session:
        return find(session, token)


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


# --- throttling sign-in attempts ---------------------------------------------------------------

WINDOW = 15 * 60  # seconds
ACCOUNT_FAILURES = 5  # failed attempts on one account within the window, from anywhere
ADDRESS_FAILURES = 20  # failed attempts from one address within the window, on any account
TRACKED = 10_000  # keys kept at most (the oldest forgotten first), so memory stays bounded
THROTTLED = "登录尝试过多，请 {minutes} 分钟后再试 (too many attempts)"


class LoginThrottle:
    """Failed sign-ins per account and per address in a sliding window (in this process)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] > WINDOW:
            times.popleft()
        return times

    def check(self, name: str, address: str) -> None:
        """Refuse (429) when the account or the address has failed too often lately."""
        now = time.monotonic()
        with self._lock:
            over = [
                times[0]
                for key, limit in ((f"user:{name}", ACCOUNT_FAILURES), (f"addr:{address}", ADDRESS_FAILURES))
                if len(times := self._recent(key, now)) >= limit
            ]
        if over:
            minutes = max(1, round((max(over) + WINDOW - now) / 60))
            raise HTTPException(429, THROTTLED.format(minutes=minutes))

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"user:{name}", f"addr:{address}"):
                times = self._recent(key, now)
                times.append(now)
                self._failures.pop(key, None)
                self._failures[key] = times  # most recent last, so the oldest are forgotten first
            while len(self._failures) > TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{name}", None)
