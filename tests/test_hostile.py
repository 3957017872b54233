"""Hostile files: each is generated here and must end in a bounded outcome, either one line naming
the limit it passed with exit 2, or a report read with a warning. Never a stall, never gigabytes.

The CLI runs in a child process (as a user runs it) whose peak memory is taken from wait4, under
an address-space cap and a timeout, so that a regression fails the test instead of the machine;
a small launcher starts it, so that the test process's own size is not counted (see LAUNCHER).
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest

import xxgk
from xxgk.extract import split
from xxgk.read.limits import LIMITS

pytestmark = pytest.mark.filterwarnings("error::FutureWarning")

ROOT = Path(__file__).parent.parent
HOUJI = ROOT / "samples" / "houji_2021.txt"
PINGTAN = ROOT / "samples" / "pingtan_2022.txt"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MB = 1 << 20
MEMORY_CAP = 2048 * MB  # address space of the child: a bomb that gets through fails, not the machine
PEAK_RSS = 400 * MB  # what reading any one file may take (the interpreter and imports: ~130 MB)


# A small process between the test and the CLI: a child's peak RSS counts the pages of the process
# it was forked from (the kernel keeps the high-water mark across exec), and the test process is
# large (hundreds of MB by the time these tests run). The launcher is a fresh interpreter of a few
# MB: the CLI forked from it is measured alone. It writes the CLI's exit status and peak RSS.
LAUNCHER = """
import os, resource, subprocess, sys
cap, report, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
child = subprocess.Popen(command, preexec_fn=limit)
_, status, usage = os.wait4(child.pid, 0)
with open(report, "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")
"""


def run_parse(path: Path, *args: str, timeout: float = 60) -> tuple[int, str, str, int]:
    """`xxgk parse` on `path` in a child: exit status, stdout, stderr and its peak RSS in bytes."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = Path(tmp) / "status"
        command = [sys.executable, "-m", "xxgk", "parse", *args, str(path)]
        launcher = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(MEMORY_CAP), str(report), *command],
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            start_new_session=True,  # the CLI with it: killed together on a timeout
        )
        try:
            launcher.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, 9)
            launcher.wait()
            pytest.fail(f"xxgk parse {path.name} did not finish within {timeout} s")
        status, peak = (int(n) for n in report.read_text().split())
        out.seek(0)
        err.seek(0)
        return status, out.read().decode(), err.read().decode(), peak


def refused(path: Path, limit: str) -> str:
    """Assert one line naming `limit`, exit 2, bounded memory; return the line."""
    status, out, err, peak = run_parse(path)
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"({limit})" in err and str(path) in err, err
    assert peak < PEAK_RSS, f"{peak / MB:.0f} MB"
    return err


def docx_of(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
        )
    return out.getvalue()


# --- bombs ------------------------------------------------------------------------------------------


def test_docx_of_200_mb_of_empty_paragraphs_is_refused_from_its_declared_size(tmp_path):
    """About 300 KB on disk; it took `xxgk parse` past 8 GB before (the tree of 33 million
    elements). The size the archive declares for the part is over the limit: refused unread."""
    path = tmp_path / "bomb.docx"
    paragraphs = b"<w:p/>" * MB  # 6 MB
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package,
        package.open("word/document.xml", "w", force_zip64=True) as part,
    ):
        part.write(f'<w:document xmlns:w="{W}"><w:body>'.encode())
        for _ in range(32):  # 32 x 6 MB = 192 MB
            part.write(paragraphs)
        part.write(b"</w:body></w:document>")
    assert path.stat().st_size < 1 * MB
    err = refused(path, "xml_part_bytes")
    # 32 * 6 * 2**20 = 201,326,592, and 113 around: `<w:document xmlns:w="` 21, the namespace 60,
    # `">` 2, `<w:body>` 8; `</w:body></w:document>` 22
    assert "201,326,705 bytes" in err


