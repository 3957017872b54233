"""Store throughput: ingest into SQLite and PostgreSQL, and `xxgk stats` over 1,000,000 reports.

Ingest is measured three ways: storing reports already read one at a time (`Store.ingest`, what
the web upload does), loading the lines of `xxgk parse --out` in bulk (`xxgk ingest
results.jsonl`: bodies × years, so the cross-year rules run), and the whole pipeline from files
(read, check, store, on all cores). Statistics run over a synthetic corpus of report rows (bodies
× years with realistic figures, written by COPY); they read the per-report figures, not the
cells, and on PostgreSQL are timed twice: just after the load, and after the VACUUM a bulk load
ends with (and autovacuum runs within a minute of any other). PostgreSQL is measured when
$XXGK_TEST_PG is set (`scripts/with-postgres` sets it); `--stats-only` skips the ingest figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

import xxgk
from xxgk import batch
from xxgk.store import Store
from xxgk.store.bulk import copy_rows
from xxgk.store.db import vacuum_reports
from xxgk.store.models import Base
from xxgk.store.stats import stats

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def _empty(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            connection.execute(text("DROP TABLE IF EXISTS search_index"))  # not a model: search.create
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
    print(
        f"{label:12} store read reports      {count / seconds:8,.0f} reports/s  ({count} reports, one by one)"
    )
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


def results_file(path: Path, count: int, years: int = 5) -> None:
    """`count` lines of `xxgk parse --out`: the corpus reports as count / years bodies, each
    reporting `years` years in turn. Each narrative ends in a sentence of its own, as no two
    bodies' reports read alike: work remembered by text (a narrative's shingles) is done for
    every line, as in a real corpus."""
    reports = [xxgk.parse_path(p) for p in sorted(CORPUS.glob("*.txt"))]
    with path.open("wb") as out:
        for i in range(count):
            report = reports[i % len(reports)]
            report.meta.agency, report.meta.year = f"基准测试单位{i // years}", 2019 + i % years
            record = json.loads(
                batch.report_line(f"r{i}.txt", hashlib.sha256(f"{i}".encode()).hexdigest(), report)
            )
            record["narrative"] += f"\n{report.meta.agency}{report.meta.year}年度共办理第{i}号事项。"
            out.write(batch.dumps(record) + b"\n")


def bench_bulk(urls: list[str], label: str, results: Path, count: int) -> None:
    """The load into an empty store, once into each of `urls`: the best run, as the other
    throughputs, and the median beside it."""
    seconds, cpus = [], []
    for url in urls:
        _empty(url)
        store = Store(url)
        start, cpu = time.perf_counter(), time.process_time()
        summary = store.ingest_results(results)
        seconds.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        store.engine.dispose()
    best = min(range(len(urls)), key=seconds.__getitem__)
    print(
        f"{label:12} ingest results.jsonl   {count / seconds[best]:8,.0f} reports/s"
        f"  (best of {len(urls)}, median {count / statistics.median(seconds):,.0f}/s; {summary.new} new,"
        f" {count // 5} bodies × 5 years; target 1,000; the loading process's CPU"
        f" {1000 * cpus[best] / count:.2f} ms a report, the load average {os.getloadavg()[0]:.1f})"
    )


def synthetic(url: str, reports: int, years: int = 5, listed: bool = True) -> None:
    """Bodies × years of report rows with plausible figures, inserted in bulk; the bodies have a
    region as a list gives, or with `listed` false none, as in a store filled by ingesting alone."""
    _empty(url)
    store = Store(url)
    rng = random.Random(7)
    bodies = reports // years
    regions = [f"地区{i}" for i in range(40)]
    levels = ["市", "县", "乡镇", "街道", "部门"]
    columns = [
        "id", "body_id", "year", "version", "current", "template", "sha256", "received", "granted",
        "partly_granted", "processed", "reviews", "reviews_corrected", "suits", "suits_corrected",
        "errors", "warnings",
    ]  # fmt: skip

    def rows() -> Iterator[tuple[object, ...]]:
        for b in range(bodies):
            for y in range(years):
                received = rng.choice([0, 0, 1, 2, 5, 12, 40, 300])
                granted = rng.randint(0, received)
                suits = rng.choice([0, 0, 0, 1, 3])
                flag = True if url.startswith("postgresql") else 1
                yield (
                    b * years + y + 1, b + 1, 2020 + y, 1, flag, "2021" if y else "2019",
                    f"{b:08d}{y:02d}".ljust(64, "0"), received, granted,
                    rng.randint(0, received - granted), received, rng.choice([0, 0, 1, 2]), 0, suits,
                    rng.randint(0, suits), rng.choice([0, 0, 0, 1]), rng.choice([0, 1, 2]),
                )  # fmt: skip

    with store.session() as session:
        copy_rows(
            session,
            "bodies",
            ["id", "name", "key", "level", "region"],
            (
                (i + 1, f"单位{i}", f"单位{i}", levels[i % 5], regions[i % 40] if listed else None)
                for i in range(bodies)
            ),
        )
        copy_rows(session, "reports", columns, rows())
        if url.startswith("postgresql"):  # the sequences go on after the ids given
            session.execute(text("SELECT setval(pg_get_serial_sequence('bodies', 'id'), :n)"), {"n": bodies})
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('reports', 'id'), :n)"), {"n": reports}
            )
    with store.engine.begin() as connection:  # as after a load: the planner knows the tables
        connection.execute(text("ANALYZE"))


def bench_stats(url: str, label: str, reports: int, listed: bool = True) -> None:
    start = time.perf_counter()
    synthetic(url, reports, listed=listed)
    print(
        f"{label:12} synthetic corpus          {reports:,} reports"
        f" inserted in {time.perf_counter() - start:.1f} s{'' if listed else ', bodies without a region'}"
    )
    store = Store(url)
    time_stats(store, label, reports)
    if url.startswith("postgresql"):
        # what a bulk load does at its end, and autovacuum within a minute of any other write: the
        # pages are marked all-visible, and only then may a query read the statistics index without
        # visiting the table
        start = time.perf_counter()
        vacuum_reports(store.engine)
        seconds = time.perf_counter() - start
        print(f"{label:12} VACUUM (ANALYZE) reports  {seconds:8.1f} s, as a bulk load ends")
        time_stats(store, label, reports, ", vacuumed")


def time_stats(store: Store, label: str, reports: int, after: str = "") -> None:
    for by in ("year", "region", "level"):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            rows = stats(store, by=by)
            runs.append(time.perf_counter() - start)
        print(
            f"{label:12} xxgk stats --by {by:7}  {1000 * min(runs):8.0f} ms"
            f" over {reports:,} reports ({len(rows)} rows{after})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ingest", type=int, default=300, help="reports to ingest per database")
    parser.add_argument("--bulk", type=int, default=2000, help="lines to load in bulk per database")
    parser.add_argument("--reports", type=int, default=1_000_000, help="synthetic reports for stats")
    parser.add_argument("--stats-only", action="store_true", help="only the statistics, not ingest")
    parser.add_argument("--unlisted", action="store_true", help="stats over bodies without a region")
    parser.add_argument("--only-bulk", action="store_true", help="measure `xxgk ingest results.jsonl` only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    try:
        targets = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
        if os.environ.get("XXGK_TEST_PG"):
            targets.append(("postgresql", os.environ["XXGK_TEST_PG"]))
        if not args.stats_only:
            results = folder / "results.jsonl"
            results_file(results, args.bulk)
            for label, url in targets:
                if not args.only_bulk:
                    bench_ingest(url, label, args.ingest)
                # three loads, each into an empty store
                fresh = [f"sqlite:///{folder / f'bulk{run}.db'}" for run in range(3)]
                bench_bulk(fresh if label == "sqlite" else [url] * 3, label, results, args.bulk)
        for label, url in targets if not args.only_bulk else []:
            if label == "sqlite":
                url = f"sqlite:///{folder / 'stats.db'}"
            bench_stats(url, label, args.reports, listed=not args.unlisted)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
