"""A year (2025) of one body's applications through every event kind, on SQLite and PostgreSQL.

Every deadline, status and outcome below was counted by hand on the 2025 notice (国办发明电):
元旦 01-01; 春节 01-28…02-04 off, 01-26 (Sun) and 02-08 (Sat) working; 清明 04-04…04-06;
劳动节 05-01…05-05 off, 04-27 (Sun) working; 国庆中秋 10-01…10-08 off, 09-28 (Sun) and 10-11 (Sat)
working; and 2026's 元旦 01-01…01-03 off, 01-04 (Sun) working. A period of N working days counts
from the day after its start day; a pause stops the clock after its start day through its end day.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from xxgk.clock import Calendar
from xxgk.register import facts_as_of
from xxgk.register.rules import EVENTS
from xxgk.register.service import NewApplication, add_appeal, add_application, add_event, queues
from xxgk.register.tables import RegisterApplication, RegisterEvent
from xxgk.store import Store
from xxgk.store.bodies import body_for

CAL = Calendar.official()
D = date


class Book:
    """The register of one body, with a check after every step."""

    def __init__(self, session, body_id: int) -> None:
        self.s, self.body_id = session, body_id
        self.rows: dict[str, RegisterApplication] = {}
        self.last: dict[str, int] = {}

    def add(
        self, number: str, received: date, channel: str, kind: str = "natural_person"
    ) -> RegisterApplication:
        new = NewApplication(number, received, channel, kind, f"申请人{number}", "010-12345678")
        self.rows[number] = add_application(self.s, self.body_id, new, "clerk", CAL, received)
        return self.rows[number]

    def event(
        self, number: str, kind: str, on: date, corrects: int | None = None, **data
    ) -> RegisterApplication:
        row = self.rows[number]
        self.last[number] = add_event(self.s, row, kind, on, data, "clerk", CAL, on, corrects).id
        return row

    def check(self, number: str, status: str, reply_due: date | None, outcome: str | None = None) -> None:
        row = self.rows[number]
        assert (row.status, row.outcome) == (status, outcome), number
        if reply_due is not None:
            assert row.reply_due == reply_due, number


@pytest.fixture
def book(db_url: str):
    store = Store(db_url)
    with store.session() as session:
        yield Book(session, body_for(session, "某县发展和改革局").id)


def test_a_year_of_applications(book: Book) -> None:
    b = book
    # A1 in person Thu 01-02. Reply: 01-03 (1), 06-10 (6), 13-17 (11), 20-24 (16), 26 Sun 调休 (17),
    # 27 (18), 01-28…02-04 off, 02-05 (19), 02-06 (20) → 02-06. Notice: 03, 06-10 (6), 13 (7) → 01-13
    a1 = b.add("A1", D(2025, 1, 2), "in_person")
    assert (a1.reply_due, a1.notice_due) == (D(2025, 2, 6), D(2025, 1, 13))
    b.check("A1", "registered", D(2025, 2, 6))
    b.event("A1", "reply", D(2025, 2, 5), outcome="granted", delivered="in_person")
    b.check("A1", "replied", None, "granted")

    # A2 registered post signed for Sat 04-05 (清明): 04-06 off; 04-07…11 (5), 14-18 (10), 21-25 (15),
    # 04-27 Sun 调休 (16), 28, 29, 30 (19), 05-01…05 off, 05-06 (20) → 05-06. Notice: 04-07…11 (5),
    # 14 (6), 15 (7) → 04-15
    a2 = b.add("A2", D(2025, 4, 5), "registered_post", "commercial")
    assert (a2.reply_due, a2.notice_due) == (D(2025, 5, 6), D(2025, 4, 15))
    b.event("A2", "reply", D(2025, 4, 30), outcome="withheld_state_secret")
    b.check("A2", "replied", D(2025, 5, 6), "withheld_state_secret")

    # A3 online Mon 06-09; 补正 notice due 06-10…13 (4), 16, 17, 18 (7) → 06-18; sent 06-11;
    # corrected Fri 06-20: restart 06-23…27 (5), 06-30…07-04 (10), 07-07…11 (15), 14-18 (20) → 07-18
    a3 = b.add("A3", D(2025, 6, 9), "online")
    assert a3.notice_due == D(2025, 6, 18)
    b.event("A3", "correction_notice", D(2025, 6, 11))
    b.check("A3", "awaiting_correction", None)
    b.event("A3", "correction_received", D(2025, 6, 20))
    b.check("A3", "processing", D(2025, 7, 18))
    b.event("A3", "reply", D(2025, 7, 17), outcome="unavailable_unclear")
    b.check("A3", "replied", D(2025, 7, 18), "unavailable_unclear")

    # A4: a notice and no correction → 其他处理 1
    b.add("A4", D(2025, 6, 9), "ordinary_post")
    b.event("A4", "correction_notice", D(2025, 6, 10))
    b.event("A4", "no_correction", D(2025, 7, 31))
    b.check("A4", "replied", None, "other_no_correction")

    # A5 fax Mon 03-03; third party consulted Mon 03-10 (it counts: 03-04…07 (4), 10 (5)), answered
    # 03-20: 03-11…20 not counted; 03-21 (6), 24-28 (11), 31-04-03 (15), 04-04…06 off, 07-11 (20) → 04-11
    b.add("A5", D(2025, 3, 3), "fax", "legal_services")
    b.event("A5", "consultation_sent", D(2025, 3, 10), party="third_party")
    b.check("A5", "consulting", None)
    b.event("A5", "consultation_answered", D(2025, 3, 20))
    b.check("A5", "processing", D(2025, 4, 11))
    b.event("A5", "reply", D(2025, 4, 10), outcome="partly_granted")
    b.check("A5", "replied", D(2025, 4, 11), "partly_granted")

    # A6 in person Tue 09-02; another agency consulted Fri 09-05, answered Fri 09-12 (09-08…12 not
    # counted): 09-03, 04, 05 (3), 15-19 (8), 22-26 (13), 28 Sun 调休 (14), 29 (15), 30 (16),
    # 10-01…08 off, 09 (17), 10 (18), 11 Sat 调休 (19), 13 (20) → 10-13; extended by 10 approved
    # 10-10: 10-14…17 (4), 20-24 (9), 27 (10) → 10-27
    b.add("A6", D(2025, 9, 2), "in_person", "research")
    b.event("A6", "consultation_sent", D(2025, 9, 5), party="other_agency")
    b.event("A6", "consultation_answered", D(2025, 9, 12))
    b.check("A6", "processing", D(2025, 10, 13))
    b.event("A6", "extension", D(2025, 10, 10), approved_by="王主任", reason="需调取档案", days=10)
    b.check("A6", "extended", D(2025, 10, 27))
    b.event("A6", "reply", D(2025, 10, 24), outcome="withheld_process_info")
    b.check("A6", "replied", D(2025, 10, 27), "withheld_process_info")

    # A7 online Mon 11-03; fee notice Mon 11-10 for 60 pages: 1–30 free, 31–60 30 × 10元 = 300元;
    # payment due 11-11…14 (4), 17-21 (9), 24-28 (14), 12-01…05 (19), 08 (20) → 12-08; paid 11-14:
    # reply 11-04…07 (4), 10 (5), paused 11-11…14, 17-21 (10), 24-28 (15), 12-01…05 (20) → 12-05
    b.add("A7", D(2025, 11, 3), "online", "social_welfare")
    a7 = b.event("A7", "fee_notice", D(2025, 11, 10), basis="pages", pages=60)
    b.check("A7", "awaiting_fee", None)
    assert a7.clock["fee_due"] == "2025-12-08"
    b.event("A7", "fee_paid", D(2025, 11, 14))
    b.check("A7", "processing", D(2025, 12, 5))
    b.event("A7", "reply", D(2025, 12, 3), outcome="granted")
    b.check("A7", "replied", D(2025, 12, 5), "granted")
    assert a7.fee == 300

    # A8 online Mon 11-03; fee notice Wed 11-05 for 35 pages (5 × 10元 = 50元), payment due
    # 11-06, 07 (2), 10-14 (7), 17-21 (12), 24-28 (17), 12-01, 02, 03 (20) → 12-03; unpaid on 12-09
    b.add("A8", D(2025, 11, 3), "online", "other")
    b.event("A8", "fee_notice", D(2025, 11, 5), basis="pages", pages=35)
    late = queues(b.s, b.body_id, CAL, D(2025, 12, 9))
    assert [r.number for r in late["fee_late"]] == ["A8"]
    b.event("A8", "unpaid_fee", D(2025, 12, 10))
    b.check("A8", "replied", None, "other_unpaid_fee")
    assert b.rows["A8"].fee is None  # charged, never paid

    # A9 withdrawn two days after receipt → 其他处理 3
    b.add("A9", D(2025, 5, 6), "in_person")
    b.event("A9", "withdrawal", D(2025, 5, 8))
    b.check("A9", "withdrawn", None, "other_misc")

    # A10 Mon 12-01: reply 12-02…05 (4), 08-12 (9), 15-19 (14), 22-26 (19), 29 (20) → 12-29; a reply
    # entered by mistake on 12-05 is voided on 12-08: open again, and overdue on 12-31
    b.add("A10", D(2025, 12, 1), "online")
    b.event("A10", "reply", D(2025, 12, 5), outcome="granted")
    b.check("A10", "replied", None, "granted")
    b.event("A10", "void", D(2025, 12, 8), corrects=b.last["A10"])
    b.check("A10", "registered", D(2025, 12, 29))

    # A11 Mon 12-22, open at year end: 12-23…26 (4), 29, 30, 31 (7), 2026-01-01…03 off, 01-04 Sun
    # 调休 (8), 05-09 (13), 12-16 (18), 19 (19), 20 (20) → 2026-01-20
    b.add("A11", D(2025, 12, 22), "registered_post")
    b.check("A11", "registered", D(2026, 1, 20))

    # A12: its receipt was entered as Mon 07-07, corrected to Fri 07-04. Before: 07-08…11 (4),
    # 14-18 (9), 21-25 (14), 28-08-01 (19), 08-04 (20) → 08-04; after: 07-07…11 (5), 14-18 (10),
    # 21-25 (15), 28-08-01 (20) → 08-01
    b.add("A12", D(2025, 7, 7), "in_person")
    b.check("A12", "registered", D(2025, 8, 4))
    receipt = b.s.scalar(select(RegisterEvent.id).where(RegisterEvent.application_id == b.rows["A12"].id))
    b.event("A12", "receipt", D(2025, 7, 4), corrects=receipt)
    b.check("A12", "registered", D(2025, 8, 1))
    assert b.rows["A12"].received == D(2025, 7, 4)
    b.event("A12", "reply", D(2025, 7, 31), outcome="granted")

    # reviews and lawsuits (table 四)
    add_appeal(b.s, b.body_id, "review", D(2025, 6, 10), "clerk", "A2", D(2025, 8, 1), "upheld")
    add_appeal(b.s, b.body_id, "litigation_direct", D(2025, 5, 1), "clerk", "A5")
    add_appeal(
        b.s, b.body_id, "litigation_after_review", D(2025, 9, 1), "clerk", "A2", D(2026, 2, 1), "corrected"
    )

    # every event kind was used
    used = set(b.s.scalars(select(RegisterEvent.kind)).all())
    assert used == set(EVENTS)

    # the queues at year end: A10 overdue (12-29); A11 due 2026-01-20, beyond 3 working days
    # (2026-01-04, 05, 06), its 补正 notice due by 12-23…26 (4), 29, 30, 31 (7) → 12-31, still open;
    # A10's was due by 12-02…05 (4), 08, 09, 10 (7) → 12-10, passed
    assert b.rows["A11"].notice_due == D(2025, 12, 31)
    at_end = {
        name: [r.number for r in rows] for name, rows in queues(b.s, b.body_id, CAL, D(2025, 12, 31)).items()
    }
    assert at_end == {
        "notice_due": ["A11"],
        "due_soon": [],
        "overdue": ["A10"],
        "consultation_late": [],
        "fee_late": [],
    }

    # the facts the compiler reads, as of 12-31
    facts = facts_as_of(b.s, b.body_id, D(2025, 12, 31))
    assert Counter(a.outcome for a in facts.applications) == Counter(
        {
            "granted": 3,  # A1, A7, A12
            "withheld_state_secret": 1,  # A2
            "unavailable_unclear": 1,  # A3
            "other_no_correction": 1,  # A4
            "partly_granted": 1,  # A5
            "withheld_process_info": 1,  # A6
            "other_unpaid_fee": 1,  # A8
            "other_misc": 1,  # A9
            None: 2,  # A10, A11 carried forward
        }
    )
    assert {a.id: a.fee for a in facts.applications if a.fee is not None} == {"A7": 300}
    assert [(a.kind, a.result) for a in facts.appeals] == [
        ("litigation_direct", None),  # filed 05-01, pending
        ("review", "upheld"),  # decided 08-01
        ("litigation_after_review", None),  # decided in 2026: pending at 12-31
    ]
    # as of 06-30 the later outcomes were not given, and A6…A11 not received
    mid = {a.id: a.outcome for a in facts_as_of(b.s, b.body_id, D(2025, 6, 30)).applications}
    assert mid == {
        "A1": "granted",
        "A2": "withheld_state_secret",
        "A5": "partly_granted",
        "A9": "other_misc",
        "A3": None,
        "A4": None,
    }
    assert b.s.scalar(select(func.count()).select_from(RegisterApplication)) == 12
