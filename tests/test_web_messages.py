"""The web app says what went wrong in Chinese (issue 15, point 5): the library's errors by their
kind, HTTP's own 404 and 405, invalid parameters, a crash; a JSON body keeps the English beside
the Chinese for the program that reads it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from xxgk import errors
from xxgk.register.service import AccessError
from xxgk.serve import create_app, messages
from xxgk.store.attribution import ManifestError
from xxgk.store.db import StoreError

SRC = Path(__file__).resolve().parent.parent / "src" / "xxgk"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(f"sqlite:///{tmp_path_factory.mktemp('msg') / 'm.db'}", workers=1)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    with TestClient(app, raise_server_exceptions=False) as client:  # with: the reading pool runs
        yield client


def said(page) -> str:
    """The message of the error page."""
    assert page.headers["content-type"].startswith("text/html")
    found = re.search(r'id="error-message">(.*?)</p>', page.text, re.DOTALL)
    assert found, page.text
    return found.group(1)


def english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", text)


def kinds_raised() -> set[str]:
    """Every `kind=` a raise in the source names, and every error class's own kind."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "").endswith("Error"):
                named = (k.value for k in node.keywords if k.arg == "kind")
                found |= {v.value for v in named if isinstance(v, ast.Constant)}  # not a passed-on name
    classes = (errors.XxgkError, errors.InputError, errors.NotAReportError, errors.UnknownFormatError)
    classes += (StoreError, ManifestError, AccessError)
    return found | {cls.kind for cls in classes}


def test_every_kind_of_error_has_its_chinese() -> None:
    raised = kinds_raised()
    assert {"empty", "damaged", "not_report", "unknown_format", "no_year"} <= raised  # the scan sees them
    assert raised - set(messages.ERRORS) == set()
    names = {"HTML", "DOCX", "DOC", "WPS", "PDF", "OCR", "LibreOffice", "UTF", "PowerPoint", "Word", "JSON"}
    names |= {"CSV", "XLSX", "http", "https"}  # formats and protocols are named as they are
    for text in [*messages.ERRORS.values(), *messages.STATUSES.values(), *messages.VALIDATION.values()]:
        assert set(english_words(re.sub(r"\{\w+\}", "", text))) <= names, text  # {placeholders} aside


def test_a_kind_named_at_a_raise_without_its_own_words_falls_back_to_its_class() -> None:
    error = errors.UnknownFormatError("odd", "f.bin", kind="not-yet-translated")
    assert messages.for_error(error) == "f.bin：" + messages.ERRORS["unknown_format"]


@pytest.mark.parametrize(
    ("data", "kind", "english"),
    [
        (b"\x00\x01" * 50, "unknown_format", "binary data in no format xxgk reads"),
        ("尊敬的领导：这只是一封信。".encode(), "not_report", "not a government"),
    ],
    ids=["binary", "letter"],
)
def test_a_file_that_cannot_be_read_is_said_in_chinese(client, data, kind, english):
    page = client.post("/check", files={"file": ("x.txt", data, "text/plain")})
    assert page.status_code == 422
    assert said(page) == "x.txt：" + messages.ERRORS[kind]  # and not the English
    answer = client.post("/api/check", files={"file": ("x.txt", data, "text/plain")}).json()["error"]
    assert messages.ERRORS[kind] in answer and english in answer  # the API: both


def test_http_errors_are_said_in_chinese(client):
    assert said(client.get("/no-such-page")) == "没有这个页面"
    assert client.get("/no-such-page").status_code == 404
    assert said(client.post("/bodies")) == "不支持这种请求方式"
    assert client.get("/api/no-such").json() == {"error": "没有这个页面"}
    # the app's own messages: the page without the English the JSON body has
    blank = {"file": ("x.txt", b"  \n ", "text/plain")}
    assert said(client.post("/check", files=blank)) == "文件是空的"
    assert client.post("/api/check", files=blank).json() == {"error": "文件是空的 (empty file)"}


def test_a_request_too_large_is_said_in_chinese_on_a_page(tmp_path):
    """The size guard answered JSON even to the check page's form."""
    client = TestClient(create_app(f"sqlite:///{tmp_path / 's.db'}", max_upload=1024))
    big = {"file": ("x.txt", b"x" * 200_000, "text/plain")}
    page = client.post("/check", files=big)
    assert page.status_code == 413 and said(page) == "请求过大：上传的内容超过了上限"
    assert client.post("/api/check", files=big).json() == {
        "error": "请求过大：上传的内容超过了上限 (request too large)"
    }


def test_invalid_parameters_are_said_in_chinese(client):
    assert said(client.get("/bodies/0")) == "请求参数不正确：地址中的 body_id 应不小于 1"
    assert "参数 severity 应当是以下之一" in said(client.get("/findings?severity=fatal"))
    answer = client.get("/api/findings", params={"limit": 0}).json()["error"]
    assert answer.startswith("请求参数不正确：参数 limit 应不小于 1 (") and "greater than or equal" in answer


def test_a_crash_is_said_in_chinese(app, client, monkeypatch):
    from xxgk.serve import queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "body_tree", broken)
    page = client.get("/bodies")
    assert page.status_code == 500 and said(page) == messages.STATUSES[500]
    assert "boom" not in page.text and "RuntimeError" not in page.text


# a data-dictionary id (applications.total.natural_person) or a rule id (T3-SUM, X-CARRY)
INTERNAL_ID = re.compile(r"\b[a-z_]+\.[a-z_]+(?:\.[a-z_]+)+\b|\b[A-Z][A-Z0-9]*-[A-Z0-9-]+\b")


def visible(html: str) -> str:
    """The text a reader sees (tags and their attributes aside)."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL))


def test_pages_show_no_internal_ids_unless_asked(tmp_path):
    from tests.browser import filled_app

    app = filled_app(tmp_path)
    client = TestClient(app, raise_server_exceptions=False)
    with app.state.store.session() as session:
        from sqlalchemy import text

        report = session.execute(text("SELECT min(id) FROM reports WHERE errors > 0")).scalar_one()
        pingtan = session.execute(text("SELECT id FROM bodies WHERE name = '平潭综合实验区'")).scalar_one()
    altered = (Path(__file__).parent.parent / "samples" / "altered_wuxi_helie_2020.txt").read_bytes()
    checked = client.post("/check", files={"file": ("a.txt", altered, "text/plain")})
    pages = {
        "check": checked,
        "body": client.get(f"/bodies/{pingtan}"),
        "report": client.get(f"/reports/{report}"),
        "compare": client.get(f"/bodies/{pingtan}/compare"),
        "findings": client.get("/findings"),
        "bodies": client.get("/bodies"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert INTERNAL_ID.findall(visible(page.text)) == [], name
    # the findings are named by their rule's title: 上年结转与上年报告不符 is X-CARRY's (rules.toml)
    assert "上年结转与上年报告不符" in visible(pages["body"].text)
    # asked for: the report's cells and rules by their ids, and a link back without them
    shown = client.get(f"/reports/{report}?ids=1")
    assert "applications.total.natural_person" in visible(shown.text)
    assert f'href="/reports/{report}" id="ids-toggle"' in shown.text
    assert f'href="/reports/{report}?ids=1" id="ids-toggle"' in pages["report"].text
    assert "X-CARRY" in visible(client.get(f"/bodies/{pingtan}?ids=1").text)
    # the check result, made by a POST, is asked for again at its own address
    link = re.search(r'href="(/check/[^"]+\?ids=1)" id="ids-toggle"', checked.text)
    assert link and "applications.total.natural_person" in visible(client.get(link.group(1)).text)
