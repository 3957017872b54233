"""The PDF reader: a real WPS report against its hand-checked truth, and generated reports
(ruled tables with merged cells, the applications table split over two pages) read back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

import xxgk
from tests.conftest import CORPUS, truth_of
from tests.layouts import consistent_values
from tests.national_grid import report_blocks
from tests.readback import SETTINGS, same
from tests.render_pdf import render_pdf
from xxgk.errors import InputError
from xxgk.read import read_bytes
from xxgk.read.pdf import read_pdf
from xxgk.templates import TEMPLATES

HUAIAN = CORPUS / "huaian_hongzequ_2024.pdf"

# Where the real report and its truth file part ways, and why (see the report to the lead):
# - the agency printed row 2 of （三）不予公开 as "2.其他法律行政止公开" (法规禁 missing): no
#   label or alias of the template matches it, so the row is not found and its cells are null;
# - the truth lists the single printed （六）其他处理 row under the 2019 id `other`; FORMAT.md reads
#   a collapsed （六） row in a 2021 table as `other_misc`, and so does the extractor.
TYPO_ROW = "withheld_prohibited_by_law"
COLLAPSED_AS = {"other": "other_misc"}


@pytest.fixture(scope="module")
def huaian() -> xxgk.Report:
    return xxgk.parse_path(HUAIAN)


def _truth_cells() -> dict[tuple[str, str, str], object]:
    tables = truth_of(HUAIAN)["tables"]
    return {(t, r, c): v for t, rows in tables.items() for r, cols in rows.items() for c, v in cols.items()}


def test_corpus_pdf_every_cell_matches_truth(huaian):
    truth = truth_of(HUAIAN)
    got = huaian.tables()
    wrong = {}
    for (table, row, col), expected in _truth_cells().items():
        if row == TYPO_ROW:
            continue
        read = got[table].get(COLLAPSED_AS.get(row, row), {}).get(col)
        if not same(expected, read):
            wrong[(table, row, col)] = (expected, read)
    assert wrong == {}
    assert huaian.template_id == truth["template"] == "2021"
    assert huaian.meta.year == truth["meta"]["year"] == 2024
    assert huaian.meta.agency == truth["meta"]["agency"]


def test_corpus_pdf_collapsed_other_row_is_reported(huaian):
    assert huaian.layout["tables"]["applications"]["collapsed"] == ["other_misc"]
    for col in ("natural_person", "total"):
        assert huaian.value(f"applications.other_no_correction.{col}") is None
        assert huaian.value(f"applications.other_unpaid_fee.{col}") is None


def test_corpus_pdf_misprinted_row_is_read_by_its_numbering_and_reported(huaian):
    """The agency printed "2.其他法律行政止公开": read by its numbering, reported as a typo (LABEL,
    a warning), not as a change of the format."""
    assert "2.其他法律行政止公开" in huaian.text
    assert huaian.layout["tables"]["applications"]["misprinted"] == {TYPO_ROW: "2.其他法律行政止公开"}
    assert huaian.tables()["applications"][TYPO_ROW] == truth_of(HUAIAN)["tables"]["applications"][TYPO_ROW]
    (label,) = [f for f in huaian.findings if f.rule == "LABEL"]
    assert label.severity == "warning"
    assert "“2.其他法律行政止公开”" in label.message and "“2.其他法律行政法规禁止公开”" in label.message
    assert not any("印作" in f.message for f in huaian.findings if f.rule == "TEMPLATE")


def test_corpus_pdf_cells_name_page_and_box(huaian):
    cell = huaian.cells["applications.received.total"]
    assert cell.value == 95
    p = cell.provenance
    assert p is not None and p.page == 3 and p.bbox is not None
    x0, top, x1, bottom = p.bbox
    assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842
    assert p.grid_col == 9  # the 总计 column of the expanded grid (3 label columns + 7)
    # the row continued on the next page
    later = huaian.cells["applications.unavailable_needs_creation.natural_person"].provenance
    assert later is not None and later.page == 4
    assert huaian.cells["appeals.litigation_after_review.total"].value == 3


def test_corpus_pdf_page_numbers_and_headers_dropped(huaian):
    assert "- 3 -" not in huaian.text and "- 4 -" not in huaian.text
    # the two pieces of the applications table follow each other
    start = huaian.text.index("1.本机关不掌握相关政府信息")
    assert huaian.text.index("2.没有现成信息需要另行制作") - start < 80


# --- generated reports -------------------------------------------------------------------------


@settings(max_examples=12, **SETTINGS)
@given(data=st.data())
def test_generated_pdf_reads_back(data: st.DataObject) -> None:
    template_id = data.draw(st.sampled_from(("2019", "2021")), label="template")
    values = data.draw(consistent_values(template_id), label="values")
    year = data.draw(st.sampled_from((2019, 2020) if template_id == "2019" else (2021, 2022, 2023, 2024)))
    rows = len(TEMPLATES[template_id].table("applications").rows)
    split_at = data.draw(st.integers(5, 3 + rows - 2), label="split before grid row")
    header = data.draw(st.sampled_from((3, 0)), label="repeated header rows")
    pdf = render_pdf(
        report_blocks(template_id, values, year, "某某县人民政府"), split_at=split_at, header=header
    )
    report = xxgk.parse_bytes(pdf, "generated.pdf")
    note(report.text)
    wrong = {k: (v, report.cells[k].value) for k, v in values.items() if not _exact(v, report.cells[k].value)}
    assert wrong == {}
    assert report.template_id == template_id
    assert report.meta.year == year
    assert [f"{f.rule}: {f.message}" for f in report.errors] == []
    pages = set()
    for key in values:
        p = report.cells[key].provenance
        assert p is not None and p.page is not None and p.bbox is not None, key
        if key.startswith("applications."):
            pages.add(p.page)
    assert len(pages) >= 2, "the applications table runs over pages"


def _exact(printed: object, read: object) -> bool:
    if isinstance(printed, Decimal) or isinstance(read, Decimal):
        return read is not None and Decimal(str(read)) == Decimal(str(printed))
    return type(printed) is type(read) and printed == read


# --- refusals ----------------------------------------------------------------------------------


def test_encrypted_pdf_is_refused():
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, encrypt=StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "report")
    c.save()
    with pytest.raises(InputError, match="encrypted PDF") as err:
        read_bytes(out.getvalue(), "locked.pdf")
    assert err.value.where == "locked.pdf"


def _pdf_titled(title: bytes) -> bytes:
    """A one-line PDF whose metadata title is the given PDF string, written in place of a
    placeholder of the same length so the cross-reference offsets stay right."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle("X" * (len(title) - 2))
    c.drawString(100, 700, "report")
    c.save()
    placeholder = b"(" + b"X" * (len(title) - 2) + b")"
    assert out.getvalue().count(placeholder) == 1
    return out.getvalue().replace(placeholder, title)


