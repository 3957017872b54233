"""Bulk loading: the lines of `xxgk parse --out` stored without reading the files again give the
same rows as storing each report as it is read (`Store.ingest`), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import random
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select, text

import xxgk
from tests.conftest import CORPUS, SAMPLES, TEXT_REPORTS
from tests.layouts import Style, render
from tests.test_store import _series
from xxgk import batch
from xxgk.store import Attribution, Store
from xxgk.store import bulk as bulk_module
from xxgk.store.models import Body, ReportSource, StoredFinding, StoredReport
from xxgk.templates import TEMPLATES

SPLIT_ROW = "active.normative_documents"
SAMPLE_REPORTS = sorted(SAMPLES.glob("*.txt"))


def _split_report(year: int, issued: int, repealed: int, in_force: int, layout: str) -> str:
    """As tests/test_store_splits.py: 2023 printed run together (8|5|698 and others admissible),
    2022 one cell per line with 现行有效 695, which settles 2023 as 8|5|698."""
    values = {key: 0 for key in TEMPLATES["2021"].cell_keys()}
    values |= {
        f"{SPLIT_ROW}.issued": issued,
        f"{SPLIT_ROW}.repealed": repealed,
        f"{SPLIT_ROW}.in_force": in_force,
    }
    return render(
        "2021", year, "某某县交通运输局", values, Style(layout, True, base=layout), random.Random(year)
    )


UNSIGNED = CORPUS / "004_a002ef4d6b85274a.txt"  # a 2019 report that prints no agency: 待认定


def _files(folder: Path) -> list[tuple[Path, Attribution | None]]:
    """Files in the order they are stored, each with its manifest row (None: none): the corpus
    and the samples (the altered Wuxi report is stored after the published one, published the
    same day with more errors: not current); a body over four years, out of order and with 2023
    changed (a second version, its manifest dating it before the first); a split settled by the
    year before, which comes after; a file stored again (unchanged); the 待认定 report again with
    a body (filed), and with other line ends (another source of it); another report given a
    body, year, region and level."""
    texts: list[tuple[str, str, Attribution | None]] = [
        (p.name, p.read_text(encoding="utf-8"), None) for p in (*TEXT_REPORTS, *SAMPLE_REPORTS)
    ]
    series = {2024: {}, 2022: {}, 2023: {"applications.granted.natural_person": "3"}, 2021: {}}
    for report, year in zip(_series(series), series, strict=True):
        texts.append((f"pingtan-{year}.txt", report.text, None))
    texts.append(("pingtan-2023-v2.txt", _series({2023: {}})[0].text, Attribution(published="2000-01-02")))
    texts.append(("split-2023.txt", _split_report(2023, 8, 5, 698, "concatenated"), None))
    texts.append(("split-2022.txt", _split_report(2022, 0, 0, 695, "one_per_line"), None))
    texts.append(("corpus-again.txt", TEXT_REPORTS[0].read_text(encoding="utf-8"), None))  # unchanged
    unsigned = UNSIGNED.read_text(encoding="utf-8")
    texts.append(
        ("unsigned-again.txt", unsigned, Attribution("某某县人民政府", region="福建省某某县", level="县级"))
    )
    texts.append(("unsigned-crlf.txt", unsigned.replace("\n", "\r\n"), None))
    houji = (SAMPLES / "houji_2021.txt").read_text(encoding="utf-8") + "\n"  # another file
    texts.append(
        ("houji-2020.txt", houji, Attribution("侯集镇人民政府", year=2020, url="https://example.org/r"))
    )
    paths = []
    for i, (name, content, given) in enumerate(texts):
        path = folder / f"{i:02d}-{name}"
        path.write_bytes(content.encode("utf-8"))
        paths.append((path, given))
    return paths


def _rows(store: Store) -> dict[str, list]:
    """Everything stored, keyed by file hash and body name rather than by ids."""
    with store.session() as session:
        names = dict(session.execute(select(Body.id, Body.name)).all())
        shas = {r.id: r.sha256 for r in session.scalars(select(StoredReport))}
        skip = {"id", "body_id", "ingested_at"}
        columns = [c.name for c in StoredReport.__table__.columns if c.name not in skip]
        reports = sorted(
            (
                [(c, getattr(r, c)) for c in columns] + [("body", names.get(r.body_id))]
                for r in session.scalars(select(StoredReport))
            ),
            key=repr,
        )
        sources = sorted(
            (shas[s.report_id], s.sha256, s.path, s.url, s.format)
            for s in session.scalars(select(ReportSource).order_by(ReportSource.id))
        )
        bodies = sorted(
            (b.name, b.key, b.level, b.region, names.get(b.parent_id)) for b in session.scalars(select(Body))
        )
        findings = sorted(
            (
                shas[f.report_id],
                f.rule,
                f.severity,
                tuple(f.cells),
                f.message,
                f.status,
                f.comment,
                f.reviewed_at,
            )
            for f in session.scalars(select(StoredFinding))
        )
        # the search index: a body by its name, a report by its file
        owner = {"body": names, "report": shas}
        indexed = sorted(
            (kind, owner[kind][ref_id], terms)
            for kind, ref_id, terms in session.execute(text("SELECT kind, ref_id, terms FROM search_index"))
        )
    return {
        "reports": reports,
        "sources": sources,
        "bodies": bodies,
        "findings": findings,
        "indexed": indexed,
    }


class _Lazy(Future):
    """A job done when its result is asked for, unless withdrawn before."""

    def __init__(self, work) -> None:
        super().__init__()
        self._work = work

    def result(self, timeout=None):
        if self._work is not None:
            work, self._work = self._work, None
            if not self.running():
                self.set_running_or_notify_cancel()
            self.set_result(work())
        return super().result(timeout)


class _Begun(Executor):
    """A helper that has begun the blocks given it whose turn (0, 1, …) `begun` says, and finishes
    one only when its results are waited for (those it has not begun are withdrawn, and worked
    out by the process storing, whenever fewer lines than MIN_CHUNK are ready)."""

    def __init__(self, begun) -> None:
        self.begun = begun
        self.submitted: list[_Lazy] = []

    def submit(self, fn, /, *args, **kwargs):
        future = _Lazy(partial(fn, *args))
        if self.begun(len(self.submitted)):
            future.set_running_or_notify_cancel()
        self.submitted.append(future)
        return future


def _helping_behind(folder: Path):
    """`bulk.chunks_of` with a helper that has begun every other block."""

    @contextmanager
    def chunks_of(path, attributor=None):
        yield bulk_module.Chunks(path, _Begun(lambda turn: turn % 2 == 0), str(folder), attributor)

    return chunks_of


def _lost_block(path: str, start: int, end: int, folder: str) -> str:
    raise MemoryError("the helper was killed")


@pytest.mark.parametrize(
    ("chunk", "block", "helper"),
    [
        (1000, 100, "none"),  # one core: each line's identity and words worked out as it is stored
        (1000, 100, "helper"),
        (3, 2, "helper"),  # blocks of two and one in each chunk of three
        (3, 1, "behind"),  # the blocks the helper has not begun when their turn comes
        (3, 2, "lost"),  # the helper gone: every block worked out here
    ],
)
def test_bulk_loading_stores_what_ingesting_one_by_one_stores(
    db_url, tmp_path, monkeypatch, chunk, block, helper
):
    """In one chunk, and in chunks of three after one of two (each filed against the rows and
    bodies before it); with and without a helper process (`bulk.Helper`) working out the lines'
    identities and words, which may fall behind or be lost. Blank lines in the results file are skipped."""
    from tests.conftest import fresh_url

    monkeypatch.setattr(bulk_module, "CHUNK", chunk)
    monkeypatch.setattr(bulk_module, "MIN_CHUNK", 50 if chunk == 1000 else 2)  # stored as they come ready
    monkeypatch.setattr(bulk_module, "BLOCK_LINES", block)
    monkeypatch.setattr(bulk_module.os, "cpu_count", lambda: 1 if helper == "none" else 2)
    if helper == "lost":
        monkeypatch.setattr(bulk_module, "_work_block", _lost_block)
    if helper == "behind":
        monkeypatch.setattr(bulk_module, "chunks_of", _helping_behind(tmp_path))
    here: list[int] = []  # the lines of each block worked out by the process storing
    helped: list[list] = []  # the helper's results of each block it was waited for or done
    work_here, helper_results = bulk_module.Chunks._work_here, bulk_module.Chunks._results

    def spy_here(self, block):
        here.append(len(block.numbers))
        work_here(self, block)

    def spy_results(block):
        helped.append(helper_results(block))
        return helped[-1]

    monkeypatch.setattr(bulk_module.Chunks, "_work_here", spy_here)
    monkeypatch.setattr(bulk_module.Chunks, "_results", staticmethod(spy_results))
    files = _files(tmp_path)
    results = tmp_path / "results.jsonl"
    lines = [batch.parse_one(p).json_line() + b"\n" for p, _ in files]
    results.write_bytes(b"\n".join(lines[:5]) + b"  \n" + b"".join(lines[5:]))
    manifest = {path.resolve(): given for path, given in files if given is not None}

    statuses, expected, settled = _one_by_one(db_url, files)

    (tmp_path / "bulk").mkdir()
    url = fresh_url("postgresql" if db_url.startswith("postgresql") else "sqlite", tmp_path / "bulk")
    bulk = Store(url)
    summary = bulk.ingest_results(results, manifest=manifest)
    got = _rows(bulk)
    counts = [summary.new, summary.versions, summary.sources, summary.unchanged, summary.queued]
    assert counts == [statuses.count(s) for s in ("new", "version", "source", "unchanged", "queued")]
    # every path of store_report is taken: the second pingtan 2023 is a version, the corpus file
    # again unchanged, the unsigned report queued, then filed by its manifest row, then a source
    assert statuses[-7] == "version" and statuses[-4] == "unchanged"
    assert statuses[UNSIGNED_AT] == "queued" and statuses[-3:] == ["new", "source", "new"]
    assert {f[1] for f in expected["findings"]} >= {"X-COPY-TEXT", "SPLIT"}
    # a row for each new report, version and 待认定 one (the unsigned report filed later made none);
    # a source for each file but those stored already (three samples are corpus files)
    rows = sum(map(statuses.count, ("new", "version", "queued"))) - 1
    assert len(expected["reports"]) == rows and len(expected["sources"]) == len(files) - 5
    assert expected["indexed"] and got == expected
    assert bulk.settled == settled and len(settled) == 1
    by_helper = [worked for block in helped for worked in block if worked is not None]
    if helper == "none":  # every block worked out here, in turn
        assert sum(here) == len(files) and not helped
    else:  # every line worked out once, by one or the other (a lost helper gives nothing: its
        # lines are parsed here in their turn)
        assert sum(here) + sum(map(len, helped)) == len(files)
        assert (len(by_helper) == 0) == (helper == "lost")
    if helper == "behind":  # some blocks by the helper, the rest withdrawn and worked out here
        assert here and helped


UNSIGNED_AT = TEXT_REPORTS.index(UNSIGNED)


def _one_by_one(db_url: str, files: list[tuple[Path, Attribution | None]]) -> tuple[list[str], dict, list]:
    """Each file read and stored as it is read (`Store.ingest`): the statuses, what is stored and
    the splits settled."""
    one_by_one = Store(db_url)
    statuses = []
    for path, given in files:
        data = path.read_bytes()
        report = xxgk.parse_bytes(data, str(path))
        statuses.append(one_by_one.ingest(report, hashlib.sha256(data).hexdigest(), given))
    expected, settled = _rows(one_by_one), list(one_by_one.settled)
    one_by_one.engine.dispose()
    return statuses, expected, settled


@pytest.mark.parametrize("by", ["workers", "workers, giving up on some", "storing process"])
def test_ingesting_files_stores_what_ingesting_one_by_one_stores(db_url, tmp_path, monkeypatch, by):
    """`xxgk ingest DIR`: what storing a report's line needs is worked out by the worker that read
    it (`bulk.work_out`; one that gives up on it leaves it to the storing process) or, with few
    workers, by the storing process. In chunks of three after one of two, in order (one process)."""
    from tests.conftest import fresh_url
    from xxgk import store as store_module

    unworked = by == "workers, giving up on some"
    if by != "storing process":
        monkeypatch.setattr(store_module, "STORING_KEEPS_UP", 0)
    monkeypatch.setattr(bulk_module, "CHUNK", 3)
    monkeypatch.setattr(bulk_module, "FIRST_CHUNK", 2)
    calls = []
    work_out = bulk_module.work_out

    def some(raw: bytes):
        calls.append(raw)
        return None if unworked and len(calls) % 2 else work_out(raw)

    monkeypatch.setattr(bulk_module, "work_out", some)
    files = _files(tmp_path)
    manifest = {path.resolve(): given for path, given in files if given is not None}
    statuses, expected, settled = _one_by_one(db_url, files)

    (tmp_path / "bulk").mkdir()
    url = fresh_url("postgresql" if db_url.startswith("postgresql") else "sqlite", tmp_path / "bulk")
    bulk = Store(url)
    summary = bulk.ingest_paths([path for path, _ in files], jobs=1, manifest=manifest)
    counts = [summary.new, summary.versions, summary.sources, summary.unchanged, summary.queued]
    assert counts == [statuses.count(s) for s in ("new", "version", "source", "unchanged", "queued")]
    assert summary.read == len(files) and not summary.failures
    assert expected["indexed"] and _rows(bulk) == expected
    assert bulk.settled == settled and len(settled) == 1
    # each file worked out by its worker (or given up on), else none
    assert len(calls) == (0 if by == "storing process" else len(files))


def test_bulk_loading_under_one_body_stores_what_ingesting_one_by_one_stores(db_url, tmp_path):
    """`xxgk ingest results.jsonl --body B`: every report under B, as `Store.ingest` files them."""
    from tests.conftest import fresh_url

    paths = [p for p, _ in _files(tmp_path)][:6]
    given = Attribution("某某市人民政府")
    results = tmp_path / "results.jsonl"
    results.write_bytes(b"".join(batch.parse_one(p).json_line() + b"\n" for p in paths))
    one_by_one = Store(db_url)
    for path in paths:
        data = path.read_bytes()
        one_by_one.ingest(xxgk.parse_bytes(data, str(path)), hashlib.sha256(data).hexdigest(), given)
    expected = _rows(one_by_one)
    one_by_one.engine.dispose()
    (tmp_path / "bulk").mkdir()
    bulk = Store(fresh_url("postgresql" if db_url.startswith("postgresql") else "sqlite", tmp_path / "bulk"))
    bulk.ingest_results(results, attribution=given)
    assert _rows(bulk) == expected
    assert {r[-1] for r in expected["reports"]} == {("body", "某某市人民政府")}


def test_a_review_follows_each_recomputation_as_ingesting_one_by_one(db_url, tmp_path):
    """A reviewed cross-year finding of a stored 2023, worked out again twice in one chunk by two
    new versions of 2022 (each published later, so current): the first carries 5 forward, which
    clears the finding and its review; the second carries 0 again, and the finding is back, open
    (test_store's case of a review kept is the finding found again at once)."""
    from datetime import datetime

    from tests.conftest import fresh_url
    from xxgk.store.findings import list_findings

    TOTAL = "applications.carried_over.total"
    series = _series({2022: {}, 2023: {TOTAL: "5"}})
    series += _series({2022: {"applications.carried_forward.total": "5"}})
    series += _series({2022: {"active.licensing.decisions": "10692"}})
    paths = []
    for i, report in enumerate(series):
        paths.append(tmp_path / f"{i}.txt")
        paths[-1].write_text(report.text, encoding="utf-8")
    given = {paths[2]: Attribution(published="2099-01-01"), paths[3]: Attribution(published="2099-01-02")}
    results = tmp_path / "later.jsonl"
    results.write_bytes(b"".join(batch.parse_one(p).json_line() + b"\n" for p in paths[2:]))

    def stored_and_reviewed(url: str) -> Store:
        store = Store(url)
        for path in paths[:2]:
            data = path.read_bytes()
            store.ingest(xxgk.parse_bytes(data, str(path)), hashlib.sha256(data).hexdigest())
        (carry,) = [f for f in list_findings(store, rule="X-CARRY") if f.cells == [TOTAL]]
        with store.session() as session:
            row = session.get(StoredFinding, carry.id)
            row.status, row.comment, row.reviewed_at = "confirmed", "核实", datetime(2026, 12, 4, 22, 0)
        return store

    one_by_one = stored_and_reviewed(db_url)
    for path in paths[2:]:
        data = path.read_bytes()
        one_by_one.ingest(xxgk.parse_bytes(data, str(path)), hashlib.sha256(data).hexdigest(), given[path])
    expected = _rows(one_by_one)
    one_by_one.engine.dispose()
    (tmp_path / "bulk").mkdir()
    bulk = stored_and_reviewed(
        fresh_url("postgresql" if db_url.startswith("postgresql") else "sqlite", tmp_path / "bulk")
    )
    manifest = {path.resolve(): attribution for path, attribution in given.items()}
    assert bulk.ingest_results(results, manifest=manifest).versions == 2
    assert _rows(bulk) == expected
    carried = [(f[5], f[6]) for f in expected["findings"] if f[1] == "X-CARRY" and f[3] == (TOTAL,)]
    assert carried == [("open", None)]


def test_a_neighbouring_year_of_the_other_template_is_evidence_only_where_it_prints_the_cell():
    from xxgk.extract.evidence import across_years

    # the 2021 template's 现行有效 has no cell in the 2019 template (it printed 制发/公开/总数):
    # a 2023 report in doubt next to a 2020 one takes only the carried-over applications from it
    later = xxgk.parse_text(_split_report(2023, 8, 5, 698, "concatenated"), "2023.txt")
    earlier = xxgk.parse_path(CORPUS / "000_cb2280fd5fe4f76b.txt")
    assert (later.template_id, earlier.template_id) == ("2021", "2019")
    evidence = across_years(later, earlier, None)
    assert evidence and all(
        key.startswith("applications.carried_over.") for e in evidence for key, _ in e.terms
    )
    assert all(
        key.startswith("applications.carried_forward.")
        for e in across_years(earlier, None, later)
        for key, _ in e.terms
    )


def test_the_command_stores_a_results_file_once(tmp_path):
    from tests.test_inputs import run

    paths = [path for path, _ in _files(tmp_path)][: len(TEXT_REPORTS)]
    (tmp_path / "empty.txt").write_bytes(b"")
    out, db = tmp_path / "results.jsonl", f"sqlite:///{tmp_path / 'x.db'}"
    run("parse", *map(str, paths), str(tmp_path / "empty.txt"), "--out", str(out))
    first = run("ingest", str(out), "--db", db)
    assert first.returncode == 0, first.stderr
    # the seven corpus texts: six bodies' reports, and 004 that prints no agency (待认定)
    assert len(paths) == 7
    assert (
        "stored 6 new and 0 new versions, 0 more sources of stored reports, 1 to be attributed (待认定),"
        " 0 unchanged, failed 0" in first.stderr
    )
    assert "left out 1 line(s) of files that were not read" in first.stderr  # the empty file's
    again = run("ingest", str(out), "--db", db)
    assert (
        "stored 0 new and 0 new versions, 0 more sources of stored reports, 0 to be attributed"
        in again.stderr
    )
    assert "7 unchanged" in again.stderr
    # the 待认定 report filed by --body when its line comes again
    third = run("ingest", str(out), "--db", db, "--body", "某某县人民政府")
    assert "stored 1 new and 0 new versions" in third.stderr and "6 unchanged" in third.stderr


def test_a_line_that_is_not_a_results_line_is_one_clear_error_and_its_chunk_is_not_stored(tmp_path):
    from tests.test_inputs import run

    out, db = tmp_path / "results.jsonl", f"sqlite:///{tmp_path / 'x.db'}"
    good = batch.parse_one(TEXT_REPORTS[0]).json_line()
    out.write_bytes(good + b"\n" + good[: len(good) // 2])  # a torn last line
    result = run("ingest", str(out), "--db", db)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        result.stderr.strip()
        == f"xxgk: error: {out}:2: not a JSON line (a torn last line? read the files again)"
    )
    with Store(db).session() as session:
        assert session.scalars(select(StoredReport)).all() == []
    old = {k: v for k, v in json.loads(good).items() if k != "narrative"}
    out.write_text(json.dumps(old, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("ingest", str(out), "--db", db)
    assert result.returncode == 2 and "no narrative: written by an older xxgk" in result.stderr


KEY = "applications.received.total"


def _cell(record: dict, **changes: object) -> None:
    record["cells"][KEY] |= changes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: _cell(r, value="3"), "Expected int | float | null, got str - at cells.{KEY}.value"),
        (lambda r: _cell(r, text=3), "Expected str | null, got int - at cells.{KEY}.text"),
        (lambda r: r["cells"].update({KEY: 3}), "Expected object, got int - at cells.{KEY}"),
        (
            lambda r: r["cells"][KEY]["source"].update(offset="12"),
            "Expected int, got str - at cells.{KEY}.source.offset",
        ),
        (lambda r: r["meta"].update(year=True), "Expected int | null, got bool - at meta.year"),
        (lambda r: r["meta"].update(year=20210), "meta.year 20210 is no calendar year"),
        (lambda r: r["meta"].update(agency=["某局"]), "Expected str | null, got array - at meta.agency"),
        (
            lambda r: r.update(findings=[{"rule": "T3-BAL", "cells": [KEY], "message": "…"}]),
            "Object missing required field severity - at findings[0]",
        ),
        (lambda r: r.update(layout=[]), "Expected object, got array - at layout"),
        (
            lambda r: r["layout"]["tables"]["applications"].update(candidates=[]),
            "layout.tables.applications.candidates is not an object",
        ),
    ],
)
def test_a_line_with_a_field_of_another_type_is_refused_naming_the_field(db_url, tmp_path, change, message):
    """A results file from elsewhere (a script, a hand edit): a field not of the type xxgk writes
    would be stored to break what reads it later (a page, the rules across years), or stop the
    load with a traceback; the line is refused, naming the field, and nothing of it is stored."""
    from xxgk.errors import InputError

    record = json.loads(batch.parse_one(TEXT_REPORTS[0]).json_line())
    assert isinstance(record["cells"][KEY]["value"], int) and record["layout"]["tables"]["applications"]
    change(record)
    out = tmp_path / "results.jsonl"
    good = batch.parse_one(TEXT_REPORTS[1]).json_line()
    out.write_bytes(good + b"\n" + json.dumps(record, ensure_ascii=False).encode() + b"\n")
    store = Store(db_url)
    with pytest.raises(InputError) as raised:
        store.ingest_results(out)
    assert str(raised.value) == (
        f"{out}:2: not a line of `xxgk parse --out` as it writes them: {message.format(KEY=KEY)}"
    )
    with store.session() as session:  # one chunk: the good line before it is not stored either
        assert session.scalars(select(StoredReport)).all() == []


def test_a_number_no_float_holds_is_refused_from_the_command(tmp_path):
    from tests.test_inputs import run

    record = json.loads(batch.parse_one(TEXT_REPORTS[0]).json_line())
    _cell(record, value=987654321)  # then printed as 1e400, which JSON allows and no float holds
    line = json.dumps(record, ensure_ascii=False).replace("987654321", "1e400")
    out = tmp_path / "results.jsonl"
    out.write_text(line + "\n", encoding="utf-8")
    result = run("ingest", str(out), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f"xxgk: error: {out}:1: not a line of `xxgk parse --out` as it writes them: "
    )
    assert "Number out of range" in result.stderr


def test_a_bad_line_read_ahead_stops_the_load_after_the_chunks_before_it(db_url, tmp_path, monkeypatch):
    """The next chunk is read while the current one is stored: a bad line in it must not undo the
    current chunk. Chunks of 2 over 3 good lines and a bad one: lines 1–2 stored, 3 is not."""
    from xxgk.errors import InputError

    monkeypatch.setattr(bulk_module, "CHUNK", 2)
    out = tmp_path / "results.jsonl"
    lines = [batch.parse_one(path).json_line() for path in TEXT_REPORTS[:3]]
    out.write_bytes(b"\n".join(lines) + b"\n{not json\n")
    store = Store(db_url)
    with pytest.raises(InputError, match="not a JSON line"):
        store.ingest_results(out)
    with store.session() as session:
        stored = session.scalars(select(ReportSource.path).order_by(ReportSource.id)).all()
    assert stored == [str(path) for path in TEXT_REPORTS[:2]]


@pytest.mark.parametrize(
    ("files", "sizes"),
    [
        # 200 first; 1,800 left: 1,000; 800 left, past 200: 600, then the last 200
        (2000, [200, 1000, 600, 200]),
        # 200 first; 900 left, not past 1,000: 700, then 200
        (1100, [200, 700, 200]),
        # 200 first; 1,100 left: 1,000; 100 left, not past 200: one chunk of 100
        (1300, [200, 1000, 100]),
        (150, [150]),  # the first chunk holds them all
    ],
)
def test_the_chunks_of_ingesting_files_are_small_at_both_ends(files, sizes):
    made, left = [], files
    for size in bulk_module.chunk_sizes(files):  # as `Store.ingest_paths` fills its chunks
        if left <= 0:
            break
        made.append(min(size, left))
        left -= size
    assert made == sizes


def test_the_blocks_of_a_results_file_are_its_lines_not_blank(tmp_path, monkeypatch):
    """Blocks of three: each block's offsets take in the blank lines before its last line, and
    its numbers are those of its lines not blank (line 3 is blank, line 6 spaces and a CR); the
    last line has no line end."""
    monkeypatch.setattr(bulk_module, "BLOCK_LINES", 3)
    path = tmp_path / "results.jsonl"
    path.write_bytes(b"a\nb\n\nc\nd\n \t\r\ne\nf\ng")
    blocks = list(bulk_module._blocks(path))
    # a\n b\n \n c\n end at offsets 2, 4, 5, 7; d\n 9, " \t\r\n" 13, e\n 15, f\n 17; g 18
    assert [(b.start, b.end, b.numbers) for b in blocks] == [
        (0, 7, [1, 2, 4]),
        (7, 17, [5, 7, 8]),
        (17, 18, [9]),
    ]
    assert bulk_module._lines_between(path, 7, 17) == [b"d", b"e", b"f"]
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_bytes(b"\n  \n")
    assert list(bulk_module._blocks(tmp_path / "empty.jsonl")) == []
    assert list(bulk_module._blocks(tmp_path / "blank.jsonl")) == []


def test_the_loading_process_works_out_the_first_block_the_helper_has_not_begun(tmp_path, monkeypatch):
    """Four lines in blocks of one, the helper has begun the first, none is ready and MIN_CHUNK is
    three: rather than wait, the loading process works out the first block the helper has not
    begun, again and again (lines 2, 3, 4, in that order: the helper would go on from where it
    is), then waits for line 1; the four are one chunk."""
    monkeypatch.setattr(bulk_module, "BLOCK_LINES", 1)
    monkeypatch.setattr(bulk_module, "MIN_CHUNK", 3)
    path = tmp_path / "results.jsonl"
    path.write_bytes(b"".join(batch.parse_one(p).json_line() + b"\n" for p in TEXT_REPORTS[:4]))
    helper = _Begun(lambda turn: turn == 0)
    worked_here = []
    work_here = bulk_module.Chunks._work_here

    def spy(self, block):
        worked_here.append(block.numbers)
        work_here(self, block)

    monkeypatch.setattr(bulk_module.Chunks, "_work_here", spy)
    chunks = iter(bulk_module.Chunks(path, helper, str(tmp_path), None))
    assert [line.number for line in next(chunks)] == [1, 2, 3, 4]
    assert worked_here == [[2], [3], [4]]
    assert [job.cancelled() for job in helper.submitted] == [False, True, True, True]
    assert next(chunks, None) is None


def test_the_first_bad_line_of_a_chunk_is_named_whoever_parsed_it(tmp_path, monkeypatch):
    """A chunk of four in blocks of two, the helper having begun the first block only: the last
    two lines are parsed here first, then the helper's. Lines 2 (the helper's block) and 4 (left
    here) are bad: line 2 is named, as when one process reads the file in order."""
    from xxgk.errors import InputError

    monkeypatch.setattr(bulk_module, "CHUNK", 4)
    monkeypatch.setattr(bulk_module, "BLOCK_LINES", 2)
    monkeypatch.setattr(bulk_module, "chunks_of", _helping_behind(tmp_path))
    out = tmp_path / "results.jsonl"
    good = [batch.parse_one(path).json_line() for path in TEXT_REPORTS[:2]]
    out.write_bytes(b"\n".join([good[0], b"{not json", good[1], b'{"file": "x.txt"}']) + b"\n")
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(InputError) as raised:
        store.ingest_results(out)
    assert (
        str(raised.value)
        == f"{out}:2: not a JSON line (JSON is malformed: object keys must be strings (byte 1))"
    )
    with store.session() as session:
        assert session.scalars(select(StoredReport)).all() == []


def test_a_bulk_load_into_postgresql_ends_with_the_vacuum_statistics_need(tmp_path, monkeypatch):
    """A load of a chunk or more leaves the reports' pages all-visible (statistics then read their
    index alone) and analysed; a smaller one leaves that to autovacuum. Chunks of 2 here: three
    lines are a chunk and more, one line less than a chunk."""
    from tests.conftest import fresh_url

    monkeypatch.setattr(bulk_module, "CHUNK", 2)
    url = fresh_url("postgresql", tmp_path)
    out = tmp_path / "results.jsonl"

    def visible_pages(store: Store) -> tuple[int, object]:
        with store.session() as session:
            pages = session.scalar(text("SELECT relallvisible FROM pg_class WHERE relname = 'reports'"))
            analysed = session.scalar(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'reports'")
            )
        return pages, analysed

    out.write_bytes(batch.parse_one(TEXT_REPORTS[0]).json_line() + b"\n")
    store = Store(url)
    assert store.ingest_results(out).new == 1
    assert visible_pages(store) == (0, None)
    out.write_bytes(b"".join(batch.parse_one(path).json_line() + b"\n" for path in TEXT_REPORTS[1:4]))
    assert store.ingest_results(out).new == 3
    pages, analysed = visible_pages(store)
    assert pages >= 1 and analysed is not None


def test_long_values_are_compressed_with_lz4_on_postgresql(tmp_path):
    """The cells, the narrative and the words for search (migrations 0012 and 0013) are
    compressed with lz4, several times faster than PostgreSQL's default, where the server has it
    (a value short enough is not compressed at all: no method)."""
    from tests.conftest import fresh_url
    from xxgk.store.db import has_lz4

    store = Store(fresh_url("postgresql", tmp_path))
    out = tmp_path / "results.jsonl"
    out.write_bytes(b"".join(batch.parse_one(path).json_line() + b"\n" for path in TEXT_REPORTS[:3]))
    assert store.ingest_results(out).new == 3
    with store.session() as session:
        if not has_lz4(session.connection()):
            pytest.skip("this PostgreSQL was built without lz4")
        used: dict[str, set[str | None]] = {}
        for table, column in (
            ("reports", "cells"),
            ("reports", "narrative"),
            ("search_index", "terms"),
            ("search_index", "tsv"),
        ):
            query = f"SELECT DISTINCT pg_column_compression({column}) FROM {table}"
            used[column] = set(session.scalars(text(query)))
    assert all(methods <= {"lz4", None} for methods in used.values()), used
    assert all("lz4" in methods for methods in used.values()), used  # some of each compressed


HUGE = 99999999999999999999999  # 23 digits, past what a 64-bit integer holds


def test_a_number_past_64_bits_is_stored_as_printed_from_files_and_from_results(db_url, tmp_path):
    """A hostile report prints a 23-digit count. `ingest DIR` and `ingest results.jsonl` both keep
    it to the digit: orjson alone reads it back as the float 1e23, which is stored as
    100000000000000000000000 (and PostgreSQL once refused the report: numeric overflow)."""
    from tests.conftest import fresh_url

    lines = (SAMPLES / "wuxi_helie_2020.txt").read_text(encoding="utf-8").split("\n")
    key = "applications.received.total"
    line = xxgk.parse_path(SAMPLES / "wuxi_helie_2020.txt").cells[key].provenance.line  # type: ignore[union-attr]
    assert lines[line - 1] == "2"  # the total printed alone on its line
    lines[line - 1] = str(HUGE)
    (tmp_path / "reports").mkdir()
    path = tmp_path / "reports" / "huge.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert xxgk.parse_path(path).cells[key].value == HUGE
    results = tmp_path / "results.jsonl"
    results.write_bytes(batch.parse_one(path).json_line() + b"\n")
    kind = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    for name, load in (
        ("files", lambda store: store.ingest_paths([path.parent], jobs=1).new),
        ("results", lambda store: store.ingest_results(results).new),
        ("one", lambda store: store.ingest(xxgk.parse_path(path), "a" * 64) == "new"),
    ):
        (tmp_path / name).mkdir()
        store = Store(fresh_url(kind, tmp_path / name))
        assert load(store) == 1, name
        stored = store.report("无锡市滨湖区河埒街道办事处", 2020)
        assert stored is not None and stored.cells[key].value == HUGE, name
        # past the statistics' 32-bit column: left out of them, the findings say it is wrong
        with store.session() as session:
            assert session.scalars(select(StoredReport.received)).all() == [None], name
        assert "T3-BAL" in {f.rule for f in stored.findings}, name
        store.engine.dispose()


PUBLISHED = ["2024-01-02", "2024-01-03", None, "2024-01-10", None, "2024-01-20", "2024-01-20", "2024-01-05"]


@pytest.mark.parametrize("chunk", [1000, 2])
@pytest.mark.parametrize("chosen", [None, 2])
def test_many_versions_of_a_year_are_filed_in_bulk_as_one_by_one(
    db_url, tmp_path, monkeypatch, chosen, chunk
):
    """Eight versions of one body's 2023 report (the same text and tables, each with a line of
    its own), published as PUBLISHED (v3 and v5 undated). The first three are stored one by one
    and, for `chosen`, a reviewer makes v2 current; the other five are loaded in bulk, in chunks
    of two. versions.py's rule: a dated version before an undated one, then the latest date
    (2024-01-20: v6 and v7), then fewer errors (the same here), then the last stored: v7. A
    reviewer's choice holds over the rule: v2. In one chunk, and in chunks of two: a chunk files
    its versions against the current one (`filing.YearRows`), not all of them again."""
    from tests.conftest import fresh_url

    monkeypatch.setattr(bulk_module, "CHUNK", chunk)
    text = (CORPUS / "pt004.txt").read_text(encoding="utf-8").replace("2022年度", "2023年度")
    files = []
    for number, published in enumerate(PUBLISHED, start=1):
        path = tmp_path / f"v{number}.txt"
        path.write_text(f"{text}\n第{number}次发布\n", encoding="utf-8")
        files.append((path, Attribution(published=published)))

    def stored(store: Store) -> tuple[dict[str, list], list[tuple[int, int, bool]]]:
        with store.session() as session:
            versions = session.execute(
                select(ReportSource.path, StoredReport.version, StoredReport.current)
                .join(StoredReport, StoredReport.id == ReportSource.report_id)
                .order_by(StoredReport.version)
            ).all()
        return _rows(store), [(int(Path(p).stem[1:]), version, current) for p, version, current in versions]

    def first_three(store: Store) -> None:
        for path, given in files[:3]:
            data = path.read_bytes()
            store.ingest(xxgk.parse_bytes(data, str(path)), hashlib.sha256(data).hexdigest(), given)
        if chosen is not None:
            with store.session() as session:
                source = session.scalars(
                    select(ReportSource).where(ReportSource.path.endswith(f"v{chosen}.txt"))
                )
                store.choose_version(source.one().report_id, "审核人", "与纸质版一致")

    one_by_one = Store(db_url)
    first_three(one_by_one)
    for path, given in files[3:]:
        data = path.read_bytes()
        one_by_one.ingest(xxgk.parse_bytes(data, str(path)), hashlib.sha256(data).hexdigest(), given)
    expected, order = stored(one_by_one)
    one_by_one.engine.dispose()
    current = chosen or 7
    assert order == [(n, n, n == current) for n in range(1, 9)]

    (tmp_path / "bulk").mkdir()
    bulk = Store(fresh_url("postgresql" if db_url.startswith("postgresql") else "sqlite", tmp_path / "bulk"))
    first_three(bulk)
    results = tmp_path / "results.jsonl"
    results.write_bytes(b"".join(batch.parse_one(p).json_line() + b"\n" for p, _ in files[3:]))
    summary = bulk.ingest_results(results, manifest={p.resolve(): given for p, given in files[3:]})
    assert summary.versions == 5
    assert stored(bulk) == (expected, order)


def test_the_declared_shape_of_a_line_keeps_all_the_store_keeps_in_every_format(tmp_path):
    """A field of no type declared in results_line is left out of the record: what the reader
    writes of every format (text, HTML, a PDF's pages and boxes) must be declared, or a bulk load
    would store less than ingesting the file does; a cell's source is declared field for field
    as the model's Provenance (an OCR confidence, a compiled cell's register entries)."""
    from tests.scans import generated_report
    from xxgk.model import Provenance
    from xxgk.store import results_line

    assert set(results_line.Source.__annotations__) == set(Provenance.__slots__)
    generated = tmp_path / "generated.pdf"
    generated.write_bytes(generated_report(5)[1])
    paths = [*TEXT_REPORTS[:1], *CORPUS.glob("*.html"), *CORPUS.glob("*.pdf"), generated]
    formats = set()
    for path in paths:
        line = batch.parse_one(path).json_line()
        written, read = json.loads(line), results_line.parse(line)
        formats.add(written["format"])
        del written["tables"]  # what the cells say again: not stored, so not read
        assert read == written, path
    assert formats == {"text", "html", "pdf"}
    cells = results_line.parse(batch.parse_one(generated).json_line())["cells"].values()
    assert any({"bbox", "grid", "page"} <= cell.get("source", {}).keys() for cell in cells)
