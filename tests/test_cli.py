"""The command line: the JSON contract, the readable tables, linter exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import CORPUS, SAMPLES
from tests.test_inputs import run

WUXI = CORPUS / "001_0e974329021f3c6f.txt"
CLEAN = CORPUS / "000_cb2280fd5fe4f76b.txt"  # breaks no rule, warns of nothing
ALTERED = SAMPLES / "altered_wuxi_helie_2020.txt"


def test_parse_json_follows_the_contract():
    result = run("parse", "--json", str(WUXI))
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert {"template", "meta", "tables", "findings"} <= set(data)
    assert data["template"] == "2019"
    assert data["meta"] == {
        "agency": "无锡市滨湖区河埒街道办事处",
        "year": 2020,
        "published": "2021-01-20",
        "title": "河埒街道2020年政府信息公开工作年度报告",
        "level": "街道",
    }
    assert set(data["tables"]) == {"active", "applications", "appeals"}
    assert data["tables"]["applications"]["received"] == {
        "natural_person": 2,
        "commercial": 0,
        "research": 0,
        "social_welfare": 0,
        "legal_services": 0,
        "other": 0,
        "total": 2,
    }
    assert data["tables"]["active"]["procurement"] == {"projects": 38, "amount": 64.5}
    assert [f["rule"] for f in data["findings"]] == ["SECTION-MISSING"]  # its 六 is empty
    cell = data["cells"]["active.procurement.amount"]
    assert cell["text"] == "64.5万元" and cell["source"]["line"] > 1


def test_parse_json_without_cells_is_smaller():
    full = json.loads(run("parse", "--json", str(WUXI)).stdout)
    lean = json.loads(run("parse", "--json", "--no-cells", str(WUXI)).stdout)
    assert "cells" in full and "cells" not in lean
    assert lean["tables"] == full["tables"]


def test_check_exits_0_on_a_consistent_report_and_1_on_errors():
    clean = run("check", str(CLEAN))
    assert clean.returncode == 0
    assert "没有发现问题" in clean.stdout
    broken = run("check", str(ALTERED))
    assert broken.returncode == 1
    assert "T3-SUM" in broken.stdout and "T4-SUM" in broken.stdout
    assert f"{ALTERED}:" in broken.stdout


def test_check_json_lists_the_findings():
    data = json.loads(run("check", "--json", str(ALTERED)).stdout)
    rules = sorted(f["rule"] for f in data["findings"])
    assert rules == ["SECTION-MISSING", "T3-BAL", "T3-ROW", "T3-SUM", "T4-SUM"]
    t4 = next(f for f in data["findings"] if f["rule"] == "T4-SUM")
    assert t4["severity"] == "error" and t4["cells"][0] == "appeals.review.total"
    # as printed: the altered total stays 4
    assert data["tables"]["appeals"]["review"]["total"] == 4


def test_parse_without_json_prints_the_three_tables():
    out = run("parse", str(WUXI)).stdout
    for heading in (
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ):
        assert heading in out
    assert "政府集中采购" in out and "64.5" in out


def test_rules_lists_every_rule():
    out = run("rules").stdout
    for rule in ("T3-BAL", "T3-SUM", "T3-ROW", "T4-SUM", "DOMAIN", "TEMPLATE", "BLANK", "FEE-NOTE"):
        assert rule in out


def test_no_arguments_shows_help():
    result = run()
    assert "parse" in result.stdout + result.stderr and "Traceback" not in result.stderr


def _folder_with_strays(tmp_path: Path) -> Path:
    """A folder as users keep them: a report in a subfolder, a README and a file in no format."""
    root = tmp_path / "reports"
    (root / "2022").mkdir(parents=True)
    shutil.copy(CLEAN, root / "2022" / "report.txt")
    (root / "README.md").write_text("# 年度报告\n\n这些是下载的年度报告。\n", encoding="utf-8")
    (root / "data.bin").write_bytes(bytes(range(256)) * 8)
    return root


def test_check_reads_a_folder_and_skips_what_is_not_a_report(tmp_path):
    root = _folder_with_strays(tmp_path)
    result = run("check", str(root))
    assert result.returncode == 0, result.stderr  # the one report breaks no rule; the strays are skipped
    assert result.stdout.startswith(f"{root / '2022' / 'report.txt'}  重庆市永川区青峰镇人民政府")
    assert "没有发现问题" in result.stdout
    skipped = sorted(line for line in result.stderr.splitlines() if line.startswith("xxgk: skipped: "))
    assert [line.split(": ")[2] for line in skipped] == [str(root / "README.md"), str(root / "data.bin")]
    assert "error" not in result.stderr
    as_json = run("check", "--json", str(root))
    assert [json.loads(line)["meta"]["agency"] for line in as_json.stdout.splitlines()] == [
        "重庆市永川区青峰镇人民政府"
    ]


def test_in_a_folder_a_broken_report_still_fails_and_a_named_stray_is_an_error(tmp_path):
    root = _folder_with_strays(tmp_path)
    (root / "2022" / "empty.txt").write_bytes(b"")  # empty: a report that did not download
    assert run("check", str(root)).returncode == 2
    named = run("check", str(root / "README.md"))
    assert named.returncode == 2 and named.stderr.startswith("xxgk: error: ")
