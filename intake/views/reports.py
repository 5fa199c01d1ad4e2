"""The raw rows behind the year's report for funders' own spreadsheets: enquiries per month,
channel, topic and outcome, and volunteers' hours per month, volunteer and group, as CSV files.
Counts and hours only: no enquirer is named (the hours name the volunteers, who agreed to it)."""

from django.http import HttpResponse

from centres.models import Centre
from config.exports import csv_response
from config.periods import Period
from intake import selectors
from volunteers.reports import hours_by_month

ENQUIRY_COLUMNS = ["month", "centre", "channel", "topic", "outcome", "enquiries"]
HOURS_COLUMNS = ["month", "centre", "volunteer", "volunteer_name", "group", "group_name", "sessions", "hours"]


def old_download(centre: Centre, which: str, period: Period) -> HttpResponse:
    """`which` is "enquiries" or "hours"."""
    span = f"{period.start}_{period.end}"
    dates = {"start": period.start, "end": period.end}
    if which == "enquiries":
        rows = selectors.enquiries_by_month(centre_ids=[centre.pk], **dates)
        columns = ENQUIRY_COLUMNS
    else:
        rows = hours_by_month(centre_ids=[centre.pk], **dates)
        columns = HOURS_COLUMNS
    return csv_response(f"{which}-{span}.csv", columns, ([row[name] for name in columns] for row in rows))
