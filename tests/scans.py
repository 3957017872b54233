"""Scanned reports for the OCR tests and bench/bench_ocr.py: a generated report (tests.national_grid,
drawn by tests.render_pdf) rendered by PDFium to page images at `DPI` and put back together as an
image-only PDF, as a scanner would deliver it.

PDFium draws reportlab's non-embedded CJK font with a CJK system font (Debian: fonts-wqy-microhei or
fonts-noto-cjk); `cjk_font()` says whether one is installed.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess

import pypdfium2 as pdfium
from PIL import Image

from tests.national_grid import report_blocks
from tests.render_pdf import render_pdf
from xxgk.templates import TEMPLATES

DPI = 200


def cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def scan_values(template_id: str, seed: int) -> dict:
    """A consistent report with varied digits (0-9 in one, two and three places)."""
    rnd = random.Random(seed)
    template = TEMPLATES[template_id]
    pick = (0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 27, 36, 58, 120, 904)
    values: dict = {}
    for row in template.table("active").rows:
        for col in row.columns:
            values[f"active.{row.id}.{col.id}"] = rnd.choice(pick)
    apps = template.table("applications")
    parts = [c.id for c in apps.rows[0].columns if c.id != "total"]
    outcomes = [r.id for r in apps.outcome_rows()]
    for c in parts:
        done = 0
        for r in outcomes:
            values[f"applications.{r}.{c}"] = v = rnd.choice(pick[:12])
            done += v
        forward, over = rnd.choice(pick[:8]), rnd.choice(pick[:8])
        values[f"applications.total.{c}"] = done
        values[f"applications.carried_forward.{c}"] = forward
        values[f"applications.carried_over.{c}"] = min(over, done + forward)
        values[f"applications.received.{c}"] = done + forward - values[f"applications.carried_over.{c}"]
    for row in apps.rows:
        values[f"applications.{row.id}.total"] = sum(values[f"applications.{row.id}.{c}"] for c in parts)
    for row in template.table("appeals").rows:
        four = [rnd.choice(pick[:10]) for _ in range(4)]
        for col, v in zip(row.columns, [*four, sum(four)], strict=True):
            values[f"appeals.{row.id}.{col.id}"] = v
    return values


def generated_report(seed: int = 5) -> tuple[dict, bytes]:
    """The values and the typeset PDF (with a text layer) of a 2021-template report."""
    values = scan_values("2021", seed)
    return values, render_pdf(report_blocks("2021", values, 2023, "某某县人民政府"), split_at=12)


def page_images(pdf_bytes: bytes) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return [pdf[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()


def image_pdf(images: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return out.getvalue()
