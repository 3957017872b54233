"""The JSON API's request and response shapes (pydantic), documented at /api/docs.

Kept apart from the database tables (store/models.py) and the report model (xxgk.model): the
API is a contract with its users, and the tables may change under it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

Number = int | float | None


class ErrorOut(BaseModel):
    """Every error of the API: one line saying what is wrong."""

    error: str = Field(examples=["没有这个单位 (no such body)"])


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such id"},
    422: {"model": ErrorOut, "description": "A parameter or the input is not valid"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in (POST /login sets the session cookie)"},
    **ERRORS,
}


# --- bodies ------------------------------------------------------------------------------------


class BodyRefOut(BaseModel):
    id: int
    name: str


class BodyNodeOut(BaseModel):
    """A body and the bodies under it."""

    id: int
    name: str
    level: str | None = Field(description="省 / 市 / 县 / 乡镇 / 街道 / 部门")
    region: str | None
    parent_id: int | None
    children: list[BodyNodeOut]


class ReportSummaryOut(BaseModel):
    """The current report of one year."""

    id: int = Field(description="report id: GET /api/reports/{id}")
    year: int
    version: int
    versions: int = Field(description="how many versions of this year are stored")
    template: str
    published: date | None
    errors: int
    warnings: int
    source: str | None
    format: str | None


class BodyDetailOut(BaseModel):
    id: int
    name: str
    level: str | None
    region: str | None
    parent: BodyRefOut | None
    children: list[BodyRefOut]
    reports: list[ReportSummaryOut] = Field(description="the current report of each year, earliest first")
    cross_year: list[FindingOut] = Field(description="findings of the cross-year rules (X-*)")
    pairs: list[tuple[int, int]] = Field(description="consecutive stored years, for /api/compare")


# --- coverage ----------------------------------------------------------------------------------


class CoverageCellOut(BaseModel):
    report_id: int
    errors: int
    warnings: int


class CoverageRowOut(BaseModel):
    id: int
    name: str
    level: str | None
    region: str | None
    parent_id: int | None
    depth: int = Field(description="depth in the body tree (0: no selected parent)")
    years: dict[str, CoverageCellOut | None] = Field(description="year → its current report, or null")


class CoverageOut(BaseModel):
    years: list[int] = Field(description="every year with a report in the store")
    bodies: list[CoverageRowOut]


# --- findings ----------------------------------------------------------------------------------


class FindingsPageOut(BaseModel):
    total: int = Field(description="how many findings match the filters")
    limit: int
    offset: int
    items: list[FindingOut]


class ReviewIn(BaseModel):
    status: Literal["confirmed", "dismissed", "open"]
    comment: str | None = Field(default=None, max_length=2000)


# --- reports -----------------------------------------------------------------------------------


class MetaOut(BaseModel):
    agency: str | None
    year: int | None
    published: str | None
    title: str | None
    level: str | None


class StoredFindingOut(BaseModel):
    id: int
    rule: str
    severity: Literal["error", "warning", "info"]
    cells: list[str]
    message: str
    status: Literal["open", "confirmed", "dismissed"]
    comment: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None = Field(description="UTC")


class FindingOut(StoredFindingOut):
    """A stored finding, where it belongs, and its review."""

    report_id: int
    body_id: int
    body: str
    year: int
    version: int
    current: bool
    pages: list[int] = Field(default_factory=list, description="of a PDF: the pages its cells are printed on")


class VersionOut(BaseModel):
    id: int
    version: int
    current: bool
    kind: str = Field(default="published", description="published, or compiled from the body's register")


class StoredOut(BaseModel):
    """Where the report is kept."""

    id: int
    body_id: int | None = Field(description="null while the report waits for a body (待认定)")
    body: str | None
    year: int
    version: int
    current: bool
    kind: str = Field(default="published", description="published, or compiled from the body's register")
    sha256: str
    ingested_at: datetime | None
    versions: list[VersionOut]


class ReportOut(BaseModel):
    """The JSON contract of docs/FORMAT.md (as `xxgk parse --json` prints it), the findings with
    their ids and review, and `stored`."""

    template: str
    meta: MetaOut
    tables: dict[str, dict[str, dict[str, Number]]]
    findings: list[StoredFindingOut]
    source: str | None = None
    format: str
    layout: dict[str, Any] | None = None
    cells: dict[str, dict[str, Any]]
    stored: StoredOut


class AddedOut(BaseModel):
    status: Literal["new", "version", "source", "unchanged", "queued"] = Field(
        description="new: first report of this body and year; version: another content for them; "
        "source: the same report (by content) from another file, kept as a source of it; "
        "unchanged: this very file is already stored; queued: no body could be told (待认定)"
    )
    report_id: int
    body_id: int | None = Field(description="null while the report waits for a body (待认定)")
    body: str | None
    year: int
    errors: int
    warnings: int


# --- compare -----------------------------------------------------------------------------------


class CellChangeOut(BaseModel):
    cell: str
    label: str
    before: Number
    after: Number
    change: Number = Field(description="after − before; null when either is blank or not in both templates")
    in_both: bool


class CompareFindingOut(BaseModel):
    rule: str
    severity: Literal["error", "warning", "info"]
    cells: list[str]
    message: str
    status: str


class CompareOut(BaseModel):
    body_id: int
    body: str
    years: list[int]
    templates: dict[str, str]
    changed: int = Field(description="how many cells changed")
    cells: list[CellChangeOut]
    findings: dict[str, list[CompareFindingOut]]
    similarity: float | None = Field(description="narrative similarity 0–1; null without narratives")


# --- statistics --------------------------------------------------------------------------------


class RateOut(BaseModel):
    value: float | None
    numerator: int
    denominator: int
    small: bool = Field(description="the denominator is below min_cases: the rate is not reliable")


class StatsRowOut(BaseModel):
    by: str
    group: int | str | None
    reports: int
    bodies: int
    received: int | None
    disclosure_rate: RateOut = Field(description="公开率 = (予以公开 + 部分公开) / 办理总计")
    correction_rate: RateOut = Field(description="纠错率 = 纠正 / (行政复议 + 行政诉讼)")
    with_errors: int
    missing: int
    path: list[str] | None = Field(None, description="by region: the region's parts (江苏省, 宿迁市)")
    own: bool | None = Field(
        None, description="by region: the region's own bodies, not those under it (本级)"
    )


class StatsOut(BaseModel):
    by: Literal["year", "region", "level"]
    depth: Literal["省", "市", "县"]
    years: list[int]
    min_cases: int
    rows: list[StatsRowOut]


# --- the 待认定 queue, attribution, versions ------------------------------------------------------

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class QueuedOut(BaseModel):
    id: int
    year: int
    title: str | None
    source: str | None = Field(description="where it came from (a path or a URL): its first source")
    errors: int
    ingested_at: datetime


class QueueOut(BaseModel):
    total: int = Field(description="how many reports wait for a body")
    reports: list[QueuedOut] = Field(description="the oldest first, this page of them")


class AttributeIn(BaseModel):
    body: Name = Field(description="the body's name or alias; a body not yet known is added")


class AttributedOut(BaseModel):
    status: Literal["new", "version", "unchanged"] = Field(
        description="new: the body's first report of its year; version: another version of it; "
        "unchanged: already filed under this body"
    )
    report_id: int
    body_id: int
    body: str
    year: int


class ChooseIn(BaseModel):
    why: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        description="why this version is the right one (kept with who chose it)"
    )


class SourceOut(BaseModel):
    where: str = Field(description="a path or a URL")
    format: str | None
    ingested_at: str


class VersionDetailOut(BaseModel):
    id: int
    version: int
    current: bool
    published: date | None
    errors: int
    warnings: int
    sources: list[SourceOut]
    chosen_by: str | None = Field(description="who made it current (a reviewer's choice), if anyone")
    why: str | None
    chosen_at: datetime | None


class VersionsOut(BaseModel):
    body_id: int
    body: str
    year: int
    why_current: Literal["only", "chosen", "published", "fewer errors", "latest"] = Field(
        description="how the current version was settled (store/versions.py)"
    )
    why_current_text: str = Field(description="the same, in Chinese, as the report page says it")
    versions: list[VersionDetailOut]
