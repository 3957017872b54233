"""What the read-back tests share: comparing what was read with what was printed."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

import xxgk
from tests.layouts import Values, consistent_values

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def cells_of(tables: dict) -> dict[tuple[str, str, str], object]:
    """The JSON contract's nested tables as one dict keyed by (table, row, column)."""
    return {(t, r, c): v for t, rows in tables.items() for r, cols in rows.items() for c, v in cols.items()}


def same(a: object, b: object) -> bool:
    """Equal as numbers (int or decimal), or both blank."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), abs_tol=1e-9)  # type: ignore[arg-type]


def wrong(report: xxgk.Report, values: Values) -> list[str]:
    """Cells read differently from what was printed (value or int/Decimal type), described."""
    out = []
    for key, value in values.items():
        read = report.cells[key].value
        if read != value or type(read) is not type(value):
            out.append(f"{key}: printed {value!r} -> read {read!r} ({report.cells[key].text!r})")
    return out


def errors(report: xxgk.Report) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in report.errors]


def example(template_id: str = "2021") -> Values:
    """One set of rule-abiding values, for tests that need a table but not many."""
    found: list[Values] = []

    @settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(consistent_values(template_id))
    def grab(values: Values) -> None:
        found.append(values)

    grab()
    return found[0]
