"""`xxgk stats` against a plain count in Python of the same generated rows (SQLite and PostgreSQL).

The rows are written straight into the tables, so the corpus can hold every case the database
queries must tell apart: old versions, compiled reports, reports waiting for a body (待认定), figures
left blank, bodies that never reported, bodies under a parent whose region they continue. The
count below walks the rows one by one, as a person would, with none of the store's code.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import insert

from xxgk.store import Store
from xxgk.store.models import Body, BodyAlias, StoredReport
from xxgk.store.stats import stats

YEARS = (2020, 2021, 2022, 2023)
FIGURES = (
    "received", "granted", "partly_granted", "processed", "reviews", "reviews_corrected", "suits",
    "suits_corrected",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A body's place as the test declares it: its region and parent as stored, and the groups it
    falls in by 省 and by 市 (a group is its name and whether it is the region's own bodies)."""

    region: str | None
    parent: int | None
    province: tuple[str | None, bool]
    city: tuple[str | None, bool]


# bodies 1–3 are parents; the others take one of these places in turn
PARENTS = {
    1: Place("江苏省", None, ("江苏省", False), ("江苏省", True)),
    2: Place("江苏省宿迁市", None, ("江苏省", False), ("江苏省宿迁市", False)),
    3: Place("浙江省杭州市", None, ("浙江省", False), ("浙江省杭州市", False)),
}
PLACES = [
    Place("沭阳县", 2, ("江苏省", False), ("江苏省宿迁市", False)),  # continues its parent's region
    Place(None, 3, ("浙江省", False), ("浙江省杭州市", False)),  # takes its parent's
    Place("江苏省无锡市江阴市", None, ("江苏省", False), ("江苏省无锡市", False)),
    Place(None, None, (None, False), (None, False)),  # known from its reports alone
    Place(None, None, (None, False), (None, False)),
]
LEVELS = ("市", "县", "部门", None)


def fill(store: Store, seed: int) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """Bodies and report rows drawn at random, written as they are; returned for the count."""
    rng = random.Random(seed)
    bodies: dict[int, dict[str, Any]] = {}
    for body_id in range(1, 41):
        place = PARENTS.get(body_id) or PLACES[body_id % len(PLACES)]
        name = f"单位{body_id}"
        bodies[body_id] = {
            "id": body_id,
            "name": name,
            "key": name,
            "level": LEVELS[body_id % len(LEVELS)],
            "region": place.region,
            "parent_id": place.parent,
            "place": place,
        }
    aliased = {7, 12}  # bodies without a region or parent that a list named (an alias)
    reports: list[dict[str, Any]] = []

    def report(body_id: int | None, year: int, version: int, current: bool, kind: str) -> None:
        figures = {f: rng.choice([None, 0, 1, 3, 8, 40]) for f in FIGURES}
        reports.append(
            {
                "id": len(reports) + 1,
                "body_id": body_id,
                "year": year,
                "version": version,
                "current": current,
                "kind": kind,
                "template": "2021",
                "sha256": f"{len(reports) + 1:064d}",
                "errors": rng.choice([0, 0, 1, 3]),
                "warnings": 0,
                **figures,
            }
        )

    for body_id in bodies:
        if body_id % 9 == 5:  # never reported
            continue
        for year in YEARS:
            if rng.random() < 0.3:
                continue
            versions = rng.choice([1, 1, 2, 3])
            chosen = rng.randint(1, versions)  # a reviewer may have chosen an older version
            for version in range(1, versions + 1):
                report(body_id, year, version, version == chosen, "published")
            if rng.random() < 0.2:
                report(body_id, year, versions + 1, False, "compiled")
    for year in YEARS:
        report(None, year, 1, False, "published")  # 待认定: no body, never current
    with store.session() as session:
        session.execute(insert(Body), [{k: v for k, v in b.items() if k != "place"} for b in bodies.values()])
        session.execute(
            insert(BodyAlias), [{"body_id": b, "alias": f"别名{b}", "key": f"别名{b}"} for b in aliased]
        )
        session.execute(insert(StoredReport), reports)
    for body_id in aliased:
        bodies[body_id]["alias"] = True
    return bodies, reports


