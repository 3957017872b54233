"""A locked year compiled after amendments (issue 19, SQLite and PostgreSQL): the report shows each
cell that differs from the report locked, locked value → value now, with the amendments behind it
(CLI text and JSON, the DOCX / HTML / PDF note 锁定后更正); an open year, or a locked one without
amendments, shows none. The register is generated (tests/registers.py) and recorded in the store
through the register's service; the expected cells are worked out beside the case from the
generated data by the tests' own counting (`expected_tables`), never from xxgk's output."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from tests.registers import AGENCY, expected_tables, generate, into_store, run
from xxgk.clock import Calendar
from xxgk.register.facts import ApplicationFacts, RegisterFacts
from xxgk.register.service import add_event, application, lock_year, set_member
from xxgk.register.tables import RegisterEvent, RegisterLock
from xxgk.store import Store
from xxgk.store.bodies import body_for
from xxgk.store.users import add_user

CAL = Calendar.official()
YEAR = 2023
WHY_A = "答复结果录入错误，实为不予公开（国家秘密）"
WHY_B = "答复日期录入错误，实为2024年1月10日"


def _pick(facts: RegisterFacts, outcome: str, appealed: set[str]) -> ApplicationFacts:
    """The first application received and answered with `outcome` in YEAR, without fee or appeal."""
    return next(
        a
        for a in facts.applications
        if a.received.year == YEAR
        and a.decided is not None
        and a.decided.year == YEAR
        and a.outcome == outcome
        and a.fee is None
        and a.id not in appealed
    )


@pytest.fixture
def book(db_url: str):
    """The generated register in the store, its body's head and clerk; 2022's figures and the
    rest as generated (three years: 2022 to 2024)."""
    facts = generate(seed=3, n=120, first=YEAR, last=2024)
    store = Store(db_url)
    with store.writing() as s:
        body = body_for(s, AGENCY)
        add_user(s, "head", "password-2")
        add_user(s, "clerk", "password-1")
        set_member(s, "head", body, "head", "admin")
        set_member(s, "clerk", body, "clerk", "admin")
        into_store(s, body.id, facts)
        body_id = body.id
    return store, db_url, body_id, facts


def _compile(url: str, *extra: str) -> dict:
    done = run("compile", "--body", AGENCY, "--year", str(YEAR), "--db", url, "--json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _amend(store: Store, body_id: int, number: str, on: date, outcome: str, why: str) -> None:
    with store.writing() as s:
        row = application(s, body_id, number)
        reply = s.scalar(
            select(RegisterEvent.id).where(
                RegisterEvent.application_id == row.id, RegisterEvent.kind == "reply"
            )
        )
        add_event(s, row, "reply", on, {"outcome": outcome}, "clerk", CAL, date(2024, 3, 1), reply, why)


def test_a_locked_year_compiled_after_two_amendments_shows_what_changed(book, tmp_path: Path) -> None:
    store, url, body_id, facts = book
    # an open year: no lock, no note
    open_year = _compile(url)
    assert "locked" not in open_year
    with store.writing() as s:
        assert lock_year(s, body_id, YEAR, "head") is True
        assert s.scalar(select(RegisterLock.snapshot)) is not None  # the register compiled: frozen
    # locked, no amendment: the lock is said, nothing differs, no note in the text or the document
    quiet = _compile(url)
    assert quiet["locked"]["amendments"] == [] and quiet["locked"]["changes"] == []
    assert quiet["locked"]["by"] == "head" and quiet["locked"]["compared"] is True
    assert quiet["tables"] == open_year["tables"]
    plain = run("compile", "--body", AGENCY, "--year", str(YEAR), "--db", url)
    assert plain.returncode == 0 and "锁定后更正" not in plain.stdout
    written = run(
        "compile", "--body", AGENCY, "--year", str(YEAR), "--db", url, "--out", str(tmp_path / "q.html")
    )
    assert written.returncode == 0, written.stderr
    assert "锁定后更正" not in (tmp_path / "q.html").read_text(encoding="utf-8")

    appealed = {appeal.application for appeal in facts.appeals if appeal.application}
    a = _pick(facts, "granted", appealed)
    b = _pick(facts, "partly_granted", appealed)
    # A: answered 予以公开 in 2023, corrected to 不予公开·属于国家秘密 (same date): it leaves
    #    予以公开 (its applicant's column and 总计: -1 each) for 属于国家秘密 (+1 each); 办理结果
    #    总计 and 结转 unchanged.
    _amend(store, body_id, a.id, a.decided, "withheld_state_secret", WHY_A)
    # B: answered 部分公开 in 2023, its answer's date corrected to 2024-01-10: in 2023 it is no
    #    longer answered (部分公开 and (七)总计, its column and 总计: -1 each) but carried into
    #    2024 (结转下年度, its column and 总计: +1 each); 新收 unchanged (received in 2023).
    _amend(store, body_id, b.id, date(2024, 1, 10), "partly_granted", WHY_B)

    before = expected_tables(facts, YEAR)["applications"]
    apps = {app.id: app for app in facts.applications}
    apps[a.id] = replace(a, outcome="withheld_state_secret")
    apps[b.id] = replace(b, decided=date(2024, 1, 10))
    after_facts = replace(facts, applications=tuple(apps.values()))
    delta = {}
    for app, row, step in (
        (a, "granted", -1),
        (a, "withheld_state_secret", +1),
        (b, "partly_granted", -1),
        (b, "total", -1),
        (b, "carried_forward", +1),
    ):
        for column in (app.applicant, "total"):
            key = f"applications.{row}.{column}"
            locked = before[row][column]
            delta[key] = (str(locked), str(locked + step), app.id)
    assert len(delta) == 10  # five rows, each in the applicant's column and in 总计

    data = _compile(url)
    changes = data["locked"]["changes"]
    assert {c["key"]: (c["locked"], c["now"], *c["entries"]) for c in changes} == delta
    # the report now is the tests' own count of the amended register
    assert data["tables"] == expected_tables(after_facts, YEAR)
    amendments = data["locked"]["amendments"]
    assert [(x["entry"], x["reason"], x["by"]) for x in amendments] == [
        (a.id, WHY_A, "clerk"),
        (b.id, WHY_B, "clerk"),
    ]
    for change in changes:
        assert [x["reason"] for x in change["amendments"]] == [
            WHY_A if change["entries"] == [a.id] else WHY_B
        ]
    # the labels as the template prints them, the table as the report heads it
    granted = next(c for c in changes if c["key"] == "applications.granted.total")
    secret = next(c for c in changes if c["key"] == "applications.withheld_state_secret.total")
    assert (granted["table"], granted["row"], granted["column"]) == (
        "三、收到和处理政府信息公开申请情况",
        "(一)予以公开",
        "总计",
    )
    assert secret["row"] == "(三)不予公开·1.属于国家秘密"

    # the text: one line per changed cell, the amendment under it
    plain = run("compile", "--body", AGENCY, "--year", str(YEAR), "--db", url)
    lines = plain.stdout.splitlines()
    assert lines[0].startswith("锁定后更正 (2023 locked by head; 2 amendments)")
    g = delta["applications.granted.total"]
    assert f"  三、收到和处理政府信息公开申请情况 | (一)予以公开 | 总计: {g[0]} → {g[1]}" in lines
    assert sum(WHY_A in line for line in lines) == 4 and sum(WHY_B in line for line in lines) == 6

    # the documents: the note after section 六, one row per changed cell; the tables read back
    # unchanged by xxgk's own reader
    for suffix in (".docx", ".html", ".pdf"):
        out = tmp_path / f"report{suffix}"
        done = run("compile", "--body", AGENCY, "--year", str(YEAR), "--db", url, "--out", str(out))
        assert done.returncode == 0, done.stderr
        parsed = run("parse", str(out), "--json")
        assert parsed.returncode == 0, parsed.stderr
        assert json.loads(parsed.stdout)["tables"] == data["tables"], suffix
    document = docx.Document(io.BytesIO((tmp_path / "report.docx").read_bytes()))
    headings = [p.text for p in document.paragraphs if p.text.strip() == "锁定后更正"]
    assert headings == ["锁定后更正"]
    note = document.tables[-1]
    assert [c.text for c in note.rows[0].cells][:5] == ["表格", "行", "列", "锁定时", "现在"]
    rows = [[c.text for c in row.cells] for row in note.rows[1:]]
    assert len(rows) == 10
    assert ["三、收到和处理政府信息公开申请情况", "(一)予以公开", "总计", g[0], g[1]] == rows[
        [r[1:3] for r in rows].index(["(一)予以公开", "总计"])
    ][:5]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count(WHY_A) == 4 and html.count(WHY_B) == 6


def test_an_appeal_decided_into_a_locked_year_is_an_amendment_shown_in_the_diff(db_url: str) -> None:
    """HAND's R2 (复议后起诉, filed 2023-11-01, pending at 12-31): its decision recorded late,
    dated 2023-12-20 (维持). Table 四's 复议后起诉 row: 尚未审结 1 → 0, 结果维持 0 → 1; 总计 1 stays."""
    from tests.registers import HAND
    from xxgk.errors import XxgkError
    from xxgk.register.service import add_appeal, compile_year

    store = Store(db_url)
    with store.writing() as s:
        body = body_for(s, AGENCY)
        add_user(s, "head", "password-2")
        set_member(s, "head", body, "head", "admin")
        into_store(s, body.id, HAND)
        body_id = body.id
    with store.writing() as s:
        assert lock_year(s, body_id, YEAR, "head")
    with pytest.raises(XxgkError, match="2023 is locked"), store.writing() as s:
        add_appeal(
            s,
            body_id,
            "litigation_after_review",
            date(2023, 11, 1),
            "clerk",
            None,
            date(2023, 12, 20),
            "upheld",
        )
    with store.writing() as s:
        add_appeal(
            s,
            body_id,
            "litigation_after_review",
            date(2023, 11, 1),
            "clerk",
            None,
            date(2023, 12, 20),
            "upheld",
            "判决书迟到，补录",
        )
    with store.session() as s:
        compiled = compile_year(s, body_id, YEAR)
    assert compiled.locked is not None
    got = [(c.row, c.column, c.locked, c.now) for c in compiled.changes]
    assert got == [("复议后起诉", "结果维持", "0", "1"), ("复议后起诉", "尚未审结", "1", "0")]
    (amendment,) = compiled.locked.amendments
    assert amendment.text().startswith(
        "行政诉讼（复议后起诉）（无所涉申请，2023-11-01立案）：判决书迟到，补录（clerk，"
    )
    assert all(c.amendments == (amendment,) for c in compiled.changes)
    # a new appeal filed in the locked year needs its reason too; nothing is written without it
    with pytest.raises(XxgkError, match="2023 is locked"), store.writing() as s:
        add_appeal(s, body_id, "review", date(2023, 6, 1), "clerk", "A3")
    with store.session() as s:
        assert (
            len(compile_year(s, body_id, YEAR).report.cells["appeals.review.total"].provenance.entries) == 1
        )
