"""A store that cannot be used (not a database, busy, read-only, missing for a read, locked by
another writer) gets one line, never a traceback, and never a silent wait."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock

from tests.conftest import CORPUS, fresh_url
from tests.test_inputs import run
from xxgk.store import Store

WUXI = CORPUS / "001_0e974329021f3c6f.txt"
OTHER = CORPUS / "002_d6151df9dcb3c2dc.txt"
HOLD = 3.0  # seconds another writer holds the lock: longer than the wait said (db.SAY_WAITING_AFTER)


def _one_error(result, words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("xxgk: error: ")
    assert words in lines[0]


def _made(tmp_path: Path) -> str:
    """A store with one report in it (SQLite, in tmp_path)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store(url).engine.dispose()
    result = run("ingest", "--db", url, str(WUXI))
    assert result.returncode == 0, result.stderr
    return url


@pytest.mark.parametrize(
    "command",
    [["queue"], ["bodies", "list"], ["ingest", str(WUXI)], ["search", "河埒"], ["user", "token", "bob"]],
    ids=lambda c: " ".join(c[:2]).replace(str(WUXI), "FILE"),
)
def test_a_file_that_is_no_database_is_named(tmp_path, command):
    text = tmp_path / "notes.db"
    text.write_text("these are notes, not a database\n", encoding="utf-8")
    result = run(*command, "--db", f"sqlite:///{text}")
    _one_error(result, "not a SQLite database")
    assert str(text) in result.stderr
    assert text.read_text(encoding="utf-8") == "these are notes, not a database\n"


def test_a_database_another_program_writes_is_busy(tmp_path):
    url = _made(tmp_path)
    bodies = tmp_path / "bodies.csv"
    bodies.write_text("name,level,region\n某县人民政府,县,江苏省某市某县\n", encoding="utf-8")
    other = sqlite3.connect(tmp_path / "store.db", isolation_level=None)  # not xxgk: no lock file
    try:
        other.execute("BEGIN IMMEDIATE")
        result = run("bodies", "import", "--db", url, str(bodies))
    finally:
        other.execute("ROLLBACK")
        other.close()
    _one_error(result, "the database is busy: another program is writing to it; try again")


def test_a_read_only_sqlite_database(tmp_path):
    _made(tmp_path)
    url = f"sqlite:///file:{tmp_path / 'store.db'}?mode=ro&uri=true"
    result = run("ingest", "--db", url, str(OTHER))
    _one_error(result, "the database is read-only")


def test_a_read_only_postgresql_database(tmp_path):
    url = fresh_url("postgresql", tmp_path)
    read_only = f"{url}?options=-c%20default_transaction_read_only%3Don"
    result = run("ingest", "--db", read_only, str(WUXI))
    _one_error(result, "the database is read-only")


READS = [
    ["search", "河埒"],
    ["queue"],
    ["stats"],
    ["findings"],
    ["bodies", "list"],
    ["export"],
    ["versions", "无锡市滨湖区河埒街道办事处", "2023"],
    ["compare", "某局", "--years", "2022", "2023"],
    ["register", "list", "--body", "某局"],
    ["register", "due", "--body", "某局"],
    ["user", "token", "bob"],  # a token for a user of a store that is not there
]


@pytest.mark.parametrize("command", READS, ids=lambda c: " ".join(c[:2]))
def test_a_read_on_a_missing_database_refuses_and_makes_nothing(tmp_path, command):
    missing = tmp_path / "mistyped.db"
    result = run(*command, "--db", f"sqlite:///{missing}")
    _one_error(result, "no such database; `xxgk ingest` makes one")
    assert str(missing) in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_database_url_is_refused(tmp_path):
    result = run("queue", "--db", "")
    _one_error(result, "an empty database URL")


def _hold(lock: FileLock, held: threading.Event) -> None:
    # the lock is the thread's (a FileLock is held per thread): it takes and lets go of it itself
    with lock:
        held.set()
        time.sleep(HOLD)


def test_a_writer_waiting_for_another_says_so_once_then_writes(tmp_path):
    url = _made(tmp_path)
    held = threading.Event()
    lock_file = f"{tmp_path / 'store.db'}.lock"
    holder = threading.Thread(target=_hold, args=(FileLock(lock_file), held))
    holder.start()
    held.wait()
    try:
        result = run("ingest", "--db", url, str(OTHER))
    finally:
        holder.join()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warning, *rest = result.stderr.splitlines()
    assert warning.startswith("xxgk: warning: waiting for another xxgk writing to the same store")
    assert lock_file in warning
    assert not any("waiting" in line for line in rest)
    assert rest and rest[-1].startswith("stored 1 new")


def _hold_advisory(url: str, held: threading.Event) -> None:
    from sqlalchemy import create_engine, text

    from xxgk.store.db import ADVISORY_KEY

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})
            held.set()
            time.sleep(HOLD)
    finally:
        held.set()
        engine.dispose()


def test_a_postgresql_writer_waiting_for_another_says_so_then_writes(tmp_path):
    url = fresh_url("postgresql", tmp_path)
    held = threading.Event()
    holder = threading.Thread(target=_hold_advisory, args=(url, held))
    holder.start()
    held.wait()
    try:
        result = run("ingest", "--db", url, str(WUXI))
    finally:
        holder.join()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warning, *rest = result.stderr.splitlines()
    assert warning.startswith("xxgk: warning: waiting for another xxgk writing to the same store")
    assert rest and rest[-1].startswith("stored 1 new")
