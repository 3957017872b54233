"""Compiling an annual report from a register: a generated register of 2,000 applications
(tests/registers.py) compiled (counted, checked) and written as DOCX, best of a few runs; the
target is under a second (issue 19)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.registers import generate  # noqa: E402

from xxgk.compile import compile_report  # noqa: E402
from xxgk.documents import render  # noqa: E402

APPLICATIONS, YEAR, RUNS, TARGET_S = 2000, 2024, 5, 1.0


def once() -> tuple[float, float, int]:
    facts = generate(1, APPLICATIONS)
    start = time.perf_counter()
    compiled = compile_report(facts, YEAR)
    counted = time.perf_counter()
    assert compiled.ok, compiled.problems
    data = render(compiled.document(), ".docx")
    return counted - start, time.perf_counter() - start, len(data)


def main() -> int:
    runs = [once() for _ in range(RUNS)]
    counted, total, size = min(runs, key=lambda r: r[1])
    print(
        f"compile: {APPLICATIONS:,} applications → {YEAR} report as DOCX in {total * 1000:.0f} ms "
        f"(counting and checking {counted * 1000:.0f} ms; {size / 1024:.0f} KB; best of {RUNS}; "
        f"target < {TARGET_S * 1000:.0f} ms)"
    )
    return 0 if total < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
