"""Request dependencies: the store and the signed-in user (FastAPI injects them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from xxgk.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


def current_user(request: Request) -> str | None:
    return request.session.get("user")


def require_user(user: Annotated[str | None, Depends(current_user)]) -> str:
    """Writing needs an account; reading does not."""
    if user is None:
        raise HTTPException(status_code=401, detail="请先登录 (sign in first)")
    return user


StoreDep = Annotated[Store, Depends(get_store)]
UserDep = Annotated[str | None, Depends(current_user)]
RequiredUser = Annotated[str, Depends(require_user)]
