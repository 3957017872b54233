"""The corpus as an overseer uses it (issue 15, points 1 and 3), on SQLite and PostgreSQL:
every report on its body (--body, a manifest, the 待认定 queue), one version per report (its
content, whatever carried it), the current version by a rule that ignores ingestion order, a
reviewer's choice of another."""

from __future__ import annotations

import hashlib
import html
import io
import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

import xxgk
from tests.conftest import CORPUS, DATABASES, SAMPLES, fresh_url, migrated_to
from tests.test_inputs import run
from xxgk.serve import queries
from xxgk.store import Store
from xxgk.store.attribution import Attribution
from xxgk.store.convert import to_report
from xxgk.store.findings import list_findings
from xxgk.store.models import Body, ReportSource, StoredReport
from xxgk.store.stats import stats

WUXI, ALTERED = SAMPLES / "wuxi_helie_2020.txt", SAMPLES / "altered_wuxi_helie_2020.txt"
HELIE = "无锡市滨湖区河埒街道办事处"  # as wuxi_helie_2020.txt prints it
PINGTAN = SAMPLES / "pingtan_2022.txt"
UNSIGNED = CORPUS / "004_a002ef4d6b85274a.txt"  # a 2019 report that prints no agency, no findings
SAMPLE_REPORTS = sorted(p for p in SAMPLES.glob("*.txt"))


def _count(store: Store, model: type = StoredReport) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _current(store: Store) -> dict[tuple[str, int], set[str]]:
    """Each body and year's current version, named by the files that carried it."""
    with store.session() as session:
        rows = session.execute(
            select(Body.name, StoredReport.year, ReportSource.path)
            .join(StoredReport, StoredReport.body_id == Body.id)
            .join(ReportSource, ReportSource.report_id == StoredReport.id)
            .where(StoredReport.current)
        )
        out: dict[tuple[str, int], set[str]] = {}
        for name, year, path in rows:
            out.setdefault((name, year), set()).add(Path(path).name)
        return out


# --- one version per report --------------------------------------------------------------------


@pytest.mark.parametrize("kind", DATABASES)
def test_the_samples_twice_in_either_order_give_the_same_current_versions(kind, tmp_path):
    seen = []
    for order in (SAMPLE_REPORTS, SAMPLE_REPORTS[::-1]):
        (tmp_path / order[0].name).mkdir()
        store = Store(fresh_url(kind, tmp_path / order[0].name))
        for _ in range(2):
            for path in order:  # one file at a time: the order of ingestion is this order
                store.ingest_paths([path], jobs=1)
        seen.append(_current(store))
        store.engine.dispose()
    assert seen[0] == seen[1]
    # wuxi and the altered copy are both dated 2021-01-20; the altered one has 4 error findings
    # (README: two numbers changed break T3-BAL, T3-SUM, T3-ROW, T4-SUM), the published one none
    assert seen[0][(HELIE, 2020)] == {WUXI.name}
    assert seen[0][("侯集镇人民政府", 2021)] == {"houji_2021.txt"}
    assert len(seen[0]) == 3  # wuxi, houji, pingtan


