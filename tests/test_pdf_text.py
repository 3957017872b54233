"""PDFs of reports whose truth is known, and the text pdftotext takes out of them
(tests/pdf_text/README.md): tables without rules whose long labels wrap over lines, the values
set between the lines."""

from __future__ import annotations

from pathlib import Path

import pytest

import xxgk
from tests.conftest import CORPUS
from tests.readback import cells_of, same
from tests.test_corpus import _printed_arithmetic_errors
from tests.test_found import FOUND
from xxgk.extract.tokens import tokens
from xxgk.read.normalize import normalize
from xxgk.read.ocr import ocr_available

PDF_TEXT = Path(__file__).parent / "pdf_text"


def _truth(path: Path) -> dict:
    import json

    name = path.name.split(".")[0]
    (truth,) = [p for p in (CORPUS / f"{name}.truth.json", FOUND / f"{name}.truth.json") if p.exists()]
    return json.loads(truth.read_text(encoding="utf-8"))


def against_truth(report: xxgk.Report, path: Path) -> tuple[dict, set[str]]:
    """The cells `report` reads otherwise than the truth of the report `path` was made from (the
    truth's value, the value read), and the arithmetic errors that report prints."""
    truth = _truth(path)
    got = cells_of(report.tables())
    wrong = {k: (v, got.get(k)) for k, v in cells_of(truth["tables"]).items() if not same(v, got.get(k))}
    return wrong, _printed_arithmetic_errors(truth["tables"])


@pytest.mark.parametrize(
    "name",
    [
        # "2.其他法律行政法规 / 30 0 0 … / 禁止公开": found by its alias after its values, which went
        # to the row before; 7 cells silently blank (before)
        "hangzhoustyle_anon_2025.libreoffice.layout.txt",
        # spaced-out numbering ("4. 保 护") read as values, labels found by later words of them,
        # "(四)无" read as the placeholder 无: 73 cells wrong (31 silently), false T3-ROW and TEMPLATE
        # errors (before)
        "shuyang_fgj_2023.chrome.layout.txt",
        # "三、本年度办理结 / 7 0 0 … / 果 (一)予以公开" and "(三)不予公开 1. / 0 0 … / 属于国家秘密":
        # the values went to the row before, 14 cells silently blank, a false TEMPLATE error (before)
        "pt001.rendered8.layout.txt",
        # LibreOffice's PDF read directly: a false TEMPLATE error ("5.要求行政机关确认" as a renamed
        # row) and six LABEL warnings for labels whose last words wrapped below their values (before)
        "hangzhoustyle_anon_2025.libreoffice.pdf",
        # "(一)予以 / 26 … 26 / 公开" not found (a false TEMPLATE error), the values given to the row
        # before (a false T3-BAL error), and the header's last word "他" taken for the first of
        # "一、本年新收…" (a LABEL warning) (before)
        "shuyang_fgj_2023.rendered14.layout.txt",
        # Chromium's PDF read directly, a report that prints 自然人 and 总计 only: each row's two
        # values went to the row before a group's first row ("(三)不予公开 1. / 0 0 / 属于国家秘密"),
        # "(六)其他处理 1.申请人…" gave its "1" to the row before: 54 cells wrong, 4 silently, a
        # false TEMPLATE error (before)
        "shuyang_fgj_2023.rendered8.pdf",
    ],
)
def test_a_pdfs_table_without_rules_is_read_as_printed(name: str) -> None:
    report = xxgk.parse_path(PDF_TEXT / name)
    wrong, errors = against_truth(report, PDF_TEXT / name)
    assert wrong == {}
    assert {f.rule for f in report.errors} == errors
    assert not [f.message for f in report.findings if f.rule in ("LABEL", "TEMPLATE")]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # a group's label "(四)无法提供" wrapped after "无": its "(四)" is a note blanked, and the 无
        # after it stood alone, the placeholder (before); "1. 本机关" is a numbering
        ("(四)无   1. 本机关\n           0   0", ["0", "0"]),
        # a numbering spaced out from its words, as pdftotext sets justified text
        ("4. 保 护 第 三 方 合 法   0   0\n权益", ["0", "0"]),
        # a numbering at the end of a line, its words below the values
        ("(三)不予公开 1.\n           0   0   0\n属于国家秘密", ["0", "0", "0"]),
        # a numbering before the values on its line, its words below them
        ("(六)其他处理 1. 0   0\n申请人无正当理由", ["0", "0"]),
        # a numbering after a group's label on its line
        ("(六)其他处理 1.申请人无正当\n0 0", ["0", "0"]),
        # 无 in spaced-out words is a word, not the placeholder
        ("4. 无 正 当 理 由 大 量   0    0\n反复申请   无", ["0", "0", "无"]),
        # values a list prints with stops and no space are values
        ("7、8\n1.5", ["7", "8", "1.5"]),
    ],
)
def test_a_numbering_wrapped_apart_from_its_words_is_no_value(text: str, values: list[str]) -> None:
    assert [t.text for t in tokens(text, 0, len(text))] == values


