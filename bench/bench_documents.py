"""The region review (通报) of a large region: 300 bodies × 3 years, written to DOCX and XLSX.

The corpus's real reports in the 2021 template are refiled under 300 bodies (部门, 县, 乡镇 of one
city, from a list of bodies imported as `xxgk bodies import` does) for 2021–2023, each with its
own applications figures, checked again and ingested (cross-year checks included), then the
2023 review is built and written. Exit 1 when the DOCX (building included) takes 10 s or more
of CPU time; the wall time is printed beside it (on a machine shared with other work, as this
one often is, the wall time measures the neighbours too: the process is single-threaded and
waits on no network, so on an idle machine the two are close).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import xxgk
from xxgk.check import check
from xxgk.documents import render
from xxgk.documents.review import review
from xxgk.store import Store

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
REGION, YEARS, LEVELS = "基准市", (2021, 2022, 2023), ("部门", "县", "乡镇")
TARGET_SECONDS = 10.0
APPS = "applications"


def refile(report: xxgk.Report, name: str, year: int, rng: random.Random) -> xxgk.Report:
    """The report under another body and year, with applications figures of its own that add up."""
    out = copy.deepcopy(report)
    out.meta.agency, out.meta.year = name, year
    received = rng.choice([0, 3, 8, 15, 40, 120, 600])
    granted = rng.randint(0, received)
    partly = rng.randint(0, received - granted)
    figures = {
        "received": received,
        "carried_over": 0,
        "granted": granted,
        "partly_granted": partly,
        "unavailable_not_held": received - granted - partly,
        "total": received,
        "carried_forward": 0,
    }
    for row, value in figures.items():
        for key in (f"{APPS}.{row}.total", f"{APPS}.{row}.natural_person"):
            if key in out.cells:
                out.cells[key].value = value
    for key, cell in out.cells.items():  # the other applicants' columns emptied, so the rows add up
        if key.startswith(APPS) and not key.endswith((".total", ".natural_person")):
            cell.value = 0
    check(out)
    return out


def fill(store: Store, folder: Path, bodies: int) -> int:
    sources = [
        r for r in (xxgk.parse_path(p) for p in sorted(CORPUS.glob("*.txt"))) if r.template_id == "2021"
    ]
    listing = folder / "bodies.csv"
    names = [f"{REGION}第{i + 1}号单位" for i in range(bodies)]
    rows = [f"{name},{LEVELS[i % len(LEVELS)]},{REGION}," for i, name in enumerate(names)]
    listing.write_text("name,level,region,parent\n" + "\n".join(rows) + "\n", encoding="utf-8")
    store.import_bodies(listing)
    rng = random.Random(16)
    stored = 0
    for i, name in enumerate(names):
        for year in YEARS:
            if rng.random() < 0.03:  # a few bodies do not publish in a year
                continue
            report = refile(sources[(i + year) % len(sources)], name, year, rng)
            store.ingest(report, hashlib.sha256(f"{name}{year}".encode()).hexdigest())
            stored += 1
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bodies", type=int, default=300, help="bodies in the region")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    try:
        store = Store(f"sqlite:///{folder / 'bench.db'}")
        start = time.perf_counter()
        stored = fill(store, folder, args.bodies)
        print(
            f"region of {args.bodies} bodies × {len(YEARS)} years: {stored} reports generated and"
            f" ingested in {time.perf_counter() - start:.1f} s"
        )
        cpu_times = {}
        for suffix in (".docx", ".xlsx"):  # the first also imports matplotlib, as a fresh process would
            start, cpu = time.perf_counter(), time.process_time()
            document = review(store, REGION, YEARS[-1])
            built = time.perf_counter() - start
            data = render(document, suffix)
            wall, cpu_times[suffix] = time.perf_counter() - start, time.process_time() - cpu
            rows = sum(t.height - 1 for t in document.tables())
            print(
                f"review {YEARS[-1]} {suffix[1:]:4}  CPU {cpu_times[suffix]:5.2f} s, wall {wall:5.2f} s"
                f" (built {built:.2f} s, written {wall - built:.2f} s of wall time; {rows} table rows,"
                f" {len(data) / 1024:,.0f} KB)"
            )
        if cpu_times[".docx"] >= TARGET_SECONDS:
            print(f"the review DOCX took {cpu_times['.docx']:.1f} s of CPU, past {TARGET_SECONDS:g} s")
            sys.exit(1)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
