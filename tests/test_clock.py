"""The statutory clock: deadlines worked out by hand from the 国务院办公厅 holiday notices.

Every expected date below is counted by hand, day by day, from the notice text (the working is
written beside each case); weekdays were checked from 1 January (2025-01-01 Wed, 2026-01-01 Thu,
2027-01-01 Fri).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from xxgk.clock import (
    Application,
    Calendar,
    Extension,
    Moved,
    Notice,
    Pause,
    estimated_notice,
    parse_notices_csv,
    period_deadline,
    receipt_date,
    recompute,
    reply_deadline,
    schedule,
)
from xxgk.clock.calendar import HOLIDAY, WORKDAY
from xxgk.errors import XxgkError

D = date.fromisoformat
OFFICIAL = Calendar.official()


def days(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# The notices as published (国办发明电〔2024〕12号 for 2025, 国办发明电〔2025〕7号 for 2026):
# (off periods, weekend working days).
NOTICE_TEXT = {
    2025: (
        [
            ("2025-01-01", "2025-01-01"),  # 元旦 1月1日（周三）放假1天，不调休
            ("2025-01-28", "2025-02-04"),  # 春节 1月28日（除夕、周二）至2月4日（初七、周二），共8天
            ("2025-04-04", "2025-04-06"),  # 清明 4月4日（周五）至6日（周日），共3天
            ("2025-05-01", "2025-05-05"),  # 劳动节 5月1日（周四）至5日（周一），共5天
            ("2025-05-31", "2025-06-02"),  # 端午 5月31日（周六）至6月2日（周一），共3天
            ("2025-10-01", "2025-10-08"),  # 国庆、中秋 10月1日（周三）至8日（周三），共8天
        ],
        ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    ),
    2026: (
        [
            ("2026-01-01", "2026-01-03"),  # 元旦 1月1日（周四）至3日（周六），共3天
            ("2026-02-15", "2026-02-23"),  # 春节 2月15日（腊月二十八、周日）至23日（初七、周一），共9天
            ("2026-04-04", "2026-04-06"),  # 清明 4月4日（周六）至6日（周一），共3天
            ("2026-05-01", "2026-05-05"),  # 劳动节 5月1日（周五）至5日（周二），共5天
            ("2026-06-19", "2026-06-21"),  # 端午 6月19日（周五）至21日（周日），共3天
            ("2026-09-25", "2026-09-27"),  # 中秋 9月25日（周五）至27日（周日），共3天
            ("2026-10-01", "2026-10-07"),  # 国庆 10月1日（周四）至7日（周三），共7天
        ],
        ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    ),
}


@pytest.mark.parametrize("year", sorted(NOTICE_TEXT))
def test_the_package_data_is_the_published_notice(year):
    off, working = NOTICE_TEXT[year]
    notice = OFFICIAL.notice(year)
    assert notice.official
    assert {d for d, (kind, _) in notice.days.items() if kind == HOLIDAY} == {
        d for first, last in off for d in days(first, last)
    }
    assert {d for d, (kind, _) in notice.days.items() if kind == WORKDAY} == {D(d) for d in working}
    for d in working:
        assert D(d).weekday() >= 5 and OFFICIAL.day(D(d)).working


# A notice for 2027 made up for the tests (the real one is not in chinese-calendar 1.11): 元旦 1月1日,
# 春节 2月5日至12日 off, 2月20日（周六）上班.
NOTICE_2027_CSV = """date,kind,name
2027-01-01,holiday,元旦
2027-02-05,holiday,春节
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-20,workday,春节
"""
NOTICE_2027 = parse_notices_csv(NOTICE_2027_CSV, "test notice", "test.csv")


def app(received: str, corrected: str | None = None, pauses=(), extension=None) -> Application:
    return Application(
        D(received),
        D(corrected) if corrected else None,
        tuple(Pause(D(a), D(b)) for a, b in pauses),
        (Extension(extension[0], extension[1], D(extension[2])),) if extension else (),
    )


# (case, application, expected reply deadline, expected 补正-notice deadline, provisional,
#  expected trace points (kind, date, until))
CASES = [
    (
        # 2025-01-20 Mon received. 1-21(1) 22(2) 23(3) 24 Fri(4); 1-25 Sat off; 1-26 Sun 调休(5);
        # 1-27(6); 1-28..2-04 春节 off; 2-05(7) 06(8) 07(9); 2-08 Sat 调休(10); 2-09 Sun off;
        # 2-10..14(15); 15-16 off; 2-17..21(20) → 2025-02-21.
        # 补正 notice, 7: 1-21..24(4), 1-26 调休(5), 1-27(6), 春节, 2-05(7) → 2025-02-05.
        "spring festival 2025",
        app("2025-01-20"),
        "2025-02-21",
        "2025-02-05",
        False,
        [
            ("day1", "2025-01-21", None),
            ("off", "2025-01-25", None),
            ("adjusted", "2025-01-26", None),
            ("off", "2025-01-28", "2025-02-04"),
            ("adjusted", "2025-02-08", None),
            ("due", "2025-02-21", None),
        ],
    ),
    (
        # 2026-02-11 Wed. 2-12(1) 2-13(2); 2-14 Sat 调休(3); 2-15..2-23 春节 off; 2-24(4) 25(5)
        # 26(6) 27(7); 2-28 Sat 调休(8); 3-01 Sun off; 3-02..06(13); 3-09..13(18); 3-16(19) 3-17(20).
        # 补正 notice: 2-12(1) 13(2) 14(3) 24(4) 25(5) 26(6) 27(7) → 2026-02-27.
        "spring festival 2026",
        app("2026-02-11"),
        "2026-03-17",
        "2026-02-27",
        False,
        [
            ("day1", "2026-02-12", None),
            ("adjusted", "2026-02-14", None),
            ("off", "2026-02-15", "2026-02-23"),
            ("adjusted", "2026-02-28", None),
            ("off", "2026-03-01", None),
            ("due", "2026-03-17", None),
        ],
    ),
    (
        # 2025-09-25 Thu. 9-26(1); 9-27 Sat off; 9-28 Sun 调休(2); 9-29(3) 9-30(4); 10-01..10-08 off
        # (国庆节, 10-06 中秋); 10-09(5) 10-10(6); 10-11 Sat 调休(7); 10-12 off; 10-13..17(12);
        # 10-20..24(17); 10-27(18) 28(19) 29(20) → 2025-10-29.
        # 补正 notice: 9-26(1) 9-28(2) 9-29(3) 9-30(4) 10-09(5) 10-10(6) 10-11(7) → 2025-10-11 (a Saturday).
        "national day with mid-autumn 2025",
        app("2025-09-25"),
        "2025-10-29",
        "2025-10-11",
        False,
        [
            ("off", "2025-09-27", None),
            ("adjusted", "2025-09-28", None),
            ("off", "2025-10-01", "2025-10-05"),
            ("off", "2025-10-06", None),
            ("off", "2025-10-07", "2025-10-08"),
            ("adjusted", "2025-10-11", None),
            ("due", "2025-10-29", None),
        ],
    ),
    (
        # 2026-09-18 Fri. 9-19 Sat off; 9-20 Sun 调休(1); 9-21..24(5); 9-25..27 中秋 off;
        # 9-28(6) 29(7) 30(8); 10-01..07 国庆 off; 10-08(9) 10-09(10); 10-10 Sat 调休(11);
        # 10-11 off; 10-12..16(16); 10-19(17) 20(18) 21(19) 22(20) → 2026-10-22.
        # 补正 notice: 9-20(1) 21(2) 22(3) 23(4) 24(5) 28(6) 29(7) → 2026-09-29.
        "mid-autumn and national day 2026",
        app("2026-09-18"),
        "2026-10-22",
        "2026-09-29",
        False,
        [
            ("off", "2026-09-19", None),
            ("adjusted", "2026-09-20", None),
            ("off", "2026-09-25", "2026-09-27"),
            ("off", "2026-10-01", "2026-10-07"),
            ("adjusted", "2026-10-10", None),
            ("due", "2026-10-22", None),
        ],
    ),
    (
        # received Sat 2025-02-01, inside 春节: 2-02..2-04 off; 2-05(1) 06(2) 07(3); 2-08 Sat 调休(4);
        # 2-09 off; 2-10..14(9); 2-17..21(14); 2-24..28(19); 3-01/02 off; 3-03 Mon(20) → 2025-03-03.
        # 补正 notice: 2-05(1) 06(2) 07(3) 08(4) 10(5) 11(6) 12(7) → 2025-02-12.
        "received on an off day",
        app("2025-02-01"),
        "2025-03-03",
        "2025-02-12",
        False,
        [
            ("start", "2025-02-01", None),
            ("off", "2025-02-02", "2025-02-04"),
            ("day1", "2025-02-05", None),
            ("adjusted", "2025-02-08", None),
            ("due", "2025-03-03", None),
        ],
    ),
    (
        # received Mon 2025-03-03, corrected application received Mon 2025-03-17: the count restarts.
        # 3-18..21(4); 3-24..28(9); 3-31(10) 4-01(11) 4-02(12) 4-03(13); 4-04..06 清明 off;
        # 4-07..11(18); 4-14(19) 4-15(20) → 2025-04-15.
        # 补正 notice from the first receipt: 3-04..07(4) 3-10(5) 11(6) 12(7) → 2025-03-12.
        "restart after correction",
        app("2025-03-03", corrected="2025-03-17"),
        "2025-04-15",
        "2025-03-12",
        False,
        [
            ("correction", "2025-03-03", None),
            ("start", "2025-03-17", None),
            ("day1", "2025-03-18", None),
            ("off", "2025-04-04", "2025-04-06"),
            ("due", "2025-04-15", None),
        ],
    ),
    (
        # received Mon 2025-04-21; consultation from Thu 4-24 (counted) to Wed 5-07 (not counted):
        # 4-22(1) 23(2) 24(3); paused 4-25..5-07 (the 4-27 调休 and the 劳动节 5-01..05 inside);
        # 5-08(4) 09(5); 5-12..16(10); 5-19..23(15); 5-26..30(20) → 2025-05-30.
        # 补正 notice: 4-22(1) 23(2) 24(3) 25(4) 27 Sun 调休(5) 28(6) 29(7) → 2025-04-29.
        "a pause across a holiday",
        app("2025-04-21", pauses=[("2025-04-24", "2025-05-07")]),
        "2025-05-30",
        "2025-04-29",
        False,
        [
            ("day1", "2025-04-22", None),
            ("pause", "2025-04-24", "2025-05-07"),
            ("due", "2025-05-30", None),
        ],
    ),
    (
        # received Mon 2025-09-01: 9-02..05(4); 9-08..12(9); 9-15..19(14); 9-22..26(19); 9-27 off;
        # 9-28 Sun 调休(20) → 2025-09-28. Extended by 20 from there: 9-29(1) 9-30(2); 10-01..08 off;
        # 10-09(3) 10-10(4); 10-11 Sat 调休(5); 10-13..17(10); 10-20..24(15); 10-27..31(20) → 2025-10-31.
        # 补正 notice: 9-02..05(4) 9-08(5) 09(6) 10(7) → 2025-09-10.
        "an extension",
        app("2025-09-01", extension=(20, "王主任", "2025-09-20")),
        "2025-10-31",
        "2025-09-10",
        False,
        [
            ("adjusted", "2025-09-28", None),
            ("due", "2025-09-28", None),
            ("extension", "2025-09-28", None),
            ("off", "2025-10-01", "2025-10-05"),
            ("adjusted", "2025-10-11", None),
            ("due", "2025-10-31", None),
        ],
    ),
    (
        # received Mon 2026-12-21, running into 2027 (no notice: weekends + 放假办法): 12-22..25(4);
        # 12-28..31(8); 2027-01-01 Fri 元旦 off; 1-02/03 off; 1-04..08(13); 1-11..15(18);
        # 1-18(19) 1-19(20) → 2027-01-19, provisional.
        # 补正 notice: 12-22..25(4) 12-28(5) 29(6) 30(7) → 2026-12-30 (2026 only: not provisional alone).
        "a provisional year",
        app("2026-12-21"),
        "2027-01-19",
        "2026-12-30",
        True,
        [
            ("provisional", "2027-01-01", None),
            ("off", "2027-01-01", None),
            ("off", "2027-01-02", "2027-01-03"),
            ("due", "2027-01-19", None),
        ],
    ),
    (
        # received Mon 2027-02-01, estimated by the 放假办法 (2024): 春节 = 除夕 2-05 Fri and 初一至初三
        # 2-06..2-08; 2-06 Sat and 2-07 Sun give 补假 on 2-09 and 2-10 (第六条). 2-02(1) 03(2) 04(3);
        # 2-05..2-10 off; 2-11(4) 12(5); 2-15..19(10); 2-22..26(15); 3-01..05(20) → 2027-03-05.
        # 补正 notice: 2-02(1) 03(2) 04(3) 11(4) 12(5) 15(6) 16(7) → 2027-02-16.
        "a provisional spring festival",
        app("2027-02-01"),
        "2027-03-05",
        "2027-02-16",
        True,
        [
            ("provisional", "2027-02-02", None),
            ("off", "2027-02-05", None),
            ("off", "2027-02-06", "2027-02-08"),
            ("off", "2027-02-09", "2027-02-10"),
            ("due", "2027-03-05", None),
        ],
    ),
]


@pytest.mark.parametrize(
    ("application", "due", "notice_due", "provisional", "points"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_deadline(application, due, notice_due, provisional, points):
    result = schedule(application, OFFICIAL)
    assert result.reply.due == D(due)
    assert result.correction_notice.due == D(notice_due)
    assert result.reply.provisional is provisional
    trace = [(s.kind, s.date, s.until) for s in result.reply.trace]
    for kind, when, until in points:
        assert (kind, D(when), D(until) if until else None) in trace
    # the points come in the order of the count
    positions = [trace.index((k, D(w), D(u) if u else None)) for k, w, u in points]
    assert positions == sorted(positions)


def test_a_paused_weekend_working_day_is_not_counted():
    # the 4-27 调休 lies inside the pause of the case above: it must not appear as counted
    result = reply_deadline(app("2025-04-21", pauses=[("2025-04-24", "2025-05-07")]), OFFICIAL)
    assert "adjusted" not in {s.kind for s in result.trace}
    # without the pause: 4-22(1) 23(2) 24(3) 25(4); 4-26 off; 4-27 Sun 调休(5); 4-28(6) 29(7) 30(8);
    # 5-01..05 off; 5-06(9) 07(10) 08(11) 09(12); 5-12..16(17); 5-19(18) 20(19) 21(20) → 2025-05-21
    assert reply_deadline(app("2025-04-21"), OFFICIAL).due == D("2025-05-21")


def test_trace_names_holidays_and_provisional_reason():
    result = reply_deadline(app("2025-09-25"), OFFICIAL)
    texts = "\n".join(s.text for s in result.trace)
    assert "2025-10-01至2025-10-05 休息日（国庆节）" in texts
    assert "2025-10-06 休息日（中秋）" in texts
    assert "2025-09-28 调休上班（国庆节）" in texts
    provisional = reply_deadline(app("2026-12-21"), OFFICIAL)
    assert provisional.provisional_reasons == tuple(
        s.text for s in provisional.trace if s.kind == "provisional"
    )
    assert "2027年尚无国务院办公厅放假通知" in provisional.provisional_reasons[0]


def test_consultation_and_payment_periods():
    # third party's answer, 15 working days from a letter sent Thu 2025-01-23: 1-24(1); 1-26 Sun 调休(2);
    # 1-27(3); 春节 1-28..2-04; 2-05(4) 06(5) 07(6); 2-08 调休(7); 2-10..14(12); 2-17(13) 18(14) 19(15)
    assert period_deadline("consultation", D("2025-01-23"), OFFICIAL).due == D("2025-02-19")
    # payment, 20 working days from the fee notice received Tue 2026-09-29: 9-30(1); 国庆 10-01..07;
    # 10-08(2) 09(3); 10-10 Sat 调休(4); 10-12..16(9); 10-19..23(14); 10-26..30(19); 11-02(20)
    assert period_deadline("fee_payment", D("2026-09-29"), OFFICIAL).due == D("2026-11-02")


def test_an_import_moves_open_deadlines():
    # the test notice for 2027 (春节 2-05..2-12 off, 2-20 Sat working) against the estimate:
    # "a" received Mon 2027-02-01. Estimated: 3-05 (worked above). With the notice: 2-02(1) 03(2) 04(3);
    #   2-05..2-14 off; 2-15..19(8); 2-20 Sat 调休(9); 2-22..26(14); 3-01..05(19); 3-08(20) → 2027-03-08.
    #   补正 notice: estimated 2-16 (above); with the notice 2-02..04(3) 2-15(4) 16(5) 17(6) 18(7) → 2-18.
    # "b" received Mon 2027-01-04: 1-05..08(4); 1-11..15(9); 1-18..22(14); 1-25..29(19); 2-01(20) either
    #   way (nothing before 2-05 differs); its 补正 notice 1-05..08(4) 1-11(5) 12(6) 13(7) likewise.
    # "c" received 2025-09-25: an official year, untouched.
    open_ones = {"a": app("2027-02-01"), "b": app("2027-01-04"), "c": app("2025-09-25")}
    new = OFFICIAL.with_notices(NOTICE_2027)
    assert recompute(open_ones, OFFICIAL, new) == [
        Moved("a", "reply", D("2027-03-05"), D("2027-03-08")),
        Moved("a", "correction_notice", D("2027-02-16"), D("2027-02-18")),
    ]
    assert not reply_deadline(open_ones["a"], new).provisional
    assert reply_deadline(open_ones["b"], new).due == D("2027-02-01")


def notice_csv(year: int, extra: str = "") -> str:
    """The published notice of `year` (NOTICE_TEXT) as a calendar CSV."""
    off, working = NOTICE_TEXT[year]
    rows = [f"{d},holiday,放假" for first, last in off for d in days(first, last)]
    rows += [f"{d},workday,调休上班" for d in working]
    return "\n".join(["date,kind,name", *rows, extra])


def test_an_imported_notice_replaces_the_whole_year():
    # the 2025 notice imported as published gives the same deadline as the package (2025-02-21);
    # with 2025-02-21 made a holiday too, the 20th working day moves to Mon 2025-02-24 (2-22/23 weekend)
    same = parse_notices_csv(notice_csv(2025), "2025", "2025.csv")
    changed = parse_notices_csv(notice_csv(2025, "2025-02-21,holiday,测试"), "2025", "2025.csv")
    assert reply_deadline(app("2025-01-20"), OFFICIAL.with_notices(same)).due == D("2025-02-21")
    assert reply_deadline(app("2025-01-20"), OFFICIAL.with_notices(changed)).due == D("2025-02-24")
    assert OFFICIAL.with_notices(changed).notice(2025).source == "2025"


def test_extension_needs_approval_and_is_once_and_bounded():
    with pytest.raises(XxgkError, match="1 to 20 working days"):
        Extension(21, "王主任", D("2025-01-01"))
    with pytest.raises(XxgkError, match="1 to 20 working days"):
        Extension(0, "王主任", D("2025-01-01"))
    with pytest.raises(XxgkError, match="who approved"):
        Extension(5, " ", D("2025-01-01"))
    once = Extension(5, "王主任", D("2025-01-01"))
    with pytest.raises(XxgkError, match="only 1 extension"):
        Application(D("2025-01-02"), extensions=(once, once))


def test_bad_events_are_refused():
    with pytest.raises(XxgkError, match="ends before it starts"):
        Pause(D("2025-01-10"), D("2025-01-05"))
    with pytest.raises(XxgkError, match="unknown kind"):
        Pause(D("2025-01-05"), D("2025-01-10"), "lunch")
    with pytest.raises(XxgkError, match="before the period"):
        Application(D("2025-03-03"), D("2025-03-17"), (Pause(D("2025-03-10"), D("2025-03-12")),))
    with pytest.raises(XxgkError, match="before receipt"):
        Application(D("2025-03-03"), D("2025-03-01"))


def test_receipt_date_by_channel():
    events = {
        "handed_in": D("2025-03-03"),
        "signed_for": D("2025-03-04"),
        "confirmed_with_applicant": D("2025-03-05"),
    }
    assert receipt_date("in_person", events) == D("2025-03-03")
    assert receipt_date("registered_post", events) == D("2025-03-04")
    assert receipt_date("ordinary_post", events) == D("2025-03-05")
    assert receipt_date("online", {"confirmed_both": D("2025-03-06")}) == D("2025-03-06")
    assert receipt_date("fax", {"confirmed_both": D("2025-03-07")}) == D("2025-03-07")
    with pytest.raises(XxgkError, match="双方确认之日"):
        receipt_date("online", events)
    with pytest.raises(XxgkError, match="unknown channel"):
        receipt_date("pigeon", events)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,kind,name\n2027-02-05,vacation,春节\n", "bad.csv:2: unknown kind 'vacation'"),
        ("date,kind,name\n2027-02-30,holiday,春节\n", "bad.csv:2: no such date 2027-02-30"),
        (
            "date,kind,name\n2027-02-05,holiday,春节\n2027/02/06,holiday,春节\n",
            "bad.csv:3: '2027/02/06' is not a date",
        ),
        ("date,kind,name\n2027-02-05,holiday\n", "bad.csv:2: expected 3 columns"),
        ("date,kind,name\n2027-02-05,holiday,\n", "bad.csv:2: the name is empty"),
        ("date,kind,name\n2027-02-03,workday,春节\n", "bad.csv:2: 2027-02-03 is a weekday"),
        (
            "date,kind,name\n2027-02-05,holiday,春节\n2027-02-05,holiday,春节\n",
            "bad.csv:3: 2027-02-05 is listed twice",
        ),
        ("day,type\n2027-02-05,holiday\n", "bad.csv:1: the first line must be date,kind,name"),
        ("date,kind,name\n", "bad.csv: no days listed"),
    ],
)
def test_bad_calendar_files(text, message):
    with pytest.raises(XxgkError) as error:
        parse_notices_csv(text, "bad", "bad.csv")
    assert str(error.value).startswith(message)


def test_a_notice_round_trips_through_its_stored_form():
    (notice,) = NOTICE_2027
    again = Notice.from_dict(notice.to_dict(), "stored")
    assert again == notice
    with pytest.raises(XxgkError, match="not a stored notice"):
        Notice.from_dict({"year": 2027}, "stored")


def test_no_estimate_outside_the_years_holidays_knows():
    with pytest.raises(XxgkError, match="no calendar for 2101"):
        OFFICIAL.day(D("2101-01-03"))


def test_the_clock_imports_nothing_of_the_store_or_the_web_app():
    code = (
        "import sys, xxgk.clock;"
        "print([m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'fastapi', 'starlette', 'jinja2')"
        " or m.startswith(('xxgk.store', 'xxgk.serve'))])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_estimate_is_the_statutory_holidays_without_a_notices_swaps():
    # `holidays` knows the 2003 notice, whose swaps made Thu 2003-02-06 a day off (for Sat 2-08);
    # the estimate keeps only the 放假办法: 春节 初一至初三 = 2003-02-01..03 off, 2-06 a working day
    estimate = estimated_notice(2003)
    assert not estimate.official and "按《全国年节及纪念日放假办法》估算" in estimate.reason
    assert all("调休" not in name for _, name in estimate.days.values())
    assert {D("2003-02-01"), D("2003-02-02"), D("2003-02-03")} <= set(estimate.days)
    assert Calendar([estimate]).day(D("2003-02-06")).working
