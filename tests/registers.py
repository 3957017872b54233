"""Registers generated for the compiler's tests and bench: random applications over two years
with every outcome, waits (補正 and consultation pauses lengthen a case), withdrawals, reviews and
lawsuits; and the table counts worked out from them by the simplest code, apart from xxgk's."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

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
