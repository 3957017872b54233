"""End to end in a real browser (Debian's chromium driven by Playwright) against `xxgk serve`.

The server and the store it serves are those of tests/browser.py. The tests write nothing in the
tree: the README's screenshots are taken into a temporary folder here (`make screenshots` makes
those in docs/).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser import CHARTS, SCREENSHOTS, VIEWPORT, chromium, filled_app, serving, take_screenshots
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parent.parent


def _tracked_mtimes() -> dict[str, int]:
    """When each tracked file of the checkout was last written."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    names = [n for n in listed.stdout.decode().split("\0") if n]
    return {n: (ROOT / n).stat().st_mtime_ns for n in names if (ROOT / n).exists()}


@pytest.fixture(scope="module", autouse=True)
def tracked() -> dict[str, int]:
    """The tracked files as they were before the first browser test (compared after the screenshots)."""
    return _tracked_mtimes()


HOSTILE_REGION = '<img id="pwned" src="x">'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return filled_app(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
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
    # the one cell that would make every broken identity of table 三 hold is marked apart (the
    # altered sample changed （七）总计·自然人 from 2 to 3); the others of the identities are not
    expect(total).to_have_class("value error suspect")
    expect(page.locator("td.suspect")).to_have_count(1)
    assert "若为2" in (total.get_attribute("title") or "")
    expect(page.locator("#findings li.error")).to_have_count(4)
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
    for chart in CHARTS:
        expect(page.locator(f'{chart}[data-drawn="1"]')).to_be_visible(timeout=15_000)
        assert page.locator(f"{chart} canvas").count() >= 1
    # the filters change the charts in place: the download follows them
    page.select_option("#stats-by", "level")
    expect(page.locator("#stats-xlsx")).to_have_attribute("href", re.compile(r"[?&]by=level(&|$)"))


def test_the_api_docs_render_with_the_network_cut_off(server, page):
    """Swagger UI came from a CDN: without internet /api/docs was a blank page."""
    elsewhere: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("xxgk")  # the OpenAPI title
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock-summary-path", has_text="/api/findings").count() >= 1
    assert elsewhere == [] and refused == []


def test_the_readme_screenshots_are_taken_outside_the_tree(browser, server, tmp_path, tracked):
    """`make test` modified docs/screenshot-*.png; the pictures now go where they are asked for,
    and no tracked file has been written by this module's tests up to here."""
    taken = take_screenshots(browser, server, tmp_path)
    assert [p.name for p in taken] == list(SCREENSHOTS)
    for picture in taken:
        assert picture.read_bytes().startswith(b"\x89PNG") and picture.stat().st_size > 10_000
    written = {name for name, mtime in _tracked_mtimes().items() if tracked.get(name) != mtime}
    assert written == set()


def test_a_region_name_reaches_the_chart_tooltip_as_text(app, server, page, tmp_path):
    """stats.js built tooltip HTML from region names without escaping them. (The last test: the
    screenshots are taken before this region exists.)"""
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


COPIES = 30


def test_a_batch_upload_of_a_zip_with_a_manifest_shows_its_progress_to_the_summary(server, page, tmp_path):
    import zipfile

    from tests.conftest import CORPUS

    archive = tmp_path / "年报.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(SAMPLES.iterdir()):
            out.write(path, path.name)
        out.write(CORPUS / "004_a002ef4d6b85274a.txt", "无署名.txt")  # prints no agency
        houji = (SAMPLES / "houji_2021.txt").read_text(encoding="utf-8")
        for i in range(COPIES):  # more work, so the job runs for a few seconds: other towns' reports
            out.writestr(f"乡镇/{i:02d}.txt", houji.replace("侯集镇", f"测试{i}镇"))
    manifest = tmp_path / "清单.csv"
    manifest.write_text("文件,机关/单位\n无署名.txt,某县交通运输局\n", encoding="utf-8")
    page.goto(server + "/login?next=/jobs")
    page.fill("input[name=name]", "reviewer")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    polled: list[str] = []  # each answer of the progress polling, as htmx fetched it
    page.on("response", lambda r: polled.append(r.text()) if r.url.endswith("/progress") else None)
    page.set_input_files("#job-files", str(archive))
    page.set_input_files("#job-manifest", str(manifest))
    page.click("#job-button")
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    expect(page.locator("#job-progress progress")).to_be_visible()
    expect(page.locator("#job-summary")).to_contain_text("已完成", timeout=120_000)
    total = 6 + COPIES  # 4 samples, the README, 无署名.txt, the copies
    expect(page.locator("#job-count")).to_have_text(f"已处理 {total} / {total} 个文件")
    expect(page.locator("#job-files-table tr.job-file")).to_have_count(total)
    expect(page.locator('tr.job-file[data-status="skipped"]')).to_contain_text("README.md")
    # the samples are in the test's store already (the corpus holds them): each is "unchanged"
    # or another source of a stored report; the copies are new bodies' reports
    expect(page.locator('tr.job-file[data-status="new"]:has-text("乡镇/")')).to_have_count(COPIES)
    # the page updated itself: htmx polled while the job ran (how many answers came part-way
    # through depends on the machine's speed: a fast one may finish before the first poll), and
    # stopped once it was finished
    done = [int(m) for text in polled for m in re.findall(r'data-done="(\d+)"', text)]
    assert done and done[-1] == total and 'id="job-summary"' in polled[-1]
    count = len(polled)
    page.wait_for_timeout(2500)
    assert len(polled) == count
    # the manifest's body got the report that prints none; its page says so
    page.locator('tr.job-file:has-text("无署名.txt") a').click()
    expect(page.locator("h1")).to_contain_text("某县交通运输局")


def test_a_single_upload_shows_its_progress(server, page):
    page.goto(server + "/")
    # remember (across the page the answer replaces) whether the progress bar was shown
    page.evaluate(
        """() => new MutationObserver(() => {
             const box = document.querySelector('#check-form .upload-progress');
             if (box && !box.hidden) sessionStorage.setItem('progress-shown', box.textContent.trim());
           }).observe(document.body, {subtree: true, attributes: true, childList: true})"""
    )
    page.set_input_files("#file", str(SAMPLES / "houji_2021.txt"))
    page.click("#check-button")
    expect(page.locator("h1")).to_contain_text("侯集镇")
    shown = page.evaluate("() => sessionStorage.getItem('progress-shown')")
    assert shown and ("正在上传" in shown or "正在读取" in shown)
