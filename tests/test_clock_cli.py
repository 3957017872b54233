"""The clerk's commands: deadline, fee, calendar import/show (output, JSON keys, one-line errors)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_clock import NOTICE_2027_CSV


@pytest.fixture
def xxgk(tmp_path: Path):
    """Runs `xxgk` with its own empty calendar folder."""
    env = {**os.environ, "XXGK_CALENDAR_DIR": str(tmp_path / "calendar")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "xxgk", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            env=env,
        )

    return run


def test_deadline_prints_due_dates_and_trace(xxgk):
    # the 2025 Spring Festival case of test_clock: received 2025-01-20 → 2025-02-21, 补正 notice 2025-02-05
    result = xxgk("deadline", "--received", "2025-01-20")
    assert result.returncode == 0, result.stderr
    assert "答复期限：2025-02-21" in result.stdout
    assert "补正告知期限：2025-02-05" in result.stdout
    assert "暂定：否" in result.stdout
    assert "2025-01-26 调休上班（春节）" in result.stdout
    assert "2025-01-28至2025-02-04 休息日（春节），不计" in result.stdout


def test_deadline_json_with_correction_pause_and_extension(xxgk):
    # received Mon 2025-03-03, corrected Mon 3-17: 3-18..21(4); 3-24..28(9); 3-31(10) 4-01(11);
    # paused after Wed 4-02 (counted, 12) through Thu 4-10: 4-11 Fri(13); 4-14..18(18); 4-21(19) 4-22(20);
    # extended 3: 4-23(1) 24(2) 25(3) → 2025-04-25. 补正 notice: 3-04..07(4) 3-10(5) 11(6) 12(7).
    result = xxgk(
        "deadline",
        "--received", "2025-03-03",
        "--corrected", "2025-03-17",
        "--pause", "2025-04-02:2025-04-10:third_party",
        "--extension", "3",
        "--approved-by", "王主任",
        "--approved-on", "2025-04-18",
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"due", "correction_notice_due", "provisional", "trace"} <= set(data)
    assert data["due"] == "2025-04-25"
    assert data["correction_notice_due"] == "2025-03-12"
    assert data["provisional"] is False
    kinds = [step["kind"] for step in data["trace"]]
    assert kinds[:2] == ["correction", "start"] and "pause" in kinds and "extension" in kinds
    extension = next(step for step in data["trace"] if step["kind"] == "extension")
    assert "王主任于2025-04-18批准" in extension["text"]


def test_deadline_in_a_provisional_year_says_so(xxgk):
    data = json.loads(xxgk("deadline", "--received", "2026-12-21", "--json").stdout)
    # worked in test_clock: 2027-01-19, resting on the estimate of 2027
    assert data["due"] == "2027-01-19" and data["provisional"] is True
    assert "2027年尚无国务院办公厅放假通知" in data["provisional_reasons"][0]


def test_calendar_import_moves_the_deadline_and_ends_provisional(xxgk, tmp_path):
    # with the test notice of 2027 the case received Mon 2027-02-01 is due 2027-03-08, not 3-05
    # (worked in test_clock.test_an_import_moves_open_deadlines)
    before = json.loads(xxgk("deadline", "--received", "2027-02-01", "--json").stdout)
    assert (before["due"], before["provisional"]) == ("2027-03-05", True)
    notice = tmp_path / "2027.csv"
    notice.write_text(NOTICE_2027_CSV, encoding="utf-8")
    imported = xxgk("calendar", "import", str(notice))
    assert imported.returncode == 0, imported.stderr
    assert "imported the notice of 2027 (10 days)" in imported.stdout
    after = json.loads(xxgk("deadline", "--received", "2027-02-01", "--json").stdout)
    assert (after["due"], after["provisional"]) == ("2027-03-08", False)
    shown = xxgk("calendar", "show", "2027", "--json")
    assert json.loads(shown.stdout)["official"] is True
    assert json.loads(shown.stdout)["source"].startswith("2027.csv")
    again = xxgk("calendar", "import", str(notice))
    assert "replacing the one from 2027.csv" in again.stdout


def test_calendar_show_marks_off_days_and_working_weekends(xxgk):
    official = xxgk("calendar", "show", "2025")
    assert official.returncode == 0
    assert official.stdout.startswith("2025年  官方：chinese-calendar")
    # 1-26 and 2-08 are weekend working days, 1-28 an off day
    assert "26班" in official.stdout and " 8班" in official.stdout and "28休" in official.stdout
    provisional = xxgk("calendar", "show", "2027")
    assert "暂定：2027年尚无国务院办公厅放假通知" in provisional.stdout


def test_fee_by_count_and_by_pages(xxgk):
    by_count = xxgk("fee", "--count", "31")
    assert by_count.returncode == 0
    assert "第31–40件：200元/件" in by_count.stdout and "合计：200元" in by_count.stdout
    by_pages = json.loads(xxgk("fee", "--pages", "101", "--json").stdout)
    assert by_pages["fee"] == 720 and by_pages["basis"] == "pages"  # 700 + 1 × 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deadline", "--received", "2025-02-30"], "--received: no such date 2025-02-30"),
        (["deadline", "--received", "2025-13-01"], "--received: no such date 2025-13-01"),
        (["deadline", "--received", "yesterday"], "--received: 'yesterday' is not a date"),
        (
            ["deadline", "--received", "2025-02-03", "--pause", "2025-02-10:2025-02-05"],
            "pause 2025-02-10:2025-02-05: it ends before it starts",
        ),
        (
            ["deadline", "--received", "2025-02-03", "--pause", "2025-02-10"],
            "--pause 2025-02-10: expected START:END",
        ),
        (
            ["deadline", "--received", "2025-02-03", "--extension", "21", "--approved-by", "王主任"],
            "extension: 1 to 20 working days",
        ),
        (
            ["deadline", "--received", "2025-02-03", "--extension", "5"],
            "--extension: an extension needs its approval",
        ),
        (
            ["deadline", "--received", "2025-03-03", "--corrected", "2025-03-01"],
            "corrected: 2025-03-01 is before",
        ),
        (["fee", "--count", "3", "--pages", "40"], "fee: a fee is by count or by pages"),
        (["fee", "--pages", "0"], "pages: must be 1 or more"),
        (["calendar", "show", "2200"], "no calendar for 2200"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(xxgk, args, message):
    result = xxgk(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"xxgk: error: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_bad_calendar_file_is_refused_and_nothing_is_kept(xxgk, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-05,vacation,春节\n", encoding="utf-8")
    result = xxgk("calendar", "import", str(bad))
    assert result.returncode == 2
    assert result.stderr == f"xxgk: error: {bad}:3: unknown kind 'vacation' (expected holiday or workday)\n"
    assert not (tmp_path / "calendar").exists()
    missing = xxgk("calendar", "import", str(tmp_path / "none.csv"))
    assert (missing.returncode, missing.stderr) == (
        2,
        f"xxgk: error: {tmp_path / 'none.csv'}: no such file\n",
    )


@pytest.mark.parametrize(
    ("kept", "message"),
    [
        ('{"notices": 5}', "cannot read the stored notices (notices is int, not a list)"),
        ("[1, 2]", "cannot read the stored notices"),
        ('{"notices": [7]}', "not a stored notice"),
    ],
)
def test_a_damaged_notices_file_is_one_line(xxgk, tmp_path, kept, message):
    # an edited or damaged notices.json: {"notices": 5} was a traceback (before)
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "notices.json").write_text(kept, encoding="utf-8")
    result = xxgk("deadline", "--received", "2025-02-03")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("xxgk: error: ") and message in result.stderr


def test_a_calendar_folder_that_is_a_file_is_said_not_passed_over(xxgk, tmp_path):
    # `--calendar-dir /bin/ls`: the official calendar alone was used, without a word (before)
    given = tmp_path / "notices.csv"
    given.write_text("date,kind,name\n", encoding="utf-8")
    result = xxgk("deadline", "--received", "2025-02-03", "--calendar-dir", str(given))
    assert (result.returncode, result.stderr) == (
        2,
        f"xxgk: error: {given}: the calendar folder is a file, not a folder\n",
    )
