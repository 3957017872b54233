"""The national report templates, loaded once from `national.toml`.

The TOML file is the single place where ids, printed labels, label variants and template marks
are declared; everything else in xxgk iterates over the objects built here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

ColumnKind = Literal["count", "signed", "amount"]


@dataclass(frozen=True)
class Prior:
    """How plausible a printed value is; used only to split digits that ran together."""

    p_zero: float
    mu: float
    sd: float


@dataclass(frozen=True, eq=False)
class ColumnSpec:
    id: str
    label: str
    aliases: tuple[str, ...]
    kind: ColumnKind
    unit: str | None
    prior: Prior


@dataclass(frozen=True, eq=False)
class RowSpec:
    id: str
    label: str
    short_label: str | None
    aliases: tuple[str, ...]
    enum: str | None
    enum_required: bool
    group: str | None
    collapsed: str | None
    columns: tuple[ColumnSpec, ...]

    @property
    def printed(self) -> str:
        return f"{self.enum or ''}{self.label}"

    @property
    def short(self) -> str:
        """A name short enough for a message."""
        return self.short_label or self.label

    def column(self, column_id: str) -> ColumnSpec:
        for column in self.columns:
            if column.id == column_id:
                return column
        raise KeyError(column_id)


@dataclass(frozen=True, eq=False)
class TableSpec:
    id: str
    title: str
    section: str
    anchors: tuple[str, ...]
    noise: tuple[str, ...]
    rows: tuple[RowSpec, ...]
    unlabelled: bool
    outcomes_from: str | None
    found_by: tuple[str, ...] = ()

    def row(self, row_id: str) -> RowSpec:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)

    def has_row(self, row_id: str) -> bool:
        return any(row.id == row_id for row in self.rows)

    def cell_keys(self) -> list[str]:
        return [key for row in self.rows for key in self.row_keys(row)]

    def row_keys(self, row: RowSpec) -> tuple[str, ...]:
        """The data-dictionary keys of a row's cells, "table.row.column"."""
        return _row_keys(self, row)

    def outcome_rows(self) -> tuple[RowSpec, ...]:
        """Rows from the first outcome row up to (not including) the 总计 row."""
        if self.outcomes_from is None:
            return ()
        ids = [row.id for row in self.rows]
        return self.rows[ids.index(self.outcomes_from) : ids.index("total")]


@dataclass(frozen=True)
class SectionSpec:
    id: str
    number: str
    keywords: tuple[str, ...]
    title: str  # the heading as the national format prints it (一、总体情况)


@dataclass(frozen=True, eq=False)
class Template:
    id: str
    issued_by: str
    first_year: int
    last_year: int | None
    marks: tuple[str, ...]
    tables: tuple[TableSpec, ...]

    def table(self, table_id: str) -> TableSpec:
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def cell_keys(self) -> list[str]:
        return [key for table in self.tables for key in table.cell_keys()]

    def cell(self, key: str) -> tuple[TableSpec, RowSpec, ColumnSpec]:
        return _cells(self)[key]

    def cells(self) -> dict[str, tuple[TableSpec, RowSpec, ColumnSpec]]:
        """Every cell's place, keyed and ordered as `cell_keys`."""
        return _cells(self)

    def label(self, key: str) -> str:
        """The name of a cell for messages: row and column as printed (short forms)."""
        table, row, column = self.cell(key)
        if table.unlabelled:
            return f"{row.label}·{column.label}"
        return f"{row.short}·{column.label}"

    def place(self, key: str) -> str:
        """Where a cell stands, as an overseer names it: “办理结果总计”行“自然人”列."""
        table, row, column = self.cell(key)
        if table.unlabelled:
            return f"“{row.label}”“{column.label}”"
        return f"“{row.short}”行“{column.label}”列"


@cache
def _cells(template: Template) -> dict[str, tuple[TableSpec, RowSpec, ColumnSpec]]:
    return {
        f"{table.id}.{row.id}.{col.id}": (table, row, col)
        for table in template.tables
        for row in table.rows
        for col in row.columns
    }


_COLUMN_SETS: dict[str, tuple[ColumnSpec, ...]] = {}


def _columns(data: dict, set_name: str) -> tuple[ColumnSpec, ...]:
    """Rows sharing a column set share one tuple of columns (the terminal view groups by it)."""
    if set_name not in _COLUMN_SETS:
        _COLUMN_SETS[set_name] = _build_columns(data, set_name)
    return _COLUMN_SETS[set_name]


