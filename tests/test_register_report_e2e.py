"""The compiled annual report on a body's register page in a real browser (chromium, Playwright):
a figure clicked opens, without a reload, the register entries behind it. The register is HAND of
tests/registers.py: 2023's 本年新收·自然人 is A4 and A6 (worked out by hand there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import VIEWPORT, chromium, serving
from tests.registers import AGENCY, HAND, into_store
from xxgk.register.service import set_member
from xxgk.serve import create_app
from xxgk.store.bodies import body_for
from xxgk.store.users import add_user

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('report') / 'web.db'}", workers=1)
    with app.state.store.writing() as s:
        body = body_for(s, AGENCY)
        add_user(s, "clerk", PASSWORD)
        set_member(s, "clerk", body, "clerk", "admin")
        into_store(s, body.id, HAND)
        body_id = body.id
    with serving(app) as url:
        yield url, body_id


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


def test_a_figure_clicked_opens_its_entries(browser: Browser, site: tuple[str, int], tmp_path: Path) -> None:
    server, body_id = site
    page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
    page.goto(f"{server}/login?next=/register/{body_id}/report")
    page.fill("input[name=name]", "clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"{AGENCY}2023年政府信息公开工作年度报告")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    cell = page.locator('td[data-key="applications.received.natural_person"] a')
    expect(cell).to_have_text("2")
    cell.click()
    entries = page.locator("#cell-entries")
    expect(entries.locator("h2")).to_contain_text("一、本年新收政府信息公开申请数量 · 自然人：2")
    expect(entries.locator("tbody tr")).to_have_count(2)
    expect(entries.locator("tbody tr").first).to_contain_text("A6")
    expect(entries.locator("tbody tr").last).to_contain_text("A4")
    expect(entries).not_to_contain_text("张A4")
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    # a figure of table 四 opens to its review
    page.locator('td[data-key="appeals.review.corrected"] a').click()
    expect(entries.locator("tbody tr")).to_have_count(1)
    expect(entries.locator("tbody tr")).to_contain_text("2022-12-01")
