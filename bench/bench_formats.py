"""Reading speed per format: reports per second and milliseconds per page, one core and all.

Inputs are the corpus files (text, HTML, the WPS-made PDF) and reports rendered from the corpus
values by the tests' renderers (DOCX; a 2021 report as a ruled multi-page PDF). Each format's
files are read from memory (xxgk.parse_bytes: read, extract, check), repeated to a fixed count,
with the garbage collector tuned as the batch commands tune it (xxgk.batch.batch_gc). Each rate
is the best of a few runs (others are slowed by whatever else the machine does); the median of
the whole-pipeline runs on one core is printed beside it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.national_grid import report_blocks  # noqa: E402
from tests.render_blocks import to_docx  # noqa: E402
from tests.render_pdf import render_pdf  # noqa: E402

import xxgk  # noqa: E402
from xxgk.batch import batch_gc, start_worker  # noqa: E402
from xxgk.read import read_bytes  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def _inputs() -> dict[str, list[bytes]]:
    texts = [p.read_bytes() for p in sorted(CORPUS.glob("*.txt"))]
    values = {k: c.value for k, c in xxgk.parse_path(CORPUS / "pt004.txt").cells.items()}
    blocks = report_blocks("2021", values, 2022, "某县人民政府")
    return {
        "text": texts,
        "html": [p.read_bytes() for p in sorted(CORPUS.glob("*.html"))],
        "docx": [to_docx(blocks)],
        "pdf": [p.read_bytes() for p in sorted(CORPUS.glob("*.pdf"))] + [render_pdf(blocks)],
    }


def _parse(data: bytes) -> int:
    xxgk.parse_bytes(data)
    return 1


def _read(data: bytes) -> int:
    read_bytes(data)
    return 1


def _rates(items: list[bytes], jobs: int, repeats: int, work: Callable[[bytes], int] = _parse) -> list[float]:
    """Reports a second in each run, with the garbage collector tuned as `xxgk parse DIR` tunes it."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        if jobs == 1:
            with batch_gc():
                for data in items:
                    work(data)
        else:
            with multiprocessing.get_context("fork").Pool(jobs, initializer=start_worker) as pool:
                sum(pool.imap_unordered(work, items, chunksize=max(1, len(items) // (jobs * 4))))
        rates.append(len(items) / (time.perf_counter() - start))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="about how long each run reads a format")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the best is shown)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(
        "reading (file → document) alone, then the whole pipeline (read, extract, check);"
        f" best of {args.repeat} runs"
    )
    print(
        f"{'format':6} {'files':>5} {'pages':>6} {'read, 1 core':>14} {'ms/page':>8}"
        f" {'whole, 1 core':>14} {'(median)':>10} {'ms/report':>10} {'ms/page':>8}"
        f" {f'whole, {cores} cores':>16}"
    )
    for kind, files in _inputs().items():
        if not files:
            continue
        pages = [read_bytes(f).pages or 1 for f in files]
        for data in files:  # warm up imports and caches
            _parse(data)
        start = time.perf_counter()
        _parse(files[0])
        once = max(time.perf_counter() - start, 1e-4)
        count = max(len(files), int(args.seconds / once))
        items = [files[i % len(files)] for i in range(count)]
        per_page = sum(pages[i % len(files)] for i in range(count)) / count
        read = max(_rates(items, 1, args.repeat, _read))
        whole = _rates(items, 1, args.repeat)
        one, median = max(whole), statistics.median(whole)
        many = max(_rates(items, cores, args.repeat)) if cores > 1 else one
        print(
            f"{kind:6} {len(files):5} {per_page:6.1f} {read:12,.0f}/s {1000 / read / per_page:8.2f}"
            f" {one:12,.0f}/s {median:8,.0f}/s {1000 / one:10.2f} {1000 / one / per_page:8.2f}"
            f" {many:14,.0f}/s"
        )


if __name__ == "__main__":
    main()
