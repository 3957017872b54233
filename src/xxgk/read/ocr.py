"""Scanned reports and images: OCR (RapidOCR on ONNX Runtime), tables from the ruling lines.

An optional extra (`pip install xxgk[ocr]`). RapidOCR's wheel carries its ONNX models; the
engine is built with their paths so that nothing is ever downloaded (RapidOCR would otherwise
fetch models it cannot find). The table grid comes from the pixels: ink is binarised and
opened with long thin kernels, which keeps the rules and drops the text; the rules become
segments and the same grid builder as for PDFs (xxgk.read.grid) finds tables and merged
cells. Each recognised character goes to the cell under its centre, so a text box that the
detector ran across two cells is split where the rule is. Every cell carries the recognizer's
confidence (its weakest character); cells below `LOW_CONFIDENCE` are listed in
`hints["ocr_low_confidence"]` (JSON) for the report when they print a value.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk.errors import InputError
from xxgk.read.document import Document, DocumentBuilder, GridCell
from xxgk.read.grid import Item, Segment, find_tables, line_text, text_lines
from xxgk.read.layout import Line, Page, emit
from xxgk.read.limits import LIMITS, exceeded

if TYPE_CHECKING:
    import numpy as np
    import pypdfium2 as pdfium

__all__ = ["LOW_CONFIDENCE", "ocr_available", "ocr_pages", "ocr_pdf", "read_image"]

DPI = 200  # scans are rendered at this resolution
LOW_CONFIDENCE = 0.9  # a cell whose weakest character scores below this is flagged
MISSING = "scanned report: install xxgk[ocr]"
_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
THREADS = -1  # onnxruntime's threads for one page; -1: its default (one per core). bench_ocr sets 1


def ocr_available() -> bool:
    """Whether the OCR extra is installed (rapidocr and onnxruntime importable)."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def _require(source: str) -> None:
    if not ocr_available():
        raise InputError(MISSING, source)


@cache
def _engine() -> Any:
    """One RapidOCR engine per process, on the models inside the rapidocr wheel."""
    import rapidocr
    from rapidocr import RapidOCR

    root = Path(rapidocr.__file__).parent / "models"
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.use_cls": False,
        "EngineConfig.onnxruntime.intra_op_num_threads": THREADS,
    }
    for key, name in _MODELS.items():
        path = root / name
        if not path.exists():  # a rapidocr release that ships other models: never download
            raise InputError(f"the OCR models are missing from the rapidocr package ({name})", str(root))
        params[key] = str(path)
    return RapidOCR(params=params)


def read_image(data: bytes, source: str) -> Document:
    """A photographed or scanned report page (PNG, JPEG, TIFF; each TIFF frame a page).

    Boxes are in pixels of the image (an image has no page size in points).
    """
    _require(source)
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))  # reads the header only: size and frames are known
        if getattr(image, "n_frames", 1) > LIMITS.pages:
            raise exceeded("pages", f"an image of {image.n_frames:,} frames", source)
        frames = []
        for frame in ImageSequence.Iterator(image):
            _check_pixels(frame.width, frame.height, source)
            frames.append(np.asarray(frame.convert("RGB")))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"cannot read image: {exc}", source) from None
    builder = DocumentBuilder(source, "image")
    builder.pages = len(frames)
    pages = [ocr_image(frame, number, scale=1.0) for number, frame in enumerate(frames, 1)]
    _note_low_confidence(builder, pages)
    emit(builder, pages)
    return builder.build()


def ocr_pdf(pdf: pdfium.PdfDocument, source: str) -> Document:
    """A PDF without a text layer, every page read by OCR (boxes in points)."""
    _require(source)
    builder = DocumentBuilder(source, "pdf-ocr")
    builder.pages = len(pdf)
    pages = ocr_pages(pdf, range(len(pdf)), builder)
    emit(builder, pages)
    return builder.build()


def ocr_pages(pdf: pdfium.PdfDocument, indices: Sequence[int], builder: DocumentBuilder) -> list[Page]:
    """Pages of a PDF (0-based indices) rendered and read; low-confidence cells noted."""
    from xxgk.read.pdf import load_page

    pages = []
    for index in indices:
        page = load_page(pdf, index, builder.source)
        try:
            width, height = page.get_size()
            _check_pixels(width * DPI / 72, height * DPI / 72, f"{builder.source}: page {index + 1}")
            bitmap = page.render(scale=DPI / 72, grayscale=False)
            pixels = bitmap.to_numpy()
        finally:
            page.close()
        pages.append(ocr_image(pixels[..., :3], index + 1, scale=72 / DPI))
    _note_low_confidence(builder, pages)
    return pages


def _check_pixels(width: float, height: float, where: str) -> None:
    if width * height > LIMITS.page_pixels:
        raise exceeded("page_pixels", f"a page image of {width:,.0f} x {height:,.0f} pixels", where)


