"""Fuzzing every reader: well-formed seed files of each format, damaged the ways files get damaged.

A read of any input must end in a report or in xxgk's own one-line error (`XxgkError`); any
other exception is a bug. The seeds are a report in every format xxgk reads (text in UTF-8 and
GB18030, HTML, DOCX, PDF, an image, an OLE2 file); mutations flip, delete, insert, repeat and cut
bytes. A DOCX is damaged inside its XML part (damaging the ZIP around it only tests zlib), then
packed again. Used by tests/test_fuzz.py (briefly, in every test run) and bench/fuzz.py (for as
long as asked).
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xxgk
from xxgk.errors import XxgkError

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "corpus"
FORMATS = ("text", "gb18030", "html", "docx", "pdf", "image", "ole")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@cache
def seed(kind: str) -> bytes:
    """One well-formed file of a format (built once per process)."""
    houji = (ROOT / "samples" / "houji_2021.txt").read_text(encoding="utf-8")
    if kind == "text":
        return houji.encode("utf-8")
    if kind == "gb18030":
        return houji.encode("gb18030")
    if kind == "html":
        return (CORPUS / "hangzhoustyle_anon_2025.html").read_bytes()
    if kind == "pdf":
        return (CORPUS / "huaian_hongzequ_2024.pdf").read_bytes()
    if kind == "docx":
        from tests.national_grid import report_blocks
        from tests.readback import example
        from tests.render_blocks import to_docx

        return to_docx(report_blocks("2021", example("2021"), 2022, "某某县人民政府"))
    if kind == "image":
        from PIL import Image, ImageDraw

        image = Image.new("L", (160, 60), 255)
        draw = ImageDraw.Draw(image)
        draw.rectangle((5, 5, 155, 55), outline=0)
        draw.line((80, 5, 80, 55), fill=0)
        draw.text((20, 25), "12", fill=0)
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()
    if kind == "ole":  # a header and a directory entry naming a Word stream, the rest junk
        return _OLE2 + bytes(504) + "WordDocument".encode("utf-16-le") + b"\x00\x00" + bytes(1024)
    raise ValueError(kind)


def _docx_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def _docx_with(data: bytes, xml: bytes) -> bytes:
    """`data` (a DOCX) with its document.xml replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, xml if info.filename == "word/document.xml" else old.read(info))
    return out.getvalue()


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with one to eight byte-level changes."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if not buf:
            break
        at = draw(st.integers(0, len(buf) - 1))
        op = draw(st.sampled_from(("flip", "delete", "insert", "repeat", "cut")))
        if op == "flip":
            buf[at] = draw(st.integers(0, 255))
        elif op == "delete":
            del buf[at : at + draw(st.integers(1, 256))]
        elif op == "insert":
            buf[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "repeat":
            piece = bytes(buf[at : at + draw(st.integers(1, 64))])
            buf[at:at] = piece * draw(st.integers(1, 200))
        else:
            del buf[at:]
    return bytes(buf)


@st.composite
def hostile(draw: st.DrawFn, kind: str) -> bytes:
    """A damaged file of one format (a DOCX damaged inside its XML), or random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))
    data = seed(kind)
    if kind == "docx":
        return _docx_with(data, draw(damaged(_docx_xml(data))))
    return draw(damaged(data))


def read_or_refuse(data: bytes) -> None:
    """Read `data` through the whole pipeline; xxgk's own error is a fine outcome, nothing else is."""
    with contextlib.suppress(XxgkError):
        xxgk.parse_bytes(data, "fuzzed")


def fuzz(kind: str, examples: int) -> None:
    """Read `examples` damaged files of `kind`; any exception but xxgk's own error fails."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(hostile(kind))
    def run(data: bytes) -> None:
        read_or_refuse(data)

    run()
