"""Reports over the store: compare two years, corpus statistics, exports (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from rich.console import Console

import xxgk
from tests.conftest import CORPUS
from xxgk.check.crossyear import narrative, similarity
from xxgk.model import Finding, Value
from xxgk.store import Store
from xxgk.store.compare import compare, compare_series, render_comparison
from xxgk.store.export import FORMATS, SHAPES, export, read_export
from xxgk.store.stats import StatsRow, render_stats, stats

PINGTAN_2019 = CORPUS / "pt001.txt"  # 2019 template
PINGTAN_2022 = CORPUS / "pt004.txt"  # 2021 template
A, B, C, D = "甲县人民政府", "乙镇人民政府", "丙镇人民政府", "丁镇人民政府"


@pytest.fixture
def store(db_url: str) -> Store:
    """A store on an empty database: a new SQLite file, or the test PostgreSQL emptied."""
    return Store(db_url)


def synthetic(body: str, year: int, figures: dict[str, int], errors: int = 0, **cells: Value) -> xxgk.Report:
    """The 平潭 2022 report refiled under another body and year, with its key figures set.

    figures: received, granted, partly, processed, reviews, reviews_corrected, suits,
    suits_corrected (0 when not given); cells: more cells by key with "." written "__".
    """
    report = xxgk.parse_path(PINGTAN_2022)
    report.meta.agency, report.meta.year = body, year
    keys = {
        "received": "applications.received.total",
        "granted": "applications.granted.total",
        "partly": "applications.partly_granted.total",
        "processed": "applications.total.total",
        "reviews": "appeals.review.total",
        "reviews_corrected": "appeals.review.corrected",
        "suits": "appeals.litigation_direct.total",
        "suits_corrected": "appeals.litigation_direct.corrected",
    }
    for name, key in keys.items():
        report.cells[key].value = figures.get(name, 0)
    report.cells["appeals.litigation_after_review.total"].value = 0
    report.cells["appeals.litigation_after_review.corrected"].value = 0
    for key, value in cells.items():
        report.cells[key.replace("__", ".")].value = value
    report.findings = [Finding("T3-SUM", "error", (), f"seeded error {i}") for i in range(errors)]
    return report


def ingest(store: Store, report: xxgk.Report, tag: str = "") -> str:
    return store.ingest(report, sha256=f"{report.meta.agency}-{report.meta.year}-{tag}")


def fill_three_bodies(store: Store) -> None:
    """3 bodies × 2 years with B's 2024 report missing; A's 2023 report has an older version."""
    ingest(store, synthetic(A, 2023, {"received": 999, "processed": 999}, errors=3), "old")
    ingest(
        store,
        synthetic(
            A,
            2023,
            {"received": 40, "granted": 20, "partly": 5, "processed": 50}
            | {"reviews": 4, "reviews_corrected": 1, "suits": 2, "suits_corrected": 1},
        ),
        "new",
    )
    a2024 = {"received": 60, "granted": 30, "partly": 10, "processed": 60, "reviews": 10}
    ingest(store, synthetic(A, 2024, a2024 | {"reviews_corrected": 2}, errors=1))
    ingest(store, synthetic(B, 2023, {"received": 5, "granted": 1, "processed": 5}))
    c2023 = {"received": 10, "granted": 4, "partly": 1, "processed": 10}
    ingest(store, synthetic(C, 2023, c2023 | {"reviews": 1, "reviews_corrected": 1, "suits": 1}))
    ingest(store, synthetic(C, 2024, {"received": 8, "granted": 2, "partly": 2, "processed": 8}, errors=2))


def as_tuple(row: StatsRow) -> tuple:
    d, c = row.disclosure, row.correction
    return (
        row.group,
        row.reports,
        row.bodies,
        row.received,
        (d.numerator, d.denominator, d.small),
        (c.numerator, c.denominator, c.small),
        row.with_errors,
        row.missing,
    )


# --- stats -------------------------------------------------------------------------------------


def test_stats_by_year_from_the_key_figures_of_current_reports(store):
    fill_three_bodies(store)
    rows = stats(store)
    assert [as_tuple(r) for r in rows] == [
        # 2023: (20+5 + 1+0 + 4+1) / (50+5+10); corrections (1+1 + 0 + 1+0) / (4+2 + 0 + 1+1), thin
        (2023, 3, 3, 55, (31, 65, False), (3, 8, True), 0, 0),
        # 2024: B did not report; A and C each have error findings
        (2024, 2, 2, 68, (44, 68, False), (2, 10, True), 2, 1),
    ]
    assert rows[0].disclosure.value == pytest.approx(31 / 65)
    assert rows[1].to_dict()["correction_rate"] == {
        "value": 0.2,
        "numerator": 2,
        "denominator": 10,
        "small": True,
    }
    # a thinner threshold flags nothing; a thicker one flags everything
    assert not any(r.disclosure.small or r.correction.small for r in stats(store, min_cases=8))
    assert all(r.disclosure.small for r in stats(store, min_cases=100))


def test_stats_missing_reports_without_and_with_a_body_list(store, tmp_path):
    fill_three_bodies(store)
    # ingest alone: a body is expected in the selected years only if it reports in one of them
    assert [(r.group, r.missing) for r in stats(store, years=[2024])] == [(2024, 0)]
    assert [(r.group, r.reports, r.missing) for r in stats(store, years=[2023, 2025])] == [
        (2023, 3, 0),
        (2025, 0, 3),
    ]
    bodies = tmp_path / "bodies.csv"
    bodies.write_text(
        f"name,level,region\n{A},县,甲县\n{B},乡镇,甲县\n{C},乡镇,乙县\n{D},乡镇,乙县\n", encoding="utf-8"
    )
    store.import_bodies(bodies)
    # with a list, every listed body is expected every year (D never reported)
    assert [(r.group, r.missing) for r in stats(store)] == [(2023, 1), (2024, 2)]
    assert [(r.group, r.missing) for r in stats(store, years=[2024])] == [(2024, 2)]
    assert [as_tuple(r) for r in stats(store, by="region")] == [
        ("乙县", 2, 1, 18, (9, 18, True), (1, 2, True), 1, 2),  # C twice; D: 2 reports missing
        ("甲县", 3, 2, 105, (66, 115, False), (4, 16, True), 1, 1),  # A twice, B once
    ]
    assert [(r.group, r.reports, r.bodies, r.missing) for r in stats(store, by="level")] == [
        ("乡镇", 3, 2, 3),
        ("县", 2, 1, 0),
    ]
    in_region = stats(store, region="乙县")
    assert [(r.group, r.reports, r.received, r.missing) for r in in_region] == [
        (2023, 1, 10, 1),
        (2024, 1, 8, 1),
    ]
    assert [(r.group, r.reports) for r in stats(store, level="县", by="region")] == [("甲县", 2)]


def test_stats_of_an_empty_selection_and_bad_arguments(store):
    fill_three_bodies(store)
    assert stats(store, region="nowhere") == []
    with pytest.raises(xxgk.InputError, match="is not one of year, region, level"):
        stats(store, by="body")
    console = Console(file=io.StringIO(), width=200)
    render_stats(console, stats(store))
    shown = console.file.getvalue()
    assert "2024" in shown and "37.5%＊" in shown and "分母不足 30 件" in shown
    assert json.loads(json.dumps([r.to_dict() for r in stats(store)]))[0]["group"] == 2023


# --- compare -----------------------------------------------------------------------------------


def test_compare_two_years_of_one_body(store):
    fill_three_bodies(store)
    comparison = compare(store, A, (2024, 2023))  # either order: earlier year first
    assert comparison.years == (2023, 2024) and comparison.templates == ("2021", "2021")
    cells = {c.key: c for c in comparison.cells}
    received = cells["applications.received.total"]
    assert (received.before, received.after, received.change, received.changed) == (40, 60, 20, True)
    assert cells["appeals.litigation_direct.total"].change == -2
    assert not cells["applications.carried_over.total"].changed
    assert cells["applications.carried_over.total"].change == 0
    assert {c.key for c in comparison.changed} == {
        "applications.received.total",
        "applications.granted.total",
        "applications.partly_granted.total",
        "applications.total.total",
        "appeals.review.total",
        "appeals.review.corrected",
        "appeals.litigation_direct.total",
        "appeals.litigation_direct.corrected",
    }
    # the stored findings of each current report: 2023 (new version) none of its own; 2024 its
    # error and the cross-year ones against 2023 (same text and tables copied: X-COPY-TEXT)
    assert [f.rule for f in comparison.findings[2023]] == []
    rules_2024 = [f.rule for f in comparison.findings[2024]]
    assert rules_2024[0] == "T3-SUM" and "X-COPY-TEXT" in rules_2024
    assert comparison.similarity == 1.0
    out = comparison.to_dict()
    assert out["years"] == [2023, 2024] and out["changed"] == 8
    assert out["findings"]["2024"][0]["rule"] == "T3-SUM"
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


def test_compare_across_templates(store):
    store.ingest_paths([PINGTAN_2019, PINGTAN_2022])
    comparison = compare(store, "平潭综合实验区", (2019, 2022))
    assert comparison.templates == ("2019", "2021")
    cells = {c.key: c for c in comparison.cells}
    decisions = cells["active.licensing.decisions"]  # in both templates
    assert (decisions.before, decisions.after, decisions.change) == (181, 10690, 10509)
    made = cells["active.regulations.made"]  # 2019 only
    assert (made.in_before, made.in_after, made.after, made.change, made.changed) == (
        True,
        False,
        None,
        None,
        False,
    )
    misc = cells["applications.other_misc.total"]  # 2021 only
    assert (misc.in_before, misc.before, misc.change) == (False, None, None)
    assert "applications.other.total" in cells
    expected = similarity(narrative(xxgk.parse_path(PINGTAN_2022)), narrative(xxgk.parse_path(PINGTAN_2019)))
    assert comparison.similarity == pytest.approx(expected)
    assert {f.rule for f in comparison.findings[2019]} == {"AMBIGUOUS"}
    console = Console(file=io.StringIO(), width=140)
    render_comparison(console, comparison)
    shown = console.file.getvalue()
    assert "+10509" in shown and "行政许可·本年处理决定数量" in shown and "AMBIGUOUS" in shown
    assert f"正文相似度：{round(100 * expected)}%" in shown
    assert "本年新制作数量" not in shown  # 2019-only cells only with all_cells
    console = Console(file=io.StringIO(), width=140)
    render_comparison(console, comparison, all_cells=True)
    assert "本年新制作数量" in console.file.getvalue()


def test_compare_over_three_years(store):
    fill_three_bodies(store)
    ingest(store, synthetic(A, 2025, {"received": 45, "granted": 30, "partly": 10, "processed": 45}))
    series = compare_series(store, A, (2025, 2023, 2024))  # any order: earliest year first
    assert series.years == (2023, 2024, 2025) and series.templates == ("2021", "2021", "2021")
    received = {c.key: c for c in series.cells}["applications.received.total"]
    # 40 → 60 → 45: +20 on 40 = +50 %, −15 on 60 = −25 %
    assert received.values == (40, 60, 45) and received.changed
    assert (received.change(1), received.change(2)) == (20, -15)
    assert (received.percent(1), received.percent(2)) == (50.0, -25.0)
    corrected = {c.key: c for c in series.cells}["appeals.review.corrected"]
    assert corrected.values == (1, 2, 0) and corrected.percent(2) == -100.0  # 2 → 0
    # two years are the series' first pair, as before
    pair = compare(store, A, (2023, 2024))
    assert [(c.key, c.before, c.after) for c in pair.cells] == [
        (c.key, c.values[0], c.values[1]) for c in series.cells
    ]
    assert len(series.similarities) == 2 and series.similarities[0] == pair.similarity
    out = series.to_dict()
    assert out["years"] == [2023, 2024, 2025]
    cell = next(c for c in out["cells"] if c["cell"] == "applications.received.total")
    assert cell["values"] == {"2023": 40, "2024": 60, "2025": 45} and cell["changes"] == {
        "2024": 20,
        "2025": -15,
    }
    with pytest.raises(xxgk.InputError, match="2024 is given twice"):
        compare_series(store, A, (2023, 2024, 2024))
    with pytest.raises(xxgk.InputError, match="at least two years"):
        compare_series(store, A, (2023,))


def test_compare_missing_body_or_year_is_a_clear_error(store):
    store.ingest_paths([PINGTAN_2022])
    with pytest.raises(xxgk.InputError, match="no such body"):
        compare(store, "不存在的机关", (2022, 2023))
    with pytest.raises(xxgk.InputError, match=r"no 2021 report .*stored years: 2022"):
        compare(store, "平潭综合实验区", (2021, 2022))
    with pytest.raises(xxgk.InputError, match="two different years"):
        compare(store, "平潭综合实验区", (2022, 2022))


# --- export ------------------------------------------------------------------------------------


def fill_for_export(store: Store) -> None:
    """The text corpus, plus reports with amounts, blanks and a misprinted fraction in a count."""
    store.ingest_paths(sorted(CORPUS.glob("*.txt")))
    ingest(
        store,
        synthetic(
            A,
            2023,
            {"received": 3, "processed": 3},
            active__fees__amount=Decimal("12.3456"),
            active__licensing__decisions=None,
        ),
    )
    ingest(
        store,
        synthetic(
            A, 2024, {"received": 1}, active__fees__amount=Decimal("100"), active__penalties__decisions=None
        ),
    )
    ingest(store, synthetic(B, 2024, {}, active__enforcement__decisions=Decimal("2.5")))


def stored_cells(store: Store) -> dict[tuple[str, int, str], Value]:
    """Every cell of every current report, through the store's own reading."""
    from sqlalchemy import select

    from xxgk.store.models import Body, StoredReport

    with store.session() as session:
        pairs = session.execute(
            select(Body.name, StoredReport.year).join(Body).where(StoredReport.current)
        ).all()
    out = {}
    for body, year in pairs:
        report = store.report(body, year)
        for key, cell in report.cells.items():
            out[(body, year, key)] = cell.value
    return out


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_round_trips(store, tmp_path, fmt, shape):
    fill_for_export(store)
    expected = stored_cells(store)
    # 7 text reports (004 prints no agency: 待认定, not exported) and 3 synthetic: 6 + 3
    assert len({(b, y) for b, y, _ in expected}) == 9
    out = tmp_path / f"export.{fmt}"
    written = export(store, fmt, shape, out)
    assert written == (len(expected) if shape == "long" else 9)
    back = read_export(out, fmt, shape)
    assert back == expected
    # the types too: counts ints, amounts and the misprint decimals, blanks None
    assert {k: type(v) for k, v in back.items()} == {k: type(v) for k, v in expected.items()}
    assert back[(A, 2023, "active.fees.amount")] == Decimal("12.3456")
    assert back[(A, 2023, "active.licensing.decisions")] is None
    assert back[(B, 2024, "active.enforcement.decisions")] == Decimal("2.5")


