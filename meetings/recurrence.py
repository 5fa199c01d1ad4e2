"""RFC 5545 recurrence rules: validation and expansion in a centre's local time.

A series stores its rule without DTSTART (FREQ=WEEKLY;BYDAY=TU), a first date and a local start
time. Occurrences are computed on the local wall clock and only then given the zone's offset, so a
19:00 meeting stays at 19:00 local across daylight-saving changes.
"""

import calendar
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

from config.errors import DomainError
from config.local_time import local_time_problem

ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
MAX_INTERVAL = 52


class RecurrenceError(DomainError):
    """The rule cannot be used; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="rule")


SAMPLE_START = date(2026, 1, 1)
SEARCH_WINDOW = timedelta(days=2 * 366)
# The Gregorian calendar, weekdays included, repeats every 400 years (146,097 days = 20,871 weeks).
CALENDAR_CYCLE_YEARS = 400


def normalise_rule(rule: str, starts_on: date | None = None) -> str:
    """Check a rule and return it in a canonical form (upper case, UNTIL as a local end of day).

    Raises RecurrenceError naming the problem.
    """
    text = rule.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise RecurrenceError(_("Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=TU."))
    parts: dict[str, str] = {}
    for item in text.split(";"):
        key, sep, value = item.partition("=")
        if not sep or not value:
            raise RecurrenceError(_("“%(part)s” is not of the form NAME=VALUE.") % {"part": item})
        if key not in ALLOWED_PARTS:
            raise RecurrenceError(_("%(part)s is not supported in a meeting rule.") % {"part": key})
        parts[key] = value
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise RecurrenceError(_("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."))
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(_("Use COUNT or UNTIL, not both."))
    if "INTERVAL" in parts and not (_is_number(parts["INTERVAL"]) and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL):
        raise RecurrenceError(_("INTERVAL must be a whole number from 1 to %(max)d.") % {"max": MAX_INTERVAL})
    if "COUNT" in parts and not (_is_number(parts["COUNT"]) and 1 <= int(parts["COUNT"]) <= 1000):
        raise RecurrenceError(_("COUNT must be a whole number from 1 to 1000."))
    if "UNTIL" in parts:
        # UNTIL is read as a local date: the series runs up to and including that day.
        digits = parts["UNTIL"][:8]
        try:
            until = datetime.strptime(digits, "%Y%m%d").date()  # noqa: DTZ007 - a date, no time of day
        except ValueError as error:
            raise RecurrenceError(_("UNTIL must be a date like 20261231.")) from error
        parts["UNTIL"] = until.strftime("%Y%m%dT235959")
    ordered = ["FREQ", *sorted(key for key in parts if key != "FREQ")]
    normalised = ";".join(f"{key}={parts[key]}" for key in ordered)
    check_rule_can_match(parts)
    check_rule_occurs(normalised, starts_on or SAMPLE_START)
    return normalised


def _numbers(parts: dict[str, str], key: str, low: int, high: int) -> list[int]:
    """The whole numbers of a BY part, each from low to high and not 0, or a message."""
    if key not in parts:
        return []
    values = parts[key].split(",")
    numbers = all(re.fullmatch(r"[+-]?[0-9]{1,3}", value) and int(value) for value in values)
    if not numbers or not all(low <= int(value) <= high for value in values):
        raise RecurrenceError(
            _("%(part)s must list whole numbers from %(low)d to %(high)d, without 0.")
            % {"part": key, "low": low, "high": high}
        )
    return [int(value) for value in values]


def _dates_per_period(frequency: str, parts: dict[str, str], months: list[int], month_days: list[int]) -> int:
    """The most dates one period (day, week, month, year) of the rule can hold: a rule has at most
    one start a day, and BYMONTHDAY or BYDAY pick days within the period."""
    days = [day.strip() for day in parts.get("BYDAY", "").split(",") if day.strip()]
    weekday_count = sum(1 if day[:-2].lstrip("+-") else 5 for day in days)  # "2MO" is one day, "MO" up to five
    if frequency == "DAILY":
        return 1
    if frequency == "WEEKLY":
        return len({day[-2:] for day in days}) or 1
    if frequency == "MONTHLY":
        return len(month_days) or weekday_count or 1
    per_month = len(month_days) or weekday_count or 1
    if months:
        return per_month * len(months)
    return len(month_days) * 12 if month_days else (53 * len(days) if days else 1)


def check_rule_can_match(parts: dict[str, str]) -> None:
    """Refuse, before anything is expanded, a rule that can give no date at all: a day of the
    month no month of BYMONTH has (30 February), or a BYSETPOS beyond the dates one period can
    hold (the second date of a day). dateutil would search up to the year 9999 for one, which
    takes seconds; the messages say what cannot be."""
    months = _numbers(parts, "BYMONTH", 1, 12)
    month_days = _numbers(parts, "BYMONTHDAY", -31, 31)
    positions = _numbers(parts, "BYSETPOS", -366, 366)
    if months and month_days:
        longest = max(calendar.monthrange(2000, month)[1] for month in months)  # 2000: February has 29
        if all(abs(day) > longest for day in month_days):
            raise RecurrenceError(
                _("No month of BYMONTH=%(months)s has a day %(days)s.")
                % {"months": parts["BYMONTH"], "days": parts["BYMONTHDAY"]}
            )
    if positions:
        most = _dates_per_period(parts["FREQ"], parts, months, month_days)
        beyond = [position for position in positions if abs(position) > most]
        if beyond:
            raise RecurrenceError(
                _("BYSETPOS=%(position)d asks for a date this rule never has: it gives at most %(count)d per period.")
                % {"position": beyond[0], "count": most}
            )


def check_rule_occurs(rule: str, starts_on: date) -> None:
    """The rule must expand, and give a date within two years of its first date.

    dateutil searches up to the year 9999 for a date of a rule that never has one (every 7th day
    from a Monday, on Tuesdays), seconds for a daily rule. The search is made on the same
    calendar days 400 years on per cycle, as late as the calendar allows, so that it ends within
    a few centuries at most; its own errors for impossible parts (BYDAY=+60MO) become a message."""
    cycles = max(0, (date.max.year - 3 - starts_on.year) // CALENDAR_CYCLE_YEARS)
    twin_start = starts_on.replace(year=starts_on.year + cycles * CALENDAR_CYCLE_YEARS)
    twin_rule = _rule_years_later(rule, cycles * CALENDAR_CYCLE_YEARS)
    try:
        first = next(
            iter(local_occurrences(twin_rule, twin_start, time(12, 0), twin_start, twin_start + SEARCH_WINDOW)), None
        )
    except (ValueError, TypeError, IndexError) as error:
        raise RecurrenceError(_("The rule is not valid: %(error)s") % {"error": error}) from error
    if first is None:
        raise RecurrenceError(_("The rule gives no date in the two years after the first date."))


def _rule_years_later(rule: str, years: int) -> str:
    """The rule with its UNTIL moved `years` on (the rest of a rule names no year)."""
    parts = []
    for part in rule.split(";"):
        if part.startswith("UNTIL="):
            until = part[len("UNTIL=") :]
            year = min(int(until[:4]) + years, date.max.year)
            part = f"UNTIL={year:04d}{until[4:]}"
        parts.append(part)
    return ";".join(parts)


def check_start_times_exist(rule: str, starts_on: date, start_time: time, time_zone: str, first: date) -> None:
    """Each start of the rule in the two years from `first` must be one instant in the zone: a
    series at 02:30 would meet on the night the clocks go forward at a time that does not exist
    (stored an hour later), and on the night they go back at a time that happens twice."""
    zone = ZoneInfo(time_zone)
    for local in local_occurrences(rule, starts_on, start_time, first, first + SEARCH_WINDOW):
        problem = local_time_problem(local, zone)
        if problem:
            raise DomainError(problem, field="start_time")


def _is_number(text: str) -> bool:
    # str.isdigit() also accepts "²" and other digits int() refuses.
    return re.fullmatch(r"[0-9]{1,4}", text) is not None


def _expander(rule: str, starts_on: date, start_time: time):
    return rrulestr(rule, dtstart=datetime.combine(starts_on, start_time))


def local_occurrences(rule: str, starts_on: date, start_time: time, first: date, last: date) -> Iterator[datetime]:
    """Naive local start datetimes of the rule whose date lies in [first, last].

    Bounded by count as well as by date: a rule has at most one start a day, so no more are
    taken than the window has days, and the search ends at the first date past the window. (A
    rule with no date at all would search to the year 9999 before yielding anything: such rules
    never get stored, `normalise_rule` refuses them.)"""
    first = max(first, starts_on)
    if last < first:
        return
    window_start = datetime.combine(first, time.min)
    window_end = datetime.combine(last, time.max)
    expander = _expander(rule, starts_on, start_time)
    most = (last - first).days + 1
    for start in itertools.islice(expander.xafter(window_start, count=most, inc=True), most):
        if start > window_end:
            return
        yield start


def occurrence_starts(
    rule: str, starts_on: date, start_time: time, time_zone: str, first: date, last: date
) -> list[datetime]:
    """Aware UTC start times of the occurrences dated first..last (local dates), in order."""
    zone = ZoneInfo(time_zone)
    return [
        local.replace(tzinfo=zone).astimezone(UTC)
        for local in local_occurrences(rule, starts_on, start_time, first, last)
    ]


def rule_until(rule: str, last_day: date) -> str:
    """The rule cut so that its last occurrence falls on or before `last_day`."""
    parts = [part for part in rule.split(";") if not part.startswith(("UNTIL=", "COUNT="))]
    return ";".join([*parts, f"UNTIL={last_day:%Y%m%d}T235959"])


def rule_count(rule: str) -> int | None:
    for part in rule.split(";"):
        if part.startswith("COUNT="):
            return int(part[len("COUNT=") :])
    return None


def rule_with_count(rule: str, count: int) -> str:
    parts = [part for part in rule.split(";") if not part.startswith(("UNTIL=", "COUNT="))]
    return ";".join([*parts, f"COUNT={count}"])


def local_day_start(day: date, time_zone: str) -> datetime:
    """The UTC instant at which a local day begins."""
    return datetime.combine(day, time.min).replace(tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def rule_pinned(rule: str, starts_on: date) -> str:
    """The rule with the day it takes from its first date written out, so that the same rule
    started on a later date keeps the rhythm (a weekly rule without BYDAY meets on the first
    date's weekday, a monthly one on its day of the month)."""
    keys = {part.split("=", 1)[0] for part in rule.split(";")}
    frequency = dict(part.split("=", 1) for part in rule.split(";"))["FREQ"]
    extra = []
    if frequency == "WEEKLY" and "BYDAY" not in keys:
        extra.append(f"BYDAY={WEEKDAYS[starts_on.weekday()]}")
    elif frequency == "MONTHLY" and not keys & {"BYDAY", "BYMONTHDAY"}:
        extra.append(f"BYMONTHDAY={starts_on.day}")
    elif frequency == "YEARLY" and not keys & {"BYDAY", "BYMONTHDAY", "BYMONTH"}:
        extra += [f"BYMONTH={starts_on.month}", f"BYMONTHDAY={starts_on.day}"]
    return ";".join([rule, *extra])


def first_occurrence_on_or_after(rule: str, starts_on: date, start_time: time, day: date) -> date | None:
    """The first date of the rule on or after `day` (within two years), or None."""
    found = next(iter(local_occurrences(rule, starts_on, start_time, day, day + SEARCH_WINDOW)), None)
    return found.date() if found else None


@dataclass(frozen=True)
class Rhythm:
    """A series' rhythm as the workspace asks for it, without RFC 5545: every `every` weeks on
    `weekdays` (0 = Monday), or every `every` months on the `position`-th weekday (-1: the last),
    ending after `count` meetings, on `until`, or never."""

    monthly: bool
    every: int
    weekdays: tuple[int, ...] = ()
    position: int = 1
    until: date | None = None
    count: int | None = None


def rule_from_rhythm(rhythm: Rhythm) -> str:
    """The RFC 5545 rule of a rhythm, e.g. FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR;COUNT=10."""
    if rhythm.monthly:
        parts = ["FREQ=MONTHLY", f"INTERVAL={rhythm.every}", f"BYDAY={rhythm.position}{WEEKDAYS[rhythm.weekdays[0]]}"]
    else:
        days = ",".join(WEEKDAYS[day] for day in sorted(set(rhythm.weekdays)))
        parts = ["FREQ=WEEKLY", f"INTERVAL={rhythm.every}", f"BYDAY={days}"]
    if rhythm.until is not None:
        parts.append(f"UNTIL={rhythm.until:%Y%m%d}")
    elif rhythm.count is not None:
        parts.append(f"COUNT={rhythm.count}")
    return ";".join(parts)