def test_docx_whose_relationships_part_is_a_bomb_is_read_without_it(tmp_path):
    """_rels/.rels (which names the main part) of 192 MB of `<a/>` in one element: read whole and
    parsed into a tree of 50 million elements before; now left unread, and the main part is the
    usual word/document.xml."""
    path = tmp_path / "rels.docx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package,
        package.open("_rels/.rels", "w", force_zip64=True) as part,
    ):
        part.write(b"<Relationships>")
        for _ in range(48):  # 48 x 4 MB
            part.write(b"<a/>" * MB)
        part.write(b"</Relationships>")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "word/document.xml", f'<w:document xmlns:w="{W}"><w:body><w:p/></w:body></w:document>'
        )
    status, _, err, peak = run_parse(path)
    assert status == 2 and "not a government information-disclosure annual report" in err, err
    assert peak < PEAK_RSS, f"{peak / MB:.0f} MB"


def test_docx_of_many_tags_under_the_size_limit_is_refused_before_parsing(tmp_path):
    """8 MB of `<w:p/>`: 1,398,101 tags and a few more, past the markup limit, in a part under
    the size limit."""
    path = tmp_path / "tags.docx"
    path.write_bytes(docx_of("<w:p/>" * (8 * MB // 6)))
    assert LIMITS.markup < 8 * MB // 6
    refused(path, "markup")


def test_docx_nested_past_the_depth_limit_is_refused(tmp_path):
    """1,020 content controls one in another: 2,040 levels. The reader's recursion ran out at
    about a thousand (a RecursionError, reported as an internal error)."""
    path = tmp_path / "deep.docx"
    inner = "<w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>"
    path.write_bytes(docx_of("<w:sdt><w:sdtContent>" * 1020 + inner + "</w:sdtContent></w:sdt>" * 1020))
    err = refused(path, "xml_depth")
    assert "internal error" not in err


def test_html_nested_100000_deep_is_read_to_the_end(tmp_path):
    """libxml2 stops nesting at 256 levels: the page parses, and is no report."""
    path = tmp_path / "deep.html"
    path.write_text(
        "<html><body>" + "<div>" * 100_000 + "一、总体情况" + "</div>" * 100_000, encoding="utf-8"
    )
    status, _, err, peak = run_parse(path)
    assert status == 2 and "not a government information-disclosure annual report" in err, err
    assert err.count("\n") == 1 and peak < PEAK_RSS


def test_html_with_more_tags_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "tags.html"
    path.write_text("<html><body>" + "<br>" * (LIMITS.markup + 1), encoding="utf-8")
    refused(path, "markup")


def test_html_table_whose_spans_cover_a_billion_slots_is_refused(tmp_path):
    """One cell spanning 1,000 columns and 20,000 rows would have been 20 million slots in sets
    (gigabytes) from 200 KB of page."""
    path = tmp_path / "spans.html"
    rows = "<tr><td>0</td></tr>" * 20_000
    path.write_text(
        f'<html><body><table><tr><td rowspan="20000" colspan="1000">总体情况</td></tr>{rows}</table>',
        encoding="utf-8",
    )
    refused(path, "table_slots")


def test_text_past_the_character_limit_is_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(b"1 2 3\n" * (LIMITS.text_chars // 6 + 1))
    refused(path, "text_chars")


def test_file_past_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(LIMITS.file_bytes + 1)  # sparse: no disk used
    refused(path, "file_bytes")


def test_pdf_of_more_pages_than_the_limit_is_refused(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(LIMITS.pages + 1):
        pdf.new_page(100, 100)
    path = tmp_path / "pages.pdf"
    pdf.save(str(path))
    pdf.close()
    refused(path, "pages")


def test_pdf_page_of_more_ruling_lines_than_the_limit_is_refused(tmp_path):
    """A grid of 400 by 400 rules would have cost 160,000 grid slots each checked against
    hundreds of rules."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "rules.pdf"
    page = canvas.Canvas(str(path), pagesize=(820, 820))
    for i in range(400):
        page.line(10, 10 + 2 * i, 810, 10 + 2 * i)
        page.line(10 + 2 * i, 10, 10 + 2 * i, 810)
    page.drawString(20, 815, "report")
    page.save()
    err = refused(path, "page_rules")
    assert "page 1" in err


def test_image_of_more_pixels_than_the_limit_is_refused_before_decoding():
    """A one-bit 8,000 x 7,000 PNG: 56 million pixels, 168 MB as the RGB the OCR reads, from a
    file of a few kilobytes."""
    from PIL import Image

    from xxgk.read.ocr import ocr_available

    if not ocr_available():
        pytest.skip("the OCR extra is not installed: images are refused before any decoding")
    out = io.BytesIO()
    Image.new("1", (8000, 7000), 1).save(out, "PNG")
    with pytest.raises(
        xxgk.XxgkError, match=r"8,000 x 7,000 pixels: over the limit of 50,000,000 \(page_pixels\)"
    ):
        xxgk.parse_bytes(out.getvalue(), "big.png")


# --- special files ----------------------------------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path):
    """Opening a FIFO for reading waits for a writer: `xxgk parse` blocked forever."""
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    status, _, err, _ = run_parse(path, timeout=30)
    assert status == 2 and "not a regular file (a named pipe)" in err, err


def test_link_to_dev_zero_is_refused_before_reading(tmp_path):
    """/dev/zero never ends: `xxgk parse` read until MemoryError."""
    path = tmp_path / "zero.txt"
    path.symlink_to("/dev/zero")
    status, _, err, peak = run_parse(path, timeout=30)
    assert status == 2 and "not a regular file (a device)" in err, err
    assert peak < PEAK_RSS


def test_a_fifo_in_a_folder_read_in_a_batch_fails_alone(tmp_path):
    """The batch hashed every file before reading it: a FIFO blocked the whole run."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "houji.txt").write_bytes(HOUJI.read_bytes())
    os.mkfifo(folder / "pipe.txt")
    out = tmp_path / "out.jsonl"
    status, _, err, _ = run_parse(folder, "--out", str(out), "--jobs", "1", timeout=60)
    assert status == 2, err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted((Path(r["file"]).name, "error" in r) for r in records) == [
        ("houji.txt", False),
        ("pipe.txt", True),
    ]


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        status, _, err, _ = run_parse(path, timeout=30)
    finally:
        server.close()
    assert status == 2 and "not a regular file (a socket)" in err, err


# --- stray bytes --------------------------------------------------------------------------------------


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_few_stray_bytes_are_replaced_and_reported(tmp_path, encoding):
    """0xFF starts line 1 and line 3; neither UTF-8 nor GB18030 has a byte 0xFF. The first is at
    byte 0; the second after lines 1 and 2 and their two newlines, and the 0xFF added to line 1."""
    text = HOUJI.read_text(encoding="utf-8").replace("\xa0", " ")
    lines = text.encode(encoding).split(b"\n")
    lines[0] = b"\xff" + lines[0]
    lines[2] = b"\xff" + lines[2]
    second = len(lines[0]) + 1 + len(lines[1]) + 1
    path = tmp_path / f"stray.{encoding}.txt"
    path.write_bytes(b"\n".join(lines))
    status, out, err, _ = run_parse(path, "--json", "--no-cells")
    assert status == 0, err
    report = json.loads(out)
    assert report["layout"]["undecodable"] == {
        "encoding": encoding,
        "count": 2,
        "at": [{"line": 1, "offset": 0}, {"line": 3, "offset": second}],
    }
    decode = [f for f in report["findings"] if f["rule"] == "DECODE"]
    assert len(decode) == 1 and decode[0]["severity"] == "warning"
    assert f"第1行（第0字节）、第3行（第{second}字节）" in decode[0]["message"]
    assert "2处" in decode[0]["message"]
    assert report["tables"] == xxgk.parse_path(HOUJI).tables()  # the tables read as without them


def test_html_declared_utf8_with_a_stray_byte_is_read_with_a_warning():
    page = (ROOT / "tests" / "corpus" / "hangzhoustyle_anon_2025.html").read_bytes()
    at = page.index("本年新收".encode())
    report = xxgk.parse_bytes(page[:at] + b"\xff" + page[at:], "stray.html")
    assert report.layout["undecodable"]["count"] == 1
    assert report.layout["undecodable"]["at"][0]["offset"] == at
    assert [f.rule for f in report.findings if f.rule == "DECODE"] == ["DECODE"]
    assert report.tables() == xxgk.parse_bytes(page, "clean.html").tables()


def test_mostly_undecodable_text_is_refused(tmp_path):
    """Bytes 0x80-0xFF in turn: half are no GB18030 lead byte followed by a trail byte, and none is
    UTF-8 on its own."""
    path = tmp_path / "odd.txt"
    path.write_bytes(bytes(range(128, 256)) * 30)
    status, _, err, _ = run_parse(path)
    assert status == 2 and "unknown text encoding" in err, err


# --- the digit splitter -------------------------------------------------------------------------------


def test_digits_run_together_in_every_row_end_in_ambiguous_findings_within_the_budget(monkeypatch):
    """Every run of seven or more digits in table 三 of a report whose cells ran together becomes
    a run of 20 digits (25 runs, one a row; two rows' runs meet and make one of 40). 20 digits cut
    into a row's 7 cells in C(19, 6) = 27,132 ways before zeros and arithmetic prune them; the
    searches took 1.9 million cuts (15 s) before. They now share the report's budget, and the
    rows the budget did not reach are marked ambiguous too."""
    import re

    text = PINGTAN.read_text(encoding="utf-8")
    start, end = text.index("三、收到和处理"), text.index("四、政府信息公开行政")
    runs = re.findall(r"\d{7,}", text[start:end])
    assert len(runs) == 25
    text = text[:start] + re.sub(r"\d{7,}", "12345678901234567890", text[start:end]) + text[end:]

    searches: list[split._Search] = []

    class Counted(split._Search):
        __slots__ = ()

        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            searches.append(self)

    monkeypatch.setattr(split, "_Search", Counted)
    report = xxgk.parse_text(text, "digits.txt")
    steps = sum(search.steps for search in searches)
    # a search stops at the first cut past its limit, finishing the loop it is in: a row's digits
    assert steps <= LIMITS.split_steps + 20 * len(searches)
    # table 三's rows: each of its runs is flagged, whether the budget reached its row or not
    ambiguous = [
        f for f in report.findings if f.rule == "AMBIGUOUS" and f.cells[0].startswith("applications.")
    ]
    assert all("12345678901234567890" in f.message for f in ambiguous)
    assert len({key.rsplit(".", 1)[0] for f in ambiguous for key in f.cells}) >= 20


# --- the HTML reader's element truth test -----------------------------------------------------------


def test_an_article_container_holding_only_text_is_chosen_without_a_warning():
    """`_hinted(root) or top` tested an element for truth: False for one without children (lxml
    warns that this will change), so the container holding only text was passed over."""
    from xxgk.read.html import content_root, parse_html

    root = parse_html(
        '<html><body><div class="nav">首页 12345</div><div id="zoom">正文</div></body></html>', "x"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        assert content_root(root).get("id") == "zoom"


def test_a_run_of_a_million_digits_in_a_table_is_text_not_a_value():
    """Python refuses to turn more than 4,300 digits into an int: such a run must never reach int()."""
    import random

    from tests.layouts import Style, render
    from xxgk.templates import TEMPLATES

    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    text = render("2021", 2023, "某某县人民政府", values, Style("one_per_line", True), random.Random(0))
    at = text.index("二、上年结转")
    report = xxgk.parse_text(text[:at] + "7" * 1_000_000 + "\n" + text[at:])
    assert report.value("applications.received.total") == 0
    assert report.value("applications.carried_over.total") == 0
