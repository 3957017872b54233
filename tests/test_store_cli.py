"""The store's commands end to end: ingest, compare, stats, export, bodies, user."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CORPUS, SAMPLES, TEXT_REPORTS
from tests.test_inputs import run


def test_the_corpus_commands(db_url, tmp_path):
    assert run("ingest", *map(str, TEXT_REPORTS), "--db", db_url).returncode == 0
    stats = json.loads(run("stats", "--db", db_url, "--json").stdout)
    assert {row["group"] for row in stats} == {2019, 2020, 2021, 2022}
    by_year = {row["group"]: row for row in stats}
    assert by_year[2022]["received"] == 74  # pt004: 本年新收 74
    compared = json.loads(
        run("compare", "平潭综合实验区", "--years", "2019", "2022", "--db", db_url, "--json").stdout
    )
    cells = {c["cell"]: c for c in compared["cells"]}
    assert cells["applications.received.total"]["before"] == 23
    assert cells["applications.received.total"]["after"] == 74
    out = tmp_path / "cells.csv"
    exported = run("export", "--format", "csv", "--shape", "long", "--out", str(out), "--db", db_url)
    assert exported.returncode == 0 and out.exists()
    assert "applications.received.total" not in out.read_text(encoding="utf-8-sig").splitlines()[0]
    wide = run("export", "--format", "json", "--shape", "wide", "--db", db_url)
    rows = json.loads(wide.stdout)
    assert len(rows) == len(TEXT_REPORTS) - 1  # 004 prints no agency: 待认定, exported with none
    bad = run("export", "--format", "xlsx", "--db", db_url)
    assert bad.returncode == 2 and "--out" in bad.stderr


def test_user_add_reads_the_password_from_stdin(db_url):
    import subprocess
    import sys

    ok = subprocess.run(
        [sys.executable, "-m", "xxgk", "user", "add", "alice", "--db", db_url, "--password-stdin"],
        input="long enough password\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    short = subprocess.run(
        [sys.executable, "-m", "xxgk", "user", "add", "bob", "--db", db_url, "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert short.returncode == 2 and "at least 8" in short.stderr


def test_compare_of_a_missing_body_is_a_clear_error(db_url):
    run("ingest", str(CORPUS / "pt004.txt"), "--db", db_url)
    result = run("compare", "不存在的单位", "--years", "2021", "2022", "--db", db_url)
    assert result.returncode == 2 and result.stderr.startswith("xxgk: error: ")
    assert "Traceback" not in result.stderr


def test_ingesting_the_samples_folder_skips_its_readme(db_url):
    result = run("ingest", str(SAMPLES), "--db", db_url)
    assert result.returncode == 0, result.stderr
    assert "failed 0" in result.stderr and "skipped 1 file(s) that are not reports:" in result.stderr
    assert f"{SAMPLES / 'README.md'}: not a government" in result.stderr


@pytest.mark.parametrize(
    ("args", "valid"),
    [
        (["findings", "--severity", "bogus"], "error, warning, info"),
        (["findings", "--status", "closed"], "open, confirmed, dismissed"),
        (["findings", "--rule", "T9-SUM"], "T3-SUM"),
        (["findings", "--rule", "NOPE-*"], "TXT-*"),
        (["stats", "--level", "区县"], "省"),
        (["stats", "--by", "body"], "year, region, level"),
        (["export", "--format", "ods"], "csv, xlsx, parquet, json"),
        (["export", "--shape", "tall"], "long, wide"),
    ],
)
def test_a_filter_value_that_selects_nothing_by_construction_is_an_error(db_url, args, valid):
    """`--severity bogus` and `--level 区县` used to print an empty selection and exit 0."""
    result = run(*args, "--db", db_url)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("xxgk: error: ") and valid in lines[0], result.stderr


def test_the_valid_filter_values_still_select(db_url):
    run("ingest", str(SAMPLES / "altered_wuxi_helie_2020.txt"), "--db", db_url)
    # （七）总计·自然人 2→3 breaks the 自然人 column's sum (T3-SUM), the 总计 row across the columns
    # (T3-ROW) and 收到 + 上年结转 = 办理总计 + 结转下年 (T3-BAL); 行政复议·总计 2→4 is table 4's (T4-SUM)
    found = run("findings", "--severity", "error", "--rule", "T3-*", "--db", db_url, "--json")
    assert {f["rule"] for f in json.loads(found.stdout)} == {"T3-SUM", "T3-ROW", "T3-BAL"}
    by_level = json.loads(run("stats", "--level", "街道", "--db", db_url, "--json").stdout)
    assert [row["reports"] for row in by_level] == [1]  # 河埒街道办事处's one report of 2020


def test_findings_piped_to_a_file_are_never_cut(db_url):
    """Off a terminal rich took 80 columns and cut each message to `2021年度报告第六部…`."""
    run("ingest", *map(str, TEXT_REPORTS), "--db", db_url)
    messages = [f["message"] for f in json.loads(run("findings", "--db", db_url, "--json").stdout)]
    assert max(map(len, messages)) > 40  # longer than a cut column holds
    table = run("findings", "--db", db_url).stdout
    assert "…" not in table
    for message in messages:
        assert message in table
