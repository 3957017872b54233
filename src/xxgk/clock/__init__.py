"""The statutory clock and the fee engine of a disclosure application (条例 2019, 国办函〔2020〕109号).

A pure library: it imports nothing of the store or the web application. Calendar data comes in as
`Notice`s from wherever the caller keeps them.
"""

from xxgk.clock.calendar import Calendar, Day, Notice, estimated_notice, package_notices, parse_notices_csv
from xxgk.clock.fees import Fee, fee, fee_by_count, fee_by_pages, unpaid_outcome
from xxgk.clock.periods import (
    Application,
    Deadline,
    Extension,
    Moved,
    Pause,
    Schedule,
    Step,
    period_deadline,
    receipt_date,
    recompute,
    reply_deadline,
    schedule,
)

__all__ = [
    "Application",
    "Calendar",
    "Day",
    "Deadline",
    "Extension",
    "Fee",
    "Moved",
    "Notice",
    "Pause",
    "Schedule",
    "Step",
    "estimated_notice",
    "fee",
    "fee_by_count",
    "fee_by_pages",
    "package_notices",
    "parse_notices_csv",
    "period_deadline",
    "receipt_date",
    "recompute",
    "reply_deadline",
    "schedule",
    "unpaid_outcome",
]
