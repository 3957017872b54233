"""The 待认定 queue: stored reports whose body could not be told (no agency printed, none given).

They are kept with their cells and findings but filed under no body and never current, so no
statistic, coverage grid, 缺报 count or findings list sees them until a reviewer attributes one
(Store.attribute).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from xxgk.store.models import ReportSource, StoredReport

if TYPE_CHECKING:
    from xxgk.store import Store


@dataclass
class Queued:
    id: int
    year: int
    title: str | None
    source: str | None  # where it came from (a path or a URL), the first source
    errors: int
    ingested_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ingested_at": self.ingested_at.isoformat()}


def queued(store: Store, limit: int | None = None) -> list[Queued]:
    """The reports waiting for a body, the oldest first."""
    query = (
        select(StoredReport, ReportSource)
        .join(ReportSource, ReportSource.report_id == StoredReport.id)
        .where(StoredReport.body_id.is_(None))
        .order_by(StoredReport.id, ReportSource.id)
    )
    out: dict[int, Queued] = {}
    with store.session() as session:
        for report, source in session.execute(query):
            if report.id not in out:
                where = source.url or source.path
                out[report.id] = Queued(
                    report.id, report.year, report.title, where, report.errors, report.ingested_at
                )
    rows = list(out.values())
    return rows[:limit] if limit is not None else rows
