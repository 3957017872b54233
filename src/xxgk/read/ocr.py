"""Scanned reports and images: OCR (RapidOCR on ONNX Runtime), tables from the ruling lines.

An optional extra (`pip install xxgk[ocr]`). RapidOCR's wheel carries its ONNX models; the
engine is built with their paths so that nothing is ever downloaded (RapidOCR would otherwise
fetch models it cannot find). The table grid comes from the pixels: ink is binarised and
opened with long thin kernels, which keeps the rules and drops the text; the rules become
segments and the same grid builder as for PDFs (xxgk.read.grid) finds tables and merged
cells. The grid is found first, so that the text detector (most of the time of a page read
whole) is spared the tables: a cell whose ink, the rules taken out, is one run of rows no
taller than a line is cropped around that ink and given to the recognizer directly, in its
batches; a lone "1", which the detector may miss, is ink like any other. Cells of several lines
and the page outside the tables go through the detector and the recognizer. Each recognised
character goes to the cell under its centre, so a text box that the detector ran across two
cells is split where the rule is. Every cell carries the recognizer's
confidence (its weakest character); cells below `LOW_CONFIDENCE` are listed in
`hints["ocr_low_confidence"]` (JSON) for the report when they print a value.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk.errors import InputError
from xxgk.read.document import Document, DocumentBuilder, GridCell
from xxgk.read.grid import Item, Segment, Table, find_tables, line_text, text_lines
from xxgk.read.layout import Line, Page, emit
from xxgk.read.limits import LIMITS, exceeded

if TYPE_CHECKING:
    import numpy as np
    import pypdfium2 as pdfium

__all__ = ["LOW_CONFIDENCE", "ocr_available", "ocr_pages", "ocr_pdf", "read_image"]

DPI = 200  # scans are rendered at this resolution
LOW_CONFIDENCE = 0.9  # a cell whose weakest character scores below this is flagged
MISSING = "scanned report: install xxgk[ocr]"
Box = tuple[int, int, int, int]  # pixels: x0, y0, x1, y1 (end exclusive)
# how a page is read, measured by bench/bench_ocr.py (one core: seconds a page, every cell right)
MIN_INK = 1.0  # a cell with fewer ink pixels than this many units squared is empty
LINE_UNITS = 12.0  # one run of inked rows up to this many units tall is one printed line
CROP_MARGIN = 0.3  # white around a cell's line cropped for the recognizer, in its heights
CROP_ASPECT = 1.4  # a crop is made no taller than this times its width (taller: RapidOCR turns it)
# units of white kept around the ink of a part of the page given to the detector: with 4 (or 16) the
# character boxes of a date under the last table came out wider apart, and it read "2024年 1月20日"
REGION_MARGIN = 8.0
# past either, a page is read whole by the detector (bounded by its 1,000 boxes), not cell by cell:
DETECTED_CELLS = 60  # cells of several lines given to the detector one by one (a report's page: 2-12)
CELL_LINES = 1_000  # cells' lines cropped for the recognizer (a report's page: 20-140)
_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
# RapidOCR's settings (its config.yaml keys). Pages are upright: no angle classifier. The detector
# scales an image down to its longest side (never up, as RapidOCR's default does to a short side
# of 736): a whole page at 200 dpi is read at its size, as before, and a strip of the page cut for
# it is not blown up to seven times its height.
ENGINE: dict[str, Any] = {
    "Global.log_level": "error",
    "Global.use_cls": False,
    "Det.limit_type": "max",
    "Det.limit_side_len": 2000,
    # a short line (most cells: a figure) is padded to this width for the recognizer (RapidOCR: 320,
    # PaddleOCR's training width): on 40 scanned pages 240 read every cell and line alike, with the
    # same confidences, in three quarters of the time; 160 and 96 lowered the confidences
    "Rec.rec_img_shape": [3, 48, 240],
}
THREADS = -1  # threads for one page (onnxruntime's, OpenCV's); -1: their default, one per core


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
        raise InputError(MISSING, source, kind="needs_ocr")


def use_threads(count: int) -> None:
    """Read pages on `count` threads in this process (-1: one per core), if its engine is not made
    yet. A batch's workers each read a file on a core of their own: a page read on every core by
    every worker oversubscribes them (four scans of four pages on two cores, two workers: 31-34 s
    against 20-21 s). An engine made already is left as it is: in a process forked after it was
    made (a worker of a batch begun where a scan was read), neither it nor OpenCV's threads can be
    changed or let go (both wait on threads that stayed in the parent)."""
    global THREADS
    if not _engine.cache_info().currsize:
        THREADS = count


@cache
def _engine() -> Any:
    """One RapidOCR engine per process, on the models inside the rapidocr wheel."""
    import rapidocr
    from rapidocr import RapidOCR

    if THREADS > 0:
        import cv2  # rapidocr's own image library

        cv2.setNumThreads(THREADS)

    root = Path(rapidocr.__file__).parent / "models"
    params = {**ENGINE, "EngineConfig.onnxruntime.intra_op_num_threads": THREADS}
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
    # Pillow warns of what it skips in a damaged file (a TIFF tag past the end); damage that matters
    # ends in xxgk's own error (`_frames`), so the warnings would only be noise on the terminal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = _frames(data, source)
    builder = DocumentBuilder(source, "image")
    builder.pages = len(frames)
    pages = [ocr_image(frame, number, scale=1.0) for number, frame in enumerate(frames, 1)]
    _note_low_confidence(builder, pages)
    emit(builder, pages)
    return builder.build()


def _frames(data: bytes, source: str) -> list[Any]:
    """The image's frames as RGB arrays (each TIFF frame a page), within the limits."""
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
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        SyntaxError,  # Pillow's error for a broken PNG chunk
        TypeError,  # and for a TIFF whose size tags are damaged ("Missing dimensions")
    ) as exc:
        raise InputError(f"cannot read image: {exc}", source, kind="damaged") from None
    return frames


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
    horizontal, vertical, ink, text = rules(rgb)
    unit = max(2.0, min(height, width) / 400)
    tables = find_tables(horizontal, vertical, tol=unit * 2, min_cell=unit * 5)
    chars = _read(rgb, ink, text, tables, unit)
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


