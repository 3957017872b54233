"""The store's commands end to end: ingest, compare, stats, export, bodies, user."""

from __future__ import annotations

import json

from tests.conftest import CORPUS, TEXT_REPORTS
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
    assert len(rows) == len(TEXT_REPORTS)
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
