"""The register in the web application and under /api/register/ (TestClient, SQLite and PostgreSQL):
only a body's members see its register; extensions need `head`; CSRF as everywhere; personal data
masked until asked for, and the asking logged; the routes in the OpenAPI docs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.test_web_api import csrf_of
from xxgk.register.service import set_member
from xxgk.serve import create_app
from xxgk.store import Store
from xxgk.store.bodies import body_for
from xxgk.store.users import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def site(db_url: str):
    store = Store(db_url)
    with store.session() as s:
        mine, other = body_for(s, "某县发展和改革局"), body_for(s, "某县财政局")
        for name in ("clerk", "head", "outsider"):
            add_user(s, name, PASSWORD)
        set_member(s, "clerk", mine, "clerk", "admin")
        set_member(s, "head", mine, "head", "admin")
        set_member(s, "outsider", other, "clerk", "admin")
        ids = (mine.id, other.id)
    app = create_app(db_url, workers=1)
    yield app, ids


def client(app, name: str) -> TestClient:
    c = TestClient(app)
    assert (
        c.post("/login", data={"name": name, "password": PASSWORD}, follow_redirects=False).status_code == 303
    )
    c.headers["X-CSRF-Token"] = csrf_of(c.get("/").text)
    return c


def test_the_register_api_for_members_only(site) -> None:
    app, (mine, other) = site
    clerk = client(app, "clerk")
    received = date.today() - timedelta(days=3)
    new = {"received": str(received), "channel": "网络", "applicant_type": "自然人", "applicant_name": "张三"}
    made = clerk.post(f"/api/register/{mine}/applications", json=new)
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    assert made.json()["applicant"] == "张*" and made.json()["status"] == "registered"
    shown = clerk.get(f"/api/register/{mine}/applications/{number}").json()
    assert shown["clock"]["reply"]["trace"][0]["kind"] == "start" and "张三" not in str(shown)
    assert (
        clerk.get(f"/api/register/{mine}/applications/{number}/personal").json()["applicant_name"] == "张三"
    )
    # a clerk cannot extend; a head can
    ext = {"kind": "extension", "on": str(date.today()), "reason": "材料多", "days": 5}
    assert clerk.post(f"/api/register/{mine}/applications/{number}/events", json=ext).status_code == 403
    head = client(app, "head")
    extended = head.post(f"/api/register/{mine}/applications/{number}/events", json=ext)
    assert extended.status_code == 201 and extended.json()["status"] == "extended"
    assert extended.json()["events"][-1]["data"]["approved_by"] == "head"
    bad = clerk.post(
        f"/api/register/{mine}/applications/{number}/events", json={"kind": "reply", "on": str(date.today())}
    )
    # the API: the Chinese, and the English beside it for the program
    assert bad.status_code == 422 and bad.json()["error"].startswith("答复：缺少必填的内容")
    assert "outcome is missing" in bad.json()["error"]
    # someone of another body sees nothing of it: not the list, not the application, not its log
    outsider = client(app, "outsider")
    for path in (
        "applications",
        f"applications/{number}",
        f"applications/{number}/personal",
        "due",
        "audit",
        "monthly",
    ):
        assert outsider.get(f"/api/register/{mine}/{path}").status_code == 404, path
    assert outsider.post(f"/api/register/{mine}/applications", json=new).status_code == 404
    assert [b["id"] for b in outsider.get("/api/register/bodies").json()] == [other]
    assert TestClient(app).get(f"/api/register/{mine}/applications").status_code == 401
    log = clerk.get(f"/api/register/{mine}/audit").json()
    assert [(e["actor"], e["action"]) for e in reversed(log)][-4:] == [
        ("admin", "member"),
        ("clerk", "add"),
        ("clerk", "read_personal"),
        ("head", "event"),
    ]
    paths = TestClient(app).get("/api/openapi.json").json()["paths"]
    assert "/api/register/{body_id}/applications/{number}/events" in paths
    assert not any(p.startswith("/register") for p in paths)


def test_the_pages_record_an_event_without_reload(site) -> None:
    app, (mine, _) = site
    clerk = client(app, "clerk")
    home = clerk.get("/register", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == f"/register/{mine}"
    body = clerk.get(f"/register/{mine}").text
    assert "登记申请" in body and "待办" in body
    form = {
        "received": "2025-01-20",
        "channel": "online",
        "applicant_type": "natural_person",
        "number": "W-1",
    }
    added = clerk.post(f"/register/{mine}/applications", data=form, headers={"HX-Request": "true"})
    assert added.status_code == 204 and added.headers["HX-Redirect"] == f"/register/{mine}/applications/W-1"
    again = clerk.post(f"/register/{mine}/applications", data=form, headers={"HX-Request": "true"})
    # said in Chinese (serve/messages.py), after the number it concerns
    assert again.status_code == 200 and "未登记：W-1：该单位已有这个编号的申请" in again.text
    page = clerk.get(f"/register/{mine}/applications/W-1").text
    # received Mon 2025-01-20: the 20th working day is 02-21 (春节 01-28…02-04 off, 01-26 and 02-08 worked)
    assert 'id="reply-due">2025-02-21<' in page
    panel = clerk.post(
        f"/register/{mine}/applications/W-1/events",
        data={"kind": "correction_notice", "on": "2025-01-22"},
        headers={"HX-Request": "true"},
    ).text
    assert (
        panel.startswith('<div id="panel">') or panel.lstrip().startswith("{#") or 'id="panel"' in panel[:200]
    )
    assert "<html" not in panel and "待补正" in panel
    panel = clerk.post(
        f"/register/{mine}/applications/W-1/events",
        data={"kind": "correction_received", "on": "2025-02-10"},
        headers={"HX-Request": "true"},
    ).text
    # restarted from Mon 02-10: 11-14 (4), 17-21 (9), 24-28 (14), 03-03…07 (19), 03-10 (20)
    assert 'id="reply-due">2025-03-10<' in panel and "重新计算" in panel
    refused = clerk.post(
        f"/register/{mine}/applications/W-1/events", data={"kind": "fee_paid", "on": "2025-02-11"}
    )
    # said in Chinese after the event and its date (the English is the CLI's)
    assert (
        refused.status_code == 200
        and "未记录：缴纳费用 2025-02-11：没有尚未结束的征求意见或收费通知" in refused.text
    )
    no_csrf = TestClient(app)
    no_csrf.post("/login", data={"name": "clerk", "password": PASSWORD}, follow_redirects=False)
    assert (
        no_csrf.post(
            f"/register/{mine}/applications/W-1/events", data={"kind": "withdrawal", "on": "2025-02-11"}
        ).status_code
        == 403
    )
