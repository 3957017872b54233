"""Regions as one tree (省 → 市 → 县 → 乡), from each body's free-text region and its parents.

A region is written as bodies lists give it: `江苏省宿迁市沭阳县`, `江苏省/宿迁市/沭阳县`, or only
`沭阳县` under a parent whose region is `江苏省宿迁市`. It is split into parts by the suffixes of
administrative names declared below (cpca, the usual library, was last released in 2021 and pulls
in pandas; the suffixes are all it would be used for here). A body without a region of its own has
its parent's; a region that starts below its parent's continues it. Filters by a region or a body
take every body under it; statistics group at a chosen depth.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from xxgk.errors import require_choice
from xxgk.store.models import Body

LEVELS: tuple[str, ...] = ("省", "市", "县", "乡")
DEPTHS: tuple[str, ...] = LEVELS[:3]  # the levels statistics group at (--depth)
# how a region's name ends, by the shallowest level it stands at; a part stands one level below the
# part before it at least (a 市 after a 市 is a county-level city, 江苏省无锡市江阴市)
SUFFIXES: dict[str, tuple[str, ...]] = {
    "省": ("特别行政区", "自治区", "省"),
    "市": ("自治州", "地区", "盟", "市"),
    "县": ("自治县", "自治旗", "林区", "特区", "县", "区", "旗"),
    "乡": ("民族乡", "街道", "苏木", "镇", "乡"),
}
SEPARATORS = re.compile(r"[/／\\|、,，;；]+")  # and spaces between parts (江苏省 宿迁市)
MAX_PARTS = 8  # a longer "region" is text, not a region: kept whole


@dataclass(frozen=True)
class Part:
    name: str
    level: int  # index in LEVELS


Path = tuple[Part, ...]


@cache
def _endings() -> tuple[tuple[str, int], ...]:
    """Every suffix with its level, the longest first (自治区 before 区)."""
    pairs = [(s, level) for level, name in enumerate(LEVELS) for s in SUFFIXES[name]]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _ending(text: str) -> int | None:
    """The level the suffix of `text` gives (None: no suffix, or nothing before it)."""
    for suffix, level in _endings():
        if text.endswith(suffix) and len(text) > len(suffix):
            return level
    return None


@lru_cache(maxsize=65_536)
def _split(text: str, previous: int) -> tuple[Part, ...] | None:
    """`text` as parts ending in suffixes, each deeper than the one before; the shortest first part
    that lets the rest split wins (济南市市中区 → 济南市 | 市中区; 宁乡市 is not 宁乡 | 市)."""
    if not text.strip():
        return ()
    for end in range(2, len(text) + 1):
        name = text[:end].strip()
        level = _ending(name)
        if level is None:
            continue
        level = max(level, previous + 1)
        if level >= len(LEVELS):
            return None
        rest = _split(text[end:], level)
        if rest is not None:
            return (Part(name, level), *rest)
    return None


@lru_cache(maxsize=65_536)
def parse(region: str | None) -> Path:
    """A region string as parts with their levels; a piece with no known suffix (福建, 苏北) is one
    part a level below the one before it."""
    text = " ".join(unicodedata.normalize("NFKC", region or "").split())
    parts: list[Part] = []
    for piece in (p.strip() for p in SEPARATORS.split(text) if p.strip()):
        previous = parts[-1].level if parts else -1
        found = _split(piece, previous) if len(piece) <= 40 else None
        if found is None:
            found = (Part(piece, min(previous + 1, len(LEVELS) - 1)),)
        parts += found
    if len(parts) > MAX_PARTS:
        return (Part(text, 0),)
    return tuple(parts)


def joined(path: Iterable[Part]) -> str:
    return "".join(p.name for p in path)


def _same(name: str, asked: str) -> bool:
    """A part asked for by its name, or without its suffix (江苏 for 江苏省, 宿迁 for 宿迁市)."""
    return name == asked or (name.startswith(asked) and name[len(asked) :] in _suffixes())


@cache
def _suffixes() -> frozenset[str]:
    return frozenset(s for s, _ in _endings())


def _contains(path: Path, wanted: Path) -> bool:
    """Whether the parts asked for appear in the path in order (江苏省沭阳县 is in 江苏省宿迁市沭阳县)."""
    names = iter(p.name for p in path)
    return bool(wanted) and all(any(_same(n, w.name) for n in names) for w in wanted)


def depth_index(depth: str) -> int:
    """The index of a grouping depth; another value is an error naming the valid ones."""
    require_choice("depth", depth, DEPTHS)
    return DEPTHS.index(depth)


class Hierarchy:
    """Every body's region, resolved against its parents, and every body's children."""

    def __init__(self, rows: Iterable[tuple[int, str | None, int | None]]) -> None:
        self.own: dict[int, Path] = {}
        self.parent: dict[int, int | None] = {}
        self.children: dict[int, list[int]] = {}
        for body_id, region, parent_id in rows:
            self.own[body_id] = parse(region)
            self.parent[body_id] = parent_id
            if parent_id is not None:
                self.children.setdefault(parent_id, []).append(body_id)
        self._paths: dict[int, Path] = {}

    @classmethod
    def load(cls, session: Session, *, parents: bool = False) -> Hierarchy:
        """Every body, or with `parents` only those other bodies are under: all that `placed`
        needs, a few rows where every body would be hundreds of thousands."""
        query = select(Body.id, Body.region, Body.parent_id)
        if parents:
            query = query.where(Body.id.in_(select(Body.parent_id).where(Body.parent_id.is_not(None))))
        return cls(session.execute(query).all())

    def path(self, body_id: int) -> Path:
        """The body's region: its own, continued from its parents' where it starts below theirs."""
        if body_id in self._paths:
            return self._paths[body_id]
        chain, seen = [], set()
        current: int | None = body_id
        while current is not None and current in self.own and current not in seen:  # a loop ends
            seen.add(current)
            chain.append(current)
            if current in self._paths or (self.own[current] and self.own[current][0].level == 0):
                break
            current = self.parent[current]
        above: Path = ()
        for body in reversed(chain):
            if body in self._paths:
                above = self._paths[body]
                continue
            own = self.own[body]
            if own:
                above = tuple(p for p in above if p.level < own[0].level) + own
            self._paths[body] = above
        return self._paths[body_id]

    def in_region(self, region: str) -> set[int]:
        """The bodies whose region is the one asked for or lies under it."""
        wanted = parse(region)
        return {b for b in self.own if _contains(self.path(b), wanted)}

    def under(self, body_id: int) -> set[int]:
        """The body and every body below it."""
        found, todo = set(), [body_id]
        while todo:
            body = todo.pop()
            if body not in found:
                found.add(body)
                todo += self.children.get(body, ())
        return found

    def select(self, *, region: str | None = None, body_id: int | None = None) -> set[int]:
        """The bodies of a region and under a body, everything under them included."""
        selected = set(self.own) if region is None else self.in_region(region)
        return selected if body_id is None else selected & self.under(body_id)

    def placed(self, region: str | None, parent_id: int | None) -> Path:
        """The region of a body with this region of its own and this parent: statistics group
        bodies by the two, far fewer than the bodies themselves."""
        own = parse(region)
        if (own and own[0].level == 0) or parent_id is None or parent_id not in self.own:
            return own
        above = self.path(parent_id)
        return tuple(p for p in above if p.level < own[0].level) + own if own else above


@lru_cache(maxsize=65_536)
def cut(path: Path, depth: int) -> tuple[Path, bool]:
    """A region cut at `depth`, and whether it stands above that depth (本级: a province's own
    bodies when grouping by 市). A region known only below `depth` is its first part (宿迁市沭阳县
    by 省 is 宿迁市)."""
    kept = tuple(p for p in path if p.level <= depth) or path[:1]
    return kept, bool(kept) and kept[-1].level < depth and len(kept) == len(path)


def id_condition(
    column: ColumnElement[int] | InstrumentedAttribute[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column IN (ids)` with the ids written into the statement: a selection of a large region
    would pass SQLite's limit on bound parameters."""
    return column.in_(bindparam(None, sorted(ids), expanding=True, literal_execute=True))


def within(
    session: Session,
    column: ColumnElement[int] | InstrumentedAttribute[int],
    *,
    region: str | None = None,
    body_id: int | None = None,
) -> list[ColumnElement[bool]]:
    """The condition on a body id `column` that a filter by region and by body makes (none
    without one), everything under them included."""
    if region is None and body_id is None:
        return []
    return [id_condition(column, Hierarchy.load(session).select(region=region, body_id=body_id))]
