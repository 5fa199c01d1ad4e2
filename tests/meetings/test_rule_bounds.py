"""Rules that can give no date are refused before they are expanded, and every expansion is
bounded by count as well as by date (issue 17, §5: `FREQ=DAILY;BYSETPOS=2` held a worker 11 s)."""

import time as clock
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from meetings.models import MeetingSeries
from meetings.recurrence import RecurrenceError, local_occurrences, normalise_rule
from tests.factories import every

BEYOND = "BYSETPOS=%d asks for a date this rule never has: it gives at most %d per period."
# Each of these made dateutil search up to the year 9999: 0.2 s to 4.5 s each before the fix.
NEVER_MATCHING = {
    "FREQ=DAILY;BYSETPOS=2": BEYOND % (2, 1),
    "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3": BEYOND % (3, 2),
    "FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=-2": BEYOND % (-2, 1),
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30": "No month of BYMONTH=2 has a day 30.",
    "FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31": "No month of BYMONTH=4,6 has a day 31.",
    "FREQ=DAILY;BYMONTHDAY=40": "BYMONTHDAY must list whole numbers from -31 to 31, without 0.",
    "FREQ=DAILY;BYMONTH=13": "BYMONTH must list whole numbers from 1 to 12, without 0.",
    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0": "BYSETPOS must list whole numbers from -366 to 366, without 0.",
}


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


@pytest.mark.parametrize(("rule", "message"), NEVER_MATCHING.items())
def test_a_rule_that_can_give_no_date_is_refused_at_once_naming_why(rule, message):
    started = clock.perf_counter()
    with pytest.raises(RecurrenceError) as refused:
        normalise_rule(rule, next_monday())
    assert clock.perf_counter() - started < 0.05  # no expansion at all: it was 4.5 s for the first
    assert refused.value.message == message
    assert refused.value.field == "rule"


def test_a_rule_whose_interval_never_meets_its_days_is_refused_quickly():
    # Every 7th day from a Monday is never a Tuesday: only expanding shows it. The search runs on
    # the same calendar 400-year cycles on, so it ends within a few centuries, not at 9999.
    started = clock.perf_counter()
    with pytest.raises(RecurrenceError, match="no date in the two years"):
        normalise_rule("FREQ=DAILY;INTERVAL=7;BYDAY=TU", next_monday())
    assert clock.perf_counter() - started < 0.3  # 0.44 s before


def test_the_search_on_a_later_cycle_finds_the_same_dates():
    monday = next_monday()
    # A leap day: the rule is kept if a 29 February falls within two years of its first date.
    leap_soon = any(
        (monday + timedelta(days=offset)).month == 2 and (monday + timedelta(days=offset)).day == 29
        for offset in range(2 * 366)
    )
    if leap_soon:
        assert normalise_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", monday)
    else:
        with pytest.raises(RecurrenceError):
            normalise_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", monday)
    assert normalise_rule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", monday) == "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5"
    assert normalise_rule("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1", monday) == "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1"
    until = monday + timedelta(days=3)
    assert normalise_rule(f"FREQ=DAILY;UNTIL={until:%Y%m%d}", monday) == f"FREQ=DAILY;UNTIL={until:%Y%m%d}T235959"
    with pytest.raises(RecurrenceError):
        normalise_rule(f"FREQ=WEEKLY;BYDAY=SU;UNTIL={monday + timedelta(days=2):%Y%m%d}", monday)


def test_an_expansion_gives_no_more_dates_than_its_window_has_days():
    monday = next_monday()
    starts = list(local_occurrences("FREQ=DAILY", monday, time(19, 0), monday, monday + timedelta(days=9)))
    assert len(starts) == 10
    assert starts[0].date() == monday
    assert starts[-1].date() == monday + timedelta(days=9)
    assert list(local_occurrences("FREQ=DAILY", monday, time(19, 0), monday, monday - timedelta(days=1))) == []
    # A counted rule has no UNTIL to stop dateutil: the window's end still does.
    counted = list(local_occurrences("FREQ=DAILY;COUNT=30", monday, time(19, 0), monday, monday + timedelta(days=2)))
    assert [start.date() for start in counted] == [monday + timedelta(days=offset) for offset in range(3)]


@pytest.mark.django_db
def test_the_series_preview_refuses_such_a_rule_with_a_400_at_once(api_a, room_a):
    started = clock.perf_counter()
    response = api_a.post(
        "/api/v1/series/preview/",
        {
            "room": room_a.pk,
            "rule": "FREQ=DAILY;BYSETPOS=2",
            "starts_on": str(next_monday()),
            "start_time": "19:00",
            "duration_minutes": 60,
        },
    )
    assert clock.perf_counter() - started < 1
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"rule": [NEVER_MATCHING["FREQ=DAILY;BYSETPOS=2"]]}
    assert not every(MeetingSeries).exists()
