"""Bulk work in the web application (issue 15, point 4), and the pages that settle what a
report is (point 1: the 待认定 queue; point 3: a reviewer's choice of the current version),
through FastAPI's TestClient. A job runs in the app's own worker pool, so the client is used as
a context manager (the app's lifespan starts the pool and resumes unfinished jobs)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import CORPUS, SAMPLES
from tests.test_web_api import add_reviewer, csrf_of, login
from xxgk.serve import create_app, jobs
from xxgk.store import Store
from xxgk.store.models import Body, Job, StoredReport

UNSIGNED = CORPUS / "004_a002ef4d6b85274a.txt"  # prints no agency
WUXI, ALTERED = SAMPLES / "wuxi_helie_2020.txt", SAMPLES / "altered_wuxi_helie_2020.txt"


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    app = create_app(f"sqlite:///{tmp_path / 'jobs.db'}", workers=1, jobs_dir=tmp_path / "jobs")
    add_reviewer(app.state.store)
    return app


def samples_zip() -> bytes:
    """The bundled samples (4 reports and a README) and a report that prints no agency."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SAMPLES.iterdir()):
            archive.write(path, f"年报/{path.name}")
        archive.write(UNSIGNED, "年报/无署名.txt")
        archive.writestr("__MACOSX/年报/._houji_2021.txt", b"resource fork")  # left out
    return out.getvalue()


MANIFEST = "文件,机关/单位,年度\n无署名.txt,某县交通运输局,2019\n".encode()


def finished(client: TestClient, location: str, seconds: float = 120) -> str:
    """The job's progress fragment once the job is finished."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fragment = client.get(location + "/progress").text
        if 'id="job-summary"' in fragment:
            return fragment
        assert 'hx-trigger="every 1s"' in fragment  # still polling
        time.sleep(0.3)
    raise AssertionError("the job did not finish")


def statuses(fragment: str) -> dict[str, str]:
    """Each file's status, by its name, from the progress table."""
    rows = re.findall(r'data-status="([a-z]+)">\s*<td>([^<]+)</td>', fragment)
    return {name: status for status, name in rows}


def test_a_zip_with_a_manifest_is_a_job_with_a_status_per_file_and_a_summary(app):
    with TestClient(app) as client:
        login(client)
        answer = client.post(
            "/jobs",
            files=[
                ("files", ("年报.zip", samples_zip(), "application/zip")),
                ("manifest", ("清单.csv", MANIFEST)),
            ],
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        location = answer.headers["location"]
        page = client.get(location).text
        assert 'id="job-progress"' in page
        fragment = finished(client, location)
    # by hand: houji, wuxi, pingtan are new; the altered wuxi is a second version of wuxi's
    # body and year (ZIP order: altered comes first, so wuxi is the version); the README is no
    # report; the unsigned one goes to the manifest's body; the __MACOSX entry is not a file
    assert statuses(fragment) == {
        "年报.zip/年报/README.md": "skipped",
        "年报.zip/年报/altered_wuxi_helie_2020.txt": "new",
        "年报.zip/年报/houji_2021.txt": "new",
        "年报.zip/年报/pingtan_2022.txt": "new",
        "年报.zip/年报/wuxi_helie_2020.txt": "version",
        "年报.zip/年报/无署名.txt": "new",
    }
    assert "已处理 6 / 6 个文件" in fragment
    assert "已入库 4 个；已入库（新版本） 1 个；不是年度报告，已跳过 1 个。" in fragment
    store: Store = app.state.store
    assert store.versions("某县交通运输局", 2019) == [1]
    # the published wuxi is current though stored second: the altered copy has 4 errors
    assert store.report("无锡市滨湖区河埒街道办事处", 2020).value("appeals.review.total") == 2
    assert not any(app.state.jobs.root.iterdir())  # each job's folder is removed when it is done


def test_every_file_to_a_chosen_body_and_a_single_file(app):
    with TestClient(app) as client:
        login(client)
        answer = client.post(
            "/jobs",
            files=[("files", ("r.txt", UNSIGNED.read_bytes(), "text/plain"))],
            data={"body": "某镇人民政府"},
            follow_redirects=False,
        )
        fragment = finished(client, answer.headers["location"])
    assert statuses(fragment) == {"r.txt": "new"}
    assert app.state.store.versions("某镇人民政府", 2019) == [1]


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("文件,单位\n无署名.txt,甲局\n不存在.txt,乙局\n", "清单第 3 行：不存在.txt：上传的文件中没有它"),
        ("文件\n无署名.txt\n", "清单有误：清单的第一行须写明各列的名称，至少有“文件”和“单位”两列"),
        ("文件,单位,年度\n无署名.txt,甲局,二〇一九\n", "清单第 2 行：年度不是有效的年份"),
        ("文件,单位\n", "清单有误：清单是空的"),  # its header alone: the files were stored unfiled (before)
    ],
)
def test_a_bad_manifest_row_stores_nothing(app, manifest, message):
    with TestClient(app) as client:
        login(client)
        answer = client.post(
            "/jobs",
            files=[("files", ("年报.zip", samples_zip())), ("manifest", ("m.csv", manifest.encode()))],
        )
    assert answer.status_code == 422 and message in answer.text
    with app.state.store.session() as session:
        assert session.scalars(select(Job)).all() == [] and session.scalars(select(StoredReport)).all() == []
    assert not any(app.state.jobs.root.iterdir())


