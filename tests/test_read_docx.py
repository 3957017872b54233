"""The DOCX reader: random national-format tables written by python-docx (merged cells as Word
merges them) read back to the values printed, merged-cell grids, provenance, odd Word XML."""

from __future__ import annotations

import io
import random
import zipfile

import docx
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import xxgk
from tests.layouts import AGENCIES, YEARS, consistent_values
from tests.national_grid import Block, Cell, report_blocks
from tests.readback import SETTINGS, errors, example, wrong
from tests.render_blocks import misplaced, to_docx
from xxgk.read import read_bytes
from xxgk.read.document import DocumentBuilder, GridCell
from xxgk.read.docx import read_docx

# --- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("template_id", ["2019", "2021"])
@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_docx_files_read_back_exactly(template_id: str, data: st.DataObject) -> None:
    values = data.draw(consistent_values(template_id), label="values")
    year = data.draw(st.sampled_from(YEARS[template_id]), label="year")
    agency = data.draw(st.sampled_from(AGENCIES), label="agency")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    blocks = report_blocks(template_id, values, year, agency)
    report = xxgk.parse_bytes(to_docx(blocks, random.Random(seed)), "report.docx")
    note(report.text)
    assert report.template_id == template_id
    assert report.meta.year == year
    assert report.meta.agency == agency
    assert wrong(report, values) == []
    assert errors(report) == []
    assert misplaced(report, blocks, values) == []
    # the page header's phone number and date are not body text
    assert "87654321" not in report.text


def test_cells_read_from_docx_name_their_table_row_and_column():
    values = example()
    report = xxgk.parse_bytes(to_docx(report_blocks("2021", values, 2022, "某某县人民政府")), "p.docx")
    assert report.format == "docx"
    cases = {
        "active.regulations.issued": (0, 2, 1),
        "active.fees.amount": (0, 13, 1),
        "applications.received.natural_person": (1, 3, 3),
        "applications.withheld_state_secret.total": (1, 7, 9),
        "appeals.review.upheld": (2, 3, 0),
        "appeals.litigation_after_review.total": (2, 3, 14),
    }
    for key, (grid, row, col) in cases.items():
        p = report.cells[key].provenance
        assert p is not None, key
        assert (p.grid, p.grid_row, p.grid_col) == (grid, row, col), key


# --- merged cells ---------------------------------------------------------------------------------


@pytest.fixture
def grids(monkeypatch) -> list[list[GridCell]]:
    """The cells each add_grid call receives."""
    seen: list[list[GridCell]] = []
    original = DocumentBuilder.add_grid

    def spy(self: DocumentBuilder, cells: list[GridCell], **kwargs: object) -> None:
        seen.append(list(cells))
        original(self, cells, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DocumentBuilder, "add_grid", spy)
    return seen


def _shape(cells: list[GridCell]) -> list[tuple[str, int, int, int, int]]:
    return [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in cells]


def test_merged_cells_are_expanded_once_at_their_top_left(grids):
    cells = [
        Cell("a", 0, 0, rowspan=3),
        Cell("b", 0, 1, colspan=2),
        Cell("c", 1, 1, rowspan=2, colspan=2),
        Cell("d", 3, 0),
        Cell("e", 3, 1),
        Cell("f", 3, 2),
    ]
    document = read_docx(to_docx([Block("标题"), Block(cells=cells), Block("结尾")]), "m.docx")
    assert _shape(grids[0]) == [
        ("a", 0, 0, 3, 1),
        ("b", 0, 1, 1, 2),
        ("c", 1, 1, 2, 2),
        ("d", 3, 0, 1, 1),
        ("e", 3, 1, 1, 1),
        ("f", 3, 2, 1, 1),
    ]
    assert document.text == "标题\n| a | b |\n| c |\n| d | e | f |\n结尾\n"  # row 2 is all spans


def test_a_cells_paragraphs_are_joined_by_newlines(grids):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "本年新收政府信息"
    table.cell(0, 0).add_paragraph("公开申请数量")
    table.cell(0, 0).add_paragraph("")
    table.cell(0, 1).text = "7"
    out = io.BytesIO()
    document.save(out)
    read_docx(out.getvalue(), "p.docx")
    assert _shape(grids[0]) == [("本年新收政府信息\n公开申请数量", 0, 0, 1, 1), ("7", 0, 1, 1, 1)]


def test_document_properties_are_hints():
    document = docx.Document()
    document.core_properties.title = "某某县2023年政府信息公开工作年度报告"
    document.add_paragraph("一、总体情况")
    out = io.BytesIO()
    document.save(out)
    read = read_bytes(out.getvalue(), "props.docx")
    assert read.format == "docx"
    assert read.hints["title"] == "某某县2023年政府信息公开工作年度报告"
    assert read.hints["created"].startswith("20")


