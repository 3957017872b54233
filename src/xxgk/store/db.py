"""Connecting to the store: the embedded SQLite file by default, PostgreSQL when given a URL."""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from filelock import FileLock, Timeout
from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError

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
    """`--db`, else $XXGK_DB, else xxgk.db in the working folder; an empty `--db` (an unset shell
    variable: `--db "$DB"`) is refused, not taken for the default."""
    if url is not None and not url.strip():
        raise StoreError("an empty database URL", "--db")
    return url or os.environ.get("XXGK_DB") or DEFAULT_URL


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite database (None for PostgreSQL, or a database in memory); a URI
    filename (`sqlite:///file:/data/xxgk.db?mode=ro&uri=true`) by its path."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return None
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") and str(url.query.get("uri", "")).lower() in ("true", "1"):
        parts = urlsplit(database)
        database = unquote(parts.path)
        memory = "memory" in (url.query.get("mode"), *parse_qs(parts.query).get("mode", ()))
        if memory or not database or database == ":memory:":
            return None
    return Path(database)


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
# a writer that has waited this long for its turn says so (once), then waits on: for as long as the
# other writer writes, since a lock held is a writer at work (an flock or an advisory lock ends
# with its process), and an ingest may rightly wait for another's hours of work
SAY_WAITING_AFTER = 1.0  # seconds


def _waiting(what: str) -> None:
    """Said once a wait (the CLI prints a warning as a line; a library's caller may filter it)."""
    warnings.warn(f"waiting for another xxgk writing to the same store ({what})", stacklevel=2)


def file_lock(engine: Engine) -> AbstractContextManager[Any]:
    """The lock beside a SQLite database (nothing for PostgreSQL, which locks in the transaction)."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    path = sqlite_file(engine.url)
    if path is None:
        return _memory_lock
    return _taking_turns(FileLock(f"{path}{LOCK_SUFFIX}"))


@contextmanager
def _taking_turns(lock: FileLock) -> Iterator[None]:
    """Hold `lock`; a wait longer than SAY_WAITING_AFTER is said (naming the lock file)."""
    try:
        try:
            lock.acquire(timeout=SAY_WAITING_AFTER)
        except Timeout:
            _waiting(f"its lock file {lock.lock_file} is held")
            lock.acquire()
    except OSError as exc:  # a folder not writable, a folder where the lock file should be
        raise StoreError(f"cannot take the store's lock: {exc.strerror or exc}", lock.lock_file) from None
    try:
        yield
    finally:
        lock.release()


def own_files(engine: Engine) -> set[Path]:
    """A SQLite database's files, resolved: it, its journal and its lock (none for PostgreSQL).
    A folder being ingested may hold them (`cd reports; xxgk ingest .` makes ./xxgk.db)."""
    database = sqlite_file(engine.url) if engine.dialect.name == "sqlite" else None
    if database is None:
        return set()
    path = database.resolve()
    return {path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal", LOCK_SUFFIX))}


def lock_transaction(connection: Connection) -> None:
    """On PostgreSQL, wait for the other writers (a wait longer than SAY_WAITING_AFTER is said);
    the lock ends with the transaction."""
    if connection.dialect.name != "postgresql":
        return
    key = {"key": ADVISORY_KEY}
    deadline = time.monotonic() + SAY_WAITING_AFTER
    while not connection.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), key):
        if time.monotonic() >= deadline:
            _waiting(f"it holds the advisory lock {ADVISORY_KEY} on {where_is(connection.engine)}")
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)
            return
        time.sleep(0.05)


# what SQLite's (primary) result codes mean to the one who gave the database (all of kind "store":
# the web's wording, serve/messages.py, has one for it)
BUSY = "the database is busy: another program is writing to it; try again"
_SQLITE_ERRORS = {
    3: "permission denied",  # SQLITE_PERM
    5: BUSY,  # SQLITE_BUSY
    6: BUSY,  # SQLITE_LOCKED
    8: "the database is read-only",  # SQLITE_READONLY
    10: "cannot read or write the database file (disk I/O error)",  # SQLITE_IOERR
    11: "the database file is damaged (malformed)",  # SQLITE_CORRUPT
    13: "the disk is full",  # SQLITE_FULL
    14: "cannot open the database file",  # SQLITE_CANTOPEN
    26: "not a SQLite database",  # SQLITE_NOTADB
}
READ_ONLY_TRANSACTION = "25006"  # PostgreSQL: a read-only server, user or database


def store_error(exc: BaseException, engine: Engine, doing: str = "use") -> StoreError | None:
    """What a database error means to its user, where (the SQLite file, the URL); None for an
    error of the program's own (a constraint, a statement wrong), left to raise. Opening the
    store (`doing` "open"), any OperationalError is the database's: a folder missing, a refusal."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    where = where_is(engine)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE_ERRORS:
        return StoreError(_SQLITE_ERRORS[code & 0xFF], where)
    if getattr(orig, "sqlstate", None) == READ_ONLY_TRANSACTION:
        return StoreError("the database is read-only", where)
    if isinstance(orig, engine.dialect.loaded_dbapi.OperationalError) and (
        doing == "open" or engine.dialect.name != "sqlite"  # SQLite's says a statement is wrong too
    ):
        return StoreError(f"cannot {doing} the database: {orig}", where)  # a server gone, refusing
    return None


@contextmanager
def said(engine: Engine, doing: str = "use") -> Iterator[None]:
    """Database errors its user can mend (busy, read-only, not a database, a server gone) as a
    StoreError, one line; those of the program's own raised as they are."""
    try:
        yield
    except (DBAPIError, engine.dialect.loaded_dbapi.Error) as exc:
        error = store_error(exc, engine, doing)
        if error is None:
            raise
        raise error from exc


def where_is(engine: Engine) -> str:
    """The store for messages: a SQLite file's path, else the URL without its password."""
    path = sqlite_file(engine.url)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def connect(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine on an up-to-date schema (migrations are applied on open). A SQLite file that is
    not there is made, unless not to `create` (a command that only reads: a path mistyped would
    find nothing in a new, empty database)."""
    url = resolve_url(url)
    path = sqlite_file(url)
    if not create and path is not None and not path.exists():
        raise StoreError("no such database; `xxgk ingest` makes one", str(path))
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(f"not a database URL this store can use: {exc}", url) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    with said(engine, "open"):
        migrate(engine)
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
    with said(engine), engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET synchronous_commit = on"))
        connection.execute(text("ANALYZE reports"))
        toast = " (PROCESS_TOAST FALSE)" if (engine.dialect.server_version_info or (0,)) >= (14,) else ""
        connection.execute(text(f"VACUUM{toast} reports"))
        connection.execute(text("RESET synchronous_commit"))  # the connection goes back to the pool
