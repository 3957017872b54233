"""The annual report compiled from a body's register in the web application (TestClient, SQLite and
PostgreSQL): members see the three tables, each figure opening to the register entries behind it
(applicants masked, the read logged); the report as DOCX / PDF / HTML from the worker pool; the
register's errors instead of a file; what changed since the year was locked. Non-members get 404.

The register is HAND of tests/registers.py, whose 2023 cells are worked out by hand there:
新收 A3 A4 A5 A6 (自然人 A4 A6), 结转下年度 A4 A6, 行政复议 结果纠正 R1 (about A2, filed
2022-12-01), 规范性文件 现行有效 D2 (D1 repealed 2023-05-01)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.registers import AGENCY, HAND, into_store
from tests.test_web_api import csrf_of
from xxgk.compile import compile_report
from xxgk.register.service import lock_year, set_member
from xxgk.register.tables import AuditEntry
from xxgk.serve import create_app
from xxgk.store.bodies import body_for
from xxgk.store.users import add_user

PASSWORD = "correct horse battery"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def site(db_url: str) -> Iterator[tuple[object, int]]:
    app = create_app(db_url, workers=1)
    with app.state.store.writing() as s:
        mine, other = body_for(s, AGENCY), body_for(s, "某县财政局")
        for name in ("clerk", "head", "outsider"):
            add_user(s, name, PASSWORD)
        set_member(s, "clerk", mine, "clerk", "admin")
        set_member(s, "head", mine, "head", "admin")
        set_member(s, "outsider", other, "clerk", "admin")
        into_store(s, mine.id, HAND)
        body_id = mine.id
    with TestClient(app, raise_server_exceptions=False):  # the worker pool runs in the lifespan
        yield app, body_id


def client(app, name: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)
    assert (
        c.post("/login", data={"name": name, "password": PASSWORD}, follow_redirects=False).status_code == 303
    )
    c.headers["X-CSRF-Token"] = csrf_of(c.get("/").text)
    return c


def figure(page: str, key: str) -> str:
    found = re.search(rf'data-key="{re.escape(key)}".*?<a class="cell-link"[^>]*>([^<]*)</a>', page, re.S)
    assert found, key
    return found.group(1)


def numbers(fragment: str) -> list[str]:
    """The applications a cell's list links to, in its order."""
    return re.findall(r'<a href="/register/\d+/applications/([^"]+)">', fragment)


def test_a_member_sees_the_tables_and_each_figure_opens_to_its_entries(site) -> None:
    app, body_id = site
    clerk = client(app, "clerk")
    page = clerk.get(f"/register/{body_id}/report")
    assert page.status_code == 200
    text = page.text
    assert f"{AGENCY}2023年政府信息公开工作年度报告" in text  # the newest year by default
    assert figure(text, "applications.received.total") == "4"
    assert figure(text, "applications.received.natural_person") == "2"
    assert figure(text, "applications.carried_forward.total") == "2"
    assert figure(text, "appeals.review.corrected") == "1"
    assert figure(text, "active.normative_documents.in_force") == "1"
    assert (
        "锁定后更正" not in text and "data-key=" in text and "applications.received.total</div>" not in text
    )
    for fmt in ("docx", "pdf", "html"):
        assert f"/register/{body_id}/report/2023/export?format={fmt}" in text

    base = f"/register/{body_id}/report/2023/cells/"
    htmx = {"HX-Request": "true"}
    received = clerk.get(base + "applications.received.natural_person", headers=htmx)
    assert received.status_code == 200 and "<html" not in received.text
    assert numbers(received.text) == ["A6", "A4"]  # by receipt: A6 12-15, A4 12-28
    assert "依据2件申请" in received.text and "本年新收政府信息公开申请数量" in received.text
    assert "张A4" not in received.text and "张**" in received.text  # masked as the register pages do
    total = clerk.get(base + "applications.received.total", headers=htmx).text
    assert numbers(total) == ["A3", "A5", "A6", "A4"]  # received 03-01, 06-01, 12-15, 12-28
    review = clerk.get(base + "appeals.review.corrected", headers=htmx).text
    assert "行政复议" in review and "2022-12-01" in review and "2023-02-01" in review and "A2" in review
    in_force = clerk.get(base + "active.normative_documents.in_force", headers=htmx).text
    assert "D2" in in_force and "D1" not in in_force
    # without htmx the same list is a page of its own
    alone = clerk.get(base + "applications.carried_forward.total")
    assert "<html" in alone.text and numbers(alone.text) == ["A6", "A4"]
    assert clerk.get(base + "applications.nonsense.total").status_code == 404
    assert clerk.get(f"/register/{body_id}/report/2031/cells/applications.received.total").status_code == 404

    with app.state.store.session() as s:
        reads = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "read_entries").order_by(AuditEntry.id)
        ).all()
    assert len(reads) == 5  # natural_person, total, review, in_force, carried_forward
    assert [r.actor for r in reads] == ["clerk"] * 5
    assert reads[0].detail == {
        "year": 2023,
        "cell": "三、收到和处理政府信息公开申请情况 · 一、本年新收政府信息公开申请数量 · 自然人",
    }
    assert "查看报告数字所依据的记录" in clerk.get(f"/register/{body_id}/audit").text
    # a yearly figure (行政许可 12, HAND's 2023 figures) opens to the figures entered for the year
    licensing = clerk.get(base + "active.licensing.decisions", headers=htmx).text
    assert "行政许可 · 本年处理决定数量：12" in licensing and "依据录入的年度数量（2023年）" in licensing

    # the document from the worker pool, through the document layer: the tables as compiled
    made = clerk.get(f"/register/{body_id}/report/2023/export?format=docx")
    assert made.status_code == 200 and made.headers["content-type"] == DOCX
    document = docx.Document(io.BytesIO(made.content))
    assert any(p.text == f"{AGENCY}2023年政府信息公开工作年度报告" for p in document.paragraphs)
    assert clerk.get(f"/register/{body_id}/report/2023/export?format=pdf").content.startswith(b"%PDF")
    html = clerk.get(f"/register/{body_id}/report/2023/export?format=html")
    assert html.status_code == 200 and "本年新收政府信息公开申请数量" in html.text