def test_pdf_title_in_metadata_is_a_hint():
    document = read_pdf(
        _pdf_titled(b"<FEFF" + "2024年度报告".encode("utf-16-be").hex().upper().encode() + b">"),
        "t.pdf",
    )
    assert document.hints["title"] == "2024年度报告"


def test_pdf_title_not_valid_utf16_counts_as_none():
    """Found by fuzzing: a lone surrogate in the title made PDFium's UTF-16 undecodable."""
    document = read_pdf(_pdf_titled(b"<FEFFD800>"), "t.pdf")
    assert "title" not in document.hints
    assert "report" in document.text


def test_corrupt_pdf_is_refused():
    with pytest.raises(InputError, match="corrupt or truncated PDF"):
        read_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf")


def test_truncated_corpus_pdf_is_refused_or_read():
    """A download cut short: an error with a message, never a traceback."""
    data = HUAIAN.read_bytes()
    try:
        read_bytes(data[: len(data) // 3], "cut.pdf")
    except xxgk.XxgkError as exc:
        assert exc.message


def _landscape(c: canvas.Canvas) -> None:
    c.setFont("STSong-Light", 12)
    c.drawString(60, 540, "标题一行文字")
    for i in range(4):
        c.line(60, 500 - 20 * i, 400, 500 - 20 * i)
    for x in (60, 200, 300, 400):
        c.line(x, 500, x, 440)
    for i, row in enumerate((("甲", "1", "2"), ("乙", "3", "4"), ("丙", "5", "6"))):
        for x, text in zip((65, 205, 305), row, strict=True):
            c.drawString(x, 485 - 20 * i, text)
    c.drawString(60, 400, "表后文字")


@pytest.mark.parametrize("turn", [90, 270])
def test_rotated_page_reads_as_shown(turn: int) -> None:
    """A landscape page stored portrait with /Rotate reads as the viewer shows it."""
    plain = io.BytesIO()
    c = canvas.Canvas(plain, pagesize=(842, 595))
    _landscape(c)
    c.save()
    rotated = io.BytesIO()
    c = canvas.Canvas(rotated, pagesize=(595, 842))
    c.setPageRotation(turn)
    if turn == 90:
        c.rotate(90)
        c.translate(0, -595)
    else:
        c.rotate(-90)
        c.translate(-842, 0)
    _landscape(c)
    c.save()
    expected = read_bytes(plain.getvalue(), "plain.pdf").text
    assert "| 乙 | 3 | 4 |" in expected
    assert read_bytes(rotated.getvalue(), "rotated.pdf").text == expected