def test_a_page_break_ends_a_line() -> None:
    # pdftotext puts a form feed between pages: the line after it began with it, so that a
    # numbering at its head was not at the head of a line
    assert normalize("0    0\f       4. 保护\v5\u20286") == "0    0\n       4. 保护\n5\n6"


def test_a_tables_values_at_the_top_of_a_page_are_no_page_numbers() -> None:
    # Chromium's PDF of pt004 continues table 三 at the top of page 2 (A4, 842 points high: the
    # top 9% is the header's band, down to 75.8): the first row's values "3", "0", "0 74" stood
    # each as a line of text there, were taken for page numbers and dropped, and the row was read
    # as 71 and six blanks, silently (before). The page numbers in the footer are still dropped.
    from xxgk.read.layout import Line, Page, drop_running_lines

    def page(number: int, *lines: tuple[str, tuple[float, float, float, float]]) -> Page:
        return Page(number, 595.0, 842.0, [Line(text, box, box[3] - box[1]) for text, box in lines])

    first = page(1, ("全年共收到政府信息公开申请74件", (34, 211, 383, 224)), ("- 1 -", (280, 800, 315, 812)))
    second = page(
        2,
        ("一、本年新收政府", (35, 29, 131, 43)),
        ("信息公开申请数量 71", (35, 37, 150, 58)),
        ("3", (204, 37, 211, 51)),
        ("0", (299, 37, 307, 51)),
        ("0 74", (520, 37, 565, 51)),
        ("- 2 -", (280, 800, 315, 812)),
    )
    assert drop_running_lines([first, second]) == 2
    assert [line.text for line in first.lines] == ["全年共收到政府信息公开申请74件"]
    kept = ["一、本年新收政府", "信息公开申请数量 71", "3", "0", "0 74"]
    assert [line.text for line in second.lines] == kept


def test_rows_whose_values_are_printed_apart_from_their_labels_are_left_unread() -> None:
    # pdftotext without -layout sets a table's first column beside its labels and the other
    # columns after them, row after row: the row before the block took its values, "1 3 0 0 0 0 13"
    # for (二)部分公开, silently, and the rows above were read from one value each (before)
    from tests.test_machine_markdown import EXPECTED, hand_report

    rows = _hand_rows()
    first, rest = rows[:4], rows[4:]
    applications = "\n".join(
        [
            "## 三、收到和处理政府信息公开申请情况",
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "申请人情况",
            "自然人",
            "法人或其他组织",
            "总计",
            "商业企业",
            "科研机构 社会公益组织 法律服务机构 其他",
            *[f"{label}\n{values[0]}" for label, *values in first],
            *[" ".join(values[1:]) for _, *values in first],
            *[" ".join(row) for row in rest],
        ]
    )
    report = xxgk.parse_text(hand_report(applications=applications))
    apart = ("received", "carried_over", "granted", "partly_granted")
    unread = [key for key in report.cells if key.split(".")[:2] in [["applications", r] for r in apart]]
    assert len(unread) == 28
    assert all(report.cells[key].value is None and report.cells[key].ambiguous for key in unread)
    assert {k: c.value for k, c in report.cells.items() if k not in unread} == {
        k: v for k, v in EXPECTED.items() if k not in unread
    }
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(label.cells) == sorted(unread)
    assert "从“一、本年新收政府信息公开申请数量”到“(二)部分公开" in label.message
    assert (
        "共4行" in label.message
        and "印作“10 2 4 1 3 0 0 0 0 13 0 0 0 0 0 2 2 0 0 0 0 6 0 0 0 0 0 1”" in label.message
    )
    assert not [f for f in report.findings if f.rule in ("BLANK", "AMBIGUOUS")]
    assert report.errors == []


