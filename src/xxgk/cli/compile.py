"""xxgk compile: the annual report compiled from a register (facts as JSON, or the store's
register), checked, written in the official layout; xxgk register import-proactive."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xxgk.cli.common import EXIT_FINDINGS, Db, app, err_console, out_path
from xxgk.errors import InputError
from xxgk.model import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from xxgk.compile import Compiled
    from xxgk.model import Report

OUTPUTS = (".docx", ".pdf", ".html", ".json")


def compiled_json(compiled: Compiled) -> dict[str, Any]:
    """The JSON of `xxgk compile`: the report's JSON contract (cells' `source.entries` name the
    register entries behind them), the narrative skeleton, the fee; or the problems alone."""
    if compiled.report is None:
        return {"problems": [p.to_dict() for p in compiled.problems]}
    out = compiled.report.to_dict()
    narrative = compiled.narrative
    assert narrative is not None
    out |= {
        "kind": "compiled",
        "narrative": {"intro": narrative.intro, "sections": narrative.sections},
        "placeholders": narrative.placeholders,
        "fee": str(compiled.fee),
        "notes": [f.to_dict() for f in compiled.notes],
    }
    if compiled.locked is not None:
        locked = compiled.locked
        out["locked"] = {
            "year": locked.year,
            "by": locked.locked_by,
            "at": locked.locked_at.isoformat(sep=" ", timespec="seconds") if locked.locked_at else None,
            "compared": locked.snapshot is not None,
            "amendments": [a.to_dict() for a in locked.amendments],
            "changes": [c.to_dict() for c in compiled.changes],
        }
    return out


def _store_compile(db: str | None, body: str, year: int, previous: Path | None) -> Compiled:
    """The store's register compiled as of the year's end, with the changes against the report
    locked for the year where it is locked (the register's own module reads it)."""
    from xxgk.register.service import compile_year
    from xxgk.store import Store

    store = Store(db, create=False)  # a register to compile is in a store already made
    with store.session() as session:
        found = store.find_body(session, body)
        name, body_id = found.name, found.id
    before = _previous(previous, db, name, year, use_store=True)
    with store.session() as session:
        return compile_year(session, body_id, year, before)


def _previous(previous: Path | None, db: str | None, body: str, year: int, use_store: bool) -> Report | None:
    """Last year's report for the rules across years: a file given, else the store's (the
    compiled one where there is one, else the published one)."""
    if previous is not None:
        import xxgk

        before = xxgk.parse_path(previous)
        if before.meta.year is not None and before.meta.year != year - 1:  # X-CARRY would compare wrongly
            said = f"a report of {before.meta.year}, not of {year - 1}, the year before"
            raise InputError(said, str(previous))
        return before
    if not use_store:
        return None
    from xxgk.register.service import last_year_report
    from xxgk.store import Store

    return last_year_report(Store(db), body, year)


@app.command(name="compile")
def compile_command(
    year: Annotated[int, typer.Option("--year", help="The report year.", min=FIRST_YEAR, max=LAST_YEAR)],
    facts: Annotated[
        Path | None, typer.Option("--facts", help="The register's facts as JSON (docs/compile.md).")
    ] = None,
    body: Annotated[str | None, typer.Option("--body", help="A body whose register is in the store.")] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write .docx, .pdf, .html or .json.", parser=out_path, metavar="FILE"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the compiled report as JSON.")] = False,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="Last year's report (a file) for X-CARRY and X-STOCK."),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Store the compiled report in the corpus (kind compiled).")
    ] = False,
    db: Db = None,
) -> None:
    """The annual report compiled from a register: every cell counted from its entries, checked
    with xxgk's rules; a register error is named with its entries, and nothing is written."""
    from xxgk.compile import compile_report
    from xxgk.compile import facts_json as facts_io

    if (facts is None) == (body is None):
        raise InputError("give either --facts FILE.json or --body B")
    suffix = None
    if out is not None:
        from xxgk.documents import check_suffix

        suffix = check_suffix(out, OUTPUTS)
    if facts is not None:
        register = facts_io.read(facts)
        before = _previous(previous, db, register.body, year, use_store=store)
        compiled = compile_report(register, year, before)
        name = register.body
    else:
        compiled = _store_compile(db, body or "", year, previous)
        name = compiled.report.meta.agency if compiled.report else body
    if compiled.report is None:
        if as_json:
            sys.stdout.write(json.dumps(compiled_json(compiled), ensure_ascii=False, indent=2) + "\n")
        err = err_console()
        err.print(f"cannot compile {name}'s {year} report: the register has errors", markup=False)
        for problem in compiled.problems:
            err.print(f"{problem.code}: {problem.message}", markup=False)
        raise typer.Exit(EXIT_FINDINGS)
    data = compiled_json(compiled)
    if out is not None and suffix is not None:
        _write(compiled, data, out, suffix)
        err_console().print(f"wrote {out}", markup=False)
    if store:
        status = _store(db, compiled.report, data)
        err_console().print(f"stored as the compiled report ({status})", markup=False)
    if compiled.narrative and compiled.narrative.placeholders:
        err_console().print(f"{len(compiled.narrative.placeholders)} placeholders to complete", markup=False)
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif compiled.amended:
        sys.stdout.write(_amended_text(compiled))
    elif out is None and not store:  # nothing asked for but the report: shown, as `check` shows one
        from xxgk.cli.reports import show_report

        show_report(compiled.report, findings=True)


def _amended_text(compiled: Compiled) -> str:
    """The note 锁定后更正 as plain lines: each changed cell, then the amendments behind none."""
    from xxgk.compile.locked import unmatched

    locked = compiled.locked
    assert locked is not None
    lines = [f"锁定后更正 ({locked.year} locked by {locked.locked_by}; {len(locked.amendments)} amendments)"]
    if locked.snapshot is None:
        lines.append("  the register had errors when it was locked: nothing to compare with")
    for c in compiled.changes:
        lines.append(f"  {c.table} | {c.row} | {c.column}: {c.locked} → {c.now}")
        lines += [f"    {a.text()}" for a in c.amendments]
    lines += [f"  changed no cell: {a.text()}" for a in unmatched(locked, compiled.changes)]
    return "\n".join(lines) + "\n"


def _write(compiled: Compiled, data: dict[str, Any], out: Path, suffix: str) -> None:
    from xxgk.documents import write, write_bytes

    if suffix == ".json":
        write_bytes(json.dumps(data, ensure_ascii=False, indent=2).encode(), out)
    else:
        write(compiled.document(), out, (suffix,))


def _store(db: str | None, report: Report, data: dict[str, Any]) -> str:
    import hashlib

    from xxgk.store import Store

    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return Store(db).ingest(report, digest, kind="compiled")
