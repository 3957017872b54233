"""Which version a newly stored file of a body's year becomes: the one rule, for the single ingest
and for bulk loading.

A file whose content is stored already changes nothing (the caller looks its hash up first); any
other file for a body and year becomes the next version and the current one, and the version it
follows stays stored, no longer current.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from xxgk.store.models import StoredReport

Key = tuple[int, int]  # (body id, year)


@dataclass
class Latest:
    """What is stored of one body's year: its highest version and the current row's id."""

    version: int = 0
    current_id: int | None = None


def latest(session: Session, keys: Iterable[Key]) -> dict[Key, Latest]:
    """The stored versions of each (body, year) asked for, in one query per thousand keys."""
    keys = list(dict.fromkeys(keys))
    found: dict[Key, Latest] = {key: Latest() for key in keys}
    pair = tuple_(StoredReport.body_id, StoredReport.year)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        highest = select(StoredReport.body_id, StoredReport.year, func.max(StoredReport.version))
        for body_id, year, version in session.execute(highest.where(pair.in_(chunk)).group_by(*pair.clauses)):
            found[(body_id, year)].version = version
        current = select(StoredReport.body_id, StoredReport.year, StoredReport.id).where(
            pair.in_(chunk), StoredReport.current
        )
        for body_id, year, report_id in session.execute(current):
            found[(body_id, year)].current_id = report_id
    return found


def place(known: Latest, new_id: int | None = None) -> tuple[int, int | None]:
    """The version a new file gets and the id of the current row it supersedes (None: the first
    of its year). `known` is updated to name the new row (`new_id`) as current."""
    superseded = known.current_id
    known.version += 1
    known.current_id = new_id
    return known.version, superseded