_APPLICATIONS_HEAD = [
    "## 三、收到和处理政府信息公开申请情况",
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "申请人情况",
    "自然人",
]
_COLUMNS_AFTER = "法人或其他组织\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n总计"


def _read_as_expected(report: xxgk.Report, unread: list[str]) -> bool:
    """Table 三's cells but `unread` read as the example report prints them."""
    from tests.test_machine_markdown import EXPECTED

    table = {k: c.value for k, c in report.cells.items() if k.startswith("applications.") and k not in unread}
    return table == {k: v for k, v in EXPECTED.items() if k.startswith("applications.") and k not in unread}


def _hand_rows() -> list[list[str]]:
    from tests.test_machine_markdown import APPLICATIONS_ROWS

    return [[cell.strip() for cell in line.strip("|").split("|")] for line in APPLICATIONS_ROWS.splitlines()]


def test_rows_short_of_values_beside_numbers_no_row_took_are_left_unread() -> None:
    # pdfminer.six's text of a PDF table without rules: the labels one under the other, the first
    # column's values in blocks after some of them, the column labels printed again after the
    # last label, and the other columns after them. The rows were read from their blocks, the
    # others blank: a BLANK warning naming 150 cells blank where each prints a value, four rows
    # from their blocks in doubt ("10|2|空|空|4|空|1" for (二)部分公开), "0 0 0 0 0 0 3" for
    # 本机关不掌握, not in doubt, with a false T3-ROW error (before)
    from tests.test_machine_markdown import hand_report

    rows = _hand_rows()
    # the seven after (四)无法提供 1.本机关不掌握… are "0 0 0 0 0 0 3": a row's worth, as that row
    # they break its own sum (总计 3, its other cells 0)
    blocks = {3: range(0, 4), 5: range(4, 6), 12: range(6, 13), 18: range(13, 19), 24: range(19, 25)}
    lines = [*_APPLICATIONS_HEAD]
    for i, (label, *_) in enumerate(rows):
        lines += [label, *(rows[r][1] for r in blocks.get(i, ()))]
    lines.append(_COLUMNS_AFTER)
    lines += [row[1 + column] for column in range(1, 7) for row in rows]
    report = xxgk.parse_text(hand_report(applications="\n".join(lines)))
    table = [key for key in report.cells if key.startswith("applications.")]
    assert len(table) == 25 * 7
    assert all(report.cells[key].value is None and report.cells[key].ambiguous for key in table)
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(label.cells) == sorted(table)
    # the 25 × 6 numbers after the column labels, 商业企业 first: 3 0 2 0 (rows 一 to (二)), 0 0 0 1
    # ((三) 1 to 4)
    assert "第三部分有150个数不在任何一行的标签之后（印作“3 0 2 0 0 0 0 1 0 " in label.message
    assert (
        "而“本年新收”、“上年结转”、“予以公开”、“部分公开”、“属于国家秘密”、“其他法律行政法规禁止公开”等"
        "共25行印的数比格少或本行加总不符" in label.message
    )
    assert not [f for f in report.findings if f.rule in ("BLANK", "AMBIGUOUS", "TEMPLATE")]
    assert report.errors == []


def test_a_rows_blank_cells_stay_blank_beside_a_stray_number() -> None:
    # the guard: a report that leaves a row blank, in text without cell borders, with a page's
    # number among its rows (one number no row takes, not a row's worth): the blank row is read
    # blank and named by BLANK, as before
    from tests.test_machine_markdown import hand_report

    rows = _hand_rows()
    lines = [*_APPLICATIONS_HEAD, _COLUMNS_AFTER]
    for label, *values in rows:
        blank = label.startswith("3.危及")
        lines.append(label if blank else f"{label} {' '.join(values)}")
        if label.startswith("8.属于"):
            lines.append("- 3 -")
    report = xxgk.parse_text(hand_report(applications="\n".join(lines)))
    blank = [key for key in report.cells if key.startswith("applications.withheld_security_stability.")]
    assert all(report.cells[key].value is None and not report.cells[key].ambiguous for key in blank)
    (named,) = [f for f in report.findings if f.rule == "BLANK"]
    assert sorted(named.cells) == sorted(blank)
    assert _read_as_expected(report, blank)
    assert not [f for f in report.findings if f.rule in ("LABEL", "TEMPLATE")]


