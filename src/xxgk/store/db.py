"""Connecting to the store: the embedded SQLite file by default, PostgreSQL when given a URL."""

from __future__ import annotations

import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from filelock import FileLock
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, OperationalError

from xxgk.errors import XxgkError

DEFAULT_URL = "sqlite:///xxgk.db"
MIGRATIONS = Path(__file__).parent / "migrations"
# the newest migration's revision (a test holds it to Alembic's head): a store already there is
# opened without loading Alembic, a fifth of a second of every store command
SCHEMA_REVISION = "0014"


class StoreError(XxgkError):
    """The database cannot be opened or used."""

    kind = "store"


def resolve_url(url: str | None) -> str:
    """`--db`, else $XXGK_DB, else xxgk.db in the working folder."""
    return url or os.environ.get("XXGK_DB") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Writers take turns, so two processes ingesting at once (or migrating a new database) never race:
# PostgreSQL holds this advisory lock for the writing transaction; SQLite has a lock file beside
# the database (and a database in memory is only ever one process's).
ADVISORY_KEY = 0x7878676B  # "xxgk"
_memory_lock = threading.RLock()


LOCK_SUFFIX = ".lock"


def file_lock(engine: Engine) -> AbstractContextManager[Any]:
    """The lock beside a SQLite database (nothing for PostgreSQL, which locks in the transaction)."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    database = engine.url.database
    if not database or database == ":memory:":
        return _memory_lock
    return FileLock(f"{database}{LOCK_SUFFIX}")


def own_files(engine: Engine) -> set[Path]:
    """A SQLite database's files, resolved: it, its journal and its lock (none for PostgreSQL).
    A folder being ingested may hold them (`cd reports; xxgk ingest .` makes ./xxgk.db)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return set()
    path = Path(database).resolve()
    return {path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal", LOCK_SUFFIX))}


def lock_transaction(connection: Connection) -> None:
    """On PostgreSQL, wait for the other writers; the lock ends with the transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


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


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date (or to `revision`: a store as an older xxgk left it, for the
    migration tests); a second process opening a new database waits for the first."""
    if revision == "head" and _revision(engine) == SCHEMA_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with file_lock(engine), engine.begin() as connection:
        lock_transaction(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _revision(engine: Engine) -> str | None:
    """The schema's revision as the database records it (None for a new database)."""
    table = "alembic_version"
    with engine.connect() as connection:
        if not inspect(connection).has_table(table):
            return None
        return connection.execute(text(f"SELECT version_num FROM {table}")).scalar()


def has_lz4(connection: Connection) -> bool:
    """Whether a PostgreSQL server was built with lz4 (14 and later, where the build allows), which
    compresses long values several times faster than its default, pglz (migrations 0012, 0013)."""
    values = connection.scalar(
        text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    )
    return "lz4" in (values or [])


def vacuum_reports(engine: Engine) -> None:
    """After a bulk load into PostgreSQL, what autovacuum would do within a minute, done at once:
    the new pages of `reports` marked all-visible, so statistics read their index alone without
    visiting the table (four times faster over a million reports), and the planner's statistics
    brought up to date. Only the table's own pages: their TOAST (cells, narratives) is left to
    autovacuum. SQLite needs neither.

    VACUUM marks no page all-visible before the load's commit is on disk, which a server with
    synchronous_commit off may not have done yet: ANALYZE, committed synchronously, writes it first."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET synchronous_commit = on"))
        connection.execute(text("ANALYZE reports"))
        toast = " (PROCESS_TOAST FALSE)" if (engine.dialect.server_version_info or (0,)) >= (14,) else ""
        connection.execute(text(f"VACUUM{toast} reports"))
        connection.execute(text("RESET synchronous_commit"))  # the connection goes back to the pool


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
