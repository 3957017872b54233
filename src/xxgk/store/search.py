"""Full-text search over bodies (names, aliases) and reports (titles, narrative text).

Chinese prints no spaces between words: jieba cuts the text into words (rjieba: jieba's dictionary
and algorithm in Rust, the same words as the Python jieba at a twentieth of the time) in search
mode (a long word and the shorter ones inside it: 滨湖区 → 滨湖, 湖区, 滨湖区), and the index keeps
them joined by spaces, each word once — an FTS5 table on SQLite, a tsvector with a GIN index on
PostgreSQL. Either holds which texts have a word, not how often or where (a tsvector of the words
keeps each once, without positions), and matches a word whole, as cut. A query is cut the same
way, and a hit holds every word of it. The index follows the store by itself: whatever a session
flushes (a report ingested, a body or an alias added or renamed) is indexed then (`watch`). Which
reports are found is decided when searching, not indexing: the current version of a body-year (so
a report filed from 待认定 or a reviewer's choice of version needs no reindexing); a report
compiled from a register is the body's draft, never published, and is not indexed.
Its dictionary is loaded on the first text indexed or searched, never by reading or checking a file.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, event, inspect, select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from xxgk.store.models import Body, BodyAlias, StoredReport

SEARCHED = "published"  # the kind of report that is indexed (StoredReport.kind)

TABLE = "search_index"
MAX_QUERY = 100  # characters of a query that are searched
MAX_TEXT = 200_000  # characters of a report's text that are indexed (a hostile file is larger)
SNIPPET = 50  # characters shown either side of the first hit in a report's text
# a longer "word" is a run of letters or digits, never searched for (and PostgreSQL refuses a
# lexeme of more than 2,046 bytes)
MAX_WORD = 60
# the dictionary alone cuts (no HMM guessing of unknown words): the same characters are cut the
# same way in a text and in a query, and it is a fifth faster
HMM = False


@cache
def _jieba() -> Any:
    import rjieba

    return rjieba


def _is_word(word: str) -> bool:
    return len(word) <= MAX_WORD and any(c.isalnum() for c in word)


class _Indexed(dict[str, str]):
    """Each word met as indexed ("" for none): a text's words are mostly words already seen, and
    looking them up here is done in C (`index_words`), where checking each one afresh took twelve
    times as long as cutting the text. Forgotten past REMEMBERED words (a hostile text may hold
    any number of distinct ones)."""

    REMEMBERED = 200_000

    def __missing__(self, word: str) -> str:
        if len(self) >= self.REMEMBERED:
            self.clear()
        indexed = self[word] = word.lower() if _is_word(word) else ""
        return indexed


_INDEXED = _Indexed()


def index_words(value: str) -> list[str]:
    """The words a text is found by: search mode, so a query for a part of a long word finds it."""
    return list(filter(None, map(_INDEXED.__getitem__, _jieba().cut_for_search(value[:MAX_TEXT], HMM))))


def terms(value: str) -> str:
    """A text's words as the index keeps them (`COLUMNS`' terms): each once, joined by spaces."""
    return " ".join(dict.fromkeys(index_words(value)))


def query_words(query: str) -> list[str]:
    """The words of a query, each once, in order."""
    words = (w.strip().lower() for w in _jieba().cut(query[:MAX_QUERY], HMM))
    return list(dict.fromkeys(w for w in words if _is_word(w)))


# --- the index's table --------------------------------------------------------------------------


# FTS5's ascii tokenizer with every ASCII punctuation mark a token character: only spaces (and
# control characters) part words, so a word is indexed and matched whole, as PostgreSQL's
# string_to_array does; detail=none: which texts hold a word, not where (no phrase is searched)
_SEPARATOR = re.compile(r"[\x00-\x20\x7f]+")  # what parts words for the tokenizer
_TOKENIZER = "ascii tokenchars " + "'" + string.punctuation.replace("'", "''") + "'"
_FTS5_OPTIONS = "detail=none, tokenize=" + "'" + _TOKENIZER.replace("'", "''") + "'"


def create(connection: Connection, table: str = TABLE) -> None:
    """The index's table (the migrations create it): same columns on both databases."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(
                f"CREATE VIRTUAL TABLE {table} USING fts5(kind UNINDEXED, ref_id UNINDEXED, terms,"
                f" {_FTS5_OPTIONS})"
            )
        )
        return
    # array_to_tsvector takes the words as they are: PostgreSQL's own parser may drop CJK characters
    connection.execute(
        text(
            f"CREATE TABLE {TABLE} (id SERIAL PRIMARY KEY, kind VARCHAR(10) NOT NULL,"
            " ref_id INTEGER NOT NULL, terms TEXT NOT NULL, tsv TSVECTOR GENERATED ALWAYS AS"
            " (array_to_tsvector(string_to_array(terms, ' '))) STORED)"
        )
    )
    connection.execute(text(f"CREATE INDEX ix_{TABLE}_tsv ON {TABLE} USING GIN (tsv)"))
    connection.execute(text(f"CREATE INDEX ix_{TABLE}_ref ON {TABLE} (kind, ref_id)"))


