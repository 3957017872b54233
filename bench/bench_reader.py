"""Reader throughput over the bundled corpus, repeated to a few thousand reports.

Prints reports per second for: decoding + normalising only, the full text reader
(read → extract → check), and, as a floor for comparison, a bare regex tokenisation of
the same text (numbers and runs of other characters), which is what any reader must at
least do once. Then the batch commands over the same reports as files, on all cores, each run
against a bare tokenisation of those files (read, decode, tokenise) on one core timed just
before it: `xxgk parse DIR --out`, `xxgk ingest DIR` (SQLite) and `xxgk ingest results.jsonl`
(issue 20's target for the first two: within 5x).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import xxgk
from xxgk.read import read_bytes

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
_BARE = re.compile(r"\d+(?:\.\d+)?|[^\d\s|]+")


def _time(label: str, items: list[bytes], work: Callable[[bytes], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for data in items:
            work(data)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    rate = len(items) / best
    print(
        f"{label:44} {rate:10,.0f} reports/s  {1000 * best / len(items):7.3f} ms/report"
        f"  (median of {repeats}: {len(items) / statistics.median(runs):,.0f}/s)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=3000, help="reports per run (corpus repeated)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--files", type=int, default=2000, help="files for the batch commands")
    args = parser.parse_args()
    files = sorted(CORPUS.glob("*.txt"))
    corpus = [f.read_bytes() for f in files]
    items = [corpus[i % len(corpus)] for i in range(args.reports)]
    size = sum(len(d) for d in items) / len(items)
    print(f"text reader: {len(files)} corpus reports repeated to {len(items)}, {size / 1024:.1f} KiB each")
    print("one core, best of the runs")
    bare = _time("bare regex tokenisation", items, lambda d: _BARE.findall(d.decode("utf-8")), args.repeats)
    _time("decode + normalise", items, read_bytes, args.repeats)
    full = _time("xxgk read + extract + check", items, xxgk.parse_bytes, args.repeats)
    print(f"xxgk takes {bare / full:.1f}x the time of a bare regex tokenisation")
    bench_batch(corpus, args.files, args.repeats)


def _command(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "xxgk", *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"xxgk {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return time.perf_counter() - start


def bench_batch(corpus: list[bytes], count: int, repeats: int) -> None:
    """The batch commands on `count` files (each report with a line of its own, so no two
    files are the same), best of `repeats` runs each, fresh output each run."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        for i in range(count):
            (folder / f"r{i:05d}.txt").write_bytes(corpus[i % len(corpus)] + f"\n第{i}份\n".encode())
        files = sorted(folder.iterdir())

        def bare() -> float:
            start = time.perf_counter()
            for path in files:
                _BARE.findall(path.read_bytes().decode("utf-8"))
            return time.perf_counter() - start

        def parse(run: int) -> float:
            return _command("parse", str(folder), "--out", f"{tmp}/parse{run}.jsonl")

        def ingest(run: int) -> float:
            return _command("ingest", str(folder), "--db", f"sqlite:///{tmp}/ingest{run}.db")

        def load(run: int) -> float:
            return _command("ingest", f"{tmp}/parse0.jsonl", "--db", f"sqlite:///{tmp}/load{run}.db")

        # this machine's speed moves by a fifth or more from minute to minute: each run is set
        # against a bare tokenisation timed just before it, and the ratio is the median of those
        print(
            f"batch commands: {count} files, all {os.cpu_count()} cores, best of {repeats} runs, each run"
            " against a bare tokenisation of the files (read, decode, tokenise; one core) just before it"
        )
        floors: list[float] = []
        for label, work in (
            ("xxgk parse DIR --out results.jsonl", parse),
            ("xxgk ingest DIR (SQLite)", ingest),
            ("xxgk ingest results.jsonl (SQLite)", load),
        ):
            runs = []
            for run in range(repeats):
                floors.append(bare())
                runs.append((work(run), floors[-1]))
            best = min(seconds for seconds, _ in runs)
            ratio = statistics.median(seconds / floor for seconds, floor in runs)
            print(f"{label:44} {count / best:10,.0f} reports/s  {ratio:5.1f}x the bare tokenisation")
        print(
            f"{'bare regex tokenisation of the files':44} {count / min(floors):10,.0f} reports/s"
            f"  (one core; {count / max(floors):,.0f}–{count / min(floors):,.0f}/s over the runs)"
        )


if __name__ == "__main__":
    main()
