"""Date arithmetic shared by every app."""

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from config.errors import DomainError

AVERAGE_MONTH_DAYS = 30.44


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` less `months` average months: the cut-off of a retention period in months."""
    return moment - timedelta(days=round(months * AVERAGE_MONTH_DAYS))


# The days a report may cover, and how many at once (the database's and the reader's limits).
EARLIEST_REPORT_DAY, LATEST_REPORT_DAY = date(2000, 1, 1), date(2100, 12, 31)
MAX_REPORT_DAYS = 3 * 366


def check_report_period(start: date, end: date) -> None:
    """Raise DomainError, naming the field, unless `start`..`end` is a period a report covers:
    every report's API and the workspace's reports page ask the same."""
    if start < EARLIEST_REPORT_DAY or end > LATEST_REPORT_DAY:
        message = _("Ask for days from %(first)s to %(last)s.") % {
            "first": EARLIEST_REPORT_DAY,
            "last": LATEST_REPORT_DAY,
        }
        raise DomainError(message, field="start")
    if end < start:
        raise DomainError(_("The end comes before the start."), field="end")
    if (end - start).days > MAX_REPORT_DAYS:
        raise DomainError(_("Ask for at most three years at a time."), field="end")
