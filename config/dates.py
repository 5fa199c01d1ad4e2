"""Date arithmetic shared by every app."""

from datetime import datetime, timedelta

AVERAGE_MONTH_DAYS = 30.44


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` less `months` average months: the cut-off of a retention period in months."""
    return moment - timedelta(days=round(months * AVERAGE_MONTH_DAYS))
