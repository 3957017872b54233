"""Search over bodies, report titles and narrative text (issue 15, point 6), on SQLite and
PostgreSQL: indexed as reports are ingested, only current versions found, the index filled by the
migration for a store made before it, the CLI and the web pages.

The expected hits are worked out from the corpus files with grep (each case says how).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import xxgk
from tests.conftest import CORPUS, migrated_to
from tests.registers import AGENCY, HAND
from xxgk.compile import compile_report
from xxgk.serve import create_app
from xxgk.store import Store, search
from xxgk.store.attribution import Attribution

PT2022 = CORPUS / "pt004.txt"  # 平潭综合实验区, 2022 (its 标题 line)


def ingest_text(store: Store, body: str, name: str = "x.txt") -> int:
    report = xxgk.parse_text(body, name)
    store.ingest(report, hashlib.sha256(body.encode()).hexdigest())
    with store.session() as session:
        return session.execute(text("SELECT max(id) FROM reports")).scalar_one()


@pytest.fixture
def corpus_store(db_url: str) -> Store:
    store = Store(db_url)
    store.ingest_paths(sorted(CORPUS.glob("*.txt")), jobs=1)
    return store


def test_words_are_cut_by_jieba_in_search_mode() -> None:
    # search mode keeps the long word and the words inside it, so a part of a name finds it
    assert {"滨湖", "滨湖区", "无锡市", "街道"} <= set(search.index_words("无锡市滨湖区河埒街道办事处"))
    assert search.query_words("依申请公开，依申请") == ["依", "申请", "公开"]  # once each, no punctuation


def test_the_words_remembered_are_bounded_and_the_words_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2024 ABC，滨湖区：the words and numbers, lower-cased, without the punctuation and spaces
    # (jieba's own tokens: "，" and " " are cut as words and dropped as none)
    expected = ["2024", "abc", "滨湖", "湖区", "滨湖区"]
    assert search.index_words("2024 ABC，滨湖区") == expected
    remembered = search._Indexed()
    monkeypatch.setattr(search._Indexed, "REMEMBERED", 3)
    monkeypatch.setattr(search, "_INDEXED", remembered)
    assert search.index_words("2024 ABC，滨湖区") == expected
    assert 0 < len(remembered) <= 3  # forgotten, then remembered again, never past 3


def test_a_body_is_found_by_part_of_its_name(corpus_store: Store) -> None:
    # grep -l 滨湖 tests/corpus/*.txt: only 001, the report of 无锡市滨湖区河埒街道办事处
    found = corpus_store.search("滨湖")
    assert [search.plain(b.name) for b in found.bodies] == ["无锡市滨湖区河埒街道办事处"]
    assert found.bodies[0].name == [("无锡市", False), ("滨湖", True), ("区河埒街道办事处", False)]


def test_a_report_is_found_by_its_text_with_the_words_marked(corpus_store: Store) -> None:
    # grep -l 平潭时报 tests/corpus/*.txt: only pt001, 平潭综合实验区's report for 2019
    found = corpus_store.search("平潭时报")
    assert [(r.body, r.year) for r in found.reports] == [("平潭综合实验区", 2019)]
    assert found.reports_total == 1
    marked = [piece for piece, hit in found.reports[0].snippet if hit]
    assert "平潭" in marked and "时报" in marked
    assert "平潭时报" in search.plain(found.reports[0].snippet)
    # a word found nowhere: nothing, however the rest matches (every word must be in a hit)
    assert corpus_store.search("平潭时报 龘龘").reports == []


def test_a_hostile_query_is_words_not_syntax(corpus_store: Store) -> None:
    hostile = ['"', "平潭 OR 滨湖", "NEAR(平潭", "平潭*", "'); DROP TABLE reports; --", "\\", "a & b | !c"]
    for query in hostile:
        corpus_store.search(query)  # neither FTS5 nor tsquery syntax: no error
    assert corpus_store.search("平潭 OR 滨湖").bodies == []  # OR is a word here, in neither body's name
    assert corpus_store.search("   ").words == []


def test_only_the_current_version_is_found(db_url: str) -> None:
    store = Store(db_url)
    first = PT2022.read_text(encoding="utf-8")
    ingest_text(store, first, "pt-2022.txt")
    # grep -o 担当 tests/corpus/pt004.txt: once, in 强化责任担当; the new version says 强化龙舟竞渡 instead
    assert [r.year for r in store.search("责任担当").reports] == [2022]
    newer = ingest_text(store, first.replace("强化责任担当", "强化龙舟竞渡"), "pt-2022-v2.txt")
    assert [r.id for r in store.search("龙舟").reports] == [newer]
    assert store.search("责任担当").reports == []


def test_a_hostile_run_of_letters_is_not_a_word(db_url: str) -> None:
    """jieba keeps a run of Latin letters whole; PostgreSQL refuses a lexeme over 2,046 bytes."""
    store = Store(db_url)
    text_ = PT2022.read_text(encoding="utf-8").replace("强化责任担当", "强化" + "a" * 5000 + "担当")
    ingest_text(store, text_)
    assert [r.year for r in store.search("担当").reports] == [2022]
    assert store.search("a" * 5000).words == []


def test_an_alias_imported_later_is_found(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    ingest_text(store, PT2022.read_text(encoding="utf-8"))
    assert store.search("岚岛").bodies == []
    (tmp_path / "bodies.csv").write_text("name,aliases\n平潭综合实验区,岚岛管委会\n", encoding="utf-8")
    store.import_bodies(tmp_path / "bodies.csv")
    hits = store.search("岚岛")
    assert [search.plain(b.name) for b in hits.bodies] == ["平潭综合实验区"]
    assert [search.plain(a) for a in hits.bodies[0].aliases] == ["岚岛管委会"]


def test_the_migration_indexes_what_was_stored_before_it(db_url: str) -> None:
    """A store made before the search index (schema 0003) is indexed when it is next opened."""
    engine = migrated_to(db_url, "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bodies (name, key) VALUES ('沭阳县发展和改革局', 'x')"))
    engine.dispose()
    store = Store(db_url)
    assert [search.plain(b.name) for b in store.search("沭阳").bodies] == ["沭阳县发展和改革局"]
    # and `reindex` builds the same again from scratch (1 body, no report)
    assert store.reindex() == 1
    assert len(store.search("发展").bodies) == 1


def test_the_search_command(corpus_store: Store) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "xxgk", *args, "--db", corpus_store.url],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )

    done = run("search", "平潭时报", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [(r["body"], r["year"]) for r in answer["reports"]] == [("平潭综合实验区", 2019)]
    snippet = answer["reports"][0]["snippet"]
    assert {snippet["text"][a:b] for a, b in snippet["highlights"]} == {"平潭", "时报"}
    done = run("search", "滨湖")
    assert done.returncode == 0 and "无锡市滨湖区河埒街道办事处" in done.stdout
    with corpus_store.session() as session:  # the index lost: `xxgk reindex` makes it again
        session.execute(text(f"DELETE FROM {search.TABLE}"))
    assert corpus_store.search("滨湖").bodies == []
    done = run("reindex")
    assert done.returncode == 0, done.stderr
    assert len(corpus_store.search("滨湖").bodies) == 1


def test_the_search_page_and_api(corpus_store: Store) -> None:
    client = TestClient(create_app(corpus_store.url), raise_server_exceptions=False)
    home = client.get("/bodies").text
    assert 'action="/search"' in home  # the box in the nav, on every page
    page = client.get("/search", params={"q": "平潭时报"})
    assert page.status_code == 200
    assert "<mark>平潭</mark>" in page.text and "/reports/" in page.text
    assert "没有找到" in client.get("/search", params={"q": "龘龘"}).text
    assert "<script>" not in client.get("/search", params={"q": "<script>平潭"}).text
    answer = client.get("/api/search", params={"q": "滨湖"}).json()
    assert [b["name"] for b in answer["bodies"]] == ["无锡市滨湖区河埒街道办事处"]
    assert client.get("/api/search", params={"q": "平潭", "limit": 0}).status_code == 422


# --- the index follows every way a report is filed, moved, chosen or added to ---------------------

UNSIGNED = CORPUS / "004_a002ef4d6b85274a.txt"  # a 2019 report that prints no agency


def _found(store: Store, query: str) -> list[tuple[str, int]]:
    return [(r.body, r.year) for r in store.search(query).reports]


def test_a_queued_report_is_found_once_attributed_and_under_its_new_body(db_url: str) -> None:
    """grep -l 泄密 tests/corpus/*.txt: only 004_a002…, which prints no agency (待认定)."""
    store = Store(db_url)
    assert store.ingest_paths([UNSIGNED], jobs=1).queued == 1
    assert _found(store, "泄密") == []  # 待认定: counted nowhere, found nowhere
    with store.session() as session:
        queued_id = session.execute(text("SELECT id FROM reports")).scalar_one()
    # a file given a body when it comes again (--body, a manifest row): Store.attribute_file
    store.ingest_paths([UNSIGNED], jobs=1, attribution=Attribution(body="某县审计局"))
    assert _found(store, "泄密") == [("某县审计局", 2019)]
    assert [search.plain(b.name) for b in store.search("审计局").bodies] == ["某县审计局"]
    # filed again under another body (`xxgk attribute`, the web form: Store.attribute)
    assert store.attribute(queued_id, "某县财政局") == "new"
    assert _found(store, "泄密") == [("某县财政局", 2019)]
    assert store.search("泄密").reports_total == 1


def test_a_report_from_another_file_is_one_hit(db_url: str) -> None:
    """The same report with CRLF line ends is another source of it, not another report."""
    store = Store(db_url)
    body = PT2022.read_text(encoding="utf-8")
    ingest_text(store, body, "pt.txt")
    crlf = body.replace("\n", "\r\n")
    sha = hashlib.sha256(crlf.encode()).hexdigest()
    assert store.ingest(xxgk.parse_text(crlf, "pt-crlf.txt"), sha) == "source"
    assert _found(store, "责任担当") == [("平潭综合实验区", 2022)]


def test_a_reviewers_choice_of_version_is_what_is_found(db_url: str) -> None:
    store = Store(db_url)
    first = PT2022.read_text(encoding="utf-8")
    older = ingest_text(store, first, "pt-2022.txt")
    ingest_text(store, first.replace("强化责任担当", "强化龙舟竞渡"), "pt-2022-v2.txt")
    assert _found(store, "龙舟") == [("平潭综合实验区", 2022)] and _found(store, "责任担当") == []
    store.choose_version(older, "审核员甲", "以网站现行文本为准")
    assert [r.id for r in store.search("责任担当").reports] == [older]
    assert _found(store, "龙舟") == []


def test_a_compiled_report_is_not_found(db_url: str) -> None:
    """A report compiled from a register is the body's draft: its placeholders (【待填写：…】) are
    found in the published report made of the same text, never in the compiled one."""
    store = Store(db_url)
    compiled = compile_report(HAND, 2023).report
    assert store.ingest(compiled, "c" * 64, kind="compiled") == "new"
    assert _found(store, "待填写") == []
    assert [search.plain(b.name) for b in store.search("交通运输局").bodies] == [AGENCY]
    published = compile_report(HAND, 2023).report
    assert store.ingest(published, "p" * 64) == "new"
    assert _found(store, "待填写") == [(AGENCY, 2023)]
    assert store.reindex() == 2  # 1 body + 1 published report; the compiled one is not indexed
    assert _found(store, "待填写") == [(AGENCY, 2023)]


def test_the_index_keeps_each_word_of_a_text_once() -> None:
    # jieba cuts 信息公开 信息 into 信息, 公开 and 信息 again (信息公开 is no word of its
    # dictionary): the index keeps whether a text holds a word, as a tsvector of them does
    assert search.index_words("信息公开 信息") == ["信息", "公开", "信息"]
    assert search.terms("信息公开 信息") == "信息 公开"
    # ABC and abc index as one word, first met where ABC was; 2024 twice, once
    text_ = "ABC 信息 abc 2024，Abc 公开 2024"
    assert search.index_words(text_) == ["abc", "信息", "abc", "2024", "abc", "公开", "2024"]
    assert search.terms(text_) == "abc 信息 2024 公开"
    assert search.index_rows("report", [(1, "信息公开 信息"), (2, "，")]) == [("report", 1, "信息 公开")]


def test_a_word_is_matched_whole_on_both_databases(db_url: str) -> None:
    """jieba keeps c++ a word (c++语言 → c++, 语言): it finds the report, the c inside it does
    not, on SQLite as on PostgreSQL (FTS5 had cut c++ again at its own separators into c)."""
    store = Store(db_url)
    text_ = PT2022.read_text(encoding="utf-8").replace("强化责任担当", "强化c++语言")
    ingest_text(store, text_)
    assert _found(store, "c++") == [("平潭综合实验区", 2022)]
    assert _found(store, "c") == []


def test_a_word_with_a_control_character_is_no_phrase(tmp_path: Path) -> None:
    """FTS5's tokenizer parts words at control characters, and with detail=none refuses a quoted
    string of two words (a phrase): the parts are searched as words of their own (SQLite's)."""
    assert search.fts5_query(["平潭\x01时报", 'x"y']) == '"平潭" "时报" "x""y"'
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    ingest_text(store, PT2022.read_text(encoding="utf-8"))
    with store.session() as session:
        ids, total = search._matching(session.connection(), "report", ["平潭\x01综合"], 10)
    assert total == 1 and len(ids) == 1


def test_the_migration_keeps_each_word_once_and_finds_the_same(db_url: str) -> None:
    """A store made before 0014 (its FTS5 table with every occurrence and its position): after
    the upgrade, each text's words once, in the order first met, the same bodies found."""
    name = "沭阳县发展和改革局"
    words = search.index_words(name)
    assert "沭阳" in words and len(set(words)) == len(words)
    engine = migrated_to(db_url, "0013")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bodies (id, name, key) VALUES (1, :name, 'x')"), {"name": name})
        connection.execute(  # as a text that says its name twice is indexed
            text("INSERT INTO search_index (kind, ref_id, terms) VALUES ('body', 1, :terms)"),
            {"terms": " ".join(words + words)},
        )
    engine.dispose()
    store = Store(db_url)
    with store.session() as session:
        kept = session.execute(text("SELECT terms FROM search_index WHERE ref_id = 1")).scalar_one()
        if session.bind.dialect.name == "sqlite":
            made = session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'search_index'")).scalar()
            assert "detail=none" in made
            assert kept == " ".join(words)
        else:  # PostgreSQL's terms stay as written: its tsvector held each word once already
            assert kept == " ".join(words + words)
    assert [search.plain(b.name) for b in store.search("沭阳").bodies] == [name]
