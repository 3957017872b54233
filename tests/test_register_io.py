"""Import and export of registers (SQLite and PostgreSQL): the whole file or nothing, every bad row
named; the same file twice changes nothing; a changed date becomes a correction; an agency's own
headers through --map; export masked unless asked, and logged; the CLI end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.register_sheets import generate, write_xlsx
from tests.test_inputs import run
from xxgk.clock import Calendar
from xxgk.errors import XxgkError
from xxgk.register import facts_as_of
from xxgk.register.io import import_register, read_map
from xxgk.register.tables import AuditEntry, RegisterAppeal, RegisterApplication, RegisterEvent
from xxgk.store import Store
from xxgk.store.bodies import body_for

CAL = Calendar.official()
TODAY = date(2026, 3, 1)


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t))
            for t in (RegisterApplication, RegisterEvent, RegisterAppeal)
        )  # type: ignore[return-value]


def _import(store: Store, path: Path, mapping: dict | None = None):
    with store.writing() as s:
        return import_register(s, body_for(s, "某局").id, path, "clerk", CAL, TODAY, mapping)


def test_a_generated_register_imports_and_again_changes_nothing(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    apps, appeals, outcomes = generate(180)
    path = write_xlsx(tmp_path / "台账.xlsx", apps, appeals)
    summary = _import(store, path)
    assert summary.added == 180 and summary.appeals == len(appeals) - 1
    counts = _counts(store)
    # events: one receipt each plus one per dated column filled in the file
    dated = sum(1 for row in apps[1:] for i in (1, *range(7, 15)) if row[i] is not None)
    assert counts == (180, dated, len(appeals) - 1)
    with store.session() as s:
        states = s.execute(
            select(RegisterApplication.number, RegisterApplication.status, RegisterApplication.reply_due)
        ).all()
        facts = facts_as_of(s, body_for(s, "某局").id, date(2025, 12, 31))
    # the outcomes the register gives are those the file holds, counted by the generator itself
    assert Counter(a.outcome for a in facts.applications) == outcomes
    again = _import(store, path)
    assert (again.added, again.events, again.corrections, again.appeals, again.unchanged) == (0, 0, 0, 0, 180)
    assert _counts(store) == counts
    with store.session() as s:
        assert (
            s.execute(
                select(RegisterApplication.number, RegisterApplication.status, RegisterApplication.reply_due)
            ).all()
            == states
        )


def test_a_file_with_bad_rows_imports_nothing_and_names_each(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    apps, appeals, _ = generate(20)
    apps[3][1] = "2025-02-30"  # sheet row 4: no such date
    apps[7][15] = "大部分公开"  # row 8: no such outcome
    apps[9][14] = None  # row 10: an outcome without its reply date
    apps[12][0] = apps[11][0]  # row 13: repeats row 12's number
    apps[15][2] = "快递"  # row 16: no such channel
    appeals.append(["行政复议", None, "2025-05-01", "2025-04-01", "维持"])  # decided before filed
    path = write_xlsx(tmp_path / "bad.xlsx", apps, appeals)
    with pytest.raises(XxgkError) as caught:
        _import(store, path)
    message = str(caught.value)
    assert "6 bad row(s), nothing imported" in message
    for line, why in [
        (4, "no such date 2025-02-30"),
        (8, "outcome '大部分公开'"),
        (10, "答复日期 and 办理结果 go together"),
        (13, "repeats row 12"),
        (16, "channel '快递'"),
    ]:
        assert f"申请 row {line}: " in message and why in message
    assert f"复议诉讼 row {len(appeals)}: 审结日期 2025-04-01 is before 立案日期 2025-05-01" in message
    assert _counts(store) == (0, 0, 0)


def test_a_history_that_cannot_be_is_a_bad_row(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    apps, appeals, _ = generate(8)
    # row 3 (history "plain"): a corrected application received the day after receipt, no notice
    corrected = apps[2][1] + timedelta(days=1)
    apps[2][8], apps[2][7] = corrected, None
    path = write_xlsx(tmp_path / "bad.xlsx", apps, appeals)
    with pytest.raises(XxgkError, match=f"申请 row 3: 收到补正申请 {corrected}: no 补正 notice was sent"):
        _import(store, path)
    assert _counts(store) == (0, 0, 0)


def test_a_changed_date_is_a_correction_naming_the_event(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    apps, appeals, _ = generate(10)
    _import(store, write_xlsx(tmp_path / "a.xlsx", apps, appeals))
    plain = next(i for i, row in enumerate(apps[1:], 1) if row[14] and not any(row[7:14]))
    old = apps[plain][14]
    apps[plain][14] = date(old.year, old.month, old.day) if old.day == 28 else old.replace(day=old.day + 1)
    changed = _import(store, write_xlsx(tmp_path / "b.xlsx", apps, appeals))
    assert (changed.corrections, changed.added, changed.unchanged) == (1, 0, 9)
    apps[1][3] = "科研机构" if apps[1][3] not in ("科研机构", "research") else "自然人"
    with pytest.raises(XxgkError, match=r"row 2: 申请人类型 \w+ differs from the registered"):
        _import(store, write_xlsx(tmp_path / "c.xlsx", apps, appeals))
    with store.session() as s:
        replies = s.scalars(
            select(RegisterEvent)
            .join(RegisterApplication)
            .where(RegisterApplication.number == apps[plain][0], RegisterEvent.kind == "reply")
            .order_by(RegisterEvent.id)
        ).all()
        assert [r.on for r in replies] == [old, apps[plain][14]] and replies[1].corrects == replies[0].id
        app = s.scalar(select(RegisterApplication).where(RegisterApplication.number == apps[plain][0]))
        assert app.decided == apps[plain][14]


def test_an_agencys_own_headers_through_a_map(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    theirs = {"编号": "受理号", "收到日期": "登记日期", "渠道": "申请方式", "申请人类型": "申请人性质"}
    mapping_file = tmp_path / "map.toml"
    mapping_file.write_text("\n".join(f'"{v}" = "{k}"' for k, v in theirs.items()), encoding="utf-8")
    csv_file = tmp_path / "agency.csv"
    csv_file.write_text(
        "受理号,登记日期,申请方式,申请人性质,答复日期,办理结果\n"
        "A-1,2025/3/3,网络,自然人,2025年3月10日,予以公开\n"
        "A-2,2025-03-04,当面,法律服务机构,,\n",
        encoding="utf-8",
    )
    with pytest.raises(XxgkError, match="no column 编号、收到日期、渠道、申请人类型"):
        _import(store, csv_file)
    summary = _import(store, csv_file, read_map(mapping_file))
    assert summary.added == 2
    with store.session() as s:
        rows = s.execute(
            select(
                RegisterApplication.number, RegisterApplication.applicant_type, RegisterApplication.outcome
            ).order_by(RegisterApplication.number)
        ).all()
    assert rows == [("A-1", "natural_person", "granted"), ("A-2", "legal_services", None)]
    bad = tmp_path / "bad.toml"
    bad.write_text('"受理号" = "号码"', encoding="utf-8")
    with pytest.raises(XxgkError, match="which is no column of the template"):
        read_map(bad)


def test_the_cli_import_export_template_and_audit(db_url: str, tmp_path: Path) -> None:
    apps, appeals, _ = generate(30)
    path = write_xlsx(tmp_path / "台账.xlsx", apps, appeals)
    db = ["--db", db_url]
    out = run("register", "import", str(path), "--body", "某局", *db)
    assert out.returncode == 0, out.stderr
    assert "imported 30 new applications" in out.stdout
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.csv"
    assert run("register", "export", "--body", "某局", "--out", str(masked), *db).returncode == 0
    assert (
        run(
            "register", "export", "--body", "某局", "--out", str(full), "--unmasked", "--by", "审计员", *db
        ).returncode
        == 0
    )
    from openpyxl import load_workbook

    names = [row[4] for row in load_workbook(masked).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names and all(name.startswith("申") and set(name[1:]) == {"*"} for name in names)
    assert "申请人" in full.read_text(encoding="utf-8-sig").splitlines()[1]
    # the export imports back: nothing changes
    again = run("register", "import", str(masked), "--body", "某局", *db)
    assert (
        "imported 0 new applications, 0 events, 0 corrections" in again.stdout
        and "30 unchanged" in again.stdout
    )
    log = json.loads(run("register", "audit", "--body", "某局", "--json", *db).stdout)
    assert [e["action"] for e in log] == ["import", "export", "export_unmasked", "import"]
    assert log[2]["actor"] == "审计员"
    template = tmp_path / "台账模板.xlsx"
    assert run("register", "template", "--out", str(template)).returncode == 0
    book = load_workbook(template)
    assert [c.value for c in book["申请"][1]][:3] == ["编号", "收到日期", "渠道"]
    assert book["申请"].data_validations.dataValidation  # the closed lists as drop-downs
    empty = run("register", "import", str(template), "--body", "某局", *db)
    assert empty.returncode == 0 and "imported 0 new applications" in empty.stdout
    bad = run("register", "import", str(tmp_path / "missing.xlsx"), "--body", "某局", *db)
    assert bad.returncode == 2 and "no such file" in bad.stderr and "Traceback" not in bad.stderr
    with Store(db_url).session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 5


def test_the_cli_add_event_show_due_and_lock(db_url: str) -> None:
    db = ["--db", db_url, "--body", "某局"]
    new = ["--received", "2025-01-20", "--channel", "网络", "--applicant-type", "自然人", "--name", "张三"]
    added = run("register", "add", *new, "--number", "C-1", "--today", "2025-01-20", *db)
    # Mon 01-20 → 02-21 (春节 01-28…02-04 off; 01-26, 02-08 worked); 补正 notice 7 → 02-05
    assert added.returncode == 0 and "reply due 2025-02-21, 补正 notice due 2025-02-05" in added.stdout
    assert run("register", "event", "C-1", "correction_notice", "--on", "2025-01-22", *db).returncode == 0
    shown = json.loads(run("register", "show", "C-1", "--json", *db).stdout)
    assert (shown["status"], shown["applicant_name"]) == ("awaiting_correction", "张*")
    assert [e["kind"] for e in shown["events"]] == ["receipt", "correction_notice"]
    listed = json.loads(run("register", "list", "--status", "awaiting_correction", "--json", *db).stdout)
    assert [(r["number"], r["reply_due"]) for r in listed] == [("C-1", "2025-02-21")]
    assert run("register", "list", "--status", "closed", *db).returncode == 2
    full = json.loads(run("register", "show", "C-1", "--json", "--unmasked", "--by", "李四", *db).stdout)
    assert full["applicant_name"] == "张三"
    due = json.loads(run("register", "due", "--today", "2025-01-23", "--json", *db).stdout)
    assert all(rows == [] for rows in due.values())  # awaiting its correction: no clock runs
    bad = run("register", "event", "C-1", "reply", "--on", "2025-01-23", "--outcome", "大部分公开", *db)
    assert bad.returncode == 2 and bad.stderr.startswith("xxgk: error: outcome '大部分公开' is not one of")
    add_user = subprocess.run(
        [sys.executable, "-m", "xxgk", "user", "add", "主任", "--password-stdin", "--db", db_url],
        input="password-123\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert add_user.returncode == 0
    assert run("register", "member", "--user", "主任", "--role", "head", *db).returncode == 0
    refused = run("register", "lock", "--year", "2025", "--by", "李四", *db)
    assert refused.returncode == 2 and "not allowed" in refused.stderr
    assert "2025 is locked" in run("register", "lock", "--year", "2025", "--by", "主任", *db).stdout
    late = run("register", "event", "C-1", "correction_received", "--on", "2025-12-30", *db)
    assert late.returncode == 2 and "2025 is locked" in late.stderr
    amended = run(
        "register", "event", "C-1", "correction_received", "--on", "2025-12-30", "--amendment", "漏登", *db
    )
    assert amended.returncode == 0, amended.stderr
    log = json.loads(run("register", "audit", "--json", *db).stdout)
    assert [e["action"] for e in log] == [
        "add",
        "event",
        "read_personal",
        "member",
        "lock",
        "amendment",
        "event",
    ]


def test_hostile_files_are_one_line_errors(db_url: str, tmp_path: Path) -> None:
    import zipfile

    store = Store(db_url)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/sharedStrings.xml", b"<" + b" " * (300 << 20))  # 300 MB of blanks, packed small
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(XxgkError, match=r"xl/sharedStrings.xml unpacks to 314,572,801 bytes: over the limit"):
        _import(store, bomb)
    for name, content, why in [
        ("junk.xlsx", b"not a zip", "not a ZIP archive"),
        ("latin.csv", "编号".encode("gb18030"), "must be UTF-8"),
        ("notes.txt", b"x", "an .xlsx workbook or a .csv file"),
    ]:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(XxgkError, match=why):
            _import(store, tmp_path / name)
    assert _counts(store) == (0, 0, 0)


def test_a_date_still_to_come_is_refused_as_a_typo(db_url: str) -> None:
    # 2099 for 2019: the register records what happened; received 2099-03-01 and a reply on
    # 2030-01-01 were kept as given (before), the deadlines counted from them. A day's margin
    # (a server's UTC date is a day behind Beijing's until 08:00): tomorrow is still taken
    db = ["--db", db_url, "--body", "某局"]
    new = ["--channel", "网络", "--applicant-type", "自然人", "--name", "张三", "--today", "2025-03-03"]
    future = run("register", "add", "--received", "2099-03-01", *new, *db)
    assert (future.returncode, future.stderr) == (
        2,
        "xxgk: error: 2099-03-01 has not come yet (today is 2025-03-03)\n",
    )
    tomorrow = run("register", "add", "--received", "2025-03-04", "--number", "C-1", *new, *db)
    assert tomorrow.returncode == 0, tomorrow.stderr
    reply = ["reply", "--on", "2030-01-01", "--outcome", "granted", "--today", "2025-03-05"]
    later = run("register", "event", "C-1", *reply, *db)
    assert later.returncode == 2 and "2030-01-01 has not come yet (today is 2025-03-05)" in later.stderr
    shown = json.loads(run("register", "show", "C-1", "--json", *db).stdout)
    assert [e["kind"] for e in shown["events"]] == ["receipt"]
