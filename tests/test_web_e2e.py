"""End to end in a real browser (Debian's chromium driven by Playwright) against `xxgk serve`.

The server runs in a thread on a free loopback port over a store holding the text corpus and a
two-year series. The screenshots of the check page and the statistics page in docs/ are made
here (the README shows them).
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright

import xxgk
from tests.conftest import CORPUS, SAMPLES
from tests.edit import edit_cells
from xxgk.serve import create_app
from xxgk.store import Store
from xxgk.store.users import add_user

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parent.parent / "docs"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(store: Store) -> None:
    store.ingest_paths(sorted(CORPUS.glob("*.txt")), jobs=1)
    base = CORPUS / "pt004.txt"
    for year, changes in ((2023, {"applications.carried_over.total": "3"}), (2024, {})):
        text = edit_cells(base, changes) if changes else base.read_text(encoding="utf-8")
        text = text.replace("2022年度政府信息公开工作年度报告", f"{year}年度政府信息公开工作年度报告")
        report = xxgk.parse_text(text, f"pingtan-{year}.txt")
        store.ingest(report, hashlib.sha256(text.encode()).hexdigest())
    with store.session() as session:
        add_user(session, "reviewer", "correct horse battery")


HOSTILE_REGION = '<img id="pwned" src="x">'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")
    _fill(app.state.store)
    return app


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    port = _free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_upload_a_report_and_see_the_wrong_cells_highlighted(server, page):
    page.goto(server + "/")
    page.set_input_files("#file", str(SAMPLES / "altered_wuxi_helie_2020.txt"))
    page.click("#check-button")
    expect(page.locator("h1")).to_contain_text("无锡市滨湖区河埒街道办事处")
    errors = page.locator("#table-applications td.value.error")
    expect(errors.first).to_be_visible()
    assert errors.count() >= 3
    total = page.locator('td[data-key="applications.total.natural_person"]')
    expect(total).to_have_class("value error")
    expect(page.locator("#findings li.error")).to_have_count(4)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-check.png"), full_page=True)
    # a cell opens to show where it was printed
    total.locator("summary").click()
    expect(total.locator(".context mark")).to_have_text("3")


def test_a_bad_upload_is_a_message_not_a_stack_trace(server, page):
    page.goto(server + "/")
    page.set_input_files(
        "#file", files=[{"name": "x.txt", "mimeType": "text/plain", "buffer": b"\x00\x01" * 50}]
    )
    page.click("#check-button")
    expect(page.locator("#error-message")).to_contain_text("binary data")
    assert "Traceback" not in page.content()


def test_browse_a_body_and_its_reports(server, page):
    page.goto(server + "/bodies")
    expect(page.locator("#coverage")).to_be_visible()
    page.get_by_role("link", name="平潭综合实验区").first.click()
    expect(page.locator("h1")).to_contain_text("平潭综合实验区")
    expect(page.locator("body")).to_contain_text("X-CARRY")
    page.get_by_role("link", name="2024").first.click()
    expect(page.locator("#table-applications")).to_be_visible()


def test_a_reviewer_confirms_a_finding(server, page):
    page.goto(server + "/login?next=/findings")
    page.fill("input[name=name]", "reviewer")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(server + "/findings?rule=X-CARRY")
    row = page.locator(".finding-row").first
    finding_id = row.get_attribute("data-id")
    row.locator(".comment").fill("与上年报告核对无误，确属错误")
    row.locator(".confirm").click()
    confirmed = page.locator(f'.finding-row[data-id="{finding_id}"]')
    expect(confirmed).to_contain_text("与上年报告核对无误")
    expect(confirmed.locator(".status-confirmed")).to_be_visible()
    page.reload()
    expect(page.locator(f'.finding-row[data-id="{finding_id}"]')).to_contain_text("与上年报告核对无误")
    # signing out (a form with the session's CSRF token) ends the session
    page.get_by_role("button", name="退出").click()
    expect(page.locator(".account")).to_contain_text("登录")
    page.goto(server + "/findings?rule=X-CARRY")
    expect(page.locator(".finding-row .confirm")).to_have_count(0)


def test_the_statistics_page_draws_its_charts(server, page):
    page.goto(server + "/stats")
    for chart in ("#chart-received", "#chart-rates", "#chart-groups"):
        expect(page.locator(f'{chart}[data-drawn="1"]')).to_be_visible(timeout=15_000)
        assert page.locator(f"{chart} canvas").count() >= 1
    page.screenshot(path=str(DOCS / "screenshot-stats.png"), full_page=False)


def test_a_region_name_reaches_the_chart_tooltip_as_text(app, server, page, tmp_path):
    """stats.js built tooltip HTML from region names without escaping them. (The last test: the
    screenshot of the statistics page is made before this region exists.)"""
    (tmp_path / "bodies.csv").write_text(f"name,level,region,parent\n平潭综合实验区,县,{HOSTILE_REGION},\n")
    app.state.store.import_bodies(tmp_path / "bodies.csv")
    page.goto(server + "/stats?by=region")
    expect(page.locator('#chart-groups[data-drawn="1"]')).to_be_visible(timeout=15_000)
    shown = page.evaluate(
        """() => {
        const option = echarts.getInstanceByDom(document.getElementById("chart-groups")).getOption();
        const name = option.xAxis[0].data.find((n) => String(n).includes("pwned"));
        const rate = { value: 0.5, numerator: 1, denominator: 2, small: false };
        const point = { axisValueLabel: name, seriesName: "公开率", marker: "", data: { rate } };
        return option.tooltip[0].formatter([point]);
    }"""
    )
    assert "&#60;img id=&#34;pwned&#34;" in shown and "<img" not in shown
    box = page.locator("#chart-groups").bounding_box()
    for x in range(5, 100, 10):  # move across the bars, so ECharts shows its tooltips
        page.mouse.move(box["x"] + box["width"] * x / 100, box["y"] + box["height"] / 2)
    assert page.locator("#pwned").count() == 0
