"""RFC 5545 recurrence rules: validation and expansion in a centre's local time.

A series stores its rule without DTSTART (FREQ=WEEKLY;BYDAY=TU), a first date and a local start
time. Occurrences are computed on the local wall clock and only then given the zone's offset, so a
19:00 meeting stays at 19:00 local across daylight-saving changes.
"""

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


def normalise_rule(rule: str) -> str:
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
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL):
        raise RecurrenceError(_("INTERVAL must be a whole number from 1 to %(max)d.") % {"max": MAX_INTERVAL})
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= 1000):
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
    try:
        _expander(normalised, date(2026, 1, 1), time(19, 0))
    except (ValueError, TypeError) as error:
        raise RecurrenceError(_("The rule is not valid: %(error)s") % {"error": error}) from error
    return normalised


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


def local_day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day begins and the next one begins."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time.min).replace(tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=zone).astimezone(UTC)
    return start, end