def _note_low_confidence(builder: DocumentBuilder, pages: list[Page]) -> None:
    low = []
    for page in pages:
        for grid, (_, cells) in enumerate(page.grids):
            for cell in cells:
                if (
                    cell.confidence is not None
                    and cell.confidence < LOW_CONFIDENCE
                    and _value_like(cell.text)
                ):
                    low.append(
                        {
                            "page": page.number,
                            "table": grid,
                            "row": cell.row,
                            "col": cell.col,
                            "text": cell.text,
                            "confidence": round(cell.confidence, 4),
                            "bbox": [round(v, 1) for v in cell.bbox] if cell.bbox else None,
                        }
                    )
    previous = json.loads(builder.hints.get("ocr_low_confidence", "[]"))
    builder.hints["ocr_low_confidence"] = json.dumps(previous + low, ensure_ascii=False)


def _value_like(text: str) -> bool:
    """A cell that prints a value (digits, a placeholder), not a label: labels are matched
    loosely and a misread stroke in them does not change a number."""
    squeezed = "".join(text.split())
    return (
        bool(squeezed) and len(squeezed) <= 16 and not any("\u4e00" <= ch <= "\u9fff" for ch in squeezed[1:])
    )


# --- one image ------------------------------------------------------------------------------


def ocr_image(pixels: np.ndarray, number: int, *, scale: float) -> Page:
    """The lines and tables of one page image; `scale` turns pixels into the output unit."""
    import numpy as np

    rgb = np.ascontiguousarray(pixels[..., :3]) if pixels.ndim == 3 else np.stack([pixels] * 3, -1)
    height, width = rgb.shape[:2]
    chars = _recognise(rgb)
    horizontal, vertical = rules(rgb)
    unit = max(2.0, min(height, width) / 400)
    tables = find_tables(horizontal, vertical, tol=unit * 2, min_cell=unit * 5)
    page = Page(number, width * scale, height * scale)
    free: list[Item] = []
    for item in chars:
        if not any(table.place(item) for table in tables):
            free.append(item)
    for line in text_lines(free):
        text = line_text(line)
        if not text:
            continue
        box = (
            min(i.bbox[0] for i in line) * scale,
            min(i.bbox[1] for i in line) * scale,
            max(i.bbox[2] for i in line) * scale,
            max(i.bbox[3] for i in line) * scale,
        )
        heights = sorted(i.bbox[3] - i.bbox[1] for i in line)
        page.lines.append(Line(text, box, heights[len(heights) // 2] * scale))
    for table in tables:
        cells = [_scaled(cell, scale) for cell in table.grid_cells()]
        x0, top, x1, bottom = table.bbox
        page.grids.append(((x0 * scale, top * scale, x1 * scale, bottom * scale), cells))
    return page


def _scaled(cell: GridCell, scale: float) -> GridCell:
    if cell.bbox is not None:
        cell.bbox = tuple(v * scale for v in cell.bbox)  # type: ignore[assignment]
    return cell


def _recognise(rgb: np.ndarray) -> list[Item]:
    """Recognised characters (or words, where RapidOCR groups Latin and digits) with boxes."""
    result = _engine()(rgb, return_word_box=True)
    if result.txts is None or result.boxes is None:
        return []
    items: list[Item] = []
    words = (
        result.word_results if result.word_results and len(result.word_results) == len(result.txts) else None
    )
    for k, (quad, text, score) in enumerate(zip(result.boxes, result.txts, result.scores, strict=True)):
        pieces = words[k] if words else ()
        usable = [w for w in pieces if w and w[0] and w[2] is not None]
        if usable and "".join(w[0] for w in usable).replace(" ", "") == text.replace(" ", ""):
            for word, word_score, word_quad in usable:
                items.append(Item(word, _box(word_quad), float(word_score)))
        elif text.strip():
            items.append(Item(text, _box(quad), float(score)))
    return items


def _box(quad: Any) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


# --- ruling lines from pixels -----------------------------------------------------------------


def rules(rgb: np.ndarray) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical rules of a page image, in pixels.

    Ink is what is darker than the page (Otsu's threshold); opening it with a kernel longer than
    any character stroke keeps only rules. Each connected run of rule pixels is one segment.
    """
    import cv2
    import numpy as np

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    height, width = ink.shape
    # a rule is longer than a character is tall: about 1/8 inch at 200 dpi is 25-35 px
    long_h = max(20, width // 35)
    long_v = max(20, min(height, width) // 45)
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long_h), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((long_v, 1), np.uint8))
    # close pinholes and one-pixel breaks of a scanned rule
    across = cv2.dilate(across, np.ones((3, 3), np.uint8))
    down = cv2.dilate(down, np.ones((3, 3), np.uint8))
    horizontal = [
        Segment(y + h / 2, float(x), float(x + w)) for x, y, w, h in _components(across) if w > 3 * h
    ]
    vertical = [Segment(x + w / 2, float(y), float(y + h)) for x, y, w, h in _components(down) if h > 3 * w]
    return horizontal, vertical


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, count)]  # type: ignore[misc]