def test_csv_and_json_go_to_the_stream(store):
    fill_for_export(store)
    text = io.StringIO()
    export(store, "csv", "wide", None, stream=text)
    header, *rows = text.getvalue().splitlines()
    assert header.startswith("body,year,template,active.regulations.issued,")
    assert "active.regulations.made" in header  # 2019 reports in the corpus: both templates' cells
    assert len(rows) == 9  # 6 text reports with their agency, 3 synthetic
    line = next(r for r in rows if r.startswith(f"{A},2023,"))
    assert ",12.3456," in line and ",," in line
    text = io.StringIO()
    export(store, "json", "long", None, stream=text)
    data = json.loads(text.getvalue(), parse_float=Decimal)
    amount = next(r for r in data if r["body"] == A and r["year"] == 2024 and r["row"] == "fees")
    assert amount == {
        "body": A,
        "year": 2024,
        "template": "2021",
        "table": "active",
        "row": "fees",
        "column": "amount",
        "value": 100,
    }
    assert '"value": 12.3456}' in text.getvalue()  # a number, not a string


def test_binary_exports_need_a_file_and_carry_labels(store, tmp_path):
    fill_for_export(store)
    for fmt in ("xlsx", "parquet"):
        with pytest.raises(xxgk.InputError, match="--out"):
            export(store, fmt, "long", None)
    with pytest.raises(xxgk.InputError, match="is not one of csv, xlsx, parquet, json"):
        export(store, "ods", "long", tmp_path / "x.ods")
    with pytest.raises(xxgk.InputError, match="does not exist"):
        export(store, "csv", "long", tmp_path / "none" / "x.csv")
    export(store, "xlsx", "wide", tmp_path / "x.xlsx")
    book = load_workbook(tmp_path / "x.xlsx", read_only=True)
    assert book.sheetnames == ["reports", "labels"]
    labels = {row[0]: row[1:] for row in book["labels"].iter_rows(values_only=True)}
    assert labels["body"][0] == "机关"
    assert labels["applications.received.total"][:4] == (
        "本年新收·总计",
        "收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量",
        "总计",
    )
    assert labels["active.regulations.made"][4] == "2019"
    book.close()
    export(store, "parquet", "wide", tmp_path / "x.parquet")
    schema = pq.read_schema(tmp_path / "x.parquet")
    assert str(schema.field("applications.received.total").type) == "int64"
    assert str(schema.field("active.fees.amount").type) == "decimal128(24, 6)"
    assert str(schema.field("active.enforcement.decisions").type) == "decimal128(24, 6)"  # the misprint


