"""RFC 5545 recurrence rules: validation and expansion in a centre's local time.

A series stores its rule without DTSTART (FREQ=WEEKLY;BYDAY=TU), a first date and a local start
time. Occurrences are computed on the local wall clock and only then given the zone's offset, so a
19:00 meeting stays at 19:00 local across daylight-saving changes.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

from config.errors import DomainError

ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
MAX_INTERVAL = 52


class RecurrenceError(DomainError):
    """The rule cannot be used; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="rule")


SAMPLE_START = date(2026, 1, 1)
SEARCH_WINDOW = timedelta(days=2 * 366)


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
    check_rule_occurs(normalised, starts_on or SAMPLE_START)
    return normalised


def check_rule_occurs(rule: str, starts_on: date) -> None:
    """The rule must expand, and give a date within two years of its first date.

    dateutil looks up to the year 9999 for a rule that never matches (30 February), so the
    search is bounded; its own errors for impossible parts (BYDAY=+60MO) become a message."""
    try:
        first = next(iter(local_occurrences(rule, starts_on, time(12, 0), starts_on, starts_on + SEARCH_WINDOW)), None)
    except (ValueError, TypeError, IndexError) as error:
        raise RecurrenceError(_("The rule is not valid: %(error)s") % {"error": error}) from error
    if first is None:
        raise RecurrenceError(_("The rule gives no date in the two years after the first date."))


def _is_number(text: str) -> bool:
    # str.isdigit() also accepts "²" and other digits int() refuses.
    return re.fullmatch(r"[0-9]{1,4}", text) is not None


def _expander(rule: str, starts_on: date, start_time: time):
    return rrulestr(rule, dtstart=datetime.combine(starts_on, start_time))


def local_occurrences(rule: str, starts_on: date, start_time: time, first: date, last: date) -> Iterator[datetime]:
    """Naive local start datetimes of the rule whose date lies in [first, last]."""
    expander = _expander(rule, starts_on, start_time)
    window_start = datetime.combine(max(first, starts_on), time.min)
    window_end = datetime.combine(last, time.max)
    yield from expander.between(window_start, window_end, inc=True)


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
