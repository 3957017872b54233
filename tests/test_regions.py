"""Regions that roll up: region strings as a tree, a body's region continued from its parents, and
every filter by region or body taking everything under it (store, CLI, API, pages; SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import xxgk
from tests.test_inputs import run
from tests.test_store_reports import ingest, synthetic
from xxgk.store import Store
from xxgk.store.findings import list_findings
from xxgk.store.models import Body
from xxgk.store.regions import Hierarchy, parse
from xxgk.store.stats import stats

# --- splitting region strings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "parts"),
    [
        ("江苏省宿迁市沭阳县", [("江苏省", "省"), ("宿迁市", "市"), ("沭阳县", "县")]),
        ("江苏省/宿迁市/沭阳县", [("江苏省", "省"), ("宿迁市", "市"), ("沭阳县", "县")]),
        ("江苏省 宿迁市 沭阳县", [("江苏省", "省"), ("宿迁市", "市"), ("沭阳县", "县")]),
        ("江苏/宿迁/沭阳县", [("江苏", "省"), ("宿迁", "市"), ("沭阳县", "县")]),  # no suffix: next level
        # 市中区 starts with 市: the first part is 济南市, not 济南市市
        ("山东省济南市市中区", [("山东省", "省"), ("济南市", "市"), ("市中区", "县")]),
        # 宁乡 ends in 乡, but then 市 alone is no name: the county-level city is 宁乡市
        ("湖南省长沙市宁乡市", [("湖南省", "省"), ("长沙市", "市"), ("宁乡市", "县")]),
        (
            "内蒙古自治区锡林郭勒盟正镶白旗",
            [("内蒙古自治区", "省"), ("锡林郭勒盟", "市"), ("正镶白旗", "县")],
        ),
        (
            "新疆维吾尔自治区伊犁哈萨克自治州伊宁市",
            [("新疆维吾尔自治区", "省"), ("伊犁哈萨克自治州", "市"), ("伊宁市", "县")],
        ),
        (
            "江苏省无锡市滨湖区河埒街道",
            [("江苏省", "省"), ("无锡市", "市"), ("滨湖区", "县"), ("河埒街道", "乡")],
        ),
        ("镇江市", [("镇江市", "市")]),  # 镇 first: a one-character part is no name
        ("北京市朝阳区", [("北京市", "市"), ("朝阳区", "县")]),
        ("福建", [("福建", "省")]),
        ("甲县", [("甲县", "县")]),
        ("", []),
    ],
)
def test_region_strings_split_into_levels(region, parts):
    from xxgk.store.regions import LEVELS

    assert [(p.name, LEVELS[p.level]) for p in parse(region)] == parts


def test_a_hostile_region_string_is_split_quickly_or_kept_whole():
    assert len(parse("区" * 40)) <= 4
    assert [p.name for p in parse('<img id="x" src="y">')] == ['<img id="x" src="y">']  # no suffix: whole
    assert [p.name for p in parse("乡" * 300)] == ["乡" * 300]  # too long a piece to split: one part


def test_a_body_region_continues_its_parents_and_a_loop_ends():
    # 1 江苏省; 2 宿迁市 under 1 with region 宿迁市 (below 江苏省: continued); 3 under 2 with no
    # region (its parent's); 4 福建省 under 2 (a province: its own); 5 and 6 each other's parent
    hierarchy = Hierarchy(
        [(1, "江苏省", None), (2, "宿迁市", 1), (3, None, 2), (4, "福建省", 2), (5, None, 6), (6, None, 5)]
    )
    names = {b: "".join(p.name for p in hierarchy.path(b)) for b in range(1, 7)}
    assert names == {1: "江苏省", 2: "江苏省宿迁市", 3: "江苏省宿迁市", 4: "福建省", 5: "", 6: ""}
    assert hierarchy.in_region("江苏") == {1, 2, 3}  # 江苏 is 江苏省 without its suffix
    assert hierarchy.in_region("宿迁市") == {2, 3}
    assert hierarchy.under(2) == {2, 3, 4} and hierarchy.under(5) == {5, 6}


# --- the store ---------------------------------------------------------------------------------

BODIES = """名称,层级,地区,上级,别名
江苏省人民政府,省,江苏省,,
宿迁市人民政府,市,江苏省宿迁市,,
沭阳县人民政府,县,沭阳县,宿迁市人民政府,沭阳县政府
沭阳县教育局,部门,,沭阳县人民政府,
泗阳县人民政府,县,江苏省/宿迁市/泗阳县,,
南京市人民政府,市,江苏省南京市,,
福州市人民政府,市,福建省福州市,,
"""
# 2023 reports: received, granted (+ partly), processed; 宿迁市 and 南京市 did not report
REPORTS = {
    "江苏省人民政府": {"received": 100, "granted": 50, "processed": 100},
    "沭阳县人民政府": {"received": 10, "granted": 4, "partly": 1, "processed": 10},
    "沭阳县教育局": {"received": 6, "granted": 3, "processed": 6},
    "泗阳县人民政府": {"received": 20, "granted": 10, "processed": 20},
    "福州市人民政府": {"received": 7, "granted": 7, "processed": 7},
}


@pytest.fixture
def regions(db_url: str, tmp_path) -> Store:
    store = Store(db_url)
    listing = tmp_path / "bodies.csv"
    listing.write_text(BODIES, encoding="utf-8")
    assert store.import_bodies(listing) == 7
    for name, figures in REPORTS.items():
        ingest(store, synthetic(name, 2023, figures, errors=int(name == "沭阳县教育局")))
    return store


def rows(found) -> list[tuple]:
    return [
        (
            r.group,
            r.own,
            r.reports,
            r.bodies,
            r.received,
            r.disclosure.numerator,
            r.disclosure.denominator,
            r.missing,
        )
        for r in found
    ]


def test_a_province_takes_in_every_body_under_it(regions):
    # 江苏省: 省, 宿迁市, 沭阳县 (its region continues 宿迁市's), 教育局 (沭阳县's), 泗阳县, 南京市 =
    # 6 listed bodies, 4 reports: received 100 + 10 + 6 + 20 = 136; granted 50 + (4 + 1) + 3 + 10 = 68
    # of 136; missing 6 − 4 = 2
    assert rows(stats(regions, region="江苏省")) == [(2023, False, 4, 4, 136, 68, 136, 2)]
    assert rows(stats(regions, region="江苏")) == rows(stats(regions, region="江苏省"))
    # 宿迁市: 宿迁市, 沭阳县, 教育局, 泗阳县; 3 reports: 10 + 6 + 20 = 36, granted 5 + 3 + 10 = 18
    assert rows(stats(regions, region="宿迁市")) == [(2023, False, 3, 3, 36, 18, 36, 1)]
    assert stats(regions, region="西藏自治区") == []


def test_a_body_takes_in_the_bodies_under_it(regions):
    # 宿迁市人民政府 → 沭阳县人民政府 → 沭阳县教育局 (泗阳县 has no parent): 2 reports of 3 bodies
    assert rows(stats(regions, body="宿迁市人民政府")) == [(2023, False, 2, 2, 16, 8, 16, 1)]
    assert rows(stats(regions, body="沭阳县政府")) == [(2023, False, 2, 2, 16, 8, 16, 0)]  # by alias
    with pytest.raises(xxgk.InputError, match="no such body"):
        stats(regions, body="不存在的单位")


def test_stats_by_region_at_each_depth(regions):
    assert rows(stats(regions, by="region")) == [
        ("江苏省", False, 4, 4, 136, 68, 136, 2),
        ("福建省", False, 1, 1, 7, 7, 7, 0),
    ]
    assert rows(stats(regions, by="region", depth="市")) == [
        ("江苏省", True, 1, 1, 100, 50, 100, 0),  # 江苏省人民政府 itself (本级)
        ("江苏省南京市", False, 0, 0, None, 0, 0, 1),
        ("江苏省宿迁市", False, 3, 3, 36, 18, 36, 1),
        ("福建省福州市", False, 1, 1, 7, 7, 7, 0),
    ]
    by_county = stats(regions, by="region", depth="县")
    assert rows(by_county) == [
        ("江苏省", True, 1, 1, 100, 50, 100, 0),
        ("江苏省南京市", True, 0, 0, None, 0, 0, 1),
        ("江苏省宿迁市", True, 0, 0, None, 0, 0, 1),  # 宿迁市人民政府 itself
        ("江苏省宿迁市沭阳县", False, 2, 2, 16, 8, 16, 0),
        ("江苏省宿迁市泗阳县", False, 1, 1, 20, 10, 20, 0),
        ("福建省福州市", True, 1, 1, 7, 7, 7, 0),
    ]
    assert by_county[3].to_dict()["path"] == ["江苏省", "宿迁市", "沭阳县"]
    # within a region, grouped below it
    assert [r.group for r in stats(regions, region="宿迁市", by="region", depth="县")] == [
        "江苏省宿迁市",
        "江苏省宿迁市沭阳县",
        "江苏省宿迁市泗阳县",
    ]
    with pytest.raises(xxgk.InputError, match="depth '乡' is not one of 省, 市, 县"):
        stats(regions, by="region", depth="乡")


def test_findings_of_a_region_or_a_body_include_those_under_it(regions):
    def bodies(**where) -> list[str]:
        return [f.body for f in list_findings(regions, **where)]

    assert bodies(region="江苏省") == bodies(region="宿迁市") == ["沭阳县教育局"]  # the one seeded error
    assert bodies(body="宿迁市人民政府") == bodies(body="沭阳县教育局") == ["沭阳县教育局"]
    assert bodies(body="泗阳县人民政府") == [] and bodies(region="福建省") == []


def test_the_cli_rolls_regions_up(regions):
    url = regions.url
    shown = run("stats", "--region", "江苏省", "--db", url)
    assert shown.returncode == 0 and "所选范围内没有报告" not in shown.stdout and "136" in shown.stdout
    grouped = json.loads(run("stats", "--by", "region", "--depth", "市", "--json", "--db", url).stdout)
    assert [(r["group"], r["own"], r["reports"]) for r in grouped][:3] == [
        ("江苏省", True, 1),
        ("江苏省南京市", False, 0),
        ("江苏省宿迁市", False, 3),
    ]
    table = run("stats", "--by", "region", "--depth", "县", "--db", url).stdout
    assert "江苏省宿迁市（本级）" in table and "江苏省宿迁市沭阳县" in table
    bad = run("stats", "--by", "region", "--depth", "乡", "--db", url)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == "xxgk: error: depth '乡' is not one of 省, 市, 县"
    found = json.loads(run("findings", "--region", "宿迁市", "--json", "--db", url).stdout)
    assert [f["body"] for f in found] == ["沭阳县教育局"]
    listed = json.loads(run("bodies", "list", "--json", "--db", url).stdout)
    county = next(b for b in listed if b["name"] == "沭阳县人民政府")
    assert (county["level"], county["parent"], county["aliases"]) == ("县", "宿迁市人民政府", ["沭阳县政府"])


def test_the_api_and_pages_roll_regions_up(regions):
    from xxgk.serve import create_app

    client = TestClient(create_app(regions.url, workers=1))
    data = client.get("/api/stats", params={"by": "region", "depth": "县", "region": "宿迁市"}).json()
    assert data["depth"] == "县"
    assert [(r["group"], r["own"], r["reports"]) for r in data["rows"]] == [
        ("江苏省宿迁市", True, 0),
        ("江苏省宿迁市沭阳县", False, 2),
        ("江苏省宿迁市泗阳县", False, 1),
    ]
    assert "'省', '市' or '县'" in client.get("/api/stats", params={"depth": "乡"}).json()["error"]
    coverage = client.get("/api/coverage", params={"region": "宿迁市"}).json()
    assert [b["name"] for b in coverage["bodies"]] == [
        "宿迁市人民政府",
        "沭阳县人民政府",
        "沭阳县教育局",
        "泗阳县人民政府",
    ]
    assert client.get("/api/findings", params={"region": "江苏"}).json()["total"] == 1
    assert client.get("/api/findings", params={"body": "宿迁市人民政府"}).json()["total"] == 1

    listed = client.get("/findings", params={"region": "江苏省宿迁市"}).text
    assert (
        "共 1 条" in listed
        and "沭阳县教育局" in listed
        and '<option value="江苏省宿迁市" selected>' in listed
    )
    assert "共 0 条" in client.get("/findings", params={"region": "福建省"}).text

    page = client.get("/bodies").text
    # 江苏省 (6 bodies, 4 with a 2023 report) unfolds into 宿迁市 (4 bodies, 3 reports) and so on
    assert '<details class="region" data-region="江苏省"' in page
    jiangsu = page[page.index('data-region="江苏省"') :]
    assert 'data-year="2023" title="2023年度：6 个单位中 4 个有报告">4/6<' in jiangsu
    suqian = jiangsu[jiangsu.index('data-region="江苏省宿迁市"') :]
    assert ">3/4<" in suqian.split("</summary>")[0]
    assert suqian.index('data-region="江苏省宿迁市沭阳县"') < suqian.index("沭阳县教育局")
    assert '<option value="江苏省宿迁市"' in page  # every level can be chosen
    stats_page = client.get("/stats").text
    assert 'data-region="江苏省|本级"' in stats_page and 'data-region="江苏省宿迁市沭阳县"' in stats_page
    county = stats_page[stats_page.index('data-region="江苏省宿迁市沭阳县"') :].split("</summary>")[0]
    figures = re.findall(r'class="region-figure">([^<]*)<', county)
    # 沭阳县: 2 reports of 2 bodies, 10 + 6 received, (5 + 3) / 16 = 50.0%, no appeals, 1 with errors
    assert figures == ["2", "2", "16", "50.0%", "—", "1", "0"]


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ("name,level\nA局,bogus\n", "row 2: level 'bogus' is not one of"),
        ("name,parent\nA局,A局\n", "row 2: A局 is its own parent"),
        ("name,parent\nA局,B局\nB局,A局\n", "the parents go round in a circle: A局 → B局 → A局"),
        ("name,aliases\nA局,B局\nB局,\n", "row 3: B局 is listed again (row 2, as a name or an alias)"),
        ("name\nA局\nA局\n", "row 3: A局 is listed again (row 2"),
        ('name,level\nA局,"县,,,\n', "line 2: not CSV (unexpected end of data)"),
    ],
)
def test_a_list_of_bodies_that_cannot_mean_one_thing_is_refused_whole(tmp_path, rows, said):
    # each was stored as given (before): a level no template knows, a body above itself, two
    # bodies answering to one name, one body counted twice, a quote left open taken as a name
    listing = tmp_path / "bodies.csv"
    listing.write_text(rows, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = run("bodies", "import", str(listing), "--db", db)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("xxgk: error: ")
    with Store(db).session() as session:
        assert session.scalar(select(func.count()).select_from(Body)) == 0