def test_export_of_an_empty_store(store, tmp_path):
    for fmt in FORMATS:
        for shape in SHAPES:
            out = tmp_path / f"empty.{shape}.{fmt}"
            assert export(store, fmt, shape, out) == 0
            assert read_export(out, fmt, shape) == {}


def test_only_current_versions_are_exported(store, tmp_path):
    ingest(store, synthetic(A, 2023, {"received": 999}), "old")
    ingest(store, synthetic(A, 2023, {"received": 40}), "new")
    export(store, "csv", "long", tmp_path / "x.csv")
    back = read_export(tmp_path / "x.csv", "csv", "long")
    assert back[(A, 2023, "applications.received.total")] == 40
    assert len(back) == len(xxgk.parse_path(PINGTAN_2022).cells)


def test_a_long_xlsx_continues_on_more_sheets(store, tmp_path, monkeypatch):
    import xxgk.store.export as exporting

    monkeypatch.setattr(exporting, "XLSX_ROWS", 150)  # Excel's limit is 1,048,576 rows a sheet
    ingest(store, synthetic(A, 2023, {"received": 7}))
    out = tmp_path / "x.xlsx"
    written = export(store, "xlsx", "long", out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["cells", "labels", "cells 2"]
    book.close()
    assert written == 200 and len(read_export(out, "xlsx", "long")) == 200


def test_a_failed_export_leaves_no_file(store, tmp_path, monkeypatch):
    import xxgk.store.export as exporting

    def broken(*args):
        raise RuntimeError("disk full")

    ingest(store, synthetic(A, 2023, {"received": 7}))
    monkeypatch.setattr(exporting, "_write_csv", broken)
    with pytest.raises(RuntimeError):
        export(store, "csv", "long", tmp_path / "x.csv")
    assert list(tmp_path.glob("*x.csv*")) == []


@pytest.mark.parametrize("shape", SHAPES)
def test_a_value_parquet_cannot_hold_is_a_clear_error_and_no_file(store, tmp_path, shape):
    """An amount printed with seven decimals is kept whole by the store and by CSV; Parquet's
    decimal(24, 6) column cannot hold it, and rounding it would change what was printed: the
    export stops with the body, year, cell and value, and writes no file."""
    ingest(
        store, synthetic(A, 2023, {"received": 3, "processed": 3}, active__fees__amount=Decimal("12.3456789"))
    )
    assert store.report(A, 2023).cells["active.fees.amount"].value == Decimal("12.3456789")  # type: ignore[union-attr]
    export(store, "csv", shape, tmp_path / "x.csv")
    assert "12.3456789" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")
    out = tmp_path / "x.parquet"
    with pytest.raises(
        xxgk.InputError, match=rf"{A} 2023: .*12\.3456789 does not fit Parquet's decimal128\(24, 6\)"
    ):
        export(store, "parquet", shape, out)
    assert not out.exists() and list(tmp_path.glob("x.parquet*")) == []
