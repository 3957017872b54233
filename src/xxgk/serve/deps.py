"""Request dependencies: the store and the signed-in user (FastAPI injects them)."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval
from fastapi import Depends, HTTPException, Request

from xxgk.serve.auth import Auth, resolve_auth
from xxgk.store import Store
from xxgk.store.models import MAX_ID

# numbers a URL may carry: past these a database would overflow, so they are a 422, never a 500
FIRST_YEAR, LAST_YEAR = 1, 9999


def get_store(request: Request) -> Store:
    return request.app.state.store


def current_user(auth: Annotated[Auth, Depends(resolve_auth)]) -> str | None:
    return auth.user


def require_user(user: Annotated[str | None, Depends(current_user)]) -> str:
    """Writing needs an account; reading does not."""
    if user is None:
        raise HTTPException(status_code=401, detail="请先登录 (sign in first)")
    return user


StoreDep = Annotated[Store, Depends(get_store)]
UserDep = Annotated[str | None, Depends(current_user)]
RequiredUser = Annotated[str, Depends(require_user)]

Id = Annotated[int, Interval(ge=1, le=MAX_ID)]
Year = Annotated[int, Interval(ge=FIRST_YEAR, le=LAST_YEAR)]
Count = Annotated[int, Interval(ge=0, le=MAX_ID)]
