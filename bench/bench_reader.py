"""Reader throughput over the bundled corpus, repeated to a few thousand reports.

Prints reports per second for: decoding + normalising only, the full text reader
(read → extract → check), and, as a floor for comparison, a bare regex tokenisation of
the same text (numbers and runs of other characters), which is what any reader must at
least do once.
"""

from __future__ import annotations

import argparse
import re
import statistics
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


if __name__ == "__main__":
    main()