def drop(connection: Connection) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


def _put(connection: Connection, kind: str, ref_id: int, words: str) -> None:
    connection.execute(
        text(f"DELETE FROM {TABLE} WHERE kind = :kind AND ref_id = :id"), {"kind": kind, "id": ref_id}
    )
    if words:
        connection.execute(
            text(f"INSERT INTO {TABLE} (kind, ref_id, terms) VALUES (:kind, :id, :terms)"),
            {"kind": kind, "id": ref_id, "terms": words},
        )


def _forget(connection: Connection, kind: str, ref_id: int) -> None:
    _put(connection, kind, ref_id, "")


def index_body(connection: Connection, body_id: int) -> None:
    """A body by its name and aliases (read back from the database: an alias may have gone)."""
    names = connection.execute(
        text(
            "SELECT name FROM bodies WHERE id = :id"
            " UNION ALL SELECT alias FROM body_aliases WHERE body_id = :id"
        ),
        {"id": body_id},
    ).scalars()
    _put(connection, "body", body_id, terms("\n".join(names)))


def report_text(title: str | None, narrative: str | None) -> str:
    """What a report is found by: its title and narrative."""
    return f"{title or ''}\n{narrative or ''}"


def index_report(connection: Connection, report_id: int, title: str | None, narrative: str | None) -> None:
    _put(connection, "report", report_id, terms(report_text(title, narrative)))


COLUMNS = ("kind", "ref_id", "terms")  # the index's columns a row is written with


def index_rows(kind: str, texts: Iterable[tuple[int, str]]) -> list[tuple[str, int, str]]:
    """Rows of COLUMNS for rows never indexed before (bulk loading's new bodies and reports)."""
    return [(kind, ref_id, words) for ref_id, value in texts if (words := terms(value))]


def rebuild(connection: Connection) -> int:
    """Index every body and report again (the migration's backfill, `xxgk reindex`); returns how
    many were indexed."""
    connection.execute(text(f"DELETE FROM {TABLE}"))
    bodies = list(connection.execute(text("SELECT id FROM bodies ORDER BY id")).scalars())
    for body_id in bodies:
        index_body(connection, body_id)
    reports = connection.execute(
        text("SELECT id, title, narrative FROM reports WHERE kind = :kind ORDER BY id"), {"kind": SEARCHED}
    ).all()
    for report_id, title, narrative in reports:
        index_report(connection, report_id, title, narrative)
    return len(bodies) + len(reports)


def watch(sessions: sessionmaker[Session]) -> None:
    """Index what the store's sessions write, as they flush it."""
    event.listen(sessions, "after_flush", _after_flush)


def _changed(row: object, *names: str) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context: object) -> None:
    connection = session.connection()
    bodies: set[int] = set()
    for row in (*session.new, *session.dirty):
        if isinstance(row, Body) and (row in session.new or _changed(row, "name")):
            bodies.add(row.id)
        elif isinstance(row, BodyAlias):
            bodies.add(row.body_id)
        elif (
            isinstance(row, StoredReport)
            and row.kind == SEARCHED
            and (row in session.new or _changed(row, "title", "narrative"))
        ):
            index_report(connection, row.id, row.title, row.narrative)
    for row in session.deleted:
        if isinstance(row, Body):
            _forget(connection, "body", row.id)
        elif isinstance(row, BodyAlias):
            bodies.add(row.body_id)
        elif isinstance(row, StoredReport):
            _forget(connection, "report", row.id)
    for body_id in sorted(bodies):
        index_body(connection, body_id)


# --- searching ----------------------------------------------------------------------------------

Snippet = list[tuple[str, bool]]  # the text in pieces, each a hit (highlighted) or not


@dataclass
class BodyHit:
    id: int
    name: Snippet
    aliases: list[Snippet]
    level: str | None
    region: str | None


@dataclass
class ReportHit:
    id: int
    body_id: int
    body: str
    year: int
    title: Snippet
    snippet: Snippet


@dataclass
class Results:
    query: str
    words: list[str]
    bodies: list[BodyHit] = field(default_factory=list)
    reports: list[ReportHit] = field(default_factory=list)
    reports_total: int = 0


def fts5_query(words: list[str]) -> str:
    """An FTS5 query for texts holding every word, each quoted (no word is read as syntax); a part
    of a word the tokenizer parts (at a control character) is a word of its own, as it was
    indexed, so that no quoted string is a phrase, which detail=none refuses."""
    parts = (part for word in words for part in _SEPARATOR.split(word) if part)
    return " ".join('"' + part.replace('"', '""') + '"' for part in parts)


