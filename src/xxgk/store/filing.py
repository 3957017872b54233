"""Filing a chunk of reports under their bodies in memory, for bulk loading: what
`Store._file_under` does one report at a time (bodies.match, the version number, versions.py's
current version, the splits a neighbouring year settles, the rules across years), worked out
on copies of the rows of the bodies concerned, read in a few queries, and written back at the end.

The rules across years are worked out once per report at the end, against the neighbour each
report had when last compared (a snapshot of it), which is what comparing at every step leaves;
a report with a reviewer's verdicts on such findings is compared at every step, as a verdict
is kept only by a finding found again each time.
"""

from __future__ import annotations

import string
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, selectinload, undefer

from xxgk.check import RULES, check_pair
from xxgk.extract.meta import body_level
from xxgk.model import Meta, Report
from xxgk.store import search, splits, versions
from xxgk.store.attribution import Attribution
from xxgk.store.bodies import canonical
from xxgk.store.convert import finding_rows, to_report
from xxgk.store.models import REPORT_KINDS, Body, BodyAlias, StoredFinding, StoredReport, VersionChoice

if TYPE_CHECKING:
    from xxgk.store import Store

PAIR_RULES = tuple(rule.id for rule in RULES if rule.scope == "pair")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
Key = tuple[int, int]  # (body id, year)


class BodyIndex:
    """Every body's name, key and aliases in memory, matched as `bodies.match` matches them in
    the database (a name, an alias, one body of the same canonical key, else the one body whose
    key ends with it). Bodies are never renamed nor deleted, so a refresh reads the new ones."""

    def __init__(self, sqlite: bool) -> None:
        self.fold = sqlite  # SQLite's LIKE ignores the case of ASCII letters
        self.names: dict[int, str] = {}
        self.by_name: dict[str, int] = {}
        self.by_alias: dict[str, int] = {}
        self.by_key: dict[str, set[int]] = {}
        self.ends: list[tuple[str, int]] = []  # keys reversed, sorted: those ending with a name
        self.last = (0, 0)  # the highest body and alias ids read
        self.aliases = 0

    def refresh(self, session: Session) -> None:
        body_id, alias_id = self.last
        for id_, name, key in session.execute(select(Body.id, Body.name, Body.key).where(Body.id > body_id)):
            self.add(id_, name, key, sort=False)
            body_id = max(body_id, id_)
        query = select(BodyAlias.id, BodyAlias.alias, BodyAlias.key, BodyAlias.body_id)
        for id_, alias, key, owner in session.execute(query.where(BodyAlias.id > alias_id)):
            self.by_alias[alias] = owner
            self._key(key, owner)
            self.aliases += 1
            alias_id = max(alias_id, id_)
        self.ends.sort()
        self.last = (body_id, alias_id)
        counts = session.execute(
            select(
                select(func.count(Body.id)).scalar_subquery(),
                select(func.count(BodyAlias.id)).scalar_subquery(),
            )
        ).one()
        if tuple(counts) != (len(self.names), self.aliases):  # ids committed out of order: read all
            self.__init__(self.fold)  # type: ignore[misc]
            self.refresh(session)

    def add(self, id_: int, name: str, key: str, sort: bool = True) -> None:
        self.names[id_] = name
        self.by_name[name] = id_
        self._key(key, id_, sort)

    def _key(self, key: str, owner: int, sort: bool = False) -> None:
        self.by_key.setdefault(key, set()).add(owner)
        entry = (self._folded(key)[::-1], owner)
        if sort:
            insort(self.ends, entry)
        else:
            self.ends.append(entry)

    def rename(self, ids: dict[int, int]) -> None:
        """Bodies added under stand-in ids take the ids the database gave them."""
        for old, new in ids.items():
            name = self.names.pop(old)
            self.names[new] = name
            self.by_name[name] = new
            key = canonical(name)
            self.by_key[key] = {new if i == old else i for i in self.by_key[key]}
            entry = (self._folded(key)[::-1], old)
            del self.ends[bisect_left(self.ends, entry)]
            insort(self.ends, (entry[0], new))

    def _folded(self, key: str) -> str:
        return key.translate(_ASCII_LOWER) if self.fold else key

    def match(self, name: str) -> int | None:
        found = self.by_name.get(name)
        if found is None:
            found = self.by_alias.get(name)
        if found is not None:
            return found
        wanted = canonical(name)
        same = self.by_key.get(wanted, set())
        if not same and len(wanted) >= 4:
            tail = self._folded(wanted)[::-1]
            same = set()
            for key, owner in self.ends[bisect_left(self.ends, (tail,)) :]:
                if not key.startswith(tail):
                    break
                same.add(owner)
        return next(iter(same)) if len(same) == 1 else None