def _read(rgb: np.ndarray, ink: np.ndarray, text: np.ndarray, tables: list[Table], unit: float) -> list[Item]:
    """Every piece of text of the page. A table cell whose ink is one printed line is cropped and
    recognised without the detector (most cells: the figures); a cell of several lines, and the
    page outside the tables, go through detection and recognition. `ink` is the page's ink and
    `text` the same without its rules."""
    import numpy as np

    height, width = ink.shape
    lines: list[Box] = []
    regions: list[Box] = []
    for table in tables:
        for span in table.spans:
            interior = _inside(span.bbox, unit, width, height)
            if interior is None:
                continue
            kind, box = _cell_ink(ink, text, interior, unit)
            if kind == "line":
                lines.append(box)
            elif kind == "lines":
                regions.append(interior)
    if len(regions) > DETECTED_CELLS or len(lines) > CELL_LINES:
        return _recognise(rgb)  # a page of a great many cells, as a hostile file may draw: read whole
    regions += _outside(text, tables, unit)
    items = _recognise_lines(rgb, lines)
    for x0, y0, x1, y1 in regions:
        items += _recognise(np.ascontiguousarray(rgb[y0:y1, x0:x1]), x0, y0)
    return items


def _inside(bbox: tuple[float, float, float, float], unit: float, width: int, height: int) -> Box | None:
    """A cell's pixels within its rules."""
    x0, top, x1, bottom = bbox
    margin = unit
    box = (
        max(0, int(x0 + margin)),
        max(0, int(top + margin)),
        min(width, int(x1 - margin + 1)),
        min(height, int(bottom - margin + 1)),
    )
    return box if box[2] - box[0] > 2 and box[3] - box[1] > 2 else None


