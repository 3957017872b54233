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
from tests.conftest import CORPUS, SAMPLES
from xxgk.serve import create_app
from xxgk.serve.messages import ERRORS
from xxgk.store.users import add_user

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
    expect(page.locator("#error-message")).to_have_text("x.txt：" + ERRORS["unknown_format"])  # in Chinese
    assert "Traceback" not in page.content()


def test_browse_a_body_and_its_reports(server, page):
    page.goto(server + "/bodies")
    expect(page.locator("#coverage")).to_be_visible()
    page.get_by_role("link", name="平潭综合实验区").first.click()
    expect(page.locator("h1")).to_contain_text("平潭综合实验区")
    expect(page.locator("body")).to_contain_text("上年结转与上年报告不符")  # X-CARRY's title
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


PHONE = {"width": 390, "height": 844}


def _main_pages(app: FastAPI, page: Page, server: str) -> dict[str, str]:
    """The main pages (a check result made by uploading the altered sample)."""
    from sqlalchemy import text

    with app.state.store.session() as session:
        pingtan = session.execute(text("SELECT id FROM bodies WHERE name = '平潭综合实验区'")).scalar_one()
        report = session.execute(
            text("SELECT id FROM reports WHERE body_id = :b AND year = 2023"), {"b": pingtan}
        ).scalar_one()
    page.goto(server + "/")
    page.set_input_files("#file", str(SAMPLES / "altered_wuxi_helie_2020.txt"))
    page.click("#check-button")
    expect(page.locator("#findings li.error").first).to_be_visible()
    return {
        "check": page.url,
        "home": server + "/",
        "bodies": server + "/bodies",
        "body": f"{server}/bodies/{pingtan}",
        "report": f"{server}/reports/{report}",
        "findings": server + "/findings",
        "stats": server + "/stats",
        "compare": f"{server}/bodies/{pingtan}/compare",
        "search": server + "/search?q=平潭",
    }


def _fits_a_phone(page: Page, name: str) -> None:
    """The page is no wider than the screen, and each link of the nav is on one line (no word broken)."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == PHONE["width"], (name, width)
    heights = page.evaluate(
        "() => [...document.querySelectorAll('nav a')].map((a) => a.getClientRects().length)"
    )
    assert heights and set(heights) == {1}, (name, heights)


def test_no_page_is_wider_than_a_phone(app, server, browser):
    """At 390 px the nav broke mid-word and tables pushed the page sideways: now the page is never
    wider than the screen, and a wide table scrolls inside its own frame."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    try:
        page = context.new_page()
        for name, url in _main_pages(app, page, server).items():
            page.goto(url)
            _fits_a_phone(page, name)
        # the official tables are wider than the phone: they scroll within their frame
        page.goto(_main_pages(app, page, server)["report"])
        frame = page.locator("#table-applications").locator("xpath=..")
        inner, outer = frame.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
        assert inner > outer and outer <= PHONE["width"]
    finally:
        context.close()