@dataclass
class Row:
    """A stored report as filing reads and changes it."""

    id: int
    body_id: int | None
    year: int
    version: int
    current: bool
    kind: str
    published: date | None
    errors: int
    layout: dict[str, Any] | None
    changed: bool = False
    # a version not current when read: its layout (the largest thing filing reads) is read only if
    # it is made current again, as only current rows are settled (`Filing._in_doubt`)
    layout_unread: bool = False


@dataclass
class YearRows:
    """A body's rows of a year, and what filing asks of them kept at hand: a body may have many
    versions of a year, and filing one more must not walk them all (it did: a load grew with the
    square of the versions)."""

    rows: list[Row] = field(default_factory=list)
    top: int = 0  # the highest version
    latest: dict[str, Row] = field(default_factory=dict)  # of each kind, the highest version
    current: Row | None = None  # the current published one
    settled: bool = False  # `current` worked out by versions.py's rule (else as stored)

    def __post_init__(self) -> None:
        for row in self.rows:
            self._note(row)
        self.current = next((r for r in self.rows if r.current), None)

    def _note(self, row: Row) -> None:
        self.top = max(self.top, row.version)
        latest = self.latest.get(row.kind)
        if latest is None or row.version > latest.version:
            self.latest[row.kind] = row

    def add(self, row: Row, chosen: int | None) -> None:
        """A row filed under the year (its version given), and the current version again: by
        versions.py's rule over every published row the first time, then over the current one
        and the new row (the rest lost to the current one already)."""
        self.rows.append(row)
        self._note(row)
        if not self.settled:
            published = [r for r in self.rows if r.kind == "published"]
            best = versions.current_of(published, chosen) if published else None
            for other in published:
                if other.current != (other is best):
                    other.current, other.changed = other is best, True
            self.current, self.settled = best, True
        elif row.kind == "published":
            old = self.current
            if old is None or versions.current_of([old, row], chosen) is row:
                if old is not None:
                    old.current, old.changed = False, True
                row.current, row.changed, self.current = True, True, row


Snapshot = Report | int  # a report as it was; an id: the stored report as it was read


