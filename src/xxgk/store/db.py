"""Connecting to the store: the embedded SQLite file by default, PostgreSQL when given a URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, OperationalError

from xxgk.errors import XxgkError

DEFAULT_URL = "sqlite:///xxgk.db"
MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(XxgkError):
    """The database cannot be opened or used."""


def resolve_url(url: str | None) -> str:
    """`--db`, else $XXGK_DB, else xxgk.db in the working folder."""
    return url or os.environ.get("XXGK_DB") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def connect(url: str | None = None) -> Engine:
    """An engine on an up-to-date schema (migrations are applied on open)."""
    url = resolve_url(url)
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(f"not a database URL this store can use: {exc}", url) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the database: {exc.orig}", _safe(url)) from None
    return engine


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
