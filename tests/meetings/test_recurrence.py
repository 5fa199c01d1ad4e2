"""Recurrence rules: validation, dates of the usual rhythms, and wall-clock time across DST."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from meetings.recurrence import RecurrenceError, normalise_rule, occurrence_starts


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Enter a recurrence rule"),
        ("FREQ=HOURLY", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."),
        ("FREQ=WEEKLY;BYHOUR=3", "BYHOUR is not supported"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "Use COUNT or UNTIL, not both."),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 52."),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL must be a date like 20261231."),
        ("FREQ=WEEKLY;BYDAY=XX", "The rule is not valid"),
        ("WEEKLY", "is not of the form NAME=VALUE"),
    ],
)
def test_bad_rules_are_refused_with_a_message(rule, message):
    with pytest.raises(RecurrenceError) as error:
        normalise_rule(rule)
    assert message in error.value.message
    assert error.value.field == "rule"


def test_rules_are_normalised():
    assert normalise_rule("rrule:freq=monthly;until=20270301;byday=-1fr") == (
        "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270301T235959"
    )


def local_starts(rule, first, last, zone="Europe/Berlin", at=time(19, 0)):
    return [
        start.astimezone(ZoneInfo(zone))
        for start in occurrence_starts(normalise_rule(rule), first, at, zone, first, last)
    ]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Europe/Copenhagen", "Europe/Amsterdam"])
@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2027, 3, 14), date(2027, 4, 10)), (date(2026, 10, 12), date(2026, 11, 8))],
    ids=["spring-forward", "fall-back"],
)
def test_weekly_meeting_stays_at_19_local_across_daylight_saving(zone, first, last):
    starts = local_starts("FREQ=WEEKLY;BYDAY=SU", first, last, zone)
    assert [start.strftime("%H:%M") for start in starts] == ["19:00"] * 4
    offsets = {start.utcoffset().total_seconds() / 3600 for start in starts}
    assert offsets == {1.0, 2.0}  # the UTC time moves by one hour, the local time does not


def test_monthly_last_friday():
    starts = local_starts("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 12, 1), date(2027, 5, 31))
    assert [start.date() for start in starts] == [
        date(2026, 12, 25),
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 26),
        date(2027, 4, 30),
        date(2027, 5, 28),
    ]


def test_monthly_first_tuesday():
    starts = local_starts("FREQ=MONTHLY;BYDAY=1TU", date(2026, 12, 1), date(2027, 3, 31))
    assert [start.date() for start in starts] == [
        date(2026, 12, 1),
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
    ]


def test_every_two_weeks():
    starts = local_starts("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", date(2026, 12, 3), date(2027, 1, 31))
    assert [start.date() for start in starts] == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
        date(2027, 1, 14),
        date(2027, 1, 28),
    ]


def test_until_includes_its_own_day():
    starts = local_starts("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215", date(2026, 12, 1), date(2027, 1, 31))
    assert [start.date() for start in starts] == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)]


def test_count_limits_the_series():
    starts = local_starts("FREQ=WEEKLY;BYDAY=TU;COUNT=2", date(2026, 12, 1), date(2027, 1, 31))
    assert len(starts) == 2
