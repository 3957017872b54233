"""The JSON API of the 待认定 queue, attribution, versions and the choice of the current one
(issue 15, points 1 and 3), on SQLite and PostgreSQL: the same store functions as the CLI and
the pages, a change only by a signed-in user (with the session's CSRF token, or an API token)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CORPUS, SAMPLES
from xxgk.serve import create_app
from xxgk.serve.messages import ERRORS
from xxgk.store import Store
from xxgk.store.users import add_user, new_api_token

WUXI, ALTERED = SAMPLES / "wuxi_helie_2020.txt", SAMPLES / "altered_wuxi_helie_2020.txt"
HELIE = "无锡市滨湖区河埒街道办事处"  # as wuxi_helie_2020.txt prints it
UNSIGNED = CORPUS / "004_a002ef4d6b85274a.txt"  # a 2019 report that prints no agency


@pytest.fixture
def client(db_url: str) -> TestClient:
    app = create_app(db_url, workers=1)
    store: Store = app.state.store
    store.ingest_paths([WUXI, ALTERED, UNSIGNED], jobs=1)
    with store.session() as session:
        add_user(session, "审核员甲", "correct horse battery")
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def signed(client: TestClient) -> dict[str, str]:
    """The header of an API token (`xxgk user token`), sent only where a test says so."""
    with client.app.state.store.session() as session:
        return {"Authorization": f"Bearer {new_api_token(session, '审核员甲')}"}


def test_the_queue_and_attributing_a_queued_report(client: TestClient, signed: dict[str, str]) -> None:
    queue = client.get("/api/queue").json()
    # one file of the three prints no agency: 004_a002…, a 2019 report
    assert queue["total"] == 1 and [r["year"] for r in queue["reports"]] == [2019]
    queued = queue["reports"][0]["id"]
    assert queued > 0 and queue["reports"][0]["source"].endswith("004_a002ef4d6b85274a.txt")
    # not signed in: refused, nothing changed
    refused = client.post(f"/api/reports/{queued}/attribute", json={"body": "某县审计局"})
    assert refused.status_code == 401 and "请先登录" in refused.json()["error"]
    assert client.get("/api/queue").json()["total"] == 1
    # a blank name is an invalid parameter, in Chinese
    blank = client.post(f"/api/reports/{queued}/attribute", json={"body": "  "}, headers=signed)
    assert blank.status_code == 422 and blank.json()["error"].startswith("请求参数不正确")
    done = client.post(f"/api/reports/{queued}/attribute", json={"body": " 某县审计局 "}, headers=signed)
    assert done.status_code == 200, done.text
    out = done.json()
    assert (out["status"], out["report_id"], out["body"], out["year"]) == ("new", queued, "某县审计局", 2019)
    assert client.get("/api/queue").json() == {"total": 0, "reports": []}
    # the body's page now has the report: the same as `xxgk attribute` does
    body = client.get(f"/api/bodies/{out['body_id']}").json()
    assert [r["year"] for r in body["reports"]] == [2019]
    missing = client.post("/api/reports/999999/attribute", json={"body": "甲"}, headers=signed)
    assert missing.status_code == 404 and missing.json()["error"].startswith("没有这份报告")


def test_versions_and_choosing_the_current_one_with_who_and_why(
    client: TestClient, signed: dict[str, str]
) -> None:
    bodies = {b["name"]: b["id"] for b in client.get("/api/bodies").json()}
    listed = client.get(f"/api/bodies/{bodies[HELIE]}/versions/2020").json()
    # the published report and its altered copy (two numbers changed, 4 error findings), both
    # undated: the one with fewer errors is current (store/versions.py, rule 3)
    assert [(v["version"], v["current"]) for v in listed["versions"]] == [(1, True), (2, False)]
    assert (
        listed["why_current"] == "fewer errors"
        and listed["why_current_text"] == "与其他版本同日发布，错误较少"
    )
    assert [s["where"].rsplit("/", 1)[-1] for s in listed["versions"][1]["sources"]] == [ALTERED.name]
    altered = listed["versions"][1]["id"]
    no_why = client.post(f"/api/reports/{altered}/choose", json={"why": ""}, headers=signed)
    assert no_why.status_code == 422
    anonymous = client.post(f"/api/reports/{altered}/choose", json={"why": "以更正后的文本为准"})
    assert anonymous.status_code == 401
    chosen = client.post(f"/api/reports/{altered}/choose", json={"why": "以更正后的文本为准"}, headers=signed)
    assert chosen.status_code == 200, chosen.text
    out = chosen.json()
    assert [(v["version"], v["current"]) for v in out["versions"]] == [(1, False), (2, True)]
    assert out["why_current"] == "chosen"
    mine = out["versions"][1]
    assert (mine["chosen_by"], mine["why"]) == ("审核员甲", "以更正后的文本为准")  # the signed-in user
    assert client.get(f"/api/bodies/{bodies[HELIE]}/versions/2020").json() == out
    # a year with no report, a body that is not there: Chinese, and the English beside it
    none = client.get(f"/api/bodies/{bodies[HELIE]}/versions/2021")
    assert none.status_code == 404 and none.json()["error"].startswith(f"{HELIE}没有2021年度的报告")
    assert client.get("/api/bodies/999999/versions/2020").status_code == 404


def test_a_queued_report_cannot_be_chosen(client: TestClient, signed: dict[str, str]) -> None:
    queued = client.get("/api/queue").json()["reports"][0]["id"]
    answer = client.post(f"/api/reports/{queued}/choose", json={"why": "试试"}, headers=signed)
    assert answer.status_code == 422 and ERRORS["unattributed"] in answer.json()["error"]


def test_a_session_needs_its_csrf_token(client: TestClient) -> None:
    """Signed in by the page's form, a write without the session's CSRF token is refused."""
    signed_in = client.post(
        "/login", data={"name": "审核员甲", "password": "correct horse battery"}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    queued = client.get("/api/queue").json()["reports"][0]["id"]
    answer = client.post(f"/api/reports/{queued}/attribute", json={"body": "某县审计局"})
    assert answer.status_code == 403
    assert client.get("/api/queue").json()["total"] == 1
