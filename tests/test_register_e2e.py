"""The register in a real browser (chromium, Playwright): a clerk registers an application, records
a 补正 notice, the corrected application and the reply without a page reload, and sees the deadline
move with its trace; a user of another body sees nothing of it; the audit log shows it all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import VIEWPORT, chromium, serving
from xxgk.register.service import set_member
from xxgk.serve import create_app
from xxgk.store.bodies import body_for
from xxgk.store.users import add_user

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('register') / 'web.db'}", workers=1)
    with app.state.store.session() as s:
        mine, other = body_for(s, "某县发展和改革局"), body_for(s, "某县财政局")
        add_user(s, "clerk", PASSWORD)
        add_user(s, "outsider", PASSWORD)
        set_member(s, "clerk", mine, "clerk", "admin")
        set_member(s, "outsider", other, "clerk", "admin")
        body_id = mine.id
    with serving(app) as url:
        yield url, body_id


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


def signed_in(browser: Browser, server: str, name: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
    page.goto(server + "/login?next=/register")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def record(page: Page, kind: str, on: str, outcome: str | None = None) -> None:
    form = page.locator("#event-form form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=on]").fill(on)
    if outcome:
        form.locator("select[name=outcome]").select_option(outcome)
    form.locator("button[type=submit]").click()


def test_register_an_application_and_follow_its_deadline(
    browser: Browser, site: tuple[str, int], tmp_path: Path
) -> None:
    server, body_id = site
    page = signed_in(browser, server, "clerk")
    expect(page.locator("h1")).to_contain_text("某县发展和改革局")
    form = page.locator("#register-form form")
    form.locator("input[name=received]").fill("2025-01-20")
    form.locator("select[name=channel]").select_option("online")
    form.locator("select[name=applicant_type]").select_option("natural_person")
    form.locator("input[name=number]").fill("2025-W1")
    form.locator("input[name=applicant_name]").fill("张三")
    form.locator("button[type=submit]").click()
    expect(page.locator("#panel h1")).to_contain_text("2025-W1")
    # received Mon 01-20: 21-24 (4), 26 Sun 调休 (5), 27 (6), 01-28…02-04 春节, 05-07 (9), 08 Sat 调休
    # (10), 10-14 (15), 17-21 (20) → 02-21
    expect(page.locator("#reply-due")).to_have_text("2025-02-21")
    expect(page.locator("#personal")).to_have_text("张*")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    record(page, "correction_notice", "2025-01-22")
    expect(page.locator("#status")).to_have_text("待补正")
    record(page, "correction_received", "2025-02-10")
    # restarted from Mon 02-10: 11-14 (4), 17-21 (9), 24-28 (14), 03-03…07 (19), 03-10 (20)
    expect(page.locator("#reply-due")).to_have_text("2025-03-10")
    expect(page.locator("#trace")).to_contain_text("答复期限自收到补正申请之日重新计算")
    expect(page.locator("#trace li").last).to_contain_text("2025-03-10 第20个工作日")
    record(page, "reply", "2025-03-05", "partly_granted")
    expect(page.locator("#status")).to_have_text("已答复")
    expect(page.locator("#outcome")).to_contain_text("部分公开")
    expect(page.locator("#timeline tr.event")).to_have_count(4)
    page.get_by_role("button", name="显示申请人信息（将记入日志）").click()
    expect(page.locator("#personal")).to_contain_text("张三")
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(tmp_path / "register.png"), full_page=True)

    page.goto(f"{server}/register/{body_id}/audit")
    rows = page.locator("#audit tbody tr")
    expect(rows).to_have_count(6)  # the clerk made member, registered, 3 events, 1 read of personal data
    text = page.locator("#audit").inner_text()
    for seen in (
        "登记申请",
        "记录办理事项：发出补正通知",
        "记录办理事项：收到补正申请",
        "记录办理事项：答复",
        "查看申请人信息",
    ):
        assert seen in text, seen
    expect(page.locator("#audit tr.audit-read_personal")).to_contain_text("clerk")

    outsider = signed_in(browser, server, "outsider")
    expect(outsider.locator("h1")).to_contain_text("某县财政局")
    expect(outsider.locator("body")).not_to_contain_text("2025-W1")
    for path in ("", "/applications/2025-W1", "/audit", "/monthly"):
        answer = outsider.goto(f"{server}/register/{body_id}{path}")
        assert answer is not None and answer.status == 404, path
        expect(outsider.locator("body")).not_to_contain_text("张")