def test_rows_printed_out_of_order_are_not_missing_and_left_unread() -> None:
    # plain pdftotext of a table running over pages may set rows after later ones: here the rows
    # of (四)无法提供 after (五)不予处理's. Read in the template's order, (四)'s rows are found after
    # (五)'s, and (五)'s, printed before them, were read as missing: a false TEMPLATE error (before).
    # Their labels are printed: they are not missing, and which numbers are theirs the order no
    # longer tells; (四)'s rows, each with its own values after its label, are read
    from tests.test_machine_markdown import hand_report

    rows = [" ".join(row) for row in _hand_rows()]
    moved = [*rows[:12], *rows[15:20], *rows[12:15], *rows[20:]]
    lines = [*_APPLICATIONS_HEAD, _COLUMNS_AFTER, *moved]
    report = xxgk.parse_text(hand_report(applications="\n".join(lines)))
    ids = ("complaint", "repeat", "publication", "excessive", "confirmation")
    unread = [key for key in report.cells if key.split(".")[1] in [f"not_processed_{r}" for r in ids]]
    assert len(unread) == 35
    assert all(report.cells[key].value is None and report.cells[key].ambiguous for key in unread)
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(label.cells) == sorted(unread)
    assert (
        "第三部分的“信访举报投诉类申请”、“重复申请”、“要求提供公开出版物”、“无正当理由大量反复申请”、"
        "“要求确认或重新出具”共5行没有按表格的顺序印出" in label.message
    )
    assert report.layout["tables"]["applications"]["rows_missing"] == []
    assert not [f for f in report.findings if f.rule in ("TEMPLATE", "BLANK", "AMBIGUOUS")]
    assert _read_as_expected(report, unread)


def test_rules_missing_around_no_rectangle_make_no_merged_cell() -> None:
    # Chromium's PDF of a table whose row is printed short of cells, at a page's foot: the cell
    # after the row's last and the space below it had no rules between them, an L of three grid
    # cells taken for one cell over the rectangle that holds them, which covered the row's own
    # cells: "258 | (empty) | 12 | …", every value after it a column to the right (before)
    from xxgk.read.grid import Segment, find_tables

    # 3 × 3 cells of 10 points; no rule below the middle row's last cell nor right of the last
    # row's middle one: (1, 2), (2, 1) and (2, 2) run together, around (1, 1)
    horizontal = [Segment(0, 0, 30), Segment(10, 0, 30), Segment(20, 0, 20), Segment(30, 0, 30)]
    vertical = [Segment(0, 0, 30), Segment(10, 0, 30), Segment(20, 0, 20), Segment(30, 0, 30)]
    (table,) = find_tables(horizontal, vertical, tol=1.5, min_cell=4.0)
    assert sorted((s.row, s.col, s.rowspan, s.colspan) for s in table.spans) == [
        (r, c, 1, 1) for r in range(3) for c in range(3)
    ]
    assert all(
        (table.spans[table.owner[(r, c)]].row, table.spans[table.owner[(r, c)]].col) == (r, c)
        for r in range(3)
        for c in range(3)
    )


def test_a_scans_label_lines_around_a_rows_values_are_not_interleaved() -> None:
    # characters of a 200 dpi scan of a table without rules, as the OCR boxes them: the label's two
    # lines 40 pixels apart, the row's values half-way between them. A line grew with each item
    # joined, took in the values, then the second line, and read "信一、息公本年开新申请收数政府量"
    # (before)
    from xxgk.read.grid import Item, line_text, text_lines

    def chars(text: str, x: float, top: float, bottom: float, width: float = 31) -> list[Item]:
        return [Item(c, (x + k * width, top, x + (k + 1) * width, bottom)) for k, c in enumerate(text)]

    first = chars("一、本年新收政府", 103, 384, 421)
    values = [
        Item(v, (x, 405, x + 30, 442))
        for v, x in zip(["23", "0", "0", "0", "0", "0", "23"], range(372, 1600, 190), strict=True)
    ]
    second = chars("信息公开申请数量", 101, 423, 461)
    lines = [line_text(line, joiner="") for line in text_lines([*second, *values, *first])]
    assert lines[0] == "一、本年新收政府"
    assert any("信息公开申请数量" in line.replace(" ", "") for line in lines[1:])
    assert any("23 0 0 0 0 0 23" in line for line in lines[1:])


