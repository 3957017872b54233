"""CLI edges: a finding on a PDF names its page; exports keep counts integer and amounts decimal;
an export of a region or a body takes everything under it (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal

import pyarrow.parquet as pq
from openpyxl import load_workbook

from tests.conftest import CORPUS
from tests.test_inputs import run
from tests.test_store_reports import A, B, fill_for_export, ingest, synthetic
from xxgk.store import Store
from xxgk.store.export import export, read_export

HONGZE = CORPUS / "huaian_hongzequ_2024.pdf"
# Worked out apart from xxgk with poppler (`pdftotext -f N -l N`): the misprinted label
# “2.其他法律行政止公开” is on page 3, the single row “（六）其他处理” on page 4.
PAGES = {"LABEL": [3], "TEMPLATE": [4]}


def test_a_pdf_finding_names_its_page():
    shown = run("check", str(HONGZE))
    assert f"{HONGZE}:page 4: error TEMPLATE " in shown.stdout
    assert f"{HONGZE}:page 3: warning LABEL " in shown.stdout
    report = json.loads(run("check", "--json", str(HONGZE)).stdout)
    assert {f["rule"]: f["pages"] for f in report["findings"]} == PAGES


def test_a_text_finding_keeps_its_line():
    text = CORPUS / "pt004.txt"
    report = json.loads(run("check", "--json", str(text)).stdout)
    assert report["findings"] and not any("pages" in f for f in report["findings"])
    assert re.search(rf"^{re.escape(str(text))}:\d+:\d+: ", run("check", str(text)).stdout, re.M)  # as before


def test_a_stored_pdf_finding_names_its_page(db_url):
    Store(db_url).ingest_paths([HONGZE, CORPUS / "pt004.txt"], jobs=1)
    found = json.loads(run("findings", "--json", "--db", db_url).stdout)
    assert {f["rule"]: f["pages"] for f in found if "pages" in f} == PAGES
    assert all("pages" not in f for f in found if f["body"] == "平潭综合实验区")
    from fastapi.testclient import TestClient

    from xxgk.serve import create_app

    api = TestClient(create_app(db_url, workers=1)).get(
        "/api/findings", params={"body": "淮安市洪泽区人民政府"}
    )
    assert {f["rule"]: f["pages"] for f in api.json()["items"]} == PAGES
    table = run("findings", "--db", db_url, "--rule", "LABEL").stdout
    assert "page" in table.splitlines()[1] and "│ 3 " in table


def test_long_parquet_keeps_counts_integer(db_url, tmp_path):
    store = Store(db_url)
    fill_for_export(store)
    out = tmp_path / "long.parquet"
    export(store, "parquet", "long", out)
    table = pq.read_table(out)
    assert str(table.schema.field("value").type) == "int64"
    assert str(table.schema.field("amount").type) == "decimal128(24, 6)"
    rows = {
        (r["body"], r["year"], f"{r['table']}.{r['row']}.{r['column']}"): (r["value"], r["amount"])
        for r in table.to_pylist()
    }
    # fill_for_export: A 2023 received 3 (a count), fees 12.3456 万元 (an amount); B 2024 printed 2.5
    # in a count cell (a misprint, kept as printed, so in the decimal column)
    assert rows[(A, 2023, "applications.received.total")] == (3, None)
    assert rows[(A, 2023, "active.fees.amount")] == (None, Decimal("12.3456"))
    assert rows[(A, 2024, "active.fees.amount")] == (None, Decimal("100"))
    assert rows[(B, 2024, "active.enforcement.decisions")] == (None, Decimal("2.5"))
    assert rows[(A, 2023, "active.licensing.decisions")] == (None, None)  # blank
    back = read_export(out, "parquet", "long")
    assert back[(A, 2023, "applications.received.total")] == 3
    assert back[(A, 2023, "active.fees.amount")] == Decimal("12.3456")


def test_csv_and_xlsx_keep_counts_integer(db_url, tmp_path):
    store = Store(db_url)
    fill_for_export(store)
    export(store, "csv", "long", tmp_path / "x.csv")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = {
            (r["body"], r["year"], r["table"], r["row"], r["column"]): r["value"]
            for r in csv.DictReader(handle)
        }
    assert cells[(A, "2023", "applications", "received", "total")] == "3"  # not 3.000000
    assert cells[(A, "2023", "active", "fees", "amount")] == "12.3456"
    export(store, "xlsx", "wide", tmp_path / "x.xlsx")
    sheet = load_workbook(tmp_path / "x.xlsx", read_only=True)["reports"]
    header, *rows = sheet.iter_rows(values_only=True)
    a2023 = dict(zip(header, next(r for r in rows if r[:2] == (A, 2023)), strict=True))
    assert a2023["applications.received.total"] == 3 and type(a2023["applications.received.total"]) is int
    assert a2023["active.fees.amount"] == 12.3456


def test_an_export_of_a_region_takes_everything_under_it(db_url, tmp_path):
    store = Store(db_url)
    listing = tmp_path / "bodies.csv"
    listing.write_text(
        "名称,地区,上级\n宿迁市人民政府,江苏省宿迁市,\n甲县人民政府,甲县,宿迁市人民政府\n乙镇人民政府,,甲县人民政府\n"
        "丙镇人民政府,福建省,\n",
        encoding="utf-8",
    )
    store.import_bodies(listing)
    for body in ("甲县人民政府", "乙镇人民政府", "丙镇人民政府"):
        ingest(store, synthetic(body, 2023, {"received": 1}))
    for where in (
        {"region": "江苏省"},
        {"region": "宿迁市"},
        {"body": "宿迁市人民政府"},
        {"body": "甲县人民政府"},
    ):
        out = tmp_path / "x.json"
        assert export(store, "json", "wide", out, **where) == 2, where
        assert {r["body"] for r in json.loads(out.read_text(encoding="utf-8"))} == {
            "甲县人民政府",
            "乙镇人民政府",
        }
    assert export(store, "json", "wide", tmp_path / "y.json", body="乙镇人民政府") == 1
    done = run("export", "--region", "福建", "--format", "csv", "--shape", "wide", "--db", db_url)
    assert done.returncode == 0 and [line.split(",")[0] for line in done.stdout.splitlines()[1:]] == [
        "丙镇人民政府"
    ]
