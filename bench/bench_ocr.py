"""OCR seconds a page on one core, split into its stages, over the scanned test report.

The report the OCR tests read (tests/scans.py: a generated 2021-template report drawn at 200 dpi
and put back together as an image-only PDF) is parsed with onnxruntime, OpenCV and the BLAS
libraries held to one thread (not pinned to a CPU: on a shared machine the one picked may be the
busy one). Each stage is timed by wrapping the function that does it: detection and recognition
(the models, with their own pre- and post-processing), "grid and assembly" (rules found in the
pixels, tables, each cell's ink looked at, text placed into cells and lines); what is left (PDF
rendering, rapidocr's cropping and character boxes, the extraction of the report's cells) is
printed as "other". The wall time of a
shared machine counts the neighbours too, so the process's CPU time is printed beside it. The
cells read are compared with the values the report was generated from: every one must be right
(exit 1 otherwise).

`--dump FILE` writes the documents' text and the report cells as JSON, to compare two versions of
the reader cell by cell.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy, OpenCV and onnxruntime are loaded

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xxgk  # noqa: E402
from xxgk.read.ocr import ocr_available  # noqa: E402

TARGET = 3.0  # seconds a page on one core (issue 20)


class Stages:
    """Wall seconds spent inside wrapped functions, by stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        inner = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - start

        setattr(owner, name, timed)


def _instrument(stages: Stages) -> None:
    from xxgk.read import ocr

    engine = ocr._engine()
    engine.text_det = _Timed(engine._load_det_model(), stages, "detection")
    engine.text_rec = _Timed(engine._load_rec_model(), stages, "recognition")
    stages.wrap(ocr, "_recognise", "engine")  # detection and recognition of a part of the page
    stages.wrap(ocr, "_recognise_lines", "engine")  # recognition of table cells' lines
    stages.wrap(ocr, "ocr_image", "page")


class _Timed:
    """A rapidocr model object whose calls are timed (rapidocr calls the object itself)."""

    def __init__(self, model: Any, stages: Stages, stage: str) -> None:
        self.model, self.stages, self.stage = model, stages, stage

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.model(*args, **kwargs)
        finally:
            self.stages.seconds[self.stage] += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def _split(stages: Stages, total: float) -> dict[str, float]:
    s = stages.seconds
    return {
        "detection": s["detection"],
        "recognition": s["recognition"],
        "grid and assembly": s["page"] - s["engine"],
        "other": total - s["page"] + s["engine"] - s["detection"] - s["recognition"],
    }


def _one_core() -> None:
    from xxgk.read import ocr

    ocr.use_threads(1)


def _warm_up() -> None:
    """Models loaded and sessions created before any timing (once a process, not per page)."""
    import numpy as np
    from PIL import Image, ImageDraw

    from xxgk.read import ocr

    image = Image.new("RGB", (300, 80), "white")
    ImageDraw.Draw(image).text((10, 30), "2024 123", fill="black")
    ocr.ocr_image(np.asarray(image), 1, scale=1.0)


def _batch(scans: list[bytes], pages: int) -> None:
    """The same scans read as a user reads a folder of them: `xxgk parse DIR --out`, all cores,
    the threads as xxgk sets them (one a worker), not as this bench holds its own."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        for i, scan in enumerate(scans):
            (folder / f"scan-{i}.pdf").write_bytes(scan)
        start = time.perf_counter()
        command = [sys.executable, "-m", "xxgk", "parse", str(folder), "--out", f"{tmp}/out.jsonl"]
        subprocess.run(command, env=env, check=True, capture_output=True)
        took = time.perf_counter() - start
    print(
        f"  as a batch: xxgk parse DIR --out, all {os.cpu_count()} cores, {len(scans)} files:"
        f" {took / pages:.2f} s/page wall, start-up included"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[5, 6, 7, 8], help="reports generated (5: the tests')"
    )
    parser.add_argument("--repeats", type=int, default=1, help="reads of each report; the fastest counts")
    parser.add_argument("--dump", type=Path, help="write the documents and cells read as JSON")
    args = parser.parse_args()
    if not ocr_available():
        print("bench_ocr: skipped (the xxgk[ocr] extra is not installed)")
        return 0
    from tests.scans import cjk_font, generated_report, image_pdf, page_images

    if not cjk_font():
        print("bench_ocr: skipped (no CJK system font to draw the scanned pages)")
        return 0
    from xxgk.read import read_bytes

    _one_core()
    _warm_up()
    stages = Stages()
    _instrument(stages)
    pages = cells = 0
    split: dict[str, float] = defaultdict(float)
    wall = cpu = 0.0
    wrong: list[str] = []
    dump: dict[str, Any] = {}
    scans: list[bytes] = []
    for seed in args.seeds:
        values, pdf = generated_report(seed)
        images = page_images(pdf)
        scan = image_pdf(images)
        scans.append(scan)
        best: tuple[float, float, dict[str, float]] | None = None
        for _ in range(args.repeats):
            stages.seconds.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            report = xxgk.parse_bytes(scan, f"scan-{seed}.pdf")
            took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if best is None or took < best[0]:
                best = (took, took_cpu, _split(stages, took))
        assert best is not None
        wall, cpu = wall + best[0], cpu + best[1]
        for stage, seconds in best[2].items():
            split[stage] += seconds
        document = read_bytes(scan, f"scan-{seed}.pdf") if args.dump else None
        pages += len(images)
        cells += len(values)
        wrong += [
            f"seed {seed} {k}: {report.cells[k].value!r} for {v!r}"
            for k, v in values.items()
            if report.cells[k].value != v
        ]
        if document is not None:
            dump[str(seed)] = {
                "text": document.text,
                "cells": {k: c.value for k, c in report.cells.items()},
                "low": json.loads(document.hints.get("ocr_low_confidence", "[]")),
            }
    print(f"OCR on one core, {pages} pages at 200 dpi, {len(args.seeds)} report(s), best of {args.repeats}:")
    for stage, seconds in split.items():
        print(f"  {stage:20} {seconds / pages:6.2f} s/page")
    print(
        f"  {'total':20} {wall / pages:6.2f} s/page wall, {cpu / pages:.2f} s/page CPU (target {TARGET:.1f})"
    )
    print(f"  cells read right: {cells - len(wrong)} of {cells}")
    for line in wrong:
        print(f"  WRONG {line}")
    _batch(scans, pages)
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1, sort_keys=True, default=str))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