@pytest.mark.skipif(not ocr_available(), reason="the xxgk[ocr] extra is not installed")
def test_a_scan_of_a_table_without_rules_is_read_as_printed(tmp_path: Path) -> None:
    # the PDF of shuyang_fgj_2023 rendered with an 8em label column, scanned at 200 dpi: the OCR's
    # lines interleaved the two lines of each wrapped label, "信一、息公本年开新申请收数政府量":
    # 62 cells wrong (28 silently), false T3-ROW and TEMPLATE errors (before)
    from tests.scans import image_pdf, page_images

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_pdf(page_images((PDF_TEXT / "shuyang_fgj_2023.rendered8.pdf").read_bytes())))
    report = xxgk.parse_path(scan)
    wrong, errors = against_truth(report, PDF_TEXT / "shuyang_fgj_2023.rendered8.pdf")
    assert {k: v for k, v in wrong.items() if not report.cells[".".join(k)].ambiguous} == {}
    assert {f.rule for f in report.errors} == errors


_APPEALS_HEAD = (
    "## 四、政府信息公开行政复议、行政诉讼情况\n\n"
    "2023年，本机关发生政府信息公开行政复议2件，行政诉讼1件。\n\n"
)


def _appeals_among_header(rest: str) -> str:
    """Table 四 as `pdftotext` without `-layout` sets it out of a PDF of a real report (Chromium's
    print of its table without rules): each header cell too narrow for its words printed a
    character a line, the example's first group (1 0 0 1 2) among them, the numbers `rest` after
    the last."""
    spaced = "\n".join
    first = ["1", "0", "0", "1", "2"]
    parts = [
        "行政复议",
        spaced("行政诉讼"),
        "结果维持",
        spaced("未经复议直接起诉"),
        first[0],
        spaced("结果纠正"),
        first[1],
        spaced("其他结果"),
        first[2],
        spaced("尚未审结"),
        " ".join(first[3:]),
        spaced("复议后起诉"),
        *(spaced(words) for words in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2),
        rest,
    ]
    return _APPEALS_HEAD + "\n".join(parts)


def test_table_four_among_its_header_words_is_read_in_order_where_the_arithmetic_confirms() -> None:
    # the example's table 四 (行政复议 1 0 0 1 2, 直接起诉 0 1 0 0 1, 复议后起诉 0 0 0 0 0): the
    # run of values after the header phrase followed by the most, the last ten, was read as the
    # table (行政复议 0 1 0 0 1, 直接起诉 blank, 复议后起诉 0s), in doubt, and a TXT-REVIEW warning
    # set the narrative's 2 against 行政复议's 总计 1 (before); in printed order the fifteen numbers
    # are one a cell and each group's 总计 is the sum of its other four (1+0+0+1 = 2, 0+1+0+0 = 1,
    # 0 = 0): read so, and said
    from tests.test_machine_markdown import EXPECTED, hand_report

    appeals = _appeals_among_header("0 1 0 0 1 0 0 0 0 0")
    report = xxgk.parse_text(hand_report(appeals=appeals))
    table = {k: c.value for k, c in report.cells.items() if k.startswith("appeals.")}
    assert table == {k: v for k, v in EXPECTED.items() if k.startswith("appeals.")}
    assert not any(report.cells[key].ambiguous for key in table)
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(label.cells) == sorted(table)
    printed = "印作“1 0 0 1 2 0 1 0 0 1 0 0 0 0 0”）；按印出的顺序逐格读取，勾稽关系与之相符"
    assert f"第四部分的数字与表头文字交错印出（{printed}" in label.message
    assert report.errors == []
    assert not [f for f in report.findings if f.rule in ("BLANK", "AMBIGUOUS")]


