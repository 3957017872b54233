"""The store on SQLite and PostgreSQL: ingest, versions, cross-year checks, findings, bodies."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

import xxgk
from tests.conftest import CORPUS, TEXT_REPORTS
from tests.edit import edit_cells
from tests.test_inputs import run
from xxgk.store import Store, StoreError
from xxgk.store.findings import list_findings
from xxgk.store.models import Body, StoredReport

PINGTAN_2022 = CORPUS / "pt004.txt"  # 2021 template
WUXI = CORPUS / "001_0e974329021f3c6f.txt"


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _cells(store: Store) -> int:
    with store.session() as session:
        return sum(len(cells) for cells in session.scalars(select(StoredReport.cells)))


def test_ingesting_the_corpus_twice_keeps_one_version_of_each(db_url, tmp_path):
    store = Store(db_url)
    first = store.ingest_paths([CORPUS], jobs=2)
    # the text reports, the HTML and the PDF; 004 prints no agency: stored as 待认定
    assert (first.new, first.queued) == (len(TEXT_REPORTS) + 2 - 1, 1)
    reports, cells = _count(store, StoredReport), _cells(store)
    assert cells > 150 * reports  # every report keeps its cells (about 200 a template)
    second = store.ingest_paths([CORPUS], jobs=2)
    assert (second.new, second.versions, second.queued, second.unchanged) == (0, 0, 0, first.new + 1)
    assert (_count(store, StoredReport), _cells(store)) == (reports, cells)
    stored = store.report("平潭综合实验区", 2022)
    assert stored is not None
    assert stored.tables() == xxgk.parse_path(PINGTAN_2022).tables()


def test_a_changed_file_is_a_new_version_and_the_old_is_kept(db_url, tmp_path):
    store = Store(db_url)
    path = tmp_path / "wuxi.txt"
    shutil.copy(WUXI, path)
    assert store.ingest_paths([path]).new == 1
    path.write_text(edit_cells(WUXI, {"active.licensing.decisions": "14"}), encoding="utf-8")
    summary = store.ingest_paths([path])
    assert (summary.new, summary.versions) == (0, 1)
    assert store.versions("无锡市滨湖区河埒街道办事处", 2020) == [1, 2]
    assert store.report("无锡市滨湖区河埒街道办事处", 2020).value("active.licensing.decisions") == 14
    old = store.report("无锡市滨湖区河埒街道办事处", 2020, version=1)
    assert old.value("active.licensing.decisions") == 13


def _series(years: dict[int, dict[str, str]], base: Path = PINGTAN_2022) -> list[xxgk.Report]:
    """The same body's report over several years, with cells changed as given."""
    out = []
    for year, changes in years.items():
        text = edit_cells(base, changes) if changes else base.read_text(encoding="utf-8")
        text = text.replace("2022年度政府信息公开工作年度报告", f"{year}年度政府信息公开工作年度报告")
        report = xxgk.parse_text(text, f"pingtan-{year}.txt")
        assert report.meta.year == year
        out.append(report)
    return out


def _sha(report: xxgk.Report) -> str:
    return hashlib.sha256(report.text.encode()).hexdigest()


def test_cross_year_series_gets_x_carry_and_x_stock(db_url):
    store = Store(db_url)
    # 2022 as printed: in_force 698, carried_forward 0; 2023 printed with 1 carried over (X-CARRY)
    # and in_force 700 although 698 + 88 - 55 = 731 (X-STOCK); 2024 consistent with 2023.
    series = _series(
        {
            2022: {},
            2023: {
                "applications.carried_over.natural_person": "1",
                "applications.carried_over.total": "1",
                "active.normative_documents.in_force": "700",
            },
            2024: {
                "active.normative_documents.in_force": "733",
                "applications.carried_over.natural_person": "0",
                "applications.carried_over.total": "0",
            },
        }
    )
    for report in series:
        store.ingest(report, _sha(report))
    x = {(f.year, f.rule, tuple(f.cells)) for f in list_findings(store, rule="X-*")}
    assert (2023, "X-CARRY", ("applications.carried_over.natural_person",)) in x
    assert (2023, "X-CARRY", ("applications.carried_over.total",)) in x
    assert (2023, "X-STOCK", ("active.normative_documents.in_force",)) in x
    assert not any(year == 2024 and rule in ("X-CARRY", "X-STOCK") for year, rule, _ in x)
    assert not any(year == 2022 for year, _, _ in x)
    stock = next(f for f in list_findings(store, rule="X-STOCK"))
    assert "698" in stock.message and "731" in stock.message


def test_x_findings_follow_when_the_previous_year_arrives_later(db_url):
    store = Store(db_url)
    later, earlier = _series({2023: {"applications.carried_over.total": "5"}, 2022: {}})
    store.ingest(later, _sha(later))
    assert list_findings(store, rule="X-*") == []
    store.ingest(earlier, _sha(earlier))
    assert {f.rule for f in list_findings(store, year=2023, rule="X-*")} >= {"X-CARRY"}


def test_copied_reports_are_flagged(db_url):
    store = Store(db_url)
    first, second = _series({2022: {}, 2023: {}})
    store.ingest(first, _sha(first))
    store.ingest(second, _sha(second)[:-1] + "x")
    rules = {f.rule for f in list_findings(store, year=2023)}
    assert {"X-COPY-TEXT", "X-COPY-TABLES"} <= rules