# --- Word XML that python-docx does not write -----------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _package(body: str, parts: dict[str, bytes] | None = None, rels: str = "") -> bytes:
    """A minimal .docx around a w:body's inner XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0"?><w:document xmlns:w="{_W}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            f"<w:body>{body}</w:body></w:document>",
        )
        z.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_p(text)}</w:tc>"


def test_grid_before_and_legacy_horizontal_merges_are_placed(grids):
    restart, merged = '<w:hMerge w:val="restart"/>', "<w:hMerge/>"
    body = (
        "<w:tbl>"
        f"<w:tr>{_tc('a')}{_tc('b')}{_tc('c')}</w:tr>"
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{_tc("d")}{_tc("e")}</w:tr>'
        f"<w:tr>{_tc('f', restart)}{_tc('', merged)}{_tc('g')}</w:tr>"
        "</w:tbl>"
    )
    read_docx(_package(body), "x.docx")
    assert _shape(grids[0]) == [
        ("a", 0, 0, 1, 1),
        ("b", 0, 1, 1, 1),
        ("c", 0, 2, 1, 1),
        ("d", 1, 1, 1, 1),
        ("e", 1, 2, 1, 1),
        ("f", 2, 0, 1, 2),
        ("g", 2, 2, 1, 1),
    ]


def test_content_controls_fields_revisions_and_text_box_copies():
    body = (
        f"<w:sdt><w:sdtPr/><w:sdtContent>{_p('一、总体情况')}</w:sdtContent></w:sdt>"
        # a field: its code is not text, its result is
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> 件</w:t></w:r></w:p>'
        # tracked changes: deleted text is gone, inserted text is there
        "<w:p><w:del><w:r><w:delText>旧</w:delText></w:r></w:del><w:ins><w:r><w:t>新</w:t></w:r></w:ins>"
        "<w:r><w:tab/><w:t>文</w:t><w:br/><w:t>本</w:t></w:r></w:p>"
        # a text box: Word writes it twice (mc:Choice and an mc:Fallback copy)
        '<w:p><w:r><w:t>前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<w:txbxContent xmlns:w="{_W}">{_p("框")}</w:txbxContent></w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict><w:txbxContent>{_p('框')}</w:txbxContent></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    document = read_docx(_package(body), "x.docx")
    assert document.text.count("框") == 1
    assert document.text.startswith("一、总体情况\n3 件\n新\t文\n本\n")


def test_nested_tables_are_grids_of_their_own(grids):
    inner = f"<w:tbl><w:tr>{_tc('内')}{_tc('4')}</w:tr></w:tbl>"
    body = f"<w:tbl><w:tr>{_tc('外')}<w:tc>{_p('x')}{inner}</w:tc></w:tr></w:tbl>"
    document = read_docx(_package(body), "x.docx")
    assert [_shape(g) for g in grids] == [
        [("外", 0, 0, 1, 1), ("x", 0, 1, 1, 1)],
        [("内", 0, 0, 1, 1), ("4", 0, 1, 1, 1)],
    ]
    assert document.text == "| 外 | x |\n| 内 | 4 |\n"


def test_html_imported_as_an_alt_chunk_is_read():
    page = "<html><body><p>一、总体情况</p><table><tr><td>规章</td><td>5</td></tr></table></body></html>"
    rels = (
        '<Relationship Id="rIdHtml" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/aFChunk" Target="chunk.html"/>'
    )
    body = _p("标题") + '<w:altChunk r:id="rIdHtml"/>'
    document = read_docx(_package(body, {"word/chunk.html": page.encode()}, rels), "x.docx")
    assert document.text == "标题\n一、总体情况\n| 规章 | 5 |\n"


def test_damaged_docx_files_are_input_errors():
    good = to_docx([Block("一、总体情况")])
    with pytest.raises(xxgk.InputError, match="damaged Word"):
        read_docx(good[: len(good) // 2], "cut.docx")
    broken = _package("<w:p><w:r><w:t>unclosed</w:r></w:p>")
    with pytest.raises(xxgk.InputError, match="damaged Word"):
        read_docx(broken, "broken.docx")


def _grid(*widths: int) -> str:
    return "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"


def test_hairline_grid_columns_are_left_out(grids):
    span2 = '<w:gridSpan w:val="2"/>'
    body = (
        f"<w:tbl>{_grid(1000, 1000, 1, 1000)}"
        f"<w:tr>{_tc('a', span2)}{_tc('b', span2)}</w:tr>"  # b starts on the hairline column
        f"<w:tr>{_tc('c')}{_tc('d')}{_tc('e', span2)}</w:tr>"  # e covers it
        "</w:tbl>"
        f"<w:tbl>{_grid(1000, 1000, 1, 1000)}"
        f"<w:tr>{_tc('x')}{_tc('y')}{_tc('z')}{_tc('w')}</w:tr>"  # z lies on it alone: kept
        "</w:tbl>"
    )
    read_docx(_package(body), "x.docx")
    assert _shape(grids[0]) == [
        ("a", 0, 0, 1, 2),
        ("b", 0, 2, 1, 1),
        ("c", 1, 0, 1, 1),
        ("d", 1, 1, 1, 1),
        ("e", 1, 2, 1, 1),
    ]
    assert [c.col for c in grids[1]] == [0, 1, 2, 3]
