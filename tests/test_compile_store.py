"""A compiled report in the corpus (kind `compiled`, beside the published one, cross-year rules
on it, the pages say which it is) and the register's proactive side (sheets 文件 and 年度数量)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.registers import AGENCY, HAND, facts_file, run
from xxgk.compile import compile_report
from xxgk.errors import InputError
from xxgk.register.facts import DocumentFacts, YearFigures
from xxgk.register.proactive import import_proactive, proactive_facts
from xxgk.serve import create_app
from xxgk.store import Store
from xxgk.store.models import Body, RegisterDocument, StoredFinding, StoredReport


def _sha(report) -> str:
    return hashlib.sha256(json.dumps(report.to_dict(), ensure_ascii=False, default=str).encode()).hexdigest()


def test_a_compiled_report_is_stored_beside_the_published_one_and_checked_across_years(db_url):
    store = Store(db_url)
    # last year's published report: 结转下年度 总计 3, 自然人 1 (the register has 1 and 1: A1)
    last = compile_report(HAND, 2023).report
    last.meta.year, last.format = 2022, "docx"
    for key, cell in last.cells.items():
        if key.startswith("applications.carried_forward."):
            cell.value = {"natural_person": 1, "total": 3}.get(key.rsplit(".", 1)[1], 0)
    assert store.ingest(last, _sha(last)) == "new"
    published = compile_report(HAND, 2023).report
    published.format = "docx"
    published.cells["applications.received.total"].text = "4 "  # another file: another hash
    assert store.ingest(published, "p" * 64) == "new"
    compiled = compile_report(HAND, 2023).report
    assert store.ingest(compiled, _sha(compiled), kind="compiled") == "new"
    assert store.ingest(compiled, _sha(compiled), kind="compiled") == "unchanged"
    with store.session() as session:
        rows = session.execute(
            select(StoredReport.year, StoredReport.version, StoredReport.kind, StoredReport.current).order_by(
                StoredReport.year, StoredReport.version
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (2022, 1, "published", True),
            (2023, 1, "published", True),
            (2023, 2, "compiled", False),  # never the current (published) one
        ]
        carry = session.execute(
            select(StoredReport.kind, StoredFinding.cells)
            .join(StoredFinding, StoredFinding.report_id == StoredReport.id)
            .where(StoredFinding.rule == "X-CARRY")
        ).all()
    # both 2023 reports carry over 1 against last year's 3, in the 总计 column
    assert sorted(carry) == [("compiled", ["applications.carried_over.total"])] * 1 + [
        ("published", ["applications.carried_over.total"])
    ]
    back = store.report(AGENCY, 2023, kind="compiled")
    assert back is not None and back.format == "compiled"
    assert back.cells["applications.carried_forward.total"].provenance.entries == ("A4", "A6")
    assert store.report(AGENCY, 2023).format == "docx"  # the published one stays current


def test_the_pages_say_which_report_is_compiled(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}")
    store: Store = app.state.store
    published = compile_report(HAND, 2023).report
    published.format = "docx"
    store.ingest(published, "p" * 64)
    compiled = compile_report(HAND, 2023).report
    store.ingest(compiled, _sha(compiled), kind="compiled")
    with store.session() as session:
        body_id = session.scalar(select(Body.id))
        ids = dict(session.execute(select(StoredReport.kind, StoredReport.id)).all())
    client = TestClient(app)
    page = client.get(f"/reports/{ids['compiled']}").text
    assert "依台账编制的报告" in page and f'href="/reports/{ids["published"]}"' in page
    assert "旧版本" not in page
    # each cell opens to the register entries behind it (结转下年度, 总计 and 自然人: A4 and A6)
    assert "依据台账记录2条：A4、A6" in page
    assert "公开发布的报告" in client.get(f"/reports/{ids['published']}").text
    assert f'<a href="/reports/{ids["compiled"]}">2023年度</a>' in client.get(f"/bodies/{body_id}").text
    assert client.get(f"/api/reports/{ids['compiled']}").json()["stored"]["kind"] == "compiled"


def test_compile_store_through_the_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    facts = facts_file(HAND, tmp_path)
    done = run("compile", "--facts", str(facts), "--year", "2023", "--store", "--db", url)
    assert done.returncode == 0 and "stored as the compiled report (new)" in done.stderr
    assert Store(url).report(AGENCY, 2023, kind="compiled") is not None


# --- the proactive side: sheets 文件 and 年度数量 ---------------------------------------------------


def _workbook(path: Path, documents: list[list], figures: list[list]) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "申请"  # the register's own sheet, not read here
    sheet = book.create_sheet("文件")
    sheet.append(["类别", "文号", "标题", "制发日期", "废止日期"])
    for row in documents:
        sheet.append(row)
    sheet = book.create_sheet("年度数量")
    sheet.append(["年度", "行政许可", "行政处罚", "行政强制", "行政事业性收费"])
    for row in figures:
        sheet.append(row)
    book.save(path)
    return path


def _body(store: Store) -> int:
    with store.writing() as session:
        body = Body(name=AGENCY, key=AGENCY)
        session.add(body)
        session.flush()
        return body.id


def test_the_proactive_sheets_are_imported_and_given_as_of_a_date(db_url, tmp_path):
    store = Store(db_url)
    body_id = _body(store)
    path = _workbook(
        tmp_path / "register.xlsx",
        [
            ["规章", "某府令第1号", "规章一", datetime(2021, 3, 1), None],
            ["行政规范性文件", "某交规〔2022〕1号", "文件一", "2022-05-01", datetime(2024, 2, 1)],
            ["规范性文件", "某交规〔2023〕2号", "文件二", datetime(2023, 6, 30), None],  # the 2019 label
        ],
        [[2023, 12, 7, 0, 3.5], [2024, 10, None, 1, "0.25"]],
    )
    with store.writing() as session:
        done = import_proactive(session, body_id, path)
    assert (done.documents, done.figures) == (3, 2)
    with store.session() as session:
        documents, figures = proactive_facts(session, body_id, date(2023, 12, 31))
    # as of 2023-12-31: the repeal of 2024-02-01 is not yet known; 2024's figures not yet entered
    assert documents == (
        DocumentFacts("regulations", "某府令第1号", "规章一", date(2021, 3, 1)),
        DocumentFacts("normative_documents", "某交规〔2022〕1号", "文件一", date(2022, 5, 1)),
        DocumentFacts("normative_documents", "某交规〔2023〕2号", "文件二", date(2023, 6, 30)),
    )
    assert figures == (YearFigures(2023, 12, 7, 0, Decimal("3.5")),)
    # imported again with a changed row: updated, not doubled
    _workbook(
        path, [["规章", "某府令第1号", "规章一（修订）", datetime(2021, 3, 1), datetime(2024, 1, 2)]], []
    )
    with store.writing() as session:
        import_proactive(session, body_id, path)
    with store.session() as session:
        documents, _ = proactive_facts(session, body_id, date(2024, 12, 31))
        assert len(session.scalars(select(RegisterDocument)).all()) == 3
    assert documents[0].title == "规章一（修订）" and documents[0].repealed == date(2024, 1, 2)


def test_bad_rows_import_nothing_and_are_each_named(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    body_id = _body(store)
    path = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["规章", "某府令第1号", "规章一", datetime(2021, 3, 1), None],  # row 2: fine
            ["通知", "某字1号", "其他", datetime(2021, 3, 1), None],  # row 3: not a kind of table 二
            ["规章", "某府令第2号", "规章二", "2021-02-30", None],  # row 4: no such day
            ["规章", "某府令第3号", "规章三", datetime(2022, 3, 1), datetime(2022, 1, 1)],  # row 5
            ["规章", "某府令第1号", "重复", datetime(2023, 3, 1), None],  # row 6: 文号 of row 2
        ],
        [[2023, 12.5, 7, 0, 3.5], [2023, 1, 1, 1, -1]],  # rows 2 and 3 of 年度数量
    )
    with store.writing() as session, pytest.raises(InputError) as caught:
        import_proactive(session, body_id, path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 6 bad rows, nothing imported")
    for named in (
        "文件 row 3: 类别 '通知'",
        "文件 row 4: 制发日期 '2021-02-30' is not a date",
        "文件 row 5: 废止日期 2022-01-01 is before 制发日期 2022-03-01",
        "文件 row 6: 文号 某府令第1号 is also on row 2",
        "年度数量 row 2: 行政许可 12.5 is not a whole number",
        "年度数量 row 3: 年度 2023 is also on row 2, 行政事业性收费 -1 is not a number ≥ 0",
    ):
        assert named in message
    assert "\n" not in message
    with store.session() as session:
        assert session.scalars(select(RegisterDocument)).all() == []


@pytest.mark.parametrize(("name", "content"), [("bad.xlsx", b"hello"), ("register.txt", b"hello")])
def test_a_file_that_is_no_workbook_is_one_line(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    body_id = _body(store)
    with store.writing() as session, pytest.raises(InputError, match="not an XLSX workbook"):
        import_proactive(session, body_id, path)