@dataclass
class Filing:
    """One chunk's filing: `file` each report in turn, then `finish` writes what changed."""

    store: Store
    session: Session
    bodies: BodyIndex
    models: dict[int, Report]  # the chunk's reports by row id (and stored ones once settled)
    # writes the chunk's new rows as filed so far; called once, before anything reads them back
    write_new: Callable[[], None] | None = None
    rows: dict[int, Row] = field(default_factory=dict)
    by_key: dict[Key, YearRows] = field(default_factory=dict)
    choices: dict[Key, int] = field(default_factory=dict)
    levels: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # level, region
    changed_bodies: set[int] = field(default_factory=set)
    new_bodies: list[int] = field(default_factory=list)  # stand-in ids (negative), in order
    compared: dict[int, list[tuple[Snapshot, Snapshot | None]]] = field(default_factory=dict)
    originals: dict[int, Report] = field(default_factory=dict)  # stored reports before a split settled

    def read(self, names: Iterable[str], row_ids: Iterable[int], new_rows: Iterable[Row]) -> None:
        """Read the rows of the bodies these names match now (no other stored body can be filed
        into), the rows named, and the bodies' version choices."""
        bodies = sorted({b for b in map(self.bodies.match, set(names)) if b is not None})
        row_ids = sorted(set(row_ids))
        columns = (
            StoredReport.id,
            StoredReport.body_id,
            StoredReport.year,
            StoredReport.version,
            StoredReport.current,
            StoredReport.kind,
            StoredReport.published,
            StoredReport.errors,
            case((StoredReport.current, StoredReport.layout)),
        )
        for start in range(0, max(len(bodies), len(row_ids)), 1000):
            some, named = bodies[start : start + 1000], row_ids[start : start + 1000]
            query = select(*columns).where(StoredReport.body_id.in_(some) | StoredReport.id.in_(named))
            for values in self.session.execute(query):
                if values[0] not in self.rows:
                    self.rows[values[0]] = Row(*values, layout_unread=not values[4])
            choices = (
                select(VersionChoice.body_id, VersionChoice.year, VersionChoice.report_id)
                .where(VersionChoice.body_id.in_(some))
                .order_by(VersionChoice.id)
            )
            for body_id, year, report_id in self.session.execute(choices):
                self.choices[(body_id, year)] = report_id  # the latest holds
            info = select(Body.id, Body.level, Body.region).where(Body.id.in_(some))
            self.levels.update((id_, (level, region)) for id_, level, region in self.session.execute(info))
        for row in new_rows:
            self.rows.setdefault(row.id, row)
        filed: dict[Key, list[Row]] = {}
        for row in self.rows.values():
            if row.body_id is not None:
                filed.setdefault((row.body_id, row.year), []).append(row)
        self.by_key = {key: YearRows(rows) for key, rows in filed.items()}

    # --- one report, as Store.store_report files it ----------------------------------------------

    def file(self, kind: str, report_id: int, name: str | None, given: Attribution) -> str:
        """`kind`: "known" (the file is stored), "same" (its content is), "new" (a row of the chunk)."""
        row = self.rows[report_id]
        if kind != "new":
            if row.body_id is None and name:
                filed = self._file_under(row, self._body(name, given))
                return filed if kind == "known" else "source"
            return "unchanged" if kind == "known" else "source"
        if not name:
            return "queued"
        return self._file_under(row, self._body(name, given))

    def _body(self, name: str, given: Attribution) -> int:
        body_id = self.bodies.match(name)
        if body_id is None:
            body_id = -len(self.new_bodies) - 1
            self.new_bodies.append(body_id)
            self.bodies.add(body_id, name, canonical(name))
            self.levels[body_id] = (body_level(name), None)
        elif body_id not in self.levels:  # matched only now (not at the start of the chunk)
            self.levels[body_id] = tuple(  # type: ignore[assignment]
                self.session.execute(select(Body.level, Body.region).where(Body.id == body_id)).one()
            )
        level, region = self.levels[body_id]
        wanted = (given.level or level, region or given.region)
        if wanted != (level, region):
            self.levels[body_id] = wanted
            self.changed_bodies.add(body_id)
        return body_id

    def _file_under(self, row: Row, body_id: int) -> str:
        key = (body_id, row.year)
        year_rows = self.by_key.setdefault(key, YearRows())
        same_kind = row.kind in year_rows.latest
        row.body_id, row.version = body_id, year_rows.top + 1
        row.changed = True
        model = self.models.get(row.id)
        if model is not None:  # as to_report gives it: the body's name, the year and date filed
            published = row.published.isoformat() if row.published else None
            model.meta = Meta(self.bodies.names[body_id], row.year, published, model.meta.title)
        year_rows.add(row, self.choices.get(key))
        self._after_change(body_id, row.year)
        return "version" if same_kind else "new"

    def _current(self, body_id: int, year: int) -> Row | None:
        year_rows = self.by_key.get((body_id, year))
        return None if year_rows is None else year_rows.current

    def _latest(self, body_id: int, year: int, kind: str) -> Row | None:
        if kind == "published":
            return self._current(body_id, year)
        year_rows = self.by_key.get((body_id, year))
        return None if year_rows is None else year_rows.latest.get(kind)

    def _after_change(self, body_id: int, year: int) -> None:
        near = {y: self._current(body_id, y) for y in range(year - 2, year + 3)}
        for this in (near[y] for y in (year - 1, year, year + 1)):
            if this is not None and self._in_doubt(this):
                self._settle(this, near[this.year - 1], near[this.year + 1])
        for kind in REPORT_KINDS:
            for y in (year, year + 1):
                this = self._latest(body_id, y, kind)
                if this is not None:
                    before = self._latest(body_id, y - 1, kind) or self._current(body_id, y - 1)
                    pair = (self._snapshot(this), None if before is None else self._snapshot(before))
                    self.compared.setdefault(this.id, []).append(pair)

    def _in_doubt(self, row: Row) -> bool:
        if row.layout_unread:
            row.layout = self.session.scalar(select(StoredReport.layout).where(StoredReport.id == row.id))
            row.layout_unread = False
        return splits.in_doubt(row)  # type: ignore[arg-type]

    def _snapshot(self, row: Row) -> Snapshot:
        return self.models.get(row.id, row.id)

    def _model(self, row: Row) -> Report:
        if row.id not in self.models:
            stored = self.session.get_one(StoredReport, row.id)
            self.models[row.id] = to_report(stored, self.bodies.names[row.body_id])  # type: ignore[index]
        return self.models[row.id]

    def _settle(self, this: Row, before: Row | None, after: Row | None) -> None:
        """The splits in doubt a neighbouring year settles (rare: through the ORM, as ingest does)."""
        name = self.bodies.names[this.body_id]  # type: ignore[index]
        if this.id not in self.models:  # compared as it was before, where it was before
            self.originals[this.id] = self._model(this)
        report = self.models[this.id]
        previous = None if before is None else self._model(before)
        following = None if after is None else self._model(after)
        decided = splits.decide(this.layout, report, previous, following)
        if not decided:
            return  # most of the time: the stored row is not loaded for nothing
        self._write_new()
        stored = self.session.get_one(StoredReport, this.id)
        settled = splits.settle(self.session, stored, name, previous, following, report, decided)
        if settled:
            self.store.settled += settled
            this.layout = stored.layout
            self.models[this.id] = to_report(stored, name)

    # --- written back -----------------------------------------------------------------------------

    def _write_new(self) -> None:
        """The new bodies, then the chunk's new rows (they name their bodies), written once."""
        self._write_new_bodies()
        if self.write_new is not None:
            write_new, self.write_new = self.write_new, None
            write_new()

    def finish(self) -> None:
        self._write_new()
        self._write_levels()
        changed = [r for r in self.rows.values() if r.changed]
        dialect = self.session.bind.dialect.name  # type: ignore[union-attr]
        flag = bool if dialect == "postgresql" else int
        execute_many(
            self.session,
            "UPDATE reports SET body_id = ?, version = ?, current = ? WHERE id = ?",
            [(r.body_id, r.version, flag(r.current), r.id) for r in changed],
        )
        self._write_pairs()

    def _write_new_bodies(self) -> None:
        """The bodies added under stand-in ids, which take the ids the database gives them
        everywhere filing holds them (more stand-ins may follow: a chunk's rows are written before
        its end when a split is settled)."""
        from xxgk.store.bulk import copy_rows, new_ids

        ids = dict(zip(self.new_bodies, new_ids(self.session, Body, len(self.new_bodies)), strict=True))
        self.new_bodies = []
        if ids:
            self.bodies.rename(ids)
            for row in self.rows.values():
                row.body_id = ids.get(row.body_id, row.body_id)  # type: ignore[arg-type]
            self.by_key = {(ids.get(body, body), year): rows for (body, year), rows in self.by_key.items()}
            self.levels.update({new: self.levels.pop(old) for old, new in ids.items()})
            self.changed_bodies -= ids.keys()  # written as they are now
            copy_rows(
                self.session,
                "bodies",
                ("id", "name", "key", "level", "region"),
                [
                    (new, name := self.bodies.names[new], canonical(name), *self.levels[new])
                    for new in ids.values()
                ],
            )
            names = ((new, self.bodies.names[new]) for new in ids.values())
            copy_rows(self.session, search.TABLE, search.COLUMNS, search.index_rows("body", names))

    def _write_levels(self) -> None:
        execute_many(
            self.session,
            "UPDATE bodies SET level = ?, region = ? WHERE id = ?",
            [(*self.levels[b], b) for b in sorted(self.changed_bodies)],
        )

    def _write_pairs(self) -> None:
        from xxgk.store.bulk import write

        targets = sorted(self.compared)
        reviewed: dict[int, dict[tuple[str, tuple[str, ...]], dict[str, Any]]] = {}
        wanted = {s for pairs in self.compared.values() for pair in pairs for s in pair if isinstance(s, int)}
        for start in range(0, len(targets), 1000):
            some = targets[start : start + 1000]
            query = select(StoredFinding).where(
                StoredFinding.report_id.in_(some),
                StoredFinding.rule.in_(PAIR_RULES),
                StoredFinding.status != "open",
            )
            for f in self.session.scalars(query):
                reviewed.setdefault(f.report_id, {})[(f.rule, tuple(f.cells))] = {
                    "status": f.status,
                    "comment": f.comment,
                    "reviewed_by": f.reviewed_by,
                    "reviewed_at": f.reviewed_at,
                }
            self.session.execute(
                delete(StoredFinding).where(
                    StoredFinding.report_id.in_(some), StoredFinding.rule.in_(PAIR_RULES)
                )
            )
        models = self.originals | self._stored_models(wanted - set(self.originals))
        rows: list[dict[str, Any]] = []
        unreviewed = {"status": "open", "comment": None, "reviewed_by": None, "reviewed_at": None}
        for target in targets:
            reviews = reviewed.get(target, {})
            pairs = self.compared[target] if reviews else self.compared[target][-1:]
            found: list[dict[str, Any]] = []
            for this, before in pairs:
                if before is None:
                    found = []
                else:
                    found = finding_rows(check_pair(_of(this, models), _of(before, models)), target)
                for f in found:
                    f.update(reviews.get((f["rule"], tuple(f["cells"])), unreviewed))
                kept = {(f["rule"], tuple(f["cells"])) for f in found}
                reviews = {k: v for k, v in reviews.items() if k in kept}
            rows += found
        write(self.session, StoredFinding.__table__, rows)

    def _stored_models(self, ids: set[int]) -> dict[int, Report]:
        """Stored reports as they were read, a thousand a query."""
        found: dict[int, Report] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 1000):
            query = (
                select(StoredReport)
                .where(StoredReport.id.in_(ordered[start : start + 1000]))
                .options(undefer(StoredReport.cells), selectinload(StoredReport.findings))
            )
            for row in self.session.scalars(query):
                found[row.id] = to_report(row, self.bodies.names[self.rows[row.id].body_id])  # type: ignore[index]
        return found


def _of(snapshot: Snapshot, stored: dict[int, Report]) -> Report:
    return stored[snapshot] if isinstance(snapshot, int) else snapshot


def execute_many(session: Session, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    """One statement over many rows through the driver (`?` marks, as SQLite writes them)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        statement = statement.replace("?", "%s")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(statement, rows)
