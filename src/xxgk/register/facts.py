"""What the register knows as of a date, in the data dictionary's ids: the input of the compiler.

The register replays its append-only events to a date and hands the result over as these frozen
records; the compiler (`xxgk.compile`) is a pure function of them and never reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# table 三's six applicant columns (FORMAT.md), in printed order
APPLICANT_TYPES: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other",
)

# table 四's three groups and four results (None while pending: counted as `pending`)
APPEAL_KINDS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
APPEAL_RESULTS: tuple[str, ...] = ("upheld", "corrected", "other")

# the proactive side (table 二, 2021 template): documents the body made, by kind
DOCUMENT_KINDS: tuple[str, ...] = ("regulations", "normative_documents")


@dataclass(frozen=True)
class ApplicationFacts:
    """One application as of the date asked: its outcome is None while it is still open then."""

    id: str  # the register's number (编号), unique within the body
    received: date  # the receipt date (第31条)
    applicant: str  # one of APPLICANT_TYPES
    outcome: str | None = None  # a row id of table 三's results (`granted` … `other_misc`)
    decided: date | None = None  # the day the outcome was given (reply, withdrawal, lapse)
    fee: Decimal | None = None  # 信息处理费 charged, in 元; None: none charged


@dataclass(frozen=True)
class AppealFacts:
    """A review or lawsuit about an application (or about none the register holds)."""

    id: str
    kind: str  # one of APPEAL_KINDS
    filed: date
    decided: date | None = None
    result: str | None = None  # one of APPEAL_RESULTS once decided
    application: str | None = None  # the ApplicationFacts.id it concerns, where there is one


@dataclass(frozen=True)
class DocumentFacts:
    """A 规章 or 行政规范性文件 the body made: table 二's 制发, 废止 and 现行有效 follow from these."""

    kind: str  # one of DOCUMENT_KINDS
    number: str  # 文号
    title: str
    issued: date
    repealed: date | None = None


@dataclass(frozen=True)
class YearFigures:
    """The yearly figures of table 二 that come from other systems, entered per year."""

    year: int
    licensing: int | None = None  # 行政许可 处理决定数量
    penalties: int | None = None  # 行政处罚
    enforcement: int | None = None  # 行政强制
    fees: Decimal | None = None  # 行政事业性收费, 万元


@dataclass(frozen=True)
class RegisterFacts:
    """Everything the compiler needs for one body, as of one date (normally 12-31 of the year)."""

    body: str
    as_of: date
    applications: tuple[ApplicationFacts, ...] = ()
    appeals: tuple[AppealFacts, ...] = ()
    documents: tuple[DocumentFacts, ...] = ()
    figures: tuple[YearFigures, ...] = field(default_factory=tuple)
