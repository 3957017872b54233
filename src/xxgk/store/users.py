"""Accounts for the web application: names and argon2 password hashes, nothing else."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.errors import InputError
from xxgk.store.models import User

_hasher = PasswordHasher()
MIN_PASSWORD = 8


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