def test_the_pages_of_corpus_work_fit_a_phone(browser, tmp_path):
    """The pages a reviewer works in, signed in, at 390 px: the 待认定 queue, a queued report's
    attribution form, batch uploads and a job's progress, a version that is not current (the form
    choosing it), the statistics by region (省 unfolding into 市), the register, a 404 in Chinese."""
    from sqlalchemy import select

    from xxgk.register.service import set_member
    from xxgk.store.bodies import body_for
    from xxgk.store.models import StoredReport

    app = create_app(f"sqlite:///{tmp_path / 'work.db'}", jobs_dir=tmp_path / "jobs")
    store = app.state.store
    (tmp_path / "bodies.csv").write_text(
        "名称,地区\n无锡市滨湖区河埒街道办事处,江苏省无锡市滨湖区\n", encoding="utf-8"
    )
    store.import_bodies(tmp_path / "bodies.csv")
    store.ingest_paths([SAMPLES / "wuxi_helie_2020.txt", SAMPLES / "altered_wuxi_helie_2020.txt"], jobs=1)
    store.ingest_paths([CORPUS / "004_a002ef4d6b85274a.txt"], jobs=1)  # prints no agency: 待认定
    with store.session() as session:
        add_user(session, "reviewer", "correct horse battery")
        body = body_for(session, "无锡市滨湖区河埒街道办事处")
        set_member(session, "reviewer", body, "clerk", "admin")
        body_id = body.id
        mine = select(StoredReport.id).where(StoredReport.body_id == body_id)
        old = session.scalar(mine.where(~StoredReport.current))
        queued = session.scalar(select(StoredReport.id).where(StoredReport.body_id.is_(None)))
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    try:
        with serving(app) as server:
            page = context.new_page()
            page.goto(server + "/login?next=/jobs")
            page.fill("input[name=name]", "reviewer")
            page.fill("input[name=password]", "correct horse battery")
            page.click("button[type=submit]")
            expect(page.locator("#job-form")).to_be_visible()
            _fits_a_phone(page, "jobs")
            page.set_input_files("#job-files", str(SAMPLES / "houji_2021.txt"))
            page.click("#job-button")
            expect(page.locator("#job-summary")).to_contain_text("已完成", timeout=60_000)
            _fits_a_phone(page, "job")
            pages = {
                "queue": ("/queue", "#queue"),
                "attribute": (f"/reports/{queued}", "#attribute-form"),
                "version": (f"/reports/{old}", "#choose-form"),
                "regions": ("/stats?by=region", "details.region"),
                "register": ("/register", "main"),
                "register-body": (f"/register/{body_id}", "main"),
                "not-found": ("/reports/999999", "main"),
            }
            for name, (path, shown) in pages.items():
                answer = page.goto(server + path)
                assert answer is not None and answer.status == (404 if name == "not-found" else 200), name
                expect(page.locator(shown).first).to_be_visible()
                _fits_a_phone(page, name)
            expect(page.locator("main")).to_contain_text("没有这份报告")
            expect(page.locator("main")).not_to_contain_text("Not Found")
    finally:
        context.close()


def test_the_charts_and_the_grid_leave_a_gap_for_a_year_without_a_report(browser, tmp_path):
    """Years without a report vanished and the lines were drawn across them. 平潭's reports of 2019
    (pt001) and 2022 (pt004), their 标题 lines: 2020 and 2021 are gaps."""
    app = create_app(f"sqlite:///{tmp_path / 'gap.db'}")
    app.state.store.ingest_paths([CORPUS / "pt001.txt", CORPUS / "pt004.txt"], jobs=1)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        with serving(app) as server:
            page = context.new_page()
            page.goto(server + "/stats")
            expect(page.locator('#chart-rates[data-drawn="1"]')).to_be_visible(timeout=15_000)
            option = page.evaluate(
                """() => {
                const of = (id) => echarts.getInstanceByDom(document.getElementById(id)).getOption();
                const o = of("chart-rates"), received = of("chart-received");
                return { years: o.xAxis[0].data, values: o.series.map((s) => s.data.map((d) => d.value)),
                         connect: o.series.map((s) => s.connectNulls), received: received.series[0].data };
            }"""
            )
            assert option["years"] == ["2019", "2020", "2021", "2022"]
            for values in option["values"]:
                assert values[1:3] == [None, None]  # no point, so no line through 2020–2021
            assert option["connect"] == [False, False]
            assert option["received"][1:3] == [None, None] and None not in (
                option["received"][0],
                option["received"][3],
            )
            expect(page.locator('#stats-table tr.gap[data-group="2021"]')).to_contain_text("这一年没有报告")
            page.goto(server + "/bodies")
            years = page.locator("#coverage thead th.year")
            expect(years).to_have_text(["2019", "2020", "2021", "2022"])
            expect(page.locator("#coverage td.none")).to_have_count(2)
    finally:
        context.close()


def test_search_from_the_nav(server, page):
    page.goto(server + "/bodies")
    page.fill("form.search input[name=q]", "平潭时报")
    page.press("form.search input[name=q]", "Enter")
    hit = page.locator("#search-reports li.hit")
    expect(hit).to_have_count(1)  # grep -l 平潭时报 tests/corpus/*.txt: pt001 only
    expect(hit.locator("mark").first).to_have_text("平潭")
    hit.locator("a").first.click()
    expect(page.locator("#table-applications")).to_be_visible()


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