def test_findings_can_be_filtered(db_url):
    store = Store(db_url)
    store.ingest_paths([CORPUS / "pt004.txt", CORPUS / "002_d6151df9dcb3c2dc.txt", CORPUS / "pt001.txt"])
    assert {f.rule for f in list_findings(store, body="侯集镇人民政府")} == {"FEE-NOTE"}
    assert {f.body for f in list_findings(store, rule="AMBIGUOUS")} == {"平潭综合实验区"}
    assert [f.year for f in list_findings(store, rule="AMBIGUOUS", year=2019)] == [2019] * 7
    assert [f.year for f in list_findings(store, rule="SPLIT", year=2022)] == [2022]  # by its narrative
    assert list_findings(store, severity="error") == []


def test_a_report_is_matched_to_its_body_by_alias_and_short_name(db_url, tmp_path):
    store = Store(db_url)
    bodies = tmp_path / "bodies.csv"
    bodies.write_text(
        "name,level,region,parent,aliases\n"
        "无锡市滨湖区人民政府,县,无锡市,,滨湖区政府\n"
        "无锡市滨湖区河埒街道办事处,,无锡市,无锡市滨湖区人民政府,河埒街道\n"
        "沭阳县发展和改革局,部门,宿迁市,,\n",
        encoding="utf-8",
    )
    assert store.import_bodies(bodies) == 3
    with store.session() as session:
        helie = session.scalar(select(Body).where(Body.name == "无锡市滨湖区河埒街道办事处"))
        assert helie.parent.name == "无锡市滨湖区人民政府" and helie.level == "街道"
        assert store.find_body(session, "沭阳县发改局").name == "沭阳县发展和改革局"
        assert store.find_body(session, "滨湖区政府").name == "无锡市滨湖区人民政府"
    store.ingest_paths([WUXI])
    assert _count(store, Body) == 3  # the report's 无锡市滨湖区河埒街道办事处 is the imported body


def test_bodies_import_from_xlsx(db_url, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "level", "region", "parent", "aliases"])
    sheet.append(["某市人民政府", "市", "某市", None, None])
    sheet.append(["某市交通运输局", None, "某市", "某市人民政府", "某市交通局、市交通局"])
    book.save(tmp_path / "bodies.xlsx")
    store = Store(db_url)
    assert store.import_bodies(tmp_path / "bodies.xlsx") == 2
    with store.session() as session:
        assert store.find_body(session, "市交通局").parent.name == "某市人民政府"


def test_bad_bodies_files_are_clear_errors(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    (tmp_path / "nohead.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(xxgk.InputError, match="'name' is missing"):
        store.import_bodies(tmp_path / "nohead.csv")
    with pytest.raises(xxgk.InputError, match="no such file"):
        store.import_bodies(tmp_path / "none.csv")


def test_a_database_that_cannot_be_opened_is_one_clear_line(tmp_path):
    with pytest.raises(StoreError):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    # a URL that is none, and a server that refuses (psycopg's message runs over two lines)
    for url in ("notaurl", "postgresql+psycopg://nobody@127.0.0.1:1/none"):
        result = run("findings", "--db", url)
        assert result.returncode == 2 and result.stderr.startswith("xxgk: error: "), url
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, url


def test_ingest_and_findings_commands(db_url, tmp_path):
    result = run(
        "ingest", str(CORPUS / "pt004.txt"), str(CORPUS / "002_d6151df9dcb3c2dc.txt"), "--db", db_url
    )
    assert result.returncode == 0, result.stderr
    assert "stored 2 new" in result.stderr
    again = run("ingest", str(CORPUS / "pt004.txt"), "--db", db_url)
    assert "stored 0 new and 0 new versions, 0 more sources of stored reports" in again.stderr
    assert "1 unchanged" in again.stderr
    listed = run("findings", "--db", db_url, "--json", "--rule", "FEE-NOTE")
    assert '"侯集镇人民政府"' in listed.stdout and "AMBIGUOUS" not in listed.stdout


def test_a_review_survives_when_cross_year_findings_are_recomputed(db_url):
    from datetime import datetime

    from xxgk.store.models import StoredFinding

    store = Store(db_url)
    earlier, later = _series({2022: {}, 2023: {"applications.carried_over.total": "5"}})
    store.ingest(earlier, _sha(earlier))
    store.ingest(later, _sha(later))
    carry = next(f for f in list_findings(store, rule="X-CARRY"))
    with store.session() as session:
        row = session.get(StoredFinding, carry.id)
        row.status, row.comment, row.reviewed_by, row.reviewed_at = (
            "confirmed",
            "核实",
            "reviewer",
            datetime.now(),
        )
    # a new version of 2022 makes the store compute 2023's cross-year findings again
    again = _series({2022: {"active.licensing.decisions": "10691"}})[0]
    store.ingest(again, _sha(again))
    kept = next(f for f in list_findings(store, rule="X-CARRY"))
    assert (kept.status, kept.comment) == ("confirmed", "核实")


def test_the_readme_s_sql_reads_a_cell_from_the_stored_document(db_url):
    """The README shows how to read a cell in SQL on either database: it must give the figure."""
    import re

    from sqlalchemy import text

    store = Store(db_url)
    assert store.ingest(xxgk.parse_path(PINGTAN_2022), "p" * 64) == "new"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", readme, re.S).group(1)  # type: ignore[union-attr]
    queries = dict(re.findall(r"-- (\w+)\n(.+)\n", block))
    query = queries["PostgreSQL" if db_url.startswith("postgresql") else "SQLite"]
    with store.session() as session:
        (year, value), *others = session.execute(text(query)).all()
    assert not others
    # pt004.txt is 平潭's 2022 report; its truth file has 74 applications received (新收)
    assert (year, int(value)) == (2022, 74)