def counted(
    bodies: dict[int, dict[str, Any]],
    reports: list[dict[str, Any]],
    by: str,
    *,
    years: Iterable[int] | None = None,
    level: str | None = None,
    province: str | None = None,
    depth: str = "省",
) -> dict[Any, tuple[Any, ...]]:
    """What `stats` should say, counted row by row: (reports, bodies, received, disclosed,
    processed, corrected, appeals, with errors, missing) by group."""

    def selected(body_id: int) -> bool:
        body = bodies[body_id]
        return (level is None or body["level"] == level) and (
            province is None or body["place"].province[0] == province
        )

    def group(body_id: int, year: int | None) -> Any:
        if by == "year":
            return year
        if by == "level":
            return bodies[body_id]["level"]
        place = bodies[body_id]["place"]
        return place.province if depth == "省" else place.city

    current = [r for r in reports if r["current"] and r["body_id"] is not None and selected(r["body_id"])]
    wanted = sorted(set(years) if years is not None else {r["year"] for r in current})
    chosen = [r for r in current if r["year"] in wanted]
    with_reports = {r["body_id"] for r in reports}
    reported = {r["body_id"] for r in chosen}
    expected = [
        b
        for b, body in bodies.items()
        if selected(b)
        and (
            body["region"] or body["parent_id"] or body.get("alias") or b not in with_reports or b in reported
        )
    ]
    out: dict[Any, list[Any]] = {}
    for r in chosen:
        row = out.setdefault(group(r["body_id"], r["year"]), [0, set(), None, 0, 0, 0, 0, 0])
        row[0] += 1
        row[1].add(r["body_id"])
        if r["received"] is not None:
            row[2] = (row[2] or 0) + r["received"]
        if r["processed"] is not None:
            row[3] += (r["granted"] or 0) + (r["partly_granted"] or 0)
            row[4] += r["processed"]
        if r["reviews"] is not None:
            row[5] += r["reviews_corrected"] or 0
        if r["suits"] is not None:
            row[5] += r["suits_corrected"] or 0
        row[6] += (r["reviews"] or 0) + (r["suits"] or 0)
        row[7] += r["errors"] > 0
    due: dict[Any, int] = {}
    for year in wanted if by == "year" else [None]:
        for b in expected:
            key = group(b, year)
            due[key] = due.get(key, 0) + (1 if by == "year" else len(wanted))
    result = {}
    for key in set(out) | set(due):
        n, bodies_of, received, disclosed, processed, corrected, appeals, errors = out.get(
            key, [0, set(), None, 0, 0, 0, 0, 0]
        )
        done = len(bodies_of) if by == "year" else n
        result[key] = (n, len(bodies_of), received, disclosed, processed, corrected, appeals, errors)
        result[key] += (max(0, due.get(key, 0) - done),)
    return result


def shown(rows: Iterable[Any]) -> dict[Any, tuple[Any, ...]]:
    return {
        (r.group, r.own) if r.by == "region" else r.group: (
            r.reports,
            r.bodies,
            r.received,
            r.disclosure.numerator,
            r.disclosure.denominator,
            r.correction.numerator,
            r.correction.denominator,
            r.with_errors,
            r.missing,
        )
        for r in rows
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_stats_equal_a_count_of_the_rows(db_url: str, seed: int) -> None:
    store = Store(db_url)
    bodies, reports = fill(store, seed)
    assert any(not r["current"] and r["body_id"] for r in reports)  # the corpus holds each case
    assert any(r["kind"] == "compiled" for r in reports) and any(r["body_id"] is None for r in reports)
    for by in ("year", "region", "level"):
        assert shown(stats(store, by=by)) == counted(bodies, reports, by), by
        assert shown(stats(store, by=by, years=[2021, 2023, 2030])) == counted(
            bodies, reports, by, years=[2021, 2023, 2030]
        ), by
        assert shown(stats(store, by=by, level="县")) == counted(bodies, reports, by, level="县"), by
        assert shown(stats(store, by=by, region="江苏省")) == counted(
            bodies, reports, by, province="江苏省"
        ), by
    assert shown(stats(store, by="region", depth="市")) == counted(bodies, reports, "region", depth="市")
