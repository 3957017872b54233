"""The OCR reader: a scanned report (a generated PDF's pages as an image-only PDF) and a table
image read back, offline; without the `xxgk[ocr]` extra, a clear refusal.

The scanned pages are drawn by PDFium from the generated report, whose CJK font reportlab does
not embed: PDFium then needs a CJK system font (Debian: fonts-wqy-microhei or fonts-noto-cjk).
Without the extra or such a font the OCR read tests are skipped; the refusals always run.
"""

from __future__ import annotations

import io
import json
import socket
import sys

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

import xxgk
from tests.scans import cjk_font, generated_report, image_pdf, page_images
from xxgk.errors import InputError
from xxgk.read import read_bytes
from xxgk.read.ocr import LOW_CONFIDENCE, ocr_available
from xxgk.templates import TEMPLATES

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="the xxgk[ocr] extra is not installed")
needs_font = pytest.mark.skipif(not cjk_font(), reason="no CJK system font for PDFium to draw the test pages")


@pytest.fixture(scope="module")
def generated() -> tuple[dict, bytes]:
    return generated_report(5)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails the test: the models come from the rapidocr wheel."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@needs_ocr
def test_engine_is_built_from_bundled_models_offline(offline: None) -> None:
    from xxgk.read import ocr

    ocr._engine.cache_clear()
    engine = ocr._engine()
    image = Image.new("RGB", (200, 60), "white")
    ImageDraw.Draw(image).text((10, 20), "2024 123", fill="black")
    import numpy as np

    result = engine(np.asarray(image))
    assert "123" in "".join(result.txts or ())


@needs_ocr
@needs_font
def test_scanned_pdf_is_read_by_ocr(generated: tuple[dict, bytes], offline: None) -> None:
    values, pdf = generated
    scan = image_pdf(page_images(pdf))
    report = xxgk.parse_bytes(scan, "scan.pdf")
    assert report.template_id == "2021"
    assert report.meta.year == 2023
    keys = [k for k in values if k.split(".")[0] in ("applications", "appeals")]
    wrong = {k: (values[k], report.cells[k].value) for k in keys if report.cells[k].value != values[k]}
    # OCR read every cell of this scan right; a misread cell would have to be flagged low
    unflagged = [
        k
        for k in wrong
        if (p := report.cells[k].provenance) is None or p.confidence is None or p.confidence >= LOW_CONFIDENCE
    ]
    assert unflagged == []
    assert wrong == {}
    active = {k: v for k, v in values.items() if k.startswith("active.")}
    assert {k: report.cells[k].value for k in active} == active
    for key in keys:
        assert report.cells[key].confidence is not None  # asked first: before its provenance is worked out
        p = report.cells[key].provenance
        assert p is not None and p.page is not None and p.bbox is not None and p.confidence is not None
    assert len({report.cells[k].provenance.page for k in keys if k.startswith("applications.")}) >= 2
    assert [f"{f.rule}: {f.message}" for f in report.errors] == []


@needs_ocr
@needs_font
def test_low_confidence_cells_are_listed(generated: tuple[dict, bytes], offline: None) -> None:
    _, pdf = generated
    document = read_bytes(image_pdf(page_images(pdf)[2:3]), "page3.pdf")
    assert document.format == "pdf-ocr"
    low = json.loads(document.hints["ocr_low_confidence"])
    for cell in low:
        assert cell["confidence"] < LOW_CONFIDENCE and {"page", "row", "col", "bbox"} <= set(cell)
    confidences = [o.confidence for o in document.origins if o.grid is not None]
    assert confidences and all(c is not None and 0 < c <= 1 for c in confidences)


