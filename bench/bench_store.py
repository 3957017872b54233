"""Store throughput: ingest into SQLite and PostgreSQL, and `xxgk stats` over 100,000 reports.

Ingest is measured twice: storing reports already read (the database's share), and the whole
pipeline from files (read, check, store). Statistics run over a synthetic corpus of report rows
(bodies × years with realistic figures); they read the per-report figures, not the cells.
PostgreSQL is measured when $XXGK_TEST_PG is set (`scripts/with-postgres` sets it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text

import xxgk
from xxgk.store import Store
from xxgk.store.models import Base, Body, StoredReport
from xxgk.store.stats import stats

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def _empty(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()


def bench_ingest(url: str, label: str, count: int) -> None:
    _empty(url)
    store = Store(url)
    reports = [xxgk.parse_path(p) for p in sorted(CORPUS.glob("*.txt"))]
    start = time.perf_counter()
    for i in range(count):
        report = reports[i % len(reports)]
        report.meta.agency = f"基准测试单位{i}"
        store.ingest(report, hashlib.sha256(f"{i}".encode()).hexdigest())
    seconds = time.perf_counter() - start
    print(f"{label:12} store read reports      {count / seconds:8,.0f} reports/s  ({count} reports)")
    with tempfile.TemporaryDirectory() as folder:
        files = sorted(CORPUS.glob("*.txt"))
        for i in range(count):
            source = files[i % len(files)].read_text(encoding="utf-8")
            (Path(folder) / f"r{i}.txt").write_text(source + f"\n第{i}份\n", encoding="utf-8")
        _empty(url)
        store = Store(url)
        start = time.perf_counter()
        summary = store.ingest_paths([Path(folder)])
        seconds = time.perf_counter() - start
    print(
        f"{label:12} ingest files end to end {count / seconds:8,.0f} reports/s"
        f"  ({summary.new} new, {summary.versions} versions, all cores)"
    )


def synthetic(url: str, reports: int, years: int = 5) -> None:
    """Bodies × years of report rows with plausible figures, inserted in bulk."""
    _empty(url)
    store = Store(url)
    rng = random.Random(7)
    bodies = reports // years
    regions = [f"地区{i}" for i in range(40)]
    levels = ["市", "县", "乡镇", "街道", "部门"]
    with store.engine.begin() as connection:
        connection.execute(
            insert(Body),
            [
                {
                    "id": i + 1,
                    "name": f"单位{i}",
                    "key": f"单位{i}",
                    "level": levels[i % 5],
                    "region": regions[i % 40],
                }
                for i in range(bodies)
            ],
        )
        batch = []
        for b in range(bodies):
            for y in range(years):
                received = rng.choice([0, 0, 1, 2, 5, 12, 40, 300])
                granted = rng.randint(0, received)
                suits = rng.choice([0, 0, 0, 1, 3])
                batch.append(
                    {
                        "body_id": b + 1,
                        "year": 2020 + y,
                        "version": 1,
                        "current": True,
                        "template": "2021" if y else "2019",
                        "sha256": f"{b:08d}{y:02d}".ljust(64, "0"),
                        "received": received,
                        "granted": granted,
                        "partly_granted": rng.randint(0, received - granted),
                        "processed": received,
                        "reviews": rng.choice([0, 0, 1, 2]),
                        "reviews_corrected": 0,
                        "suits": suits,
                        "suits_corrected": rng.randint(0, suits),
                        "errors": rng.choice([0, 0, 0, 1]),
                        "warnings": rng.choice([0, 1, 2]),
                    }
                )
                if len(batch) >= 10_000:
                    connection.execute(insert(StoredReport), batch)
                    batch = []
        if batch:
            connection.execute(insert(StoredReport), batch)


def bench_stats(url: str, label: str, reports: int) -> None:
    start = time.perf_counter()
    synthetic(url, reports)
    print(
        f"{label:12} synthetic corpus          {reports:,} reports"
        f" inserted in {time.perf_counter() - start:.1f} s"
    )
    store = Store(url)
    for by in ("year", "region", "level"):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            rows = stats(store, by=by)
            runs.append(time.perf_counter() - start)
        print(
            f"{label:12} xxgk stats --by {by:7}  {1000 * min(runs):8.0f} ms"
            f" over {reports:,} reports ({len(rows)} rows)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ingest", type=int, default=300, help="reports to ingest per database")
    parser.add_argument("--reports", type=int, default=100_000, help="synthetic reports for stats")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    try:
        targets = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
        if os.environ.get("XXGK_TEST_PG"):
            targets.append(("postgresql", os.environ["XXGK_TEST_PG"]))
        for label, url in targets:
            bench_ingest(url, label, args.ingest)
        for label, url in targets:
            if label == "sqlite":
                url = f"sqlite:///{folder / 'stats.db'}"
            bench_stats(url, label, args.reports)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