def _as_html(text: str) -> bytes:
    return ("<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())).encode()


def _as_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _as_pdf(text: str) -> bytes:
    """Each line a paragraph, CJK wrapped, `- N -` at the foot of every page (page chrome)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from tests.render_pdf import FONT

    style = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK")

    def footer(canvas, document) -> None:
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(297, 20, f"- {document.page} -")

    out = io.BytesIO()
    paragraphs = [Paragraph(escape(line) or "&nbsp;", style) for line in text.splitlines()]
    SimpleDocTemplate(out).build(paragraphs, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def test_one_report_in_several_forms_is_one_report_with_several_sources(db_url, tmp_path):
    text = WUXI.read_text(encoding="utf-8")
    forms = {
        "wuxi.txt": text.encode(),
        "wuxi-crlf.txt": text.replace("\n", "\r\n").encode(),
        "wuxi.html": _as_html(text),
        "wuxi.docx": _as_docx(text),
        "wuxi-gbk.txt": text.encode("gb18030"),
        "wuxi.pdf": _as_pdf(text),
    }
    for name, data in forms.items():
        (tmp_path / name).write_bytes(data)
    store = Store(db_url)
    summary = store.ingest_paths(sorted(tmp_path.glob("wuxi*")), jobs=1)
    assert (summary.new, summary.versions, summary.sources) == (1, 0, 5)
    # pasted into the web page, with its lines re-indented: the same report again
    pasted = xxgk.parse_text("\n".join("  " + line.strip() for line in text.splitlines()), "粘贴的文本")
    assert store.ingest(pasted, hashlib.sha256(b"pasted").hexdigest()) == "source"
    assert _count(store) == 1
    with store.session() as session:
        row = session.scalars(select(StoredReport)).one()
        assert {Path(s.path).suffix for s in row.sources} == {
            ".txt",
            ".html",
            ".docx",
            ".pdf",
            "",
        }  # "" pasted
        assert len(row.sources) == 7 and {s.format for s in row.sources} == {"text", "html", "docx", "pdf"}


def test_other_text_or_other_numbers_are_a_new_version(db_url, tmp_path):
    text = WUXI.read_text(encoding="utf-8")
    store = Store(db_url)
    store.ingest_paths([WUXI])
    worded = tmp_path / "worded.txt"
    worded.write_text(text.replace("强化组织领导", "加强组织领导"), encoding="utf-8")
    assert store.ingest_paths([worded]).versions == 1
    assert store.ingest_paths([ALTERED]).versions == 1  # two numbers changed
    assert store.versions(HELIE, 2020) == [1, 2, 3]


def test_the_current_version_is_the_latest_published_then_fewer_errors_then_latest_stored(db_url, tmp_path):
    store = Store(db_url)
    store.ingest_paths([WUXI])
    # the altered copy (4 errors) dated a day later: the later published wins, errors or not
    later = tmp_path / "later.txt"
    later.write_text(
        ALTERED.read_text(encoding="utf-8").replace("发布时间:2021-01-20", "发布时间:2021-01-21"),
        encoding="utf-8",
    )
    store.ingest_paths([later])
    _, found, why = store.version_list(HELIE, 2020)
    assert [(v.version, v.current, str(v.published), v.errors) for v in found] == [
        (1, False, "2021-01-20", 0),
        (2, True, "2021-01-21", 4),
    ]
    assert why == "published"
    # the altered copy as dated: its words and numbers are version 2's (the date line is page
    # chrome, outside the sections and tables), so it is another source of version 2
    assert store.ingest_paths([ALTERED]).sources == 1
    # a reworded copy of the published report, same day, no errors either: the latest stored
    worded = tmp_path / "worded.txt"
    worded.write_text(
        WUXI.read_text(encoding="utf-8")
        .replace("发布时间:2021-01-20", "发布时间:2021-01-21")
        .replace("强化", "加强"),
        encoding="utf-8",
    )
    store.ingest_paths([worded])
    _, found, why = store.version_list(HELIE, 2020)
    assert ([v.version for v in found if v.current], why) == ([3], "fewer errors")
    again = tmp_path / "again.txt"
    again.write_text(worded.read_text(encoding="utf-8").replace("加强", "增强"), encoding="utf-8")
    store.ingest_paths([again])
    _, found, why = store.version_list(HELIE, 2020)
    assert ([v.version for v in found if v.current], why) == ([4], "latest")


def test_a_reviewer_chooses_another_version_with_who_and_why(db_url):
    store = Store(db_url)
    store.ingest_paths([WUXI, ALTERED], jobs=1)
    _, found, why = store.version_list(HELIE, 2020)
    assert why == "fewer errors"
    altered = next(v for v in found if not v.current)
    store.choose_version(altered.id, "审核员甲", "单位确认以更正后的文本为准")
    _, found, why = store.version_list(HELIE, 2020)
    chosen = next(v for v in found if v.current)
    assert (chosen.id, chosen.chosen_by, chosen.why, why) == (
        altered.id,
        "审核员甲",
        "单位确认以更正后的文本为准",
        "chosen",
    )
    # the choice holds when the files come again, and counts: the altered copy's 4 errors
    store.ingest_paths([WUXI, ALTERED], jobs=1)
    assert len(list_findings(store, body=HELIE, severity="error")) == 4
    listed = run("versions", HELIE, "2020", "--db", store.url, "--json")
    out = json.loads(listed.stdout)
    assert out["why_current"] == "chosen by a reviewer"
    assert [v["current"] for v in out["versions"]] == [v.current for v in found]
    bad = run("versions", "--choose", str(altered.id), "--by", "乙", "--db", store.url)
    assert bad.returncode == 2 and "--why" in bad.stderr


def test_the_versions_command_lists_and_chooses(db_url):
    assert run("ingest", str(WUXI), str(ALTERED), "--db", db_url).returncode == 0
    listed = run("versions", "河埒街道办事处", "2020", "--db", db_url, "--json")
    versions = json.loads(listed.stdout)["versions"]
    old = next(v for v in versions if not v["current"])
    chosen = run(
        "versions", "--choose", str(old["id"]), "--by", "乙", "--why", "以网站现行文本为准", "--db", db_url
    )
    assert chosen.returncode == 0, chosen.stderr
    again = json.loads(run("versions", "河埒街道办事处", "2020", "--db", db_url, "--json").stdout)
    assert [v["id"] for v in again["versions"] if v["current"]] == [old["id"]]
    assert next(v for v in again["versions"] if v["current"])["chosen_by"] == "乙"


# --- attribution -------------------------------------------------------------------------------


def test_a_report_without_an_agency_waits_unattributed_and_counts_nowhere(db_url):
    store = Store(db_url)
    report = xxgk.parse_path(ALTERED)
    report.meta.agency = None  # as if the page printed no agency: 4 error findings, 2020
    assert store.ingest(report, "a" * 64) == "queued"
    assert store.ingest_paths([UNSIGNED]).queued == 1
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Body)) == 0  # no body made of a file name
    assert stats(store) == []
    assert list_findings(store) == []
    assert queries.coverage(store).rows == []
    from xxgk.store.queue import queued

    waiting = queued(store)
    assert [(q.year, q.errors) for q in waiting] == [(2020, 4), (2019, 0)]
    assert store.attribute(waiting[0].id, "河埒街道办事处") == "new"
    assert [(r.group, r.reports) for r in stats(store)] == [(2020, 1)]
    assert len(list_findings(store, severity="error")) == 4
    assert [q.year for q in queued(store)] == [2019]


def test_ingest_body_files_every_report_under_it(db_url):
    result = run(
        "ingest", str(UNSIGNED), str(SAMPLES / "houji_2021.txt"), "--body", "某县审计局", "--db", db_url
    )
    assert result.returncode == 0, result.stderr
    assert "stored 2 new" in result.stderr and "0 to be attributed" in result.stderr
    store = Store(db_url)
    with store.session() as session:
        assert session.scalars(select(Body.name)).all() == ["某县审计局"]
    assert store.versions("某县审计局", 2019) == [1] and store.versions("某县审计局", 2021) == [1]


def test_a_manifest_with_chinese_headers_attributes_each_file(db_url, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "r.txt").write_bytes(UNSIGNED.read_bytes())
    (tmp_path / "h.txt").write_bytes((SAMPLES / "houji_2021.txt").read_bytes())
    manifest = tmp_path / "清单.csv"
    manifest.write_text(
        "文件,机关/单位,年度,地区,层级,网址,发布日期\n"
        "a/r.txt,某县交通运输局,,江苏省某县,部门,http://example.gov.cn/r.html,2020年3月2日\n"
        "h.txt,宿迁市侯集镇人民政府,2021,,,,\n",
        encoding="utf-8",
    )
    result = run("ingest", "--manifest", str(manifest), "--db", db_url)
    assert result.returncode == 0, result.stderr
    store = Store(db_url)
    with store.session() as session:
        body = session.scalars(select(Body).where(Body.name == "某县交通运输局")).one()
        assert (body.region, body.level) == ("江苏省某县", "部门")
        report = session.scalars(select(StoredReport).where(StoredReport.body_id == body.id)).one()
        assert (report.year, str(report.published)) == (2019, "2020-03-02")
        assert [s.url for s in report.sources] == ["http://example.gov.cn/r.html"]
    assert store.versions("宿迁市侯集镇人民政府", 2021) == [1]


def test_a_manifest_saved_by_excel_in_gbk_is_read_as_gbk(db_url, tmp_path):
    # Excel on a Chinese Windows saves CSV in GBK; a manifest is a few short names, on which the
    # encoding detector guessed Korean: the body was stored as 굇쑴懇베듯혐훙췽漣리 (before)
    (tmp_path / "h.txt").write_bytes((SAMPLES / "houji_2021.txt").read_bytes())
    manifest = tmp_path / "m.csv"
    manifest.write_bytes("文件,机关\nh.txt,北京市海淀区人民政府\n".encode("gbk"))
    result = run("ingest", "--manifest", str(manifest), "--db", db_url)
    assert result.returncode == 0, result.stderr
    assert Store(db_url).versions("北京市海淀区人民政府", 2021) == [1]


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("file,body\nr.txt,\n", "row 2: no body for 'r.txt'"),
        ("file,body,year\nr.txt,甲局,二〇一九\n", "row 2: year '二〇一九' is not a year"),
        ("文件,单位\nr.txt,甲局\nmissing.txt,乙局\n", "row 3: no such file 'missing.txt'"),
        ("file,body,level\nr.txt,甲局,区县\n", "row 2: level '区县' is not one of"),
        ("file,body,published\nr.txt,甲局,去年\n", "row 2: published '去年' is not a date"),
        ("file,agency\nr.txt,甲局\n", "missing: body (机关)"),
        ("file,body\nr.txt,甲局\nr.txt,乙局\n", "row 3: file 'r.txt' is listed twice"),
        # a header alone asked to "name report files or folders" (before), the manifest named
        ("file,body\n\n,\n", "m.csv: the manifest lists no files, only the names of its columns"),
    ],
)
def test_a_bad_manifest_row_is_one_line_and_nothing_is_ingested(db_url, tmp_path, rows, error):
    (tmp_path / "r.txt").write_bytes(UNSIGNED.read_bytes())
    (tmp_path / "m.csv").write_text(rows, encoding="utf-8")
    result = run("ingest", str(WUXI), "--manifest", str(tmp_path / "m.csv"), "--db", db_url)
    assert result.returncode == 2
    assert error in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert _count(Store(db_url)) == 0


def test_a_manifest_attributes_a_report_already_waiting(db_url, tmp_path):
    store = Store(db_url)
    assert store.ingest_paths([UNSIGNED]).queued == 1
    (tmp_path / "m.csv").write_text(f"file,body\n{UNSIGNED},某镇人民政府\n", encoding="utf-8")
    result = run("ingest", "--manifest", str(tmp_path / "m.csv"), "--db", db_url)
    assert result.returncode == 0 and "stored 1 new" in result.stderr, result.stderr
    assert store.versions("某镇人民政府", 2019) == [1]


def test_attribute_and_queue_commands(db_url):
    assert run("ingest", str(UNSIGNED), "--db", db_url).returncode == 0
    listed = json.loads(run("queue", "--db", db_url, "--json").stdout)
    assert [(r["year"], Path(r["source"]).name) for r in listed] == [(2019, UNSIGNED.name)]
    done = run("attribute", str(listed[0]["id"]), "--body", "某镇人民政府", "--db", db_url)
    assert done.returncode == 0 and "filed under 某镇人民政府" in done.stdout
    assert json.loads(run("queue", "--db", db_url, "--json").stdout) == []
    missing = run("attribute", "999", "--body", "某镇人民政府", "--db", db_url)
    assert missing.returncode == 2 and "no stored report has the id 999" in missing.stderr


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_body_name_is_refused_and_no_body_made(db_url, name):
    # `--body "$BODY"` with BODY unset made a body without a name (before), reports filed under it
    assert run("ingest", str(UNSIGNED), "--db", db_url).returncode == 0
    queued = json.loads(run("queue", "--db", db_url, "--json").stdout)
    empty = run("attribute", str(queued[0]["id"]), "--body", name, "--db", db_url)
    assert (empty.returncode, empty.stderr) == (2, "xxgk: error: a body's name is empty\n")
    new = ["--received", "2025-01-20", "--channel", "网络", "--applicant-type", "自然人", "--name", "张三"]
    added = run("register", "add", *new, "--body", name, "--today", "2025-01-20", "--db", db_url)
    assert (added.returncode, added.stderr) == (2, "xxgk: error: a body's name is empty\n")
    with Store(db_url).session() as session:
        assert session.scalar(select(func.count()).select_from(Body)) == 0
    assert len(json.loads(run("queue", "--db", db_url, "--json").stdout)) == 1


def test_a_manifest_in_xlsx(tmp_path):
    from openpyxl import Workbook

    from xxgk.store.attribution import read_manifest

    (tmp_path / "r.txt").write_bytes(UNSIGNED.read_bytes())
    book = Workbook()
    book.active.append(["文件", "单位", "年度"])
    book.active.append(["r.txt", "某镇人民政府", 2019])
    book.save(tmp_path / "m.xlsx")
    assert read_manifest(tmp_path / "m.xlsx") == {
        (tmp_path / "r.txt").resolve(): Attribution(body="某镇人民政府", year=2019)
    }


# --- migration 0004 -----------------------------------------------------------------------------


def test_migration_files_old_rows_by_content_and_queues_bodies_made_of_file_names(db_url):
    """A store written before 0004: a report under a body made from its file name, and one
    under its printed body. After the upgrade the first waits for a body (its made-up body
    gone), both know their content, and the same report from another file is a source."""
    from sqlalchemy import MetaData, insert

    from xxgk.check.crossyear import narrative

    engine = migrated_to(db_url, "0003")
    tables = MetaData()
    tables.reflect(engine)
    old = [("（未署名）004_a002ef4d6b85274a", xxgk.parse_path(UNSIGNED)), (HELIE, xxgk.parse_path(WUXI))]
    with engine.begin() as connection:
        for number, (name, report) in enumerate(old, start=1):
            connection.execute(insert(tables.tables["bodies"]).values(id=number, name=name, key=name))
            row = {
                "id": number,
                "body_id": number,
                "year": report.meta.year,
                "version": 1,
                "current": True,
                "template": report.template_id,
                "sha256": f"{number}" * 64,
                "source": report.source,
                "format": report.format,
                "agency_printed": report.meta.agency,
                "title": report.meta.title,
                "narrative": narrative(report),
                "errors": 0,
                "warnings": 0,
            }
            connection.execute(insert(tables.tables["reports"]).values(**row))
            cells = [{k: v for k, v in c.items() if k != "provenance"} for c in _old_cells(report, number)]
            connection.execute(insert(tables.tables["cells"]), cells)
    engine.dispose()
    store = Store(db_url)  # upgrades to head
    with store.session() as session:
        assert session.scalars(select(Body.name)).all() == [HELIE]
        rows = {r.id: r for r in session.scalars(select(StoredReport))}
        assert (rows[1].body_id, rows[1].current) == (None, False)
        assert all(r.content for r in rows.values())
        assert {s.sha256 for s in session.scalars(select(ReportSource))} == {"1" * 64, "2" * 64}
        # SQLite rebuilds the reports table: its cells must survive (cascading deletes), and
        # 0012 makes them one document a report
        for number, (_, report) in enumerate(old, start=1):
            values = {k: c.value for k, c in to_report(rows[number]).cells.items()}
            assert values == {k: c.value for k, c in report.cells.items()}
    html_copy = xxgk.parse_bytes(_as_html(WUXI.read_text(encoding="utf-8")), "w.html")
    assert store.ingest(html_copy, "h" * 64) == "source"
    from xxgk.store.queue import queued

    assert [q.id for q in queued(store)] == [1]


def _old_cells(report: xxgk.Report, report_id: int) -> list[dict[str, object]]:
    """The report's cells as the store kept them before migration 0012: a row a cell."""
    rows = []
    for key, cell in report.cells.items():
        table_id, row_id, column_id = key.split(".")
        value = cell.value
        rows.append(
            {
                "report_id": report_id,
                "table_id": table_id,
                "row_id": row_id,
                "column_id": column_id,
                "value": None if value is None else Decimal(value),
                "text": cell.text,
                "provenance": cell.provenance.to_dict() if cell.provenance else None,
                "found": cell.found,
                "ambiguous": cell.ambiguous,
            }
        )
    return rows


def test_migration_0012_keeps_every_cell_with_its_source_in_one_document(db_url: str) -> None:
    """A store written before 0012 (a row a cell): after the upgrade each report's cells are
    one document, and the report read back has every cell as it had: value (an amount in 万元
    too), printed text, page and box on the PDF, in doubt or not printed."""
    from sqlalchemy import MetaData, insert

    engine = migrated_to(db_url, "0011")
    tables = MetaData()
    tables.reflect(engine)
    old = [xxgk.parse_path(CORPUS / "huaian_hongzequ_2024.pdf"), xxgk.parse_path(CORPUS / "pt004.txt")]
    pdf = old[0]
    assert any(c.provenance and c.provenance.bbox for c in pdf.cells.values())
    assert any(not c.found for c in pdf.cells.values())
    assert any(isinstance(c.value, Decimal) for r in old for c in r.cells.values())  # an amount
    with engine.begin() as connection:
        for number, report in enumerate(old, start=1):
            body = {"id": number, "name": f"机关{number}", "key": "k"}
            connection.execute(insert(tables.tables["bodies"]).values(**body))
            row = {
                "id": number,
                "body_id": number,
                "year": report.meta.year,
                "version": 1,
                "current": True,
                "kind": "published",
                "template": report.template_id,
                "sha256": f"{number}" * 64,
                "content": f"{number}" * 64,
                "format": report.format,
                "errors": 0,
                "warnings": 0,
            }
            connection.execute(insert(tables.tables["reports"]).values(**row))
            connection.execute(insert(tables.tables["cells"]), _old_cells(report, number))
    engine.dispose()
    store = Store(db_url)  # upgrades to head
    with store.session() as session:
        for number, report in enumerate(old, start=1):
            kept = to_report(session.get_one(StoredReport, number))
            assert kept.cells.keys() == report.cells.keys()
            for key, cell in report.cells.items():
                again = kept.cells[key]
                assert (again.value, again.text, again.found, again.ambiguous) == (
                    cell.value,
                    cell.text,
                    cell.found,
                    cell.ambiguous,
                ), key
                assert again.provenance == cell.provenance, key


def test_choosing_a_version_with_its_body_and_year_refuses_another_bodys_report(db_url):
    # `xxgk versions 某镇 2021 --choose 3` where report 3 is another body's: made it current
    # there (before), unseen, as if a version of its own; now refused and nothing changes
    assert run("ingest", str(WUXI), str(ALTERED), str(PINGTAN), "--db", db_url).returncode == 0
    store = Store(db_url)
    _, helie, _ = store.version_list(HELIE, 2020)
    other = store.version_list("平潭综合实验区", 2022)
    chosen = run(
        "versions", "平潭综合实验区", "2022", "--choose", str(helie[1].id), "--by", "乙", "--why", "x",
        "--db", db_url,
    )  # fmt: skip
    assert chosen.returncode == 2
    assert chosen.stderr == (
        f"xxgk: error: report {helie[1].id} is no version of the report of 平潭综合实验区 2022\n"
    )
    assert store.version_list(HELIE, 2020)[1] == helie and store.version_list("平潭综合实验区", 2022) == other
    wrong_year = run(
        "versions", HELIE, "2021", "--choose", str(helie[1].id), "--by", "乙", "--why", "x", "--db", db_url
    )
    assert wrong_year.returncode == 2 and "is no version of the report of" in wrong_year.stderr
    right = run(
        "versions", HELIE, "2020", "--choose", str(helie[1].id), "--by", "乙", "--why", "x", "--db", db_url
    )
    assert right.returncode == 0, right.stderr


def test_an_empty_body_or_a_word_for_a_year_is_said_as_such(db_url):
    # `findings --body ""` said "no such body in the store" without a name (before); `compare B
    # 2020 abc` the generic "name one body … or one region" line
    assert run("ingest", str(PINGTAN), "--db", db_url).returncode == 0
    empty = run("findings", "--body", "", "--db", db_url)
    assert (empty.returncode, empty.stderr) == (2, "xxgk: error: a body's name is empty\n")
    wrong = run("compare", "平潭综合实验区", "2020", "abc", "--db", db_url)
    assert wrong.returncode == 2
    assert wrong.stderr == "xxgk: error: 'abc' is no year; name one body, then its years\n"
