"""Documents an overseer sends out: a body's 整改通知 and a region's 通报 (DOCX, PDF, HTML, XLSX)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from xxgk.cli.common import Db, app, console, out_path
from xxgk.errors import InputError
from xxgk.model import FIRST_YEAR, LAST_YEAR

Out = Annotated[
    Path,
    typer.Option(
        "--out",
        help="The file to write: .docx, .pdf, .html (review: also .xlsx).",
        parser=out_path,
        metavar="FILE",
    ),
]
Year = Annotated[int, typer.Option("--year", help="The report year.", min=FIRST_YEAR, max=LAST_YEAR)]
Number = Annotated[str, typer.Option("--number", help="The 文号 line, e.g. 某政务公开〔2025〕3号.")]
Signer = Annotated[str, typer.Option("--signer", help="The issuing office, signed above the date.")]
Day = Annotated[
    str | None, typer.Option("--date", help="The date of the document, YYYY-MM-DD (default: today).")
]


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}", "--date") from None


@app.command()
def notice(
    out: Out,
    year: Year,
    body: Annotated[str, typer.Option("--body", help="The body (name or alias).")],
    include_all: Annotated[
        bool, typer.Option("--all", help="Also open and dismissed findings (default: confirmed only).")
    ] = False,
    number: Number = "",
    signer: Signer = "",
    day: Day = None,
    db: Db = None,
) -> None:
    """A body's 整改通知: the findings of its current report for the year."""
    from xxgk.documents import check_suffix, write
    from xxgk.documents.notice import notice as build
    from xxgk.store import Store

    allowed = (".docx", ".pdf", ".html")
    check_suffix(out, allowed)
    store = Store(db, create=False)
    document = build(store, body, year, everything=include_all, number=number, signer=signer, day=_day(day))
    write(document, out, allowed)
    console().print(f"wrote {out}", markup=False)


@app.command()
def review(
    out: Out,
    year: Year,
    region: Annotated[str, typer.Option("--region", help="The region; bodies whose region starts so count.")],
    number: Number = "",
    signer: Signer = "",
    day: Day = None,
    db: Db = None,
) -> None:
    """A region's 通报: coverage, lateness, findings by rule, key figures ranked, every finding."""
    from xxgk.documents import check_suffix, write
    from xxgk.documents.review import review as build
    from xxgk.store import Store

    check_suffix(out)
    write(build(Store(db, create=False), region, year, number=number, signer=signer, day=_day(day)), out)
    console().print(f"wrote {out}", markup=False)
