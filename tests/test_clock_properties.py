"""Properties of the clock that hold for any receipt day, pause and calendar."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_clock import NOTICE_2027_CSV
from xxgk.clock import Application, Calendar, Pause, parse_notices_csv, period_deadline, reply_deadline
from xxgk.clock.periods import PERIODS

OFFICIAL = Calendar.official()
# official years (chinese-calendar 2004–2026) and estimated ones (2027–2030) alike
DAYS = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 6, 30))


def working_days_between(calendar: Calendar, start: date, end: date, pauses: tuple[Pause, ...] = ()) -> int:
    """Working days in (start, end], paused days left out, counted directly from the calendar."""
    n, day = 0, start + timedelta(1)
    while day <= end:
        if calendar.day(day).working and not any(p.covers(day) for p in pauses):
            n += 1
        day += timedelta(1)
    return n


@settings(max_examples=200, deadline=None)
@given(start=DAYS, period=st.sampled_from(sorted(PERIODS)))
def test_a_deadline_is_the_nth_working_day_after_its_start(start, period):
    n = PERIODS[period]["days"]
    due = period_deadline(period, start, OFFICIAL).due
    assert due >= start + timedelta(n)
    assert OFFICIAL.day(due).working
    assert working_days_between(OFFICIAL, start, due) == n
    assert working_days_between(OFFICIAL, start, due - timedelta(1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(received=DAYS, offset=st.integers(0, 40), length=st.integers(0, 60))
def test_a_pause_never_makes_a_deadline_earlier(received, offset, length):
    pause = Pause(received + timedelta(offset), received + timedelta(offset + length))
    without = reply_deadline(Application(received), OFFICIAL)
    paused = reply_deadline(Application(received, pauses=(pause,)), OFFICIAL)
    assert paused.due >= without.due
    assert working_days_between(OFFICIAL, received, paused.due, (pause,)) == PERIODS["reply"]["days"]


@settings(max_examples=100, deadline=None)
@given(received=st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 11, 15)))
def test_an_imported_official_year_turns_provisional_off(received):
    # 20 working days from 15 November at the latest end in December: only 2027 is touched
    before = reply_deadline(Application(received), OFFICIAL)
    assert before.provisional and "2027年" in before.provisional_reasons[0]
    after = OFFICIAL.with_notices(parse_notices_csv(NOTICE_2027_CSV, "test notice", "test.csv"))
    assert not reply_deadline(Application(received), after).provisional
