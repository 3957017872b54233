"""The JSON contract of FORMAT.md (`template`, `meta`, `tables`, `findings`, plus `cells`)."""

from __future__ import annotations

import json

from xxgk.model import Report


def report_json(report: Report, *, indent: int | None = 2, cells: bool = True) -> str:
    return json.dumps(report.to_dict(cells=cells), ensure_ascii=False, indent=indent)