@pytest.mark.parametrize(
    ("rest", "why"),
    [
        # 直接起诉's 总计 printed before its other values (as plain pdftotext set a real report's
        # last group): in order 直接起诉 reads 1 0 1 0 0, its 总计 0 against a sum of 2, an error
        # never printed (before: runs of values read as groups, in doubt, 行政复议 1|0|空|空|1,
        # and a false TXT-REVIEW warning; in 11 of 45 such texts of real reports a false T4-SUM
        # error)
        ("1 0 1 0 0 0 0 0 0 0", "15个数与表头文字交错印出（印作“1 0 0 1 2 1 0 1 0 0"),
        # the last group's values on a page printed elsewhere: ten numbers for fifteen cells
        ("0 1 0 0 1", "10个数与表头文字交错印出（印作“1 0 0 1 2 0 1 0 0 1”），而表有15格"),
    ],
)
def test_table_four_among_its_header_words_is_unread_where_nothing_confirms_it(rest: str, why: str) -> None:
    from tests.test_machine_markdown import hand_report

    report = xxgk.parse_text(hand_report(appeals=_appeals_among_header(rest)))
    table = [key for key in report.cells if key.startswith("appeals.")]
    assert all(report.cells[key].value is None and report.cells[key].ambiguous for key in table)
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(label.cells) == sorted(table)
    assert why in label.message and "未读取" in label.message
    assert report.errors == []
    assert not [f for f in report.findings if f.rule in ("BLANK", "AMBIGUOUS", "TXT-REVIEW", "TXT-SUIT")]


def test_numbers_after_the_narrative_of_table_four_are_not_its_row() -> None:
    # pdfminer.six may set another table's last rows after section 四's sentence, before its
    # header: the run of numbers after the sentence's 行政诉讼 ("行政诉讼1件。", then fourteen
    # numbers) held more than the run after the header (ten: a page's worth, the last group
    # printed elsewhere) and was read as the table, 行政复议 1|3|0|0|0 and so on, not in doubt,
    # with three T4-SUM errors never printed (before). The sentence's words end its run; only the
    # header's words part the rest from the table's ten: 24 numbers for 15 cells, left unread and
    # named
    from tests.test_machine_markdown import hand_report

    header = "\n".join(["行政复议", "行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计"] * 2)
    appeals = _APPEALS_HEAD + "3 0 0 0 0 0 3\n1 0 0 0 0 0 1\n" + header + "\n1 0 0 1 2 0 1 0 0 1"
    report = xxgk.parse_text(hand_report(appeals=appeals))
    table = [key for key in report.cells if key.startswith("appeals.")]
    assert all(report.cells[key].value is None and report.cells[key].ambiguous for key in table)
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert "24个数与表头文字交错印出（印作“3 0 0 0 0 0 3 1 0 0 0 0 0 1 1 0 0 1 2 0 1" in label.message
    assert report.errors == []


@pytest.mark.parametrize("between", ["件 ", "件\t", " | "])
def test_a_cells_unit_or_border_does_not_end_table_fours_row(between: str) -> None:
    # the guard: a sentence's end parts a run of values from the next ("行政诉讼1件。"), a unit
    # printed in each cell ("1件 0件 …") or a border does not: the fifteen values are the row
    from tests.test_machine_markdown import EXPECTED, hand_report

    header = "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n"
    header += "结果维持 结果纠正 其他结果 尚未审结 总计 " * 2
    values = between.join("100120100100000")
    report = xxgk.parse_text(hand_report(appeals=f"{_APPEALS_HEAD}{header}\n{values}"))
    table = {k: c.value for k, c in report.cells.items() if k.startswith("appeals.")}
    assert table == {k: v for k, v in EXPECTED.items() if k.startswith("appeals.")}
    assert not [f for f in report.findings if f.rule in ("LABEL", "AMBIGUOUS", "BLANK")]


