"""A browser against `xxgk serve`, shared by the browser tests and `make screenshots`.

The server runs in a thread on a free loopback port over a store holding the text corpus and a
two-year series; Debian's chromium is driven by Playwright.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, expect, sync_playwright

import xxgk
from tests.conftest import CORPUS, SAMPLES
from tests.edit import edit_cells
from xxgk.serve import create_app
from xxgk.store import Store
from xxgk.store.users import add_user

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
CHARTS = ("#chart-received", "#chart-rates", "#chart-groups")
# the README's pictures, in docs/ (`make screenshots`)
SCREENSHOTS = ("screenshot-check.png", "screenshot-stats.png")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(store: Store) -> None:
    """The text corpus, two more years of one body (2023 with a carried-over figure changed), a reviewer."""
    store.ingest_paths(sorted(CORPUS.glob("*.txt")), jobs=1)
    base = CORPUS / "pt004.txt"
    for year, changes in ((2023, {"applications.carried_over.total": "3"}), (2024, {})):
        text = edit_cells(base, changes) if changes else base.read_text(encoding="utf-8")
        text = text.replace("2022年度政府信息公开工作年度报告", f"{year}年度政府信息公开工作年度报告")
        report = xxgk.parse_text(text, f"pingtan-{year}.txt")
        store.ingest(report, hashlib.sha256(text.encode()).hexdigest())
    with store.session() as session:
        add_user(session, "reviewer", "correct horse battery")


def filled_app(folder: Path) -> FastAPI:
    app = create_app(f"sqlite:///{folder / 'web.db'}", jobs_dir=folder / "jobs")
    fill(app.state.store)
    return app


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app served on a free loopback port; yields its base URL."""
    port = _free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def take_screenshots(browser: Browser, server: str, out: Path) -> list[Path]:
    """The README's pictures of the check page (the altered sample) and the statistics page, into `out`."""
    check, stats = (out / name for name in SCREENSHOTS)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(server + "/")
        page.set_input_files("#file", str(SAMPLES / "altered_wuxi_helie_2020.txt"))
        page.click("#check-button")
        expect(page.locator("#findings li.error").first).to_be_visible()
        page.screenshot(path=str(check), full_page=True)
        page.goto(server + "/stats")
        for chart in CHARTS:
            expect(page.locator(f'{chart}[data-drawn="1"]')).to_be_visible(timeout=15_000)
        page.screenshot(path=str(stats), full_page=False)
    finally:
        context.close()
    return [check, stats]
