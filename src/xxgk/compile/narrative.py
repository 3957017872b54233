"""The narrative skeleton of a compiled report: the figures in words as the tables have them,
the 信息处理费 in section 六, and marked placeholders for what only people can write."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from xxgk.model import Value, json_value
from xxgk.templates import RowSpec, Template

_ENUM = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")


@cache
def phrases() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("narrative.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass
class Narrative:
    intro: list[str]
    sections: dict[str, list[str]]  # section id → paragraphs
    placeholders: list[str] = field(default_factory=list)  # what the office still has to write


def _fmt(value: Value) -> str:
    return str(json_value(value))


def _outcome_groups(template: Template, values: Mapping[str, Value]) -> list[tuple[str, int]]:
    """Table 三's outcomes as the narrative names them: each top-level row ((一) … (六)) with
    its figure, a group of numbered rows ((三)不予公开 1. … 8.) summed under the group's name."""
    groups: list[tuple[str, int]] = []
    for row in template.table("applications").outcome_rows():
        value = int(values[f"applications.{row.id}.total"] or 0)
        if _top_level(row):
            groups.append((row.short, value))
        elif row.group is not None:
            groups.append((_ENUM.sub("", row.group), value))
        else:
            name, before = groups[-1]
            groups[-1] = (name, before + value)
    return groups


def _top_level(row: RowSpec) -> bool:
    return row.enum is not None and _ENUM.match(row.enum) is not None


def build(
    template: Template,
    year: int,
    values: Mapping[str, Value],
    fee: Decimal,
    fee_count: int,
) -> Narrative:
    p = phrases()

    def todo(what: str) -> str:
        text = p["placeholder"].format(what=what)
        placeholders.append(text)
        return text

    placeholders: list[str] = []
    intro = [line.format(issued_by=template.issued_by, year=year) for line in p["intro"]]
    o = p["overview"]
    rows = []
    for row in template.table("active").rows:
        cells = [
            o["active_cell"].format(column=col.label, value=_fmt(values[f"active.{row.id}.{col.id}"]))
            for col in row.columns
            if values.get(f"active.{row.id}.{col.id}") is not None
        ]
        if cells:
            rows.append(o["active_row"].format(row=row.label, columns="，".join(cells)))

    def v(key: str) -> str:
        return _fmt(values[key])

    apps = {
        row: v(f"applications.{row}.total")
        for row in ("received", "carried_over", "total", "carried_forward")
    }
    outcomes = "，".join(
        o["outcome"].format(label=label, value=n) for label, n in _outcome_groups(template, values)
    )

    def results(group: str) -> str:
        table = template.table("appeals")
        return "，".join(
            o["appeal_result"].format(label=col.label, value=v(f"appeals.{group}.{col.id}"))
            for col in table.row(group).columns
            if col.id != "total"
        )

    direct, after = v("appeals.litigation_direct.total"), v("appeals.litigation_after_review.total")
    overview = [
        todo(o["work"].format(year=year)),
        o["active"].format(year=year, rows="；".join(rows)),
        o["applications"].format(outcomes=outcomes, **apps),
        o["appeals"].format(
            review=v("appeals.review.total"),
            review_results=results("review"),
            litigation=int(direct) + int(after),
            direct=direct,
            direct_results=results("litigation_direct"),
            after=after,
            after_results=results("litigation_after_review"),
        ),
    ]
    other = p["other"]
    fee_line = other["fee"].format(amount=_fmt(fee), count=fee_count) if fee_count else other["no_fee"]
    sections = {
        "overview": overview,
        "problems": [todo(p["problems"]["work"])],
        "other": [fee_line, todo(other["work"])],
    }
    return Narrative(intro, sections, placeholders)
