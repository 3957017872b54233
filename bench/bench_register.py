"""Register import: a generated 台账 of 2,000 applications (every history, a review per 50) into
SQLite, and into PostgreSQL when $XXGK_TEST_PG is set; prints rows/s. Then the same file again
(nothing changes) and the facts of the year the compiler reads."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from sqlalchemy import create_engine, text
from tests.register_sheets import generate, write_xlsx

from xxgk.clock import Calendar
from xxgk.register import facts_as_of
from xxgk.register.io import import_register
from xxgk.store import Store
from xxgk.store.bodies import body_for
from xxgk.store.models import Base

ROWS = 2000


def _empty(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def bench(url: str, label: str, path: Path) -> None:
    store, calendar = Store(url), Calendar.official()
    for run in ("first", "again"):
        started = time.perf_counter()
        with store.writing() as session:
            summary = import_register(
                session, body_for(session, "某局").id, path, "bench", calendar, date(2026, 1, 5)
            )
        seconds = time.perf_counter() - started
        print(
            f"{label:10} import {run:5}: {ROWS} rows in {seconds:5.2f} s = {ROWS / seconds:7,.0f} rows/s"
            f" (added {summary.added}, unchanged {summary.unchanged})"
        )
    started = time.perf_counter()
    with store.session() as session:
        facts = facts_as_of(session, body_for(session, "某局").id, date(2025, 12, 31))
    print(
        f"{label:10} facts as of 2025-12-31: {len(facts.applications)} applications"
        f" in {time.perf_counter() - started:.2f} s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        apps, appeals, _ = generate(ROWS)
        path = write_xlsx(Path(folder) / "台账.xlsx", apps, appeals)
        bench(f"sqlite:///{folder}/register.db", "SQLite", path)
        if os.environ.get("XXGK_TEST_PG"):
            _empty(os.environ["XXGK_TEST_PG"])
            bench(os.environ["XXGK_TEST_PG"], "PostgreSQL", path)


if __name__ == "__main__":
    main()