def _matching(connection: Connection, kind: str, words: list[str], limit: int) -> tuple[list[int], int]:
    """The ids of one kind that hold every word, best first, and how many there are. Only the
    current version of a report filed under a body is found."""
    params: dict[str, object] = {"kind": kind, "limit": limit, "searched": SEARCHED}
    current = "(s.kind = 'body' OR (r.current AND r.body_id IS NOT NULL AND r.kind = :searched))"
    join = "LEFT JOIN reports r ON s.kind = 'report' AND r.id = s.ref_id"
    if connection.dialect.name == "sqlite":
        params["q"] = fts5_query(words)
        where = f"{TABLE} MATCH :q AND s.kind = :kind AND {current}"
        order = f"bm25({TABLE}), s.ref_id"
        ranked = f"SELECT s.ref_id FROM {TABLE} s {join} WHERE {where} ORDER BY {order} LIMIT :limit"
        counted = f"SELECT count(*) FROM {TABLE} s {join} WHERE {where}"
    else:
        # a tsquery of the words as lexemes, quoted: no word is read as an operator
        params["q"] = " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)
        where = f"s.tsv @@ CAST(:q AS tsquery) AND s.kind = :kind AND {current}"
        ranked = (
            f"SELECT s.ref_id FROM {TABLE} s {join} WHERE {where}"
            " ORDER BY ts_rank(s.tsv, CAST(:q AS tsquery)) DESC, s.ref_id LIMIT :limit"
        )
        counted = f"SELECT count(*) FROM {TABLE} s {join} WHERE {where}"
    ids = [int(i) for i in connection.execute(text(ranked), params).scalars()]
    return ids, int(connection.execute(text(counted), params).scalar_one())


def search(session: Session, query: str, *, limit: int = 50) -> Results:
    """Bodies and current reports holding every word of the query, best first."""
    query = " ".join(query.split())[:MAX_QUERY]
    words = query_words(query) if query else []
    results = Results(query, words)
    if not words:
        return results
    connection = session.connection()
    body_ids, _ = _matching(connection, "body", words, limit)
    found = session.query(Body).options(selectinload(Body.aliases)).where(Body.id.in_(body_ids))
    bodies = {b.id: b for b in found}
    for body_id in body_ids:
        body = bodies[body_id]
        aliases = [highlight(a.alias, words) for a in body.aliases]
        results.bodies.append(BodyHit(body.id, highlight(body.name, words), aliases, body.level, body.region))
    report_ids, results.reports_total = _matching(connection, "report", words, limit)
    columns = (StoredReport.id, StoredReport.body_id, StoredReport.year, StoredReport.title)
    rows = session.execute(
        select(*columns, StoredReport.narrative, Body.name)
        .join(Body, Body.id == StoredReport.body_id)
        .where(StoredReport.id.in_(report_ids))
    )
    reports = {row.id: row for row in rows}
    for report_id in report_ids:
        row = reports[report_id]
        title = highlight(row.title or f"{row.year}年度报告", words)
        results.reports.append(
            ReportHit(row.id, row.body_id, row.name, row.year, title, snippet(row.narrative or "", words))
        )
    return results


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    return _compiled(tuple(sorted(set(words), key=lambda w: (-len(w), w))))


@lru_cache(maxsize=64)
def _compiled(ordered: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the words, the longest first (so 年度报告 is marked whole, not as 年度 + 报告)."""
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def highlight(value: str, words: list[str]) -> Snippet:
    """The text in pieces, the words found marked."""
    return list(_pieces(value, _pattern(words)))


def _pieces(value: str, pattern: re.Pattern[str]) -> Iterator[tuple[str, bool]]:
    at = 0
    for hit in pattern.finditer(value):
        if hit.start() > at:
            yield value[at : hit.start()], False
        yield hit.group(), True
        at = hit.end()
    if at < len(value):
        yield value[at:], False


def snippet(value: str, words: list[str]) -> Snippet:
    """Around the first word found in a report's text: one line, the words marked."""
    pattern = _pattern(words)
    # where the query's words stand together, else where its longest word is (依申请公开, not 依法)
    wanted = ["".join(words), *sorted(words, key=len, reverse=True)]
    first = next((hit for w in wanted if (hit := re.search(re.escape(w), value, re.IGNORECASE))), None)
    if first is None:
        return []
    start, end = max(0, first.start() - SNIPPET), min(len(value), first.end() + SNIPPET)
    window = " ".join(value[start:end].split())
    pieces = list(_pieces(window, pattern))
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(value):
        pieces.append(("…", False))
    return pieces


def plain(pieces: Snippet) -> str:
    return "".join(piece for piece, _ in pieces)


def marked(pieces: Snippet) -> dict[str, object]:
    """A snippet for JSON: its text, and where each highlighted word starts and ends in it."""
    spans, at = [], 0
    for piece, hit in pieces:
        if hit:
            spans.append([at, at + len(piece)])
        at += len(piece)
    return {"text": plain(pieces), "highlights": spans}


def to_json(results: Results) -> dict[str, object]:
    """The results as the API and `xxgk search --json` give them."""
    return {
        "query": results.query,
        "words": results.words,
        "bodies": [
            {
                "id": b.id,
                "name": plain(b.name),
                "aliases": [plain(a) for a in b.aliases],
                "level": b.level,
                "region": b.region,
            }
            for b in results.bodies
        ],
        "reports_total": results.reports_total,
        "reports": [
            {
                "id": r.id,
                "body_id": r.body_id,
                "body": r.body,
                "year": r.year,
                "title": marked(r.title),
                "snippet": marked(r.snippet),
            }
            for r in results.reports
        ],
    }
