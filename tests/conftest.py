"""Shared fixtures: the bundled corpus of real reports with hand-checked truth."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

CORPUS = Path(__file__).parent / "corpus"
SAMPLES = Path(__file__).parent.parent / "samples"


def truth_of(path: Path) -> dict:
    return json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".truth.json").read_text(encoding="utf-8"))


TEXT_REPORTS = sorted(CORPUS.glob("*.txt"))


@pytest.fixture(params=TEXT_REPORTS, ids=lambda p: p.stem)
def text_report(request: pytest.FixtureRequest) -> Path:
    return request.param


DATABASES = ["sqlite", "postgresql"]


def fresh_url(kind: str, tmp_path: Path) -> str:
    """A URL of an empty database: a new SQLite file, or the test PostgreSQL emptied."""
    if kind == "sqlite":
        (
            tmp_path / "store.db"
        ).touch()  # an empty file is an empty database (a read command opens no new one)
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = os.environ.get("XXGK_TEST_PG")
    if not url:
        pytest.skip("no PostgreSQL: run the tests through scripts/with-postgres (make test does)")
    from sqlalchemy import create_engine, text

    from xxgk.store.models import Base

    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(text("DROP TABLE IF EXISTS search_index"))  # not a model: search.create
        connection.execute(text("DROP TABLE IF EXISTS cells"))  # left by a migration test that failed
    engine.dispose()
    return url


def migrated_to(url: str, revision: str) -> Engine:
    """An engine on the database brought up to `revision` of the migrations only: a store as an
    older xxgk left it."""
    from sqlalchemy import create_engine

    from xxgk.store.db import migrate

    engine = create_engine(url)
    migrate(engine, revision)
    return engine


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_url(request.param, tmp_path)