def test_a_non_member_gets_404_everywhere(site) -> None:
    app, body_id = site
    outsider = client(app, "outsider")
    for path in (
        "/report",
        "/report?year=2023",
        "/report/2023/cells/applications.received.total",
        "/report/2023/export?format=docx",
    ):
        assert outsider.get(f"/register/{body_id}{path}").status_code == 404, path
    anonymous = TestClient(app, raise_server_exceptions=False)
    assert anonymous.get(f"/register/{body_id}/report", follow_redirects=False).status_code in (303, 401)
    with app.state.store.session() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "read_entries")) is None


def test_register_errors_are_findings_naming_the_entries_and_no_file(site) -> None:
    app, body_id = site
    clerk = client(app, "clerk")
    # 2022: no yearly figures entered (HAND has 2023's only): a register error, no file
    page = clerk.get(f"/register/{body_id}/report?year=2022").text
    assert "台账有错误，暂不能编制报告" in page and "2022年的年度数量" in page
    assert "/export?format=" not in page and 'class="cell-link"' not in page
    refused = clerk.get(f"/register/{body_id}/report/2022/export?format=docx")
    assert refused.status_code == 422 and "2022年的年度数量" in refused.text
    # last year's published report carried 3 forward; the register carries 1 over into 2023 (A1):
    # X-CARRY fails, naming A1, the one entry behind 上年结转
    last = compile_report(HAND, 2023).report
    assert last is not None
    last.meta.year, last.format = 2022, "docx"
    last.cells["applications.carried_forward.total"].value = 3
    app.state.store.ingest(last, "c" * 64)
    page = clerk.get(f"/register/{body_id}/report?year=2023").text
    assert "上年结转1件，而2022年度报告的结转下年度继续办理为3件" in page
    assert "涉及记录：A1" in page and "/export?format=" not in page


def test_a_locked_year_amended_shows_what_changed(site) -> None:
    app, body_id = site
    store = app.state.store
    with store.writing() as s:
        assert lock_year(s, body_id, 2023, "head")
    clerk = client(app, "clerk")
    quiet = clerk.get(f"/register/{body_id}/report?year=2023").text
    assert "锁定后没有更正" in quiet and 'id="amended"' not in quiet
    # A3 (商业企业, 部分公开 2023-03-20) corrected to 予以公开 on its page: 部分公开 商业企业 1 → 0
    # and 总计 1 → 0; 予以公开 商业企业 0 → 1 and 总计 1 → 2 (A1 was the one 予以公开)
    events = clerk.get(f"/api/register/{body_id}/applications/A3").json()["events"]
    reply = next(e["id"] for e in events if e["kind"] == "reply")
    form = {"kind": "reply", "on": "2023-03-20", "outcome": "granted", "corrects": str(reply)}
    htmx = {"HX-Request": "true"}
    refused = clerk.post(f"/register/{body_id}/applications/A3/events", data=form, headers=htmx)
    assert "该年度已锁定" in refused.text  # no reason given: refused, said in the panel (in Chinese)
    form["amendment"] = "误录为部分公开"
    done = clerk.post(f"/register/{body_id}/applications/A3/events", data=form, headers=htmx)
    assert done.status_code == 200 and "event-error" not in done.text
    page = clerk.get(f"/register/{body_id}/report?year=2023").text
    section = page[page.index('id="amended"') : page.index('id="cell-entries"')]
    assert "锁定后作了1项更正，本报告有4个数字与锁定时的报告不同" in section
    rows = re.findall(
        r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", section
    )
    assert rows == [
        ("(一)予以公开", "商业企业", "0", "1"),
        ("(一)予以公开", "总计", "1", "2"),
        ("(二)部分公开（区分处理的，只计这一情形，不计其他情形）", "商业企业", "1", "0"),
        ("(二)部分公开（区分处理的，只计这一情形，不计其他情形）", "总计", "1", "0"),
    ]
    assert section.count("A3：误录为部分公开（clerk，") == 4
    assert figure(page, "applications.granted.total") == "2"
