"""Registers generated for the compiler's tests and bench: random applications over two years
with every outcome, waits (補正 and consultation pauses lengthen a case), withdrawals, reviews and
lawsuits; and the table counts worked out from them by the simplest code, apart from xxgk's."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from xxgk.compile import facts_json
from xxgk.register.facts import (
    APPEAL_KINDS,
    APPEAL_RESULTS,
    APPLICANT_TYPES,
    AppealFacts,
    ApplicationFacts,
    DocumentFacts,
    RegisterFacts,
    YearFigures,
)
from xxgk.templates import template_for_year

AGENCY = "某某市交通运输局"
# every outcome row of the 2021 table 三, spelt out here (not taken from xxgk)
OUTCOMES = (
    "granted",
    "partly_granted",
    "withheld_state_secret",
    "withheld_prohibited_by_law",
    "withheld_security_stability",
    "withheld_third_party",
    "withheld_internal_affairs",
    "withheld_process_info",
    "withheld_enforcement_file",
    "withheld_inquiry",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "not_processed_complaint",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_excessive",
    "not_processed_confirmation",
    "other_no_correction",
    "other_unpaid_fee",
    "other_misc",  # a withdrawal is counted here
)
# the 2019 table has one （六）其他处理 row for the three 2021 rows
FOLD_2019 = {"other_no_correction": "other", "other_unpaid_fee": "other", "other_misc": "other"}


def generate(seed: int, n: int, first: int = 2023, last: int = 2024) -> RegisterFacts:
    """`n` applications received from the year before `first` to the end of `last`."""
    rng = random.Random(seed)
    start, end = date(first - 1, 1, 1), date(last, 12, 31)
    span = (end - start).days
    apps = []
    for i in range(n):
        received = start + timedelta(days=rng.randrange(span + 1))
        outcome = OUTCOMES[i] if i < len(OUTCOMES) else rng.choice(OUTCOMES)
        days = rng.randrange(0, 40)  # the reply period
        if rng.random() < 0.3:
            days += rng.randrange(5, 45)  # paused: a correction asked for, a third party consulted
        decided: date | None = received + timedelta(days=days)
        if decided > end or rng.random() < 0.05:
            outcome, decided = None, None  # still open at the register's date
        fee = Decimal(rng.randrange(1, 50) * 10) if decided is not None and rng.random() < 0.1 else None
        apps.append(
            ApplicationFacts(f"申{i + 1:05d}", received, rng.choice(APPLICANT_TYPES), outcome, decided, fee)
        )
    appeals = []
    for i, app in enumerate(rng.sample([a for a in apps if a.decided is not None], k=max(3, n // 15))):
        filed = app.decided + timedelta(days=rng.randrange(1, 60))  # type: ignore[operator]
        if filed > end:
            continue
        decided = filed + timedelta(days=rng.randrange(20, 200))
        result = rng.choice(APPEAL_RESULTS)
        if decided > end or rng.random() < 0.1:
            decided, result = None, None  # pending
        kind = APPEAL_KINDS[i % len(APPEAL_KINDS)]
        appeals.append(AppealFacts(f"复{i + 1:04d}", kind, filed, decided, result, app.id))
    documents = []
    for i in range(12):
        kind = "regulations" if i % 4 == 0 else "normative_documents"
        issued = date(first - 3, 1, 1) + timedelta(days=rng.randrange((end - date(first - 3, 1, 1)).days))
        repealed = issued + timedelta(days=rng.randrange(100, 900)) if rng.random() < 0.4 else None
        if repealed is not None and repealed > end:
            repealed = None
        documents.append(
            DocumentFacts(kind, f"某交规〔{issued.year}〕{i + 1}号", f"文件{i + 1}", issued, repealed)
        )
    figures = tuple(
        YearFigures(
            y, rng.randrange(500), rng.randrange(300), rng.randrange(20), Decimal(rng.randrange(10000)) / 100
        )
        for y in range(first - 1, last + 1)
    )
    return RegisterFacts(AGENCY, end, tuple(apps), tuple(appeals), tuple(documents), figures)


def expected_tables(facts: RegisterFacts, year: int) -> dict[str, dict[str, dict[str, object]]]:
    """The three tables for `year`, counted case by case by calendar year (docs/compile.md)."""
    template = template_for_year(year)
    assert template is not None
    out: dict[str, dict[str, dict[str, object]]] = {}
    for table in template.tables:
        out[table.id] = {row.id: {col.id: 0 for col in row.columns} for row in table.rows}
    apps = out["applications"]

    def add(row: str, applicant: str) -> None:
        apps[row][applicant] += 1
        apps[row]["total"] += 1

    for a in facts.applications:
        done_year = a.decided.year if a.decided is not None else None
        if a.received.year == year:
            add("received", a.applicant)
        if a.received.year < year and (done_year is None or done_year >= year):
            add("carried_over", a.applicant)
        if done_year == year:
            row = FOLD_2019.get(a.outcome, a.outcome) if template.id == "2019" else a.outcome
            add(row, a.applicant)
            add("total", a.applicant)
        if a.received.year <= year and (done_year is None or done_year > year):
            add("carried_forward", a.applicant)
    for appeal in facts.appeals:
        open_in_year = appeal.filed.year <= year and (appeal.decided is None or appeal.decided.year >= year)
        if open_in_year:
            column = (
                appeal.result if appeal.decided is not None and appeal.decided.year == year else "pending"
            )
            out["appeals"][appeal.kind][column] += 1
            out["appeals"][appeal.kind]["total"] += 1
    active = out["active"]
    for doc in facts.documents:
        issued_now = doc.issued.year == year
        repealed_now = doc.repealed is not None and doc.repealed.year == year
        in_force = doc.issued.year <= year and (doc.repealed is None or doc.repealed.year > year)
        counts = Counter()
        if template.id == "2021":
            counts.update(issued=issued_now, repealed=repealed_now, in_force=in_force)
        else:
            counts.update(made=issued_now, published=issued_now, total=in_force)
        for column, n in counts.items():
            active[doc.kind][column] += n
    figures = next(f for f in facts.figures if f.year == year)
    for row in ("licensing", "penalties", "enforcement"):
        active[row]["decisions"] = getattr(figures, row)
    if template.id == "2021":
        amount = figures.fees
        active["fees"]["amount"] = int(amount) if amount == amount.to_integral_value() else float(amount)
    else:  # what no register holds is left blank (docs/compile.md)
        for row in ("licensing", "penalties", "enforcement", "other_services", "fees", "procurement"):
            for column in active[row]:
                if column != "decisions" or row in ("other_services",):
                    active[row][column] = None
    return out


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "xxgk", *args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)


def facts_file(facts: RegisterFacts, tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts_json.dump(facts), ensure_ascii=False), encoding="utf-8")
    return path


def app(
    i: str, received: str, applicant: str, outcome: str | None = None, decided: str | None = None, fee=None
):
    day = date.fromisoformat
    return ApplicationFacts(i, day(received), applicant, outcome, day(decided) if decided else None, fee)


# A register worked out by hand for 2023:
#   A1 received 2022-12-20, granted 2023-01-04        → 上年结转 and 予以公开 in 2023 (自然人)
#   A2 received 2022-11-02, granted 2022-11-20        → 2022 only: nowhere in 2023
#   A3 received 2023-03-01, partly granted 03-20, 80元 → 新收, 部分公开 (商业企业); fee 80元
#   A4 received 2023-12-28, still open                → 新收 and 结转下年度 (自然人)
#   A5 received 2023-06-01, withdrawn 06-05           → 新收, （六）3.其他 (法律服务机构)
#   A6 received 2023-12-15, unpaid fee, 2024-01-20    → 新收 and 结转下年度 in 2023 (自然人)
# 自然人: 新收 A4 A6 = 2, 上年结转 A1 = 1, 办理 A1 = 1, 结转 A4 A6 = 2: 2 + 1 = 1 + 2
# 总计 column: 新收 4, 上年结转 1, 办理总计 3 (A1 A3 A5), 结转 2: 4 + 1 = 3 + 2
# R1 review filed 2022-12-01, decided 2023-02-01 corrected → 行政复议 结果纠正 1
# R2 lawsuit after review, filed 2023-11-01, undecided     → 复议后起诉 尚未审结 1
# R3 review filed 2022-01-05, decided 2022-06-01           → 2022 only
# 规范性文件: D1 issued 2021, repealed 2023-05-01; D2 issued 2023-02-02 → 制发 1, 废止 1, 现行有效 1
HAND = RegisterFacts(
    AGENCY,
    date(2023, 12, 31),
    (
        app("A1", "2022-12-20", "natural_person", "granted", "2023-01-04"),
        app("A2", "2022-11-02", "natural_person", "granted", "2022-11-20"),
        app("A3", "2023-03-01", "commercial", "partly_granted", "2023-03-20", Decimal(80)),
        app("A4", "2023-12-28", "natural_person"),
        app("A5", "2023-06-01", "legal_services", "other_misc", "2023-06-05"),
        app("A6", "2023-12-15", "natural_person"),
    ),
    (
        AppealFacts("R1", "review", date(2022, 12, 1), date(2023, 2, 1), "corrected", "A2"),
        AppealFacts("R2", "litigation_after_review", date(2023, 11, 1)),
        AppealFacts("R3", "review", date(2022, 1, 5), date(2022, 6, 1), "upheld"),
    ),
    (
        DocumentFacts("normative_documents", "D1", "一", date(2021, 3, 1), date(2023, 5, 1)),
        DocumentFacts("normative_documents", "D2", "二", date(2023, 2, 2)),
    ),
    (YearFigures(2023, 12, 7, 0, Decimal("3.5")),),
)


def into_store(session, body_id: int, facts: RegisterFacts, actor: str = "clerk") -> None:
    """The register recorded in the store through the register's own service, as a clerk would:
    each application registered on its receipt date and answered on its decision date (a fee as a
    notice paid on the day of receipt), each appeal, the documents and yearly figures."""
    from xxgk.clock import Calendar
    from xxgk.register.service import NewApplication, add_appeal, add_application, add_event
    from xxgk.store.models import RegisterDocument, RegisterFigures

    calendar = Calendar.official()
    for a in facts.applications:
        row = add_application(
            session,
            body_id,
            NewApplication(
                a.id, a.received, "online", a.applicant, f"张{a.id}"
            ),  # shown masked: 张 and stars
            actor,
            calendar,
            a.received,
        )
        if a.fee is not None:
            fee = {"basis": "imported", "amount": str(a.fee)}
            add_event(session, row, "fee_notice", a.received, fee, actor, calendar, a.received)
            add_event(session, row, "fee_paid", a.received, {}, actor, calendar, a.received)
        if a.outcome is not None and a.decided is not None:
            add_event(session, row, "reply", a.decided, {"outcome": a.outcome}, actor, calendar, a.decided)
    for appeal in facts.appeals:
        add_appeal(
            session,
            body_id,
            appeal.kind,
            appeal.filed,
            actor,
            appeal.application,
            appeal.decided,
            appeal.result,
        )
    for d in facts.documents:
        session.add(
            RegisterDocument(
                body_id=body_id,
                kind=d.kind,
                number=d.number,
                title=d.title,
                issued=d.issued,
                repealed=d.repealed,
            )
        )
    for f in facts.figures:
        session.add(
            RegisterFigures(
                body_id=body_id,
                year=f.year,
                licensing=f.licensing,
                penalties=f.penalties,
                enforcement=f.enforcement,
                fees=f.fees,
            )
        )
    session.flush()
