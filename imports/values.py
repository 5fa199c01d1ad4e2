"""Reading one cell as the value a field takes, in any of the four languages a spreadsheet may be
written in. Each reader returns the value or raises `BadValueError` with a message naming what was
expected; the import names the column and the row."""

import re
from collections.abc import Mapping
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

YES = {"yes", "y", "x", "1", "true", "ja", "j", "oui", "wahr"}
NO = {"no", "n", "0", "false", "nein", "nej", "nee", "", "-"}
WEEKDAYS = {
    # English, German, Danish, Dutch; full names and the usual short forms
    0: {"monday", "mon", "mo", "montag", "mandag", "man", "maandag", "ma"},
    1: {"tuesday", "tue", "tu", "dienstag", "di", "tirsdag", "tir", "dinsdag"},
    2: {"wednesday", "wed", "we", "mittwoch", "mi", "onsdag", "ons", "woensdag", "wo"},
    3: {"thursday", "thu", "th", "donnerstag", "do", "torsdag", "tor", "donderdag"},
    4: {"friday", "fri", "fr", "freitag", "fredag", "fre", "vrijdag", "vr"},
    5: {"saturday", "sat", "sa", "samstag", "lørdag", "lør", "zaterdag", "za"},
    6: {"sunday", "sun", "su", "sonntag", "so", "søndag", "søn", "zondag", "zo"},
}
RHYTHMS = {
    "weekly": {"weekly", "every week", "wöchentlich", "jede woche", "ugentlig", "hver uge", "wekelijks", "elke week"},
    "fortnightly": {
        "fortnightly", "every 2 weeks", "every two weeks", "biweekly", "14-tägig", "14-täglich", "alle 2 wochen",
        "alle zwei wochen", "hver 2. uge", "hver anden uge", "tweewekelijks", "om de week", "om de twee weken",
    },
    "monthly": {"monthly", "every month", "monatlich", "jeden monat", "månedlig", "hver måned", "maandelijks"},
}  # fmt: skip
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%y")


class BadValueError(ValueError):
    """A cell that is not what its column asks for; the message says what was expected."""


def text(cell: str, *, max_length: int) -> str:
    if "\n" in cell or "\r" in cell or "\x00" in cell:
        raise BadValueError(_("one line of text is expected"))
    if len(cell) > max_length:
        raise BadValueError(_("at most %(count)s characters") % {"count": max_length})
    return cell


def yes_no(cell: str) -> bool:
    value = cell.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise BadValueError(_("yes or no is expected, not “%(value)s”") % {"value": cell})


def whole_number(cell: str, *, low: int, high: int) -> int:
    try:
        number = int(cell.strip())
    except ValueError as error:
        raise BadValueError(_("a whole number is expected, not “%(value)s”") % {"value": cell}) from error
    if not low <= number <= high:
        raise BadValueError(_("a number from %(low)s to %(high)s is expected") % {"low": low, "high": high})
    return number


def clock_time(cell: str) -> time:
    found = re.fullmatch(r"(\d{1,2})[:.h](\d{2})(?::00)?", cell.strip().lower())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise BadValueError(_("a time such as 19:00 is expected, not “%(value)s”") % {"value": cell})
    return time(int(found[1]), int(found[2]))


def day(cell: str) -> date:
    """A date as the four languages write it (an XLSX date cell arrives as YYYY-MM-DD); the
    whole cell, and a year from 1900 to 2100."""
    text = cell.strip()
    for pattern in DATE_FORMATS:
        try:
            found = datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            continue
        if 1900 <= found.year <= 2100:
            return found
    raise BadValueError(_("a date such as 2027-01-31 or 31.01.2027 is expected, not “%(value)s”") % {"value": cell})


def weekday(cell: str) -> int:
    value = cell.strip().lower().rstrip(".")
    for number, names in WEEKDAYS.items():
        if value in names:
            return number
    raise BadValueError(_("a weekday such as Monday or Montag is expected, not “%(value)s”") % {"value": cell})


def rhythm(cell: str) -> str:
    value = cell.strip().lower()
    for name, spellings in RHYTHMS.items():
        if value in spellings:
            return name
    raise BadValueError(_("weekly, fortnightly or monthly is expected, not “%(value)s”") % {"value": cell})


def rule_for(every: str, on: int, week_of_month: int | None) -> str:
    """The series rule (RFC 5545) for a rhythm on a weekday."""
    if every == "weekly":
        return f"FREQ=WEEKLY;BYDAY={BYDAY[on]}"
    if every == "fortnightly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={BYDAY[on]}"
    return f"FREQ=MONTHLY;BYDAY={week_of_month or 1}{BYDAY[on]}"


def email(cell: str) -> str:
    value = cell.strip().lower()
    try:
        validate_email(value)
    except ValidationError as error:
        raise BadValueError(_("an e-mail address is expected, not “%(value)s”") % {"value": cell}) from error
    return value


def one_of(cell: str, choices: Mapping[str, str], what: str) -> str:
    """A value from `choices` (spellings, lower case, to the stored value)."""
    value = cell.strip().lower()
    if value in choices:
        return choices[value]
    raise BadValueError(_("“%(value)s” is not a known %(what)s") % {"value": cell, "what": what})


ALWAYS_OPEN = {"always", "24/7", "immer", "immer offen", "altid", "altid åben", "altijd", "altijd open"}


def opening_hours(cell: str) -> list[tuple[int, time, time]]:
    """A room's week, as "Mo-Fr 09:00-21:00; Sa 10:00-14:00" (weekdays in any of the four
    languages, a range or a list with commas); "always" (immer, altid, altijd) is open at all
    times, an empty list."""
    value = cell.strip().lower()
    if value in ALWAYS_OPEN:
        return []
    hours: dict[int, tuple[time, time]] = {}
    for part in filter(None, (piece.strip() for piece in value.split(";"))):
        found = re.fullmatch(r"(.+?)\s+(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})", part)
        if found is None:
            raise BadValueError(
                _("opening hours such as “Mo-Fr 09:00-21:00; Sa 10:00-14:00” are expected, not “%(value)s”")
                % {"value": cell}
            )
        opens, closes = clock_time(found[2]), clock_time(found[3])
        if opens >= closes:
            raise BadValueError(_("a room must open before it closes (“%(value)s”)") % {"value": part})
        for day in _days(found[1]):
            if day in hours:
                raise BadValueError(_("each weekday once in the opening hours (“%(value)s”)") % {"value": part})
            hours[day] = (opens, closes)
    return [(day, opens, closes) for day, (opens, closes) in sorted(hours.items())]


def _days(text: str) -> list[int]:
    days: list[int] = []
    for item in text.replace(" ", "").split(","):
        first, dash, last = item.partition("-")
        if dash:
            start, end = weekday(first), weekday(last)
            days.extend(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
        else:
            days.append(weekday(first))
    return days
