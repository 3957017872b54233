"""The register in the store (SQLite and PostgreSQL): events replayed, the clock on each open
application, queues, the 第35条 view, appeals, the facts the compiler reads, members and the audit
log. Every expected date is counted by hand beside its case (2025 notice: 春节 01-28…02-04 off,
01-26 and 02-08 调休 working days; 清明 04-04…04-06 off)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from xxgk.clock import Calendar, Notice
from xxgk.errors import XxgkError
from xxgk.register import facts_as_of
from xxgk.register.service import (
    AccessError,
    NewApplication,
    add_appeal,
    add_application,
    add_event,
    by_month,
    lock_of,
    lock_year,
    personal,
    queues,
    recompute,
    require_role,
    set_member,
)
from xxgk.register.tables import AuditEntry, RegisterEvent, RegisterLock
from xxgk.store import Store
from xxgk.store.bodies import body_for
from xxgk.store.users import add_user

CAL = Calendar.official()


@pytest.fixture
def store(db_url: str) -> Store:
    return Store(db_url)


def _app(
    session, body_id, received: date, number: str | None = None, name: str = "张三", kind="natural_person"
):
    new = NewApplication(number, received, "online", kind, name, "13800001234", "某项目批复")
    return add_application(session, body_id, new, "clerk", CAL, received)


def test_deadlines_follow_the_events(store: Store) -> None:
    with store.session() as s:
        body = body_for(s, "某市某局")
        a = _app(s, body.id, date(2025, 1, 20))
        # received Mon 01-20; from 01-21: 21,22,23,24 (4), 25 Sat off, 26 Sun 调休 (5), 27 (6),
        # 01-28…02-04 春节 off, 02-05,06,07 (9), 08 Sat 调休 (10), 10-14 (15), 17-21 (20) → 02-21
        assert (a.number, a.reply_due, a.status) == ("2025-0001", date(2025, 2, 21), "registered")
        # 补正 notice within 7: 21,22,23,24,26,27 (6), 02-05 (7) → 02-05
        assert a.notice_due == date(2025, 2, 5)
        add_event(s, a, "correction_notice", date(2025, 1, 22), {}, "clerk", CAL, date(2025, 1, 22))
        assert a.status == "awaiting_correction"
        add_event(s, a, "correction_received", date(2025, 2, 10), {}, "clerk", CAL, date(2025, 2, 10))
        # restart from Mon 02-10: 11-14 (4), 17-21 (9), 24-28 (14), 03-03…07 (19), 03-10 (20)
        assert (a.reply_due, a.status) == (date(2025, 3, 10), "processing")
        add_event(
            s,
            a,
            "consultation_sent",
            date(2025, 2, 12),
            {"party": "third_party"},
            "clerk",
            CAL,
            date(2025, 2, 12),
        )
        assert a.status == "consulting"
        add_event(s, a, "consultation_answered", date(2025, 2, 19), {}, "clerk", CAL, date(2025, 2, 19))
        # paused after 02-12 through 02-19: counted 11,12 (2); then 20,21 (4), 24-28 (9),
        # 03-03…07 (14), 03-10…14 (19), 03-17 (20) → 03-17
        assert (a.reply_due, a.status) == (date(2025, 3, 17), "processing")
        add_event(
            s,
            a,
            "extension",
            date(2025, 3, 14),
            {"approved_by": "李主任", "reason": "材料多", "days": 5},
            "head",
            CAL,
            date(2025, 3, 14),
        )
        # +5 from 03-17: 18,19,20,21 (4), 24 (5) → 03-24
        assert (a.reply_due, a.status) == (date(2025, 3, 24), "extended")
        trace = [step["kind"] for step in a.clock["reply"]["trace"]]
        assert trace[:2] == ["correction", "start"] and "pause" in trace and "extension" in trace
        reply = add_event(
            s,
            a,
            "reply",
            date(2025, 3, 20),
            {"outcome": "granted", "delivered": "post"},
            "clerk",
            CAL,
            date(2025, 3, 20),
        )
        assert (a.status, a.outcome, a.decided) == ("replied", "granted", date(2025, 3, 20))
        # a mistaken reply is corrected by a new event naming it: 区分处理 → 部分公开, on 03-21
        add_event(
            s,
            a,
            "reply",
            date(2025, 3, 21),
            {"outcome": "partly_granted"},
            "clerk",
            CAL,
            date(2025, 3, 21),
            corrects=reply.id,
        )
        assert (a.outcome, a.decided) == ("partly_granted", date(2025, 3, 21))
        kinds = s.scalars(select(RegisterEvent.kind).where(RegisterEvent.application_id == a.id)).all()
        assert kinds.count("reply") == 2  # both kept: nothing is edited in place

        # replayed to a date: on 03-20 the corrected reply (now dated 03-21) had not been given
        on_20 = facts_as_of(s, body.id, date(2025, 3, 20)).applications[0]
        assert (on_20.outcome, on_20.decided) == (None, None)
        on_dec = facts_as_of(s, body.id, date(2025, 12, 31)).applications[0]
        assert (on_dec.outcome, on_dec.decided, on_dec.applicant) == (
            "partly_granted",
            date(2025, 3, 21),
            "natural_person",
        )
        assert facts_as_of(s, body.id, date(2025, 1, 19)).applications == ()


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([("correction_received", date(2025, 3, 5), {})], "no 补正 notice"),
        ([("reply", date(2025, 3, 1), {"outcome": "granted"})], "before the receipt"),
        ([("reply", date(2025, 3, 5), {"outcome": "approved"})], "not a row of table 三"),
        (
            [("withdrawal", date(2025, 3, 4), {}), ("reply", date(2025, 3, 5), {"outcome": "granted"})],
            "closed on",
        ),
        ([("consultation_answered", date(2025, 3, 5), {})], "no open consultation"),
        ([("unpaid_fee", date(2025, 3, 5), {})], "no fee notice"),
        ([("extension", date(2025, 3, 5), {"approved_by": "李", "reason": "多", "days": 21})], "1 to 20"),
        (
            [
                ("extension", date(2025, 3, 5), {"approved_by": "李", "reason": "多", "days": 5}),
                ("extension", date(2025, 3, 6), {"approved_by": "李", "reason": "多", "days": 5}),
            ],
            "only 1 extension",
        ),
        ([("extension", date(2025, 3, 5), {"reason": "多"})], "approved_by is missing"),
    ],
)
def test_an_event_the_history_does_not_allow_writes_nothing(store: Store, events, message: str) -> None:
    with store.session() as s:
        a = _app(s, body_for(s, "某局").id, date(2025, 3, 3))
        *before, (kind, on, data) = events
        for k, o, d in before:
            add_event(s, a, k, o, d, "clerk", CAL, o)
        count = s.scalar(select(func.count()).select_from(RegisterEvent))
        state = (a.status, a.outcome, a.reply_due)
        with pytest.raises(XxgkError, match=message):
            add_event(s, a, kind, on, data, "clerk", CAL, on)
        assert s.scalar(select(func.count()).select_from(RegisterEvent)) == count
        assert (a.status, a.outcome, a.reply_due) == state


def test_outcomes_of_their_own_and_status(store: Store) -> None:
    with store.session() as s:
        body = body_for(s, "某局")
        w = _app(s, body.id, date(2025, 3, 3), "W")
        add_event(s, w, "withdrawal", date(2025, 3, 4), {}, "clerk", CAL, date(2025, 3, 4))
        assert (w.status, w.outcome) == ("withdrawn", "other_misc")
        n = _app(s, body.id, date(2025, 3, 3), "N")
        add_event(s, n, "correction_notice", date(2025, 3, 4), {}, "clerk", CAL, date(2025, 3, 4))
        add_event(s, n, "no_correction", date(2025, 4, 30), {}, "clerk", CAL, date(2025, 4, 30))
        assert (n.status, n.outcome) == ("replied", "other_no_correction")
        u = _app(s, body.id, date(2025, 3, 3), "U")
        add_event(
            s,
            u,
            "fee_notice",
            date(2025, 3, 4),
            {"basis": "pages", "pages": 120},
            "clerk",
            CAL,
            date(2025, 3, 4),
        )
        # 120 pages: 1–30 free, 31–100 70×10 = 700, 101–120 20×20 = 400 → 1100元
        fee = s.scalars(select(RegisterEvent.data).where(RegisterEvent.kind == "fee_notice")).one()
        assert Decimal(fee["amount"]) == 1100 and fee["basis"] == "pages"
        add_event(s, u, "unpaid_fee", date(2025, 4, 10), {}, "clerk", CAL, date(2025, 4, 10))
        assert (u.status, u.outcome, u.fee) == ("replied", "other_unpaid_fee", None)


def test_queues(store: Store) -> None:
    today = date(2025, 3, 20)  # Thu; 3 working days on: 03-21, 24, 25 → due soon through 03-25
    with store.session() as s:
        body = body_for(s, "某局")
        # A: Wed 02-19 → 20,21 (2), 24-28 (7), 03-03…07 (12), 10-14 (17), 17,18,19 (20) → 03-19: overdue
        a = _app(s, body.id, date(2025, 2, 19), "A")
        # B: Fri 02-21 → 24-28 (5), 03-03…07 (10), 10-14 (15), 17-21 (20) → 03-21: due soon
        _app(s, body.id, date(2025, 2, 21), "B")
        # C: Tue 03-18 → 补正 notice due 19,20,21,24,25,26,27 → 03-27, still to decide
        _app(s, body.id, date(2025, 3, 18), "C")
        # D: Mon 02-24, consulted 02-25; 15 working days: 26,27,28 (3), 03-03…07 (8), 10-14 (13),
        # 17,18 (15) → 03-18 passed unanswered. Its reply: 02-25 (1), paused through today, then
        # 03-21 (2), 24-28 (7), 31-04-03 (11), 04-04…06 清明, 07-11 (16), 14-17 (20) → 04-17
        d = _app(s, body.id, date(2025, 2, 24), "D")
        add_event(
            s, d, "consultation_sent", date(2025, 2, 25), {"party": "other_agency"}, "clerk", CAL, today
        )
        # E: Mon 02-17, fee notice 02-18; 20 working days to pay: 19,20,21 (3), 24-28 (8),
        # 03-03…07 (13), 10-14 (18), 17,18 (20) → 03-18 passed unpaid
        e = _app(s, body.id, date(2025, 2, 17), "E")
        add_event(s, e, "fee_notice", date(2025, 2, 18), {"basis": "pages", "pages": 40}, "clerk", CAL, today)
        # F awaits its correction: its reply period has not begun, so it is in no queue
        f = _app(s, body.id, date(2025, 2, 10), "F")
        add_event(s, f, "correction_notice", date(2025, 2, 11), {}, "clerk", CAL, today)
        # G is answered
        g = _app(s, body.id, date(2025, 2, 10), "G")
        add_event(s, g, "reply", date(2025, 2, 12), {"outcome": "granted"}, "clerk", CAL, today)
        got = {name: [r.number for r in rows] for name, rows in queues(s, body.id, CAL, today).items()}
        assert got == {
            "notice_due": ["C"],
            "due_soon": ["B"],
            "overdue": ["A"],
            "consultation_late": ["D"],
            "fee_late": ["E"],
        }
        assert d.clock["consultation_due"] == "2025-03-18" and e.clock["fee_due"] == "2025-03-18"
        from xxgk.register.replay import clock, replay
        from xxgk.register.service import _events

        assert clock(replay(_events(s, d.id)), CAL, today).reply_due == date(2025, 4, 17)
        assert a.status == "registered"


def test_fee_by_count_and_the_article_35_view(store: Store) -> None:
    with store.session() as s:
        body = body_for(s, "某局")
        rows = [_app(s, body.id, date(2025, 3, day), f"L{day:02d}", name="李四") for day in range(3, 15)]
        _app(s, body.id, date(2025, 3, 5), "W1", name="王五")
        _app(s, body.id, date(2025, 4, 1), "L-APR", name="李四")
        _app(s, body.id, date(2025, 3, 5), "LC", name="李四", kind="commercial")  # another applicant
        # 李四's 11th application of March: 109号 11–30 → 100元
        add_event(
            s, rows[10], "fee_notice", date(2025, 3, 14), {"basis": "count"}, "clerk", CAL, date(2025, 3, 14)
        )
        data = s.scalars(select(RegisterEvent.data).where(RegisterEvent.kind == "fee_notice")).one()
        assert (data["quantity"], data["amount"]) == (11, "100")
        lines = by_month(s, body.id, 2025)
        # by month, the most applications first, ties by number (LC before W1)
        assert [(x.month, x.applicant, x.applicant_type, x.count) for x in lines] == [
            ("2025-03", "李*", "natural_person", 12),
            ("2025-03", "李*", "commercial", 1),
            ("2025-03", "王*", "natural_person", 1),
            ("2025-04", "李*", "natural_person", 1),
        ]
        assert lines[0].fees == (0,) * 10 + (100, 100)


def test_a_fee_notice_without_its_basis_or_its_pages_says_what_is_missing(store: Store) -> None:
    # `register event A fee_notice --basis pages` without --pages said "pages: must be 1 or more,
    # not 0", and without --basis "basis None is not count or pages" (before)
    with store.session() as s:
        row = _app(s, body_for(s, "某局").id, date(2025, 3, 3), "P")
        for data, message in (
            ({"basis": "pages"}, "发出收费通知: a fee by pages needs the number of pages"),
            ({"basis": "pages", "pages": ""}, "发出收费通知: a fee by pages needs the number of pages"),
            ({}, "发出收费通知: a fee notice needs its basis: count or pages"),
            ({"basis": "pages", "pages": 0}, "pages: must be 1 or more, not 0"),  # given, and wrong
        ):
            with pytest.raises(XxgkError) as raised:
                add_event(s, row, "fee_notice", date(2025, 3, 4), data, "clerk", CAL, date(2025, 3, 4))
            assert str(raised.value) == message
        assert not s.scalars(select(RegisterEvent).where(RegisterEvent.kind == "fee_notice")).all()


def test_a_new_calendar_moves_deadlines_and_lists_them(store: Store) -> None:
    plain = Calendar([Notice(2025, {}, "test: weekends only")])
    with store.session() as s:
        body = body_for(s, "某局")
        new = NewApplication("M", date(2025, 3, 3), "in_person", "commercial")
        a = add_application(s, body.id, new, "clerk", plain, date(2025, 3, 3))
        # weekends only, from Mon 03-03: 04-07 (4), 10-14 (9), 17-21 (14), 24-28 (19), 31 (20)
        assert (a.reply_due, a.notice_due) == (date(2025, 3, 31), date(2025, 3, 12))
        closed = add_application(
            s, body.id, NewApplication("X", date(2025, 3, 3), "fax", "other"), "c", plain, date(2025, 3, 3)
        )
        add_event(
            s,
            closed,
            "reply",
            date(2025, 3, 4),
            {"outcome": "unavailable_not_held"},
            "c",
            plain,
            date(2025, 3, 4),
        )
        holiday = Calendar([Notice(2025, {date(2025, 3, 5): ("holiday", "测试假日")}, "test")])
        moved = recompute(s, holiday, date(2025, 3, 3), body.id)
        # 03-05 off: every count after it ends one working day later (03-31 → 04-01, 03-12 → 03-13)
        assert [(m.application, m.period, m.old, m.new) for m in moved] == [
            ("M", "reply", date(2025, 3, 31), date(2025, 4, 1)),
            ("M", "correction_notice", date(2025, 3, 12), date(2025, 3, 13)),
        ]
        assert recompute(s, holiday, date(2025, 3, 3), body.id) == []


def test_appeals_and_their_facts(store: Store) -> None:
    with store.session() as s:
        body = body_for(s, "某局")
        _app(s, body.id, date(2025, 3, 3), "A1")
        add_appeal(s, body.id, "review", date(2025, 5, 6), "clerk", "A1", date(2026, 1, 10), "corrected")
        add_appeal(s, body.id, "litigation_direct", date(2025, 6, 1), "clerk")
        assert add_appeal(s, body.id, "litigation_direct", date(2025, 6, 1), "clerk") is None
        with pytest.raises(XxgkError, match="before it was filed"):
            add_appeal(s, body.id, "review", date(2025, 5, 6), "clerk", None, date(2025, 5, 1), "upheld")
        facts = facts_as_of(s, body.id, date(2025, 12, 31))
        # decided in 2026: pending as of 2025-12-31
        assert [(f.kind, f.result, f.application) for f in facts.appeals] == [
            ("review", None, "A1"),
            ("litigation_direct", None, None),
        ]
        later = facts_as_of(s, body.id, date(2026, 12, 31))
        assert later.appeals[0].result == "corrected"


def test_members_roles_and_the_audit_log_append_only(store: Store) -> None:
    with store.session() as s:
        body, other = body_for(s, "某局"), body_for(s, "另一局")
        add_user(s, "clerk1", "password-1")
        add_user(s, "head1", "password-2")
        set_member(s, "clerk1", body, "clerk", "admin")
        set_member(s, "head1", body, "head", "admin")
        assert require_role(s, "head1", body.id, head=True) == "head"
        with pytest.raises(AccessError):
            require_role(s, "clerk1", body.id, head=True)
        with pytest.raises(AccessError):
            require_role(s, "clerk1", other.id)
        a = _app(s, body.id, date(2025, 3, 3))
        assert personal(s, a, "clerk1", reveal=False) == {
            "applicant_name": "张*",
            "applicant_contact": "1******",
        }
        assert personal(s, a, "clerk1", reveal=True)["applicant_name"] == "张三"
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        # the masked view is no read of personal data; the full one is
        assert actions == ["member", "member", "add", "read_personal"]
    for table in ("register_audit", "register_events"):
        for statement in (f"UPDATE {table} SET actor = 'x'", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as connection:
                connection.execute(text(statement))
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 4


def test_a_locked_year_changes_only_by_amendment(store: Store) -> None:
    with store.session() as s:
        body = body_for(s, "某局")
        add_user(s, "head1", "password-2")
        add_user(s, "clerk1", "password-1")
        set_member(s, "head1", body, "head", "admin")
        set_member(s, "clerk1", body, "clerk", "admin")
        a = _app(s, body.id, date(2025, 12, 22), "L1")
        with pytest.raises(AccessError):
            lock_year(s, body.id, 2025, "clerk1")
        assert lock_year(s, body.id, 2025, "head1") is True
        assert lock_year(s, body.id, 2025, "head1") is False
        # no yearly figures entered for 2025: the register does not compile, no report is frozen
        assert s.scalar(select(RegisterLock.snapshot)) is None
        # an event dated in 2025, a late registration of 2025, a correction of a 2025 event: refused
        with pytest.raises(XxgkError, match="2025 is locked"):
            add_event(s, a, "correction_notice", date(2025, 12, 24), {}, "clerk1", CAL, date(2026, 1, 5))
        with pytest.raises(XxgkError, match="2025 is locked"):
            _app(s, body.id, date(2025, 12, 30), "L2")
        receipt = s.scalar(select(RegisterEvent.id).where(RegisterEvent.application_id == a.id))
        with pytest.raises(XxgkError, match="2025 is locked"):
            add_event(
                s, a, "receipt", date(2026, 1, 5), {}, "clerk1", CAL, date(2026, 1, 5), corrects=receipt
            )
        # 2026 is open; with a reason, the 2025 change is made and the reason logged
        add_event(s, a, "reply", date(2026, 1, 6), {"outcome": "granted"}, "clerk1", CAL, date(2026, 1, 6))
        reply = s.scalar(select(RegisterEvent.id).where(RegisterEvent.kind == "reply"))
        add_event(
            s,
            a,
            "reply",
            date(2025, 12, 31),
            {"outcome": "granted"},
            "clerk1",
            CAL,
            date(2026, 1, 7),
            reply,
            "答复日期录入错误",
        )
        assert a.decided == date(2025, 12, 31)
        logged = s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["lock", "amendment"])).order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.actor, e.detail) for e in logged] == [
            ("lock", "head1", {"year": 2025}),
            ("amendment", "clerk1", {"years": [2025], "reason": "答复日期录入错误", "entry": "L1"}),
        ]
        locked = lock_of(s, body.id, 2025)
        assert locked is not None and locked.snapshot is None and locked.locked_by == "head1"
        assert [(a.entry, a.reason, a.actor) for a in locked.amendments] == [
            ("L1", "答复日期录入错误", "clerk1")
        ]
        assert lock_of(s, body.id, 2026) is None