@pytest.mark.parametrize(
    "name",
    [
        # 376 before "复 议 后 起 诉 结 果 纠 正", then "97 196 121 790 16 1", and so on: the run "97 196
        # 121 790 16 1" was read as the table, in doubt, with a false T4-SUM error (16 against
        # 1,204) (before)
        "hangzhoustyle_anon_2025.rendered14.raw.txt",
        # the cells ruled: the last run, "1 / 12 27 56 74 / 1 / 30 51 156", nine values of 17 digits,
        # was taken for fifteen cells run together and split "1|1|2|2|7…", with three false T4-SUM
        # errors; as nine values it is short of the fifteen cells (before)
        "hangzhoustyle_anon_2025.ruled8.raw.txt",
    ],
)
def test_a_real_reports_table_four_among_its_header_words_is_read_as_printed(name: str) -> None:
    # plain pdftotext of Chromium's print of a real report (tests/pdf_text/README.md): table 四's
    # fifteen numbers among its header's characters. In printed order each group adds up
    # (376+97+196+121 = 790, 16+1+12+27 = 56, 74+1+30+51 = 156): read so, as the truth has it.
    # (The other tables of the ruled print are set apart from their labels: unread and named.)
    report = xxgk.parse_path(PDF_TEXT / name)
    wrong, errors = against_truth(report, PDF_TEXT / name)
    assert not [k for k in wrong if k[0] == "appeals"]
    assert not any(cell.ambiguous for key, cell in report.cells.items() if key.startswith("appeals."))
    assert {f.rule for f in report.errors} == errors
    (label,) = [f for f in report.findings if f.rule == "LABEL" and "第四部分" in f.message]
    assert "印作“376 97 196 121 790 16 1 12 27 56 74 1 30 51 156”）；按印出的顺序逐格读取" in label.message


def test_values_among_column_labels_above_the_header_are_no_rows_blanks() -> None:
    # pdfminer.six's text of a real report's table 二 (the probe's 002 report, as it set it), with
    # the example's values: the columns 本年废止件数 (0, 3), 现行有效件数 (0, 55) and 行政许可's
    # 本年处理决定数量 (128) printed among the column labels above the header, 规章's first value
    # before its label, 处罚 and 强制's after the last label. Eight cells were called blank (BLANK)
    # where each prints a value, 行政规范性文件 read 22|空|空 (before). The numbers among the
    # column labels are no row's: with the two after the last label, seven numbers no row took,
    # and the five rows short of values are left unread and named; 行政事业性收费 is read
    from tests.test_machine_markdown import hand_report

    lines = [
        "## 二、主动公开政府信息情况",
        "截至2023年12月31日，本机关主动公开政府信息情况如下：",
        *("本年废止件数", "0", "3", "现行有效件数", "0", "55", "本年处理决定数量", "128"),
        *("第二十条第（一）项", "信息内容", "本年制发件数", "0", "规章", "行政规范性文件 22"),
        *("第二十条第（五）项", "信息内容", "行政许可"),
        *("第二十条第（六）项", "信息内容", "行政处罚", "行政强制"),
        *("第二十条第（八）项", "信息内容", "行政事业性收费 15.5", "本年处理决定数量", "37", "2"),
        "本年收费金额（单位：万元）",
    ]
    report = xxgk.parse_text(hand_report(active="\n".join(lines)))
    unread = [key for key in report.cells if key.startswith("active.") and key != "active.fees.amount"]
    assert len(unread) == 9
    assert all(report.cells[key].value is None and report.cells[key].ambiguous for key in unread)
    assert str(report.cells["active.fees.amount"].value) == "15.5"
    (label,) = [f for f in report.findings if f.rule == "LABEL"]
    assert sorted(label.cells) == sorted(unread)
    assert "第二部分有7个数不在任何一行的标签之后（印作“0 3 0 55 128 37 2”）" in label.message
    assert not [f for f in report.findings if f.rule in ("BLANK", "AMBIGUOUS", "TEMPLATE")]
    assert report.errors == []


def test_pdfminers_text_of_a_table_set_in_column_blocks_is_never_read_wrong_unsaid() -> None:
    # pdfminer.six's text of a real report's PDF (tests/pdf_text/README.md): table 二 in column
    # blocks, each after a column label (本年新制作数量 0 89, 上一年项目数量 396 …), 政府集中采购's
    # label followed by 本年新制作数量 and its block "0 89", read as its 采购项目数量 and 采购总金额,
    # silently (before). A row whose values follow a column's label printed after its own, in a
    # table holding numbers no row took, is left unread: every cell is as printed or in doubt
    path = PDF_TEXT / "pt001.rendered8.pdfminer.txt"
    report = xxgk.parse_path(path)
    wrong, errors = against_truth(report, path)
    assert [k for k in wrong if not report.cells[".".join(k)].ambiguous] == []
    assert report.cells["active.procurement.projects"].ambiguous
    assert {f.rule for f in report.errors} == errors
