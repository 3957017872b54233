"""The annual report compiled from a register (issue 19).

Registers are generated (tests/registers.py) and counted there by their own simple code; the
compiled report must hold those counts, and xxgk's reader must read the compiled DOCX, HTML and
PDF back to the same tables. A small register is also worked out by hand (tests/registers.py: HAND).
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import numpy as np
import pytest

from tests.conftest import SAMPLES
from tests.registers import AGENCY, HAND, app, expected_tables, facts_file, generate, run
from xxgk.compile import compile_report
from xxgk.register.facts import AppealFacts, DocumentFacts, RegisterFacts, YearFigures

HAS_SOFFICE = shutil.which("soffice") is not None


def test_a_register_worked_out_by_hand():
    compiled = compile_report(HAND, 2023)
    assert compiled.ok, compiled.problems
    t = compiled.report.tables()
    apps, appeals, active = t["applications"], t["appeals"], t["active"]
    assert apps["received"]["total"] == 4 and apps["received"]["natural_person"] == 2
    assert apps["carried_over"]["total"] == 1 and apps["carried_over"]["natural_person"] == 1
    assert apps["granted"]["natural_person"] == 1 and apps["partly_granted"]["commercial"] == 1
    assert apps["other_misc"]["legal_services"] == 1
    assert apps["total"]["total"] == 3 and apps["carried_forward"]["total"] == 2
    assert appeals["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    assert appeals["litigation_after_review"]["pending"] == 1
    assert active["normative_documents"] == {"issued": 1, "repealed": 1, "in_force": 1}
    assert active["licensing"]["decisions"] == 12 and active["fees"]["amount"] == 3.5
    # provenance: the entries behind a cell
    assert compiled.entries("applications.carried_forward.total") == ("A4", "A6")
    assert compiled.entries("applications.total.total") == ("A1", "A3", "A5")
    assert compiled.entries("appeals.review.corrected") == ("R1",)
    assert compiled.entries("active.normative_documents.repealed") == ("D1",)
    # the narrative states the figures as the tables have them, the fee in 六, placeholders in 五
    sections = compiled.narrative.sections
    overview = "".join(sections["overview"])
    assert "本年新收政府信息公开申请4件" in overview and "上年结转政府信息公开申请1件" in overview
    assert "办结申请3件" in overview and "结转下年度继续办理2件" in overview
    assert "行政复议1件" in overview and "行政诉讼1件" in overview
    assert "收取信息处理费80元（涉及申请1件）" in sections["other"][0]
    assert sections["problems"][0].startswith("【待填写")


def test_no_fee_is_said_so():
    facts = RegisterFacts(AGENCY, date(2023, 12, 31), HAND.applications[:2], figures=HAND.figures)
    compiled = compile_report(facts, 2023)
    assert compiled.ok and compiled.narrative.sections["other"][0] == "本年度未收取信息处理费。"


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_registers_compile_to_their_own_counts(seed):
    facts = generate(seed, 400)
    for year in (2023, 2024):
        compiled = compile_report(facts, year)
        assert compiled.ok, compiled.problems
        assert compiled.report.tables() == expected_tables(facts, year)


def test_the_2019_template_for_2020_folds_the_other_rows_and_leaves_what_no_register_holds_blank():
    facts = generate(3, 300, 2019, 2020)
    compiled = compile_report(facts, 2020)
    assert compiled.ok, compiled.problems
    assert compiled.report.template_id == "2019"
    assert compiled.report.tables() == expected_tables(facts, 2020)
    assert compiled.report.tables()["active"]["procurement"] == {"projects": None, "amount": None}


def _parsed(path: Path) -> dict:
    done = run("parse", "--json", str(path))
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("suffix", [".docx", ".html", ".pdf"])
def test_the_compiled_document_reads_back_to_the_same_tables(tmp_path, suffix):
    if suffix == ".pdf" and not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    facts = generate(7, 300)
    source = facts_file(facts, tmp_path)
    for year in (2023, 2024):
        out = tmp_path / f"report{year}{suffix}"
        done = run("compile", "--facts", str(source), "--year", str(year), "--out", str(out), "--json")
        assert done.returncode == 0, done.stderr
        compiled = json.loads(done.stdout)
        assert compiled["tables"] == expected_tables(facts, year)
        read = _parsed(out)
        assert read["tables"] == compiled["tables"]
        assert (read["template"], read["meta"]["agency"], read["meta"]["year"]) == ("2021", AGENCY, year)
        if suffix != ".pdf":  # not yet published: no date (LibreOffice dates the PDF it makes)
            assert read["meta"]["published"] is None
        assert not [f for f in read["findings"] if f["severity"] == "error"]


def test_the_2019_layout_reads_back_too(tmp_path):
    facts = generate(4, 200, 2019, 2020)
    out = tmp_path / "report.docx"
    done = run(
        "compile", "--facts", str(facts_file(facts, tmp_path)), "--year", "2020", "--out", str(out), "--json"
    )
    assert done.returncode == 0, done.stderr
    assert _parsed(out)["tables"] == json.loads(done.stdout)["tables"] == expected_tables(facts, 2020)


def test_compiling_with_nothing_to_write_shows_the_report(tmp_path):
    # neither --out nor --json nor --store printed nothing but "N placeholders to complete" (before)
    done = run("compile", "--facts", str(facts_file(HAND, tmp_path)), "--year", "2023")
    assert done.returncode == 0, done.stderr
    assert "三、收到和处理政府信息公开申请情况" in done.stdout and "本年新收" in done.stdout
    assert list(tmp_path.iterdir()) == [tmp_path / "facts.json"]  # nothing written


def test_a_previous_report_of_another_year_is_refused(tmp_path):
    # --previous is last year's report, for X-CARRY and X-STOCK: one of 2020 for a 2023 report
    # was compared as if of 2022 (before), its 结转 against this year's 上年结转
    facts = str(facts_file(HAND, tmp_path))
    old = SAMPLES / "wuxi_helie_2020.txt"
    wrong = run("compile", "--facts", facts, "--year", "2023", "--previous", str(old))
    assert (wrong.returncode, wrong.stderr) == (
        2,
        f"xxgk: error: {old}: a report of 2020, not of 2022, the year before\n",
    )
    last_year = str(SAMPLES / "pingtan_2022.txt")
    right = run("compile", "--facts", facts, "--year", "2023", "--previous", last_year)
    assert right.returncode in (0, 1) and "the year before" not in right.stderr  # compared, then


def test_the_docx_has_the_six_sections_and_placeholders(tmp_path):
    out = tmp_path / "report.docx"
    assert (
        run(
            "compile", "--facts", str(facts_file(HAND, tmp_path)), "--year", "2023", "--out", str(out)
        ).returncode
        == 0
    )
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    headings = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    places = [text.index(h) for h in headings]
    assert places == sorted(places)
    assert text.count("【待填写") == 3
    assert "收取信息处理费80元" in text[places[5] :]


# --- the register's errors: named, and nothing written ------------------------------------------


def test_a_register_with_errors_is_named_and_nothing_is_written(tmp_path):
    facts = RegisterFacts(
        AGENCY,
        date(2023, 12, 31),
        (
            app("B1", "2023-05-10", "natural_person", "granted", "2023-05-02"),  # answered before received
            app("B2", "2023-04-01", "commercial", "other_misc", "2023-04-03"),  # withdrawn …
            app("B2", "2023-04-01", "commercial", "granted", "2023-04-20"),  # … and granted
            app("B3", "2023-04-01", "commercial"),
        ),
        figures=HAND.figures,
    )
    out = tmp_path / "report.docx"
    done = run("compile", "--facts", str(facts_file(facts, tmp_path)), "--year", "2023", "--out", str(out))
    assert done.returncode == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "facts.json"]
    lines = done.stderr.splitlines()
    assert any(line.startswith("REG-BEFORE") and "B1" in line and "2023-05-02" in line for line in lines)
    assert any(
        line.startswith("REG-DUPLICATE") and "B2" in line and "other_misc、granted" in line for line in lines
    )
    assert not any("B3" in line for line in lines)
    compiled = compile_report(facts, 2023)
    assert compiled.report is None and {p.entries for p in compiled.problems} == {("B1",), ("B2",)}


def test_every_kind_of_register_error_is_named_with_its_entries():
    d = date.fromisoformat
    facts = RegisterFacts(
        AGENCY,
        d("2023-12-31"),
        (
            app("C1", "2023-02-01", "company"),  # not an applicant type
            app("C2", "2023-02-01", "natural_person", "granted"),  # an outcome without its date
            app("C3", "2023-02-01", "natural_person", "approved", "2023-02-05"),  # no such outcome
            app("C4", "2024-01-03", "natural_person"),  # received after the facts' date
        ),
        (
            AppealFacts("P1", "review", d("2023-05-01"), d("2023-04-01"), "upheld"),  # decided before filed
            AppealFacts("P2", "review", d("2023-05-01"), application="C9"),  # about no application held
            AppealFacts("P3", "review", d("2023-01-15"), application="C2"),  # filed before C2 was received
        ),
        (
            DocumentFacts("normative_documents", "N1", "一", d("2023-03-01"), d("2023-02-01")),
            DocumentFacts("regulations", "R1", "一", d("2022-03-01")),
            DocumentFacts("regulations", "R1", "二", d("2022-04-01")),  # the same 文号 twice
        ),
        (YearFigures(2023, 1, 2, 3, Decimal("-1")),),
    )
    problems = compile_report(facts, 2023).problems
    assert [(p.code, p.entries) for p in problems] == [
        ("REG-APPLICANT", ("C1",)),
        ("REG-NO-DATE", ("C2",)),
        ("REG-OUTCOME", ("C3",)),
        ("REG-FUTURE", ("C4",)),
        ("REG-APPEAL-BEFORE", ("P1",)),
        ("REG-APPEAL-APPLICATION", ("P2",)),
        ("REG-APPEAL-APPLICATION", ("P3", "C2")),
        ("REG-DOCUMENT-BEFORE", ("N1",)),
        ("REG-DOCUMENT-DUPLICATE", ("R1",)),
        ("REG-FIGURES-NEGATIVE", ()),
    ]
    messages = [p.message for p in problems]
    assert "文号R1出现2次。" in messages
    assert "复议诉讼P3、C2：所涉申请C2收到于2023-02-01，晚于立案日期2023-01-15。" in messages
    assert "2023年的年度数量“行政事业性收费”为负数-1。" in messages


def test_a_register_that_breaks_x_carry_against_the_published_report_names_the_cases():
    # last year's published report printed 结转下年度 自然人 1 (as the register has: A1) but 总计 3;
    # the register has only A1 open at the start of 2023: X-CARRY fails on the 总计 column alone
    previous = compile_report(HAND, 2023).report
    assert previous is not None
    previous.meta.year = 2022
    for key, cell in previous.cells.items():
        if key.startswith("applications.carried_forward."):
            cell.value = {"natural_person": 1, "total": 3}.get(key.rsplit(".", 1)[1], 0)
    compiled = compile_report(HAND, 2023, previous)
    assert compiled.report is None
    (problem,) = compiled.problems
    assert problem.code == "X-CARRY" and problem.entries == ("A1",)


def test_a_register_that_breaks_x_stock_names_the_documents_in_force():
    # last year's report printed 现行有效 5 行政规范性文件; this year 制发 1 (D2), 废止 1 (D1): 5 + 1 − 1
    # = 5 expected, the register has 1 in force (D2; D1 was repealed on 2023-05-01)
    previous = compile_report(HAND, 2023).report
    assert previous is not None
    previous.meta.year = 2022
    previous.cells["active.normative_documents.in_force"].value = 5
    for key, cell in previous.cells.items():  # X-CARRY holds: last year's 结转 are this year's 上年结转
        if key.startswith("applications.carried_forward."):
            cell.value = {"natural_person": 1, "total": 1}.get(key.rsplit(".", 1)[1], 0)
    compiled = compile_report(HAND, 2023, previous)
    assert [(p.code, p.entries) for p in compiled.problems] == [("X-STOCK", ("D2",))]
    assert "现行有效1件" in compiled.problems[0].message and compiled.report is None


def test_missing_yearly_figures_stop_the_report():
    facts = RegisterFacts(AGENCY, date(2023, 12, 31), HAND.applications)
    compiled = compile_report(facts, 2023)
    assert compiled.report is None and [p.code for p in compiled.problems] == ["REG-FIGURES-MISSING"]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{", "not JSON"),
        ('{"body": "x"}', "missing field 'as_of'"),
        (
            '{"body": "x", "as_of": "2023-12-31", "applications": [{"id": "1", "received": "2023-13-01", '
            '"applicant": "natural_person"}]}',
            "applications[0].received: not a date",
        ),
        ('{"body": "x", "as_of": "2023-12-31", "appeal": []}', "unknown field 'appeal'"),
        # a date the year's counting compares: a traceback (before)
        (
            '{"body": "x", "as_of": "2023-12-31", "documents": [{"kind": "regulations", "number": "1", '
            '"title": "t", "issued": null}]}',
            "documents[0].issued: must be given, not null",
        ),
        # a fee below nought was counted as none (before), a repair no one asked for
        (
            '{"body": "x", "as_of": "2023-12-31", "applications": [{"id": "1", "received": "2023-03-01", '
            '"applicant": "natural_person", "fee": "-5"}]}',
            "applications[0].fee: an amount is 0 or more and under 1,000,000,000,000, not -5",
        ),
        (
            '{"body": "x", "as_of": "2023-12-31", "figures": [{"year": 2023, "fees": 1e400}]}',
            "figures[0].fees: an amount is 0 or more",
        ),
    ],
)
def test_bad_facts_are_one_line_and_exit_2(tmp_path, content, said):
    path = tmp_path / "facts.json"
    path.write_text(content, encoding="utf-8")
    done = run("compile", "--facts", str(path), "--year", "2023", "--out", str(tmp_path / "r.docx"))
    assert done.returncode == 2 and said in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "r.docx").exists()


# --- the compiled PDF looked at as a picture ----------------------------------------------------


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _bands(ink: np.ndarray) -> tuple[list[tuple[int, int]], list[int]]:
    """A page's table rules (rows inked in one stroke across 30% of the page or more) and, for
    each band between two rules, how many vertical lines cross it (columns inked top to bottom)."""
    width = ink.shape[1]
    rule = np.array([max((e - s for s, e in _runs(row)), default=0) > 0.3 * width for row in ink])
    rules = _runs(rule)
    crossings = []
    for (_, end), (start, _) in itertools.pairwise(rules):
        band = ink[end + 1 : start]
        if band.shape[0] >= 3:
            crossings.append(len(_runs(band.mean(axis=0) > 0.9)))
    return rules, crossings


def _has_run(sequence: list[int], pattern: list[int]) -> bool:
    return any(sequence[i : i + len(pattern)] == pattern for i in range(len(sequence)))


@pytest.mark.skipif(
    not HAS_SOFFICE or shutil.which("pdftoppm") is None, reason="needs LibreOffice and pdftoppm"
)
def test_a_page_of_the_compiled_pdf_looks_like_a_published_report(tmp_path):
    from PIL import Image, ImageDraw

    out = tmp_path / "report.pdf"
    assert (
        run(
            "compile", "--facts", str(facts_file(HAND, tmp_path)), "--year", "2023", "--out", str(out)
        ).returncode
        == 0
    )
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = [Image.open(p).convert("L") for p in sorted(tmp_path.glob("page-*.png"))]
    assert len(pages) >= 2
    sheet = Image.new("RGB", (sum(p.width for p in pages), max(p.height for p in pages)), "white")
    draw = ImageDraw.Draw(sheet)
    crossings: list[int] = []
    x = 0
    for number, page in enumerate(pages):
        ink = np.asarray(page) < 160
        sheet.paste(page.convert("RGB"), (x, 0))
        rules, found = _bands(ink)
        crossings += [*found, -1]  # -1: a page ends (a table split over pages is two runs)
        for start, end in rules:  # the rules found, in red, on the picture
            draw.rectangle((x, start, x + page.width - 1, end), outline=(255, 0, 0))
        if number == 0:
            # the title: the first ink on the first page, in its top fifth, centred (A4 at 100 dpi)
            top = int(np.flatnonzero(ink.any(axis=1))[0])
            assert top < page.height / 5
            columns = np.flatnonzero(ink[top : top + 30].any(axis=0))
            assert abs((columns[0] + columns[-1]) / 2 - page.width / 2) < page.width * 0.05
        x += page.width
    sheet.save(tmp_path / "compiled-pages.png")  # looked at: tmp_path of this test
    # table 三's merged headers: the note over 3 label columns and 申请人情况 over 7 (3 lines
    # across); then 自然人 | 法人或其他组织 (5 columns merged) | 总计 beside the note (5 lines);
    # then the five kinds of 法人 in their own columns (9 lines)
    assert _has_run(crossings, [3, 5, 9]), crossings
    # table 四: 行政复议 | 行政诉讼 (3 lines), then 15 figures under them (16 lines) further down
    assert 16 in crossings and 3 in crossings[: crossings.index(16)], crossings


def test_body_without_a_register_store_is_one_line(tmp_path):
    done = run("compile", "--body", AGENCY, "--year", "2023", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    # until the register is merged the store holds no register: said so, exit 2 (after the
    # merge, a body the store does not know is the one-line error)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_facts_and_body_together_are_refused(tmp_path):
    done = run("compile", "--facts", str(facts_file(HAND, tmp_path)), "--body", AGENCY, "--year", "2023")
    assert done.returncode == 2 and "either --facts" in done.stderr
