"""Generated registers in xxgk's own template (sheets 申请 and 复议诉讼), for the import tests and
bench/bench_register.py. Each row follows one of a few histories; `expected` says what the
register must hold after importing it, by this file's own simple counting."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from xxgk.register.io import headers
from xxgk.register.rules import APPLICANTS, OUTCOMES, SHEETS

# outcomes a plain reply gives (the three 其他处理 come from their own histories below)
REPLY_OUTCOMES = [o for o in OUTCOMES if not o.startswith("other_")]
HISTORIES = (
    "plain",
    "correction",
    "consultation",
    "fee",
    "extension",
    "withdrawn",
    "no_correction",
    "unpaid",
    "open",
)
CHANNELS = ("当面", "挂号信", "平信", "网络", "传真")


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def generate(count: int, seed: int = 18, year: int = 2025) -> tuple[list[list], list[list], Counter]:
    """(application rows, appeal rows, outcomes by id with None for open) of a register of `count`."""
    rng = random.Random(seed)
    apps: list[list] = [list(headers("applications"))]
    appeals: list[list] = [list(headers("appeals"))]
    outcomes: Counter = Counter()
    fields = list(headers("applications").values())
    for n in range(1, count + 1):
        received = _weekday(date(year, 1, 2) + timedelta(days=rng.randrange(300)))
        kind = rng.choice(list(APPLICANTS))
        row = {
            "number": f"{year}-{n:05d}",
            "receipt": received,
            "channel": rng.choice(CHANNELS),
            # the label as printed for most, the id for some: both are read
            "applicant_type": APPLICANTS[kind] if n % 3 else kind,
            "applicant_name": f"申请人{rng.randrange(200)}",
            "applicant_contact": f"1380000{rng.randrange(10000):04d}",
            "request": "某项目的审批文件",
        }
        history = HISTORIES[n % len(HISTORIES)]
        outcome: str | None = rng.choice(REPLY_OUTCOMES)
        reply = received + timedelta(days=14)
        if history == "correction":
            row |= {
                "correction_notice": received + timedelta(days=2),
                "correction_received": received + timedelta(days=9),
            }
            reply = received + timedelta(days=20)
        elif history == "consultation":
            row |= {
                "consultation_sent": received + timedelta(days=3),
                "consultation_answered": received + timedelta(days=12),
            }
            reply = received + timedelta(days=25)
        elif history == "fee":
            row |= {
                "fee_notice": received + timedelta(days=4),
                "fee_paid": received + timedelta(days=8),
                "fee_amount": 100 * rng.randrange(1, 5),
            }
        elif history == "extension":
            row["extension"] = received + timedelta(days=20)
            reply = received + timedelta(days=35)
        elif history == "withdrawn":
            outcome = "other_misc"
        elif history == "no_correction":
            row["correction_notice"] = received + timedelta(days=2)
            outcome, reply = "other_no_correction", received + timedelta(days=40)
        elif history == "unpaid":
            row |= {"fee_notice": received + timedelta(days=4), "fee_amount": 300}
            outcome, reply = "other_unpaid_fee", received + timedelta(days=40)
        elif history == "open":
            outcome = None
        if outcome is not None:
            row |= {"reply": reply, "outcome": OUTCOMES[outcome] if n % 2 else outcome}
        outcomes[outcome] += 1
        apps.append([row.get(f) for f in fields])
        if n % 50 == 0 and outcome is not None:
            decided = reply + timedelta(days=60) if n % 100 == 0 else None
            appeals.append(
                ["行政复议", row["number"], reply + timedelta(days=10), decided, "维持" if decided else None]
            )
    return apps, appeals, outcomes


def write_xlsx(path: Path, apps: list[list], appeals: list[list]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for key, rows in (("applications", apps), ("appeals", appeals)):
        sheet = workbook.create_sheet(SHEETS[key]["name"])
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path