def _cell_ink(ink: np.ndarray, text: np.ndarray, box: Box, unit: float) -> tuple[str, Box]:
    """What a cell holds: "empty", "line" (one run of inked rows of text no taller than a line,
    and the crop around it) or "lines" (anything else, left to the detector: several lines, ink
    that was taken for a rule)."""
    import numpy as np

    x0, y0, x1, y1 = box
    cell = text[y0:y1, x0:x1]
    least = MIN_INK * unit * unit
    if np.count_nonzero(cell) < least:
        return ("empty", box) if np.count_nonzero(ink[y0:y1, x0:x1]) < least else ("lines", box)
    rows = np.flatnonzero(cell.any(axis=1))
    cols = np.flatnonzero(cell.any(axis=0))
    tall = int(rows[-1] - rows[0] + 1)
    if tall != rows.size or tall > LINE_UNITS * unit:
        return "lines", box
    pad = max(2, round(tall * CROP_MARGIN))
    wide = int(cols[-1] - cols[0] + 1)
    side = max(pad, round((tall + 2 * pad) / CROP_ASPECT - wide) // 2)  # never a crop the recognizer turns
    return "line", (
        max(x0, x0 + int(cols[0]) - side),
        max(y0, y0 + int(rows[0]) - pad),
        min(x1, x0 + int(cols[-1]) + 1 + side),
        min(y1, y0 + int(rows[-1]) + 1 + pad),
    )


def _outside(ink: np.ndarray, tables: list[Table], unit: float) -> list[Box]:
    """The inked parts of the page outside its tables: bands above, between and below them, and
    strips beside them, each cut to its ink."""
    import numpy as np

    height, width = ink.shape
    pieces: list[Box] = []
    top = 0
    for table in sorted(tables, key=lambda t: t.bbox[1]):
        x0, t0, x1, t1 = (int(v) for v in table.bbox)
        pieces.append((0, top, width, max(top, t0)))
        pieces += [(0, t0, max(0, x0), t1 + 1), (min(width, x1 + 1), t0, width, t1 + 1)]
        top = max(top, t1 + 1)
    pieces.append((0, top, width, height))
    margin = int(REGION_MARGIN * unit)
    out = []
    for x0, y0, x1, y1 in pieces:
        part = ink[y0:y1, x0:x1]
        if x1 - x0 < 1 or y1 - y0 < 1 or np.count_nonzero(part) < MIN_INK * unit * unit:
            continue
        rows = np.flatnonzero(part.any(axis=1))
        cols = np.flatnonzero(part.any(axis=0))
        out.append(
            (
                max(x0, x0 + int(cols[0]) - margin),
                max(y0, y0 + int(rows[0]) - margin),
                min(x1, x0 + int(cols[-1]) + 1 + margin),
                min(y1, y0 + int(rows[-1]) + 1 + margin),
            )
        )
    return out


def _recognise_lines(rgb: np.ndarray, boxes: list[Box]) -> list[Item]:
    """Cropped lines read by the recognizer alone, in its batches, with its character boxes."""
    if not boxes:
        return []
    import numpy as np
    from rapidocr.ch_ppocr_rec import TextRecInput

    engine = _engine()
    crops = [np.ascontiguousarray(rgb[y0:y1, x0:x1]) for x0, y0, x1, y1 in boxes]
    quads = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]] for x0, y0, x1, y1 in boxes], np.float32)
    result = engine._load_rec_model()(TextRecInput(img=crops, return_word_box=True))
    if result.txts is None:
        return []
    words = engine.cal_rec_boxes(crops, quads, result, False).word_results
    # as RapidOCR keeps a detected line: some text, scored at least its text_score
    keep = [k for k, text in enumerate(result.txts) if text.strip() and result.scores[k] >= engine.text_score]
    return _items(
        [quads[k] for k in keep],
        [result.txts[k] for k in keep],
        [result.scores[k] for k in keep],
        [words[k] for k in keep] if len(words) == len(result.txts) else None,
    )


def _recognise(rgb: np.ndarray, x: int = 0, y: int = 0) -> list[Item]:
    """Text found by the detector and recognised in an image whose corner is at (x, y) on the page."""
    result = _engine()(rgb, return_word_box=True)
    if result.txts is None or result.boxes is None:
        return []
    words = (
        result.word_results if result.word_results and len(result.word_results) == len(result.txts) else None
    )
    items = _items(list(result.boxes), list(result.txts), list(result.scores), words)
    for item in items:
        x0, y0, x1, y1 = item.bbox
        item.bbox = (x0 + x, y0 + y, x1 + x, y1 + y)
    return items


def _items(quads: list[Any], texts: list[str], scores: list[float], words: Any) -> list[Item]:
    """Characters (or words, where RapidOCR groups Latin and digits) with their boxes, where the
    recognizer's pieces make up its line; the whole line otherwise."""
    items: list[Item] = []
    for k, (quad, text, score) in enumerate(zip(quads, texts, scores, strict=True)):
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


def rules(rgb: np.ndarray) -> tuple[list[Segment], list[Segment], np.ndarray, np.ndarray]:
    """Horizontal and vertical rules of a page image, in pixels; the ink, and the ink of the text
    (the ink less the rules, widened by a pixel), as masks.

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
    ruled = cv2.dilate(cv2.bitwise_or(across, down), np.ones((3, 3), np.uint8))
    return horizontal, vertical, ink, cv2.bitwise_and(ink, cv2.bitwise_not(ruled))


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, count)]  # type: ignore[misc]