def _appeals_page(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    pages = (document[i].get_textpage().get_text_range() for i in range(len(document)))
    return next(i for i, text in enumerate(pages) if "复议后起诉" in text)


@needs_ocr
@needs_font
def test_table_image_is_read(generated: tuple[dict, bytes], offline: None) -> None:
    values, pdf = generated
    images = page_images(pdf)
    png = io.BytesIO()
    images[_appeals_page(pdf)].save(png, "PNG")
    document = read_bytes(png.getvalue(), "appeals.png")
    assert document.format == "image"
    printed = [str(values[k]) for k in TEMPLATES["2021"].table("appeals").cell_keys()]
    assert "| " + " | ".join(printed) + " |" in document.text
    grid_origins = [o for o in document.origins if o.grid is not None]
    assert grid_origins and all(o.bbox is not None and o.confidence is not None for o in grid_origins)


# --- a table cell read without the detector ---------------------------------------------------


def _cell(rows: list[range], cols: range) -> object:
    import numpy as np

    mask = np.zeros((60, 100), np.uint8)
    for run in rows:
        mask[run.start : run.stop, cols.start : cols.stop] = 255
    return mask


@needs_ocr
def test_a_cell_of_one_line_is_cropped_for_the_recognizer() -> None:
    from xxgk.read.ocr import _cell_ink

    # a "1" of 22 rows x 5 columns at rows 20-41, columns 40-44, with unit 4 (an A4 page at 200 dpi):
    # margin round(22 * 0.3) = 7 above and below; the crop is widened to no taller than 1.4 times its
    # width: (22 + 2 * 7) / 1.4 = 25.7, less 5 of ink = 20.7, rounded 21, 10 a side (more than 7)
    one = _cell([range(20, 42)], range(40, 45))
    assert _cell_ink(one, one, (0, 0, 100, 60), 4.0) == ("line", (30, 13, 55, 49))
    # the crop stays inside the cell: a cell starting at column 35 cuts the left side at 35
    assert _cell_ink(one, one, (35, 0, 100, 60), 4.0)[1] == (35, 13, 55, 49)


@needs_ocr
def test_cells_the_detector_reads_or_skips() -> None:
    import numpy as np

    from xxgk.read.ocr import _cell_ink

    box = (0, 0, 100, 60)
    two = _cell([range(10, 32), range(38, 60)], range(20, 80))  # two lines, a gap of 6 rows
    assert _cell_ink(two, two, box, 4.0)[0] == "lines"
    tall = _cell([range(5, 55)], range(20, 80))  # 50 rows: more than 12 units of 4
    assert _cell_ink(tall, tall, box, 4.0)[0] == "lines"
    speck = _cell([range(30, 33)], range(50, 53))  # 9 pixels: under 1 unit squared (16)
    assert _cell_ink(speck, speck, box, 4.0)[0] == "empty"
    # ink taken for a rule (a long dash drawn in the cell): no text left, but the detector looks
    dash = _cell([range(30, 32)], range(10, 90))
    assert _cell_ink(dash, np.zeros_like(dash), box, 4.0)[0] == "lines"
    assert _cell_ink(np.zeros_like(dash), np.zeros_like(dash), box, 4.0)[0] == "empty"


@needs_ocr
@needs_font
def test_a_page_of_many_cells_is_read_whole_alike(
    generated: tuple[dict, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past DETECTED_CELLS a page goes to the detector whole (a hostile page of thousands of cells
    costs what one detection does): the appeals table reads the same."""
    from xxgk.read import ocr

    values, pdf = generated
    png = io.BytesIO()
    page_images(pdf)[_appeals_page(pdf)].save(png, "PNG")
    cropped: list[int] = []
    by_line = ocr._recognise_lines

    def count(rgb: object, boxes: list) -> list:
        cropped.append(len(boxes))
        return by_line(rgb, boxes)

    monkeypatch.setattr(ocr, "_recognise_lines", count)
    by_cell = read_bytes(png.getvalue(), "appeals.png").text
    assert cropped and cropped[0] > 0
    monkeypatch.setattr(ocr, "DETECTED_CELLS", 0)
    cropped.clear()
    whole = read_bytes(png.getvalue(), "appeals.png").text
    assert cropped == []  # no cell cropped: the page went to the detector whole
    printed = [str(values[k]) for k in TEMPLATES["2021"].table("appeals").cell_keys()]
    assert "| " + " | ".join(printed) + " |" in by_cell
    assert "| " + " | ".join(printed) + " |" in whole


# --- without the extra ---------------------------------------------------------------------------


def _scan_without_text() -> bytes:
    image = Image.new("RGB", (800, 1100), "white")
    draw = ImageDraw.Draw(image)
    for y in range(200, 700, 50):
        draw.line((100, y, 700, y), fill="black", width=2)
    return image_pdf([image])


@pytest.fixture
def no_rapidocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """rapidocr cannot be imported, as without `pip install xxgk[ocr]`."""
    monkeypatch.setitem(sys.modules, "rapidocr", None)


def test_scanned_pdf_refused_without_ocr(no_rapidocr: None) -> None:
    with pytest.raises(InputError) as err:
        read_bytes(_scan_without_text(), "scan.pdf")
    assert err.value.message == "scanned report: install xxgk[ocr]"
    assert err.value.where == "scan.pdf"


def test_image_refused_without_ocr(no_rapidocr: None) -> None:
    png = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(png, "PNG")
    with pytest.raises(InputError, match=r"scanned report: install xxgk\[ocr\]"):
        read_bytes(png.getvalue(), "page.png")


# Found by `make fuzz`: Pillow tells some damage by exceptions other than OSError and ValueError.
# A 2×2 grey PNG whose IEND chunk lost its length (SyntaxError "broken PNG file"), and a 2×2
# TIFF whose height tag was damaged (TypeError "Missing dimensions"); both shrunk by hand-run
# mutation from files Pillow wrote.
_BROKEN_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x00\x00\x00\x00W\xddR\xf8"
    b"\x00\x00\x00\x06IDATx\x9cc\xfc\xcf\x00\x05\r\x01\x03\xb8J\\o\x00\x00\x00\x00IEND\xaeB`\x82"
)
_TIFF_WITHOUT_DIMENSIONS = (
    b"II*\x00\x08\x00\x00\x00\t\x00\x00\x01\x04\x00\x01\x00\x00\x00\x02\x00\x00\x00\x01\x01\x04\x00"
    b"\x01\x00\x00\x00\x02\x00\x00\x00\x02\x01\x03\x00\x01\x00\x00\x00\x08\x00\x00\x00\x03\x01\x03\x00"
    b"\x01\x00\x00\x00\x01\x00\x00\x00\x06\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00\x11\x01\x04\x00"
    b"\x01\x00\x00\x00Z\x00\x00\x00\x16\x01\x04\x00\x01\x00\x00\x00\x02\x00\x00\x00\x17\x01\x04\x00"
    b"\x01\x02\x00\x00\x04\x00\x00\x00\x1c\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff"
)


@needs_ocr
@pytest.mark.parametrize(
    ("data", "name"), [(_BROKEN_PNG, "page.png"), (_TIFF_WITHOUT_DIMENSIONS, "page.tif")], ids=["png", "tiff"]
)
def test_a_damaged_image_is_xxgks_own_error(data: bytes, name: str, recwarn: pytest.WarningsRecorder) -> None:
    with pytest.raises(InputError) as err:
        read_bytes(data, name)
    assert err.value.message.startswith("cannot read image:") and err.value.where == name
    assert [str(w.message) for w in recwarn] == []  # Pillow's warnings of skipped tags: not shown
