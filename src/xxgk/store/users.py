"""Accounts for the web application: names and argon2 password hashes; the sessions of signed-in
browsers and the tokens of API clients, each kept as a hash of a random token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from xxgk.errors import InputError
from xxgk.store.models import ApiToken, User, UserSession

_hasher = PasswordHasher()
MIN_PASSWORD = 8
SESSION_HOURS = 8


def add_user(session: Session, name: str, password: str) -> User:
    name = name.strip()
    if not name:
        raise InputError("a user needs a name")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters", name)
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, password_hash=_hasher.hash(password))
        session.add(user)
    else:
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user, if the password is theirs; the same answer time for unknown names."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


_DUMMY = _hasher.hash("not a password of anyone")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _now() -> datetime:
    """Naive UTC, as the database's own timestamps (func.now())."""
    return datetime.now(UTC).replace(tzinfo=None)


def start_session(session: Session, user: User) -> tuple[str, str]:
    """A new session of a signed-in user: the cookie's token and the CSRF token of its forms."""
    session.execute(delete(UserSession).where(UserSession.expires_at < _now()))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = _now() + timedelta(hours=SESSION_HOURS)
    session.add(UserSession(id=_hash(token), user_id=user.id, csrf=csrf, expires_at=expires))
    session.flush()
    return token, csrf


def session_user(session: Session, token: str) -> tuple[str, str] | None:
    """The name and CSRF token of a live session's user (None: unknown, expired or ended)."""
    row = session.execute(
        select(User.name, UserSession.csrf)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == _hash(token), UserSession.expires_at > _now())
    ).first()
    return (row.name, row.csrf) if row is not None else None


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == _hash(token)))


def new_api_token(session: Session, name: str) -> str:
    """A new token for an API client of the user (shown once: only its hash is kept)."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise InputError("no such user (add one with `xxgk user add`)", name)
    token = "xxgk_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_hash(token)))
    session.flush()
    return token


def token_user(session: Session, token: str) -> str | None:
    return session.scalar(
        select(User.name)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _hash(token))
    )
