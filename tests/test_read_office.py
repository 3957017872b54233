"""Legacy Office files through LibreOffice: .doc written by LibreOffice from a generated report
reads back to the values printed; a spreadsheet (.xls/.et) reads to its truth; without
LibreOffice, or when it fails or hangs, the user gets one clear line and nothing is left behind.

These tests need LibreOffice (soffice on PATH: apt-get install libreoffice-writer-nogui
libreoffice-calc-nogui). They fail, not skip, without it, so that CI cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import xxgk
from tests.conftest import CORPUS, truth_of
from tests.national_grid import report_blocks
from tests.readback import example
from tests.render_blocks import misplaced, to_docx
from xxgk.read import office, sniff
from xxgk.read.office import NO_LIBREOFFICE, ole_kind, read_legacy_office

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
INSTALL = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.fail(f"LibreOffice is not installed (no soffice on PATH); these tests need it: {INSTALL}")
    return path


def _libreoffice_convert(source: Path, target: str, infilter: str | None = None) -> bytes:
    """Convert with LibreOffice as a user would (own profile, so parallel runs do not clash)."""
    work = source.parent
    command = [
        _soffice(),
        f"-env:UserInstallation={(work / 'test-profile').as_uri()}",
        "--headless",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        target,
        "--outdir",
        str(work / "converted"),
        str(source),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    out = work / "converted" / f"{source.stem}.{target}"
    if not out.is_file():
        pytest.fail(f"LibreOffice could not write {target} ({INSTALL}?): {result.stdout} {result.stderr}")
    return out.read_bytes()


def _no_conversion_dirs(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith("xxgk-soffice-")]


# --- with LibreOffice -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("template_id", "year"), [("2019", 2020), ("2021", 2024)])
def test_doc_files_read_back_exactly(tmp_path, monkeypatch, template_id, year):
    values = example(template_id)
    blocks = report_blocks(template_id, values, year, "某某市交通运输局")
    source = tmp_path / "report.docx"
    source.write_bytes(to_docx(blocks))
    doc = _libreoffice_convert(source, "doc")
    assert sniff(doc) == "ole" and ole_kind(doc) == "word"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    report = xxgk.parse_bytes(doc, "report.doc")
    assert report.format == "doc"
    assert report.template_id == template_id
    assert report.meta.year == year
    assert report.meta.agency == "某某市交通运输局"
    wrong = [k for k, v in values.items() if report.cells[k].value != v]
    assert wrong == []
    assert [f.rule for f in report.errors] == []
    assert misplaced(report, blocks, values) == []
    assert _no_conversion_dirs(scratch) == []


def test_spreadsheets_xls_and_et_are_read_through_html(tmp_path):
    source = tmp_path / "report.html"
    source.write_bytes((CORPUS / "hangzhoustyle_anon_2025.html").read_bytes())
    xls = _libreoffice_convert(source, "xls", infilter="HTML (StarCalc)")
    assert ole_kind(xls) == "sheet"
    report = xxgk.parse_bytes(xls, "report.et")
    assert report.format == "xls"
    truth = truth_of(CORPUS / "hangzhoustyle_anon_2025.html")
    expected = {
        (t, r, c): v
        for t, rows in truth["tables"].items()
        for r, cols in rows.items()
        for c, v in cols.items()
    }
    got = report.tables()
    wrong = {k: v for k, v in expected.items() if got[k[0]][k[1]][k[2]] != v}
    assert wrong == {}
    assert report.meta.year == 2025


def test_a_file_libreoffice_cannot_open_is_a_clear_error(tmp_path, monkeypatch):
    _soffice()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    junk = OLE2 + bytes(504) + "WordDocument".encode("utf-16-le") + b"\x00\x00" + b"\x07junk" * 2000
    with pytest.raises(xxgk.InputError, match="LibreOffice could not convert this file to docx") as error:
        read_legacy_office(junk, "junk.doc")
    assert "javaldx" not in str(error.value)
    assert _no_conversion_dirs(tmp_path) == []


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_conversion_over_time_is_stopped_and_cleaned_up(tmp_path, monkeypatch):
    _soffice()
    scratch = tmp_path / "scratch-for-timeout"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(office, "TIMEOUT", 0.3)  # LibreOffice takes seconds just to start
    doc = OLE2 + bytes(504) + "WordDocument".encode("utf-16-le") + b"\x00\x00"
    with pytest.raises(xxgk.InputError, match=r"did not convert this file within 0\.3 seconds"):
        read_legacy_office(doc, "slow.doc")
    assert _no_conversion_dirs(scratch) == []
    if sys.platform.startswith("linux"):
        assert _processes_mentioning(str(scratch)) == []


# --- without LibreOffice --------------------------------------------------------------------------------


def test_without_libreoffice_the_message_says_to_install_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    doc = OLE2 + bytes(504) + "WordDocument".encode("utf-16-le") + b"\x00\x00"
    with pytest.raises(xxgk.InputError) as error:
        xxgk.parse_bytes(doc, "old.doc")
    assert error.value.message == NO_LIBREOFFICE
    assert error.value.message == "a legacy Word/WPS file (.doc/.wps/.et): install LibreOffice to read it"
    assert str(error.value) == f"old.doc: {NO_LIBREOFFICE}"


def test_without_libreoffice_the_cli_prints_one_line_and_exits_2(tmp_path):
    path = tmp_path / "old.wps"
    path.write_bytes(OLE2 + bytes(504) + "WordDocument".encode("utf-16-le") + b"\x00\x00")
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "xxgk", "parse", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PATH": str(empty)},
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and "install LibreOffice to read it" in lines[0]


def test_encrypted_files_and_presentations_are_told_apart_without_converting(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: pytest.fail("must not look for LibreOffice"))
    encrypted = OLE2 + bytes(504) + "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    with pytest.raises(xxgk.InputError, match="password-protected"):
        read_legacy_office(encrypted, "secret.docx")
    slides = OLE2 + bytes(504) + "PowerPoint Document".encode("utf-16-le") + b"\x00\x00"
    with pytest.raises(xxgk.InputError, match="presentation"):
        read_legacy_office(slides, "talk.dps")
