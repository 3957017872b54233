"""The arithmetic a template implies (勾稽关系), as identities between cells.

The checker reports the identities a report breaks; the reader uses the same identities to
choose how digits that ran together are split. One definition serves both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, Literal

from xxgk.templates import Template

Number = int | float


@dataclass(frozen=True)
class Identity:
    """sum(lhs) == sum(rhs), for the rule `rule`; `subject` is the row or column it is about
    (`about` says which: a column id such as "total" or "other" is also a row id)."""

    rule: str
    subject: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    about: Literal["row", "column"] = "row"

    @property
    def keys(self) -> tuple[str, ...]:
        return self.lhs + self.rhs

    def sides(self, values: Mapping[str, object]) -> tuple[Number, Number] | None:
        """Both sums, blanks counted as 0; None when no cell of it was printed at all."""
        return _over_own_keys(self).sides([values.get(k) for k in self.keys])

    def holds(self, values: Mapping[str, object]) -> bool | None:
        return _over_own_keys(self).holds([values.get(k) for k in self.keys])

    def at(self, position: Mapping[str, int]) -> Positional:
        """The identity over a sequence of values, `position` giving each key's index."""
        return Positional(tuple(position[k] for k in self.lhs), tuple(position[k] for k in self.rhs))


class Positional:
    """An identity over values held in a sequence: the reader tries thousands of splits of a row
    and evaluates them without building a dict of keys for each; the terms are fetched in C."""

    __slots__ = ("_left", "_right", "lhs", "rhs")

    def __init__(self, lhs: tuple[int, ...], rhs: tuple[int, ...]) -> None:
        self.lhs, self.rhs = lhs, rhs
        self._left, self._right = _getter(lhs), _getter(rhs)

    def holds(self, values: Sequence[object]) -> bool | None:
        """None when a term is unknown (blank): such an identity neither holds nor fails."""
        left, right = self._left(values), self._right(values)
        if None in left or None in right:
            return None
        return sum(left) == sum(right)

    def sides(self, values: Sequence[object]) -> tuple[Number, Number] | None:
        return _sums(self._left(values), self._right(values))


def _sums(left: Sequence[Any], right: Sequence[Any]) -> tuple[Number, Number] | None:
    """Both sums, blanks counted as 0; None when every term is blank."""
    if None in left or None in right:
        left = [v for v in left if v is not None]
        right = [v for v in right if v is not None]
        if not left and not right:
            return None
    return sum(left), sum(right)


@cache
def _over_own_keys(identity: Identity) -> Positional:
    """The identity over the values of its own keys, in order."""
    return identity.at({key: i for i, key in enumerate(identity.keys)})


def _getter(indexes: tuple[int, ...]) -> Callable[[Sequence[object]], Sequence[Any]]:
    """itemgetter that always gives a sequence (for one index, a slice: no Python call)."""
    if len(indexes) == 1:
        return itemgetter(slice(indexes[0], indexes[0] + 1))
    return itemgetter(*indexes)


@cache
def identities(template: Template) -> tuple[Identity, ...]:
    out: list[Identity] = []
    apps = template.table("applications")
    columns = apps.rows[0].columns
    parts = [c.id for c in columns if c.id != "total"]
    for row in apps.rows:
        out.append(
            Identity(
                "T3-ROW",
                row.id,
                (f"applications.{row.id}.total",),
                tuple(f"applications.{row.id}.{c}" for c in parts),
            )
        )
    outcomes = apps.outcome_rows()
    for column in columns:
        c = column.id
        out.append(
            Identity(
                "T3-SUM",
                c,
                (f"applications.total.{c}",),
                tuple(f"applications.{row.id}.{c}" for row in outcomes),
                "column",
            )
        )
        out.append(
            Identity(
                "T3-BAL",
                c,
                (f"applications.received.{c}", f"applications.carried_over.{c}"),
                (f"applications.total.{c}", f"applications.carried_forward.{c}"),
                "column",
            )
        )
    for row in template.table("appeals").rows:
        parts4 = [c.id for c in row.columns if c.id != "total"]
        out.append(
            Identity(
                "T4-SUM",
                row.id,
                (f"appeals.{row.id}.total",),
                tuple(f"appeals.{row.id}.{c}" for c in parts4),
            )
        )
    return tuple(out)


@cache
def rule_identities(template: Template, rule: str) -> tuple[Identity, ...]:
    return tuple(i for i in identities(template) if i.rule == rule)


@cache
def rule_positional(
    template: Template, rule: str
) -> tuple[tuple[str, ...], tuple[tuple[Identity, Positional], ...]]:
    """The keys a rule's identities read, and each identity with its form over those keys' values."""
    own = rule_identities(template, rule)
    keys = tuple(dict.fromkeys(key for identity in own for key in identity.keys))
    position = {key: i for i, key in enumerate(keys)}
    return keys, tuple((identity, identity.at(position)) for identity in own)


@dataclass(frozen=True)
class TableIdentities:
    """A table's identities split into those within one printed line and those across lines."""

    within: dict[str, tuple[Identity, ...]]
    across: tuple[Identity, ...]
    keys: frozenset[str]  # every cell some identity reads


@cache
def table_identities(template: Template, table_id: str) -> TableIdentities:
    table = template.table(table_id)
    keys = set(table.cell_keys())
    mine = [i for i in identities(template) if set(i.keys) <= keys]
    read = frozenset(k for identity in mine for k in identity.keys)
    if table.unlabelled:
        return TableIdentities({"": tuple(mine)}, (), read)
    within: dict[str, list[Identity]] = {}
    across = []
    for identity in mine:
        rows = {k.split(".")[1] for k in identity.keys}
        if len(rows) == 1:
            within.setdefault(rows.pop(), []).append(identity)
        else:
            across.append(identity)
    return TableIdentities({r: tuple(v) for r, v in within.items()}, tuple(across), read)


def likely_wrong(
    template: Template, values: Mapping[str, object], table_id: str
) -> tuple[str, Number] | None:
    """The one printed cell of a table that, were it another number, would make every broken
    identity of the table hold and break none that holds: the cell and that number. None when no
    single cell does, or several do (then nothing points at one)."""
    mine = [i for i in identities(template) if i.lhs[0].split(".")[0] == table_id]
    known = [i for i in mine if all(values.get(k) is not None for k in i.keys)]
    broken = [i for i in known if i.holds(values) is False]
    if not broken:
        return None
    holding = [i for i in known if i not in broken]
    suspects = set(broken[0].keys).intersection(*(i.keys for i in broken[1:]))
    found = []
    for key in sorted(suspects):
        if any(key in i.keys for i in holding):
            continue  # changing it would break an identity that holds
        wanted = set()
        for identity in broken:
            left, right = identity.sides(values)  # type: ignore[misc]
            current = values[key]
            # the cell is on one side; it must move by the difference to the other
            wanted.add(current + (right - left if key in identity.lhs else left - right))  # type: ignore[operator]
        if len(wanted) == 1 and (value := wanted.pop()) >= 0:
            found.append((key, value))
    return found[0] if len(found) == 1 else None
