"""The centre's reports in the workspace: enquiries per month with their outcome, waiting times,
and volunteers' hours, for a chosen period, on the page and as CSV files for funders. Counts and
hours only: no enquirer is named (the hours name the volunteers, who agreed to it)."""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.dates import check_report_period
from config.errors import DomainError
from config.exports import csv_response
from intake import selectors
from volunteers.reports import hours_by_month

ENQUIRY_COLUMNS = ["month", "centre", "channel", "topic", "outcome", "enquiries"]
HOURS_COLUMNS = ["month", "centre", "volunteer", "volunteer_name", "group", "group_name", "sessions", "hours"]


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            try:
                check_report_period(data["start"], data["end"])
            except DomainError as problem:
                self.add_error(problem.field, problem.message)
        return data


def _this_year() -> dict[str, date]:
    today = timezone.localdate()
    return {"start": date(today.year, 1, 1), "end": today}


@login_required
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    """The reports of a period (this year so far unless chosen); `?download=enquiries|hours`
    gives the same figures as a CSV file."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=_this_year())
    if form.is_bound and not form.is_valid():
        return render(request, "intake/reports.html", {"centre": centre, "form": form}, status=400)
    period = form.cleaned_data if form.is_bound else _this_year()
    download = request.GET.get("download")
    if download in ("enquiries", "hours"):
        return _download(centre, download, period)
    enquiries = selectors.enquiries_by_month(centre_ids=[centre.pk], **period)
    hours = hours_by_month(centre_ids=[centre.pk], **period)
    context = {
        "centre": centre,
        "form": form,
        "period": period,
        "enquiries": enquiries,
        "enquiry_total": sum(row["enquiries"] for row in enquiries),
        "waiting": selectors.waiting_times(centre_ids=[centre.pk], **period),
        "hours": hours,
        "hours_total": sum(row["hours"] for row in hours),
        "query": f"start={period['start']}&end={period['end']}",
    }
    return render(request, "intake/reports.html", context)


def _download(centre: Centre, which: str, period: dict[str, date]) -> HttpResponse:
    span = f"{period['start']}_{period['end']}"
    if which == "enquiries":
        rows = selectors.enquiries_by_month(centre_ids=[centre.pk], **period)
        columns = ENQUIRY_COLUMNS
    else:
        rows = hours_by_month(centre_ids=[centre.pk], **period)
        columns = HOURS_COLUMNS
    return csv_response(f"{which}-{span}.csv", columns, ([row[name] for name in columns] for row in rows))