def test_the_limits_of_a_batch(app, monkeypatch):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"0" * (8 << 20))  # 8 MB of one byte packs about 1000:1
    monkeypatch.setattr(jobs, "BATCH", jobs.BatchLimits(files=3))
    with TestClient(app) as client:
        login(client)
        too_packed = client.post("/jobs", files=[("files", ("bomb.zip", bomb.getvalue()))])
        too_many = client.post("/jobs", files=[("files", ("年报.zip", samples_zip()))])
    assert too_packed.status_code == 413 and "压缩比异常" in too_packed.text
    assert too_many.status_code == 413 and "一次最多上传 3 个文件" in too_many.text
    assert not any(app.state.jobs.root.iterdir())


def test_a_batch_upload_needs_a_signed_in_user_and_the_csrf_token(app):
    with TestClient(app) as client:
        anonymous = client.post("/jobs", files=[("files", ("r.txt", UNSIGNED.read_bytes()))])
        assert anonymous.status_code == 401
        login(client)
        del client.headers["X-CSRF-Token"]
        forged = client.post("/jobs", files=[("files", ("r.txt", UNSIGNED.read_bytes()))])
        assert forged.status_code == 403


def test_a_restarted_server_continues_an_unfinished_job(tmp_path):
    """A job recorded with its files waiting, as a server that stopped leaves it: the next
    server's start finishes it."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    root = tmp_path / "jobs"
    store = Store(url)
    folder = jobs.new_job_folder(root)
    for position, path in enumerate((WUXI, UNSIGNED)):
        (folder / f"{position:05d}").write_bytes(path.read_bytes())
    job_id = jobs.create_job(store, folder, "reviewer", None, [(WUXI.name, {}), (UNSIGNED.name, {})])
    app = create_app(url, workers=1, jobs_dir=root)
    with TestClient(app):
        deadline = time.monotonic() + 120
        while not (progress := jobs.progress(store, job_id)).finished:
            assert time.monotonic() < deadline, "the job was not resumed"
            time.sleep(0.3)
    assert [f.status for f in progress.files] == ["new", "queued"]


# --- the 待认定 queue and a version's choice ----------------------------------------------------


def test_the_queue_page_and_its_attribution_form(app):
    store: Store = app.state.store
    store.ingest_paths([UNSIGNED])
    with TestClient(app) as client:
        page = client.get("/queue").text
        assert "无标题" in page and "登录</a>后可认定单位" in page and "attribute-form" not in page
        login(client)
        page = client.get("/queue").text
        report_id = _queued_id(store)
        assert f'action="/reports/{report_id}/attribute"' in page
        token = csrf_of(page)
        del client.headers["X-CSRF-Token"]
        forged = client.post(f"/reports/{report_id}/attribute", data={"body": "甲"})
        assert forged.status_code == 403
        done = client.post(
            f"/reports/{report_id}/attribute",
            data={"body": "某镇人民政府", "back": "queue", "csrf_token": token},
            follow_redirects=False,
        )
        assert (done.status_code, done.headers["location"]) == (303, "/queue")
        assert "没有待认定的报告" in client.get("/queue").text
    with store.session() as session:
        assert session.scalars(select(Body.name)).all() == ["某镇人民政府"]


def _queued_id(store: Store) -> int:
    from xxgk.store.queue import queued

    return queued(store)[0].id


def test_a_reviewer_makes_an_older_version_current_from_its_page(app):
    store: Store = app.state.store
    store.ingest_paths([WUXI, ALTERED], jobs=1)
    with store.session() as session:
        altered = session.scalars(select(StoredReport).where(StoredReport.errors == 4)).one()
    with TestClient(app) as client:
        page = client.get(f"/reports/{altered.id}").text
        assert "与其他版本同日发布，错误较少" in page and "choose-form" not in page
        assert "来源（1 个文件）" in page
        login(client)
        assert 'id="choose-form"' in client.get(f"/reports/{altered.id}").text
        chosen = client.post(f"/reports/{altered.id}/choose", data={"why": "以单位更正后的文本为准"})
        assert chosen.status_code == 200
        assert "审核人指定（reviewer：以单位更正后的文本为准）" in chosen.text
        assert 'id="choose-form"' not in chosen.text and 'id="old-version"' not in chosen.text