def _build_columns(data: dict, set_name: str) -> tuple[ColumnSpec, ...]:
    return tuple(
        ColumnSpec(
            id=col_id,
            label=spec["label"],
            aliases=tuple(spec.get("aliases", ())),
            kind=spec.get("kind", "count"),
            unit=spec.get("unit"),
            prior=Prior(*spec["prior"]),
        )
        for col_id, spec in data["columns"][set_name].items()
    )


def _rows(data: dict, set_names: list[str], default_columns: str | None) -> tuple[RowSpec, ...]:
    rows = []
    for set_name in set_names:
        for row_id, spec in data["rows"][set_name].items():
            rows.append(
                RowSpec(
                    id=row_id,
                    label=spec["label"],
                    short_label=spec.get("short"),
                    aliases=tuple(spec.get("aliases", ())),
                    enum=spec.get("enum"),
                    enum_required=spec.get("enum_required", False),
                    group=spec.get("group"),
                    collapsed=spec.get("collapsed"),
                    columns=_columns(data, spec.get("columns", default_columns)),
                )
            )
    return tuple(rows)


@dataclass(frozen=True)
class MetaVocabulary:
    agency_suffixes: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    place_bodies: tuple[str, ...]
    date_labels: tuple[str, ...]
    link_labels: tuple[str, ...]
    levels: tuple[tuple[str, tuple[str, ...]], ...]
    hint_agency: tuple[str, ...]
    hint_published: tuple[str, ...]
    abbreviations: tuple[tuple[str, str], ...]  # short form → full form, longest short form first
    evidence: tuple[tuple[str, tuple[str, ...]], ...]  # cell key → narrative patterns giving its figure


def _load() -> tuple[dict[str, Template], tuple[SectionSpec, ...], MetaVocabulary]:
    text = resources.files(__package__).joinpath("national.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    sections = tuple(
        SectionSpec(id=s["id"], number=s["number"], keywords=tuple(s["keywords"]), title=s["title"])
        for s in data["section"]
    )
    templates = {}
    for spec in data["template"]:
        tables = []
        for table_id, table in data["tables"].items():
            tables.append(
                TableSpec(
                    id=table_id,
                    title=table["title"],
                    section=table["section"],
                    anchors=tuple(table.get("anchors", ())),
                    noise=tuple(table.get("noise", ())),
                    rows=_rows(data, spec[table_id], table.get("columns")),
                    unlabelled=table.get("unlabelled", False),
                    outcomes_from=table.get("outcomes_from"),
                    found_by=tuple(table.get("found_by", ())),
                )
            )
        templates[spec["id"]] = Template(
            id=spec["id"],
            issued_by=spec["issued_by"],
            first_year=spec["first_year"],
            last_year=spec.get("last_year"),
            marks=tuple(spec["marks"]),
            tables=tuple(tables),
        )
    meta = data["meta"]
    vocabulary = MetaVocabulary(
        agency_suffixes=tuple(meta["agency_suffixes"]),
        place_suffixes=tuple(meta["place_suffixes"]),
        place_bodies=tuple(meta["place_bodies"]),
        date_labels=tuple(meta["date_labels"]),
        link_labels=tuple(meta["link_labels"]),
        levels=tuple((level, tuple(endings)) for level, endings in meta["levels"]),
        hint_agency=tuple(meta["hint_agency"]),
        hint_published=tuple(meta["hint_published"]),
        abbreviations=tuple(sorted(data["body_abbreviations"].items(), key=lambda kv: -len(kv[0]))),
        evidence=tuple((key, tuple(patterns)) for key, patterns in data["evidence"].items()),
    )
    return templates, sections, vocabulary


TEMPLATES, SECTIONS, META = _load()
TABLE_IDS: tuple[str, ...] = ("active", "applications", "appeals")


@cache
def template_for_year(year: int) -> Template | None:
    """The template a report of `year` must use (None before 2019, when there was none)."""
    for template in TEMPLATES.values():
        if template.covers(year):
            return template
    return None


@cache
def _row_keys(table: TableSpec, row: RowSpec) -> tuple[str, ...]:
    return tuple(f"{table.id}.{row.id}.{col.id}" for col in row.columns)
