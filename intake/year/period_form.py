"""Choosing the report's period: a year, one of its quarters, or any days from … to."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy

from config.dates import EARLIEST_REPORT_DAY, LATEST_REPORT_DAY, check_report_period
from config.errors import DomainError
from config.periods import Period

QUARTERS = [
    ("", gettext_lazy("The whole year")),
    ("1", gettext_lazy("January to March")),
    ("2", gettext_lazy("April to June")),
    ("3", gettext_lazy("July to September")),
    ("4", gettext_lazy("October to December")),
]


class PeriodForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=EARLIEST_REPORT_DAY.year, max_value=LATEST_REPORT_DAY.year
    )
    quarter = forms.ChoiceField(label=gettext_lazy("Part"), choices=QUARTERS, required=False)
    start = forms.DateField(
        label=gettext_lazy("Or from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("start")) != bool(data.get("end")):
            missing = "end" if data.get("start") else "start"
            self.add_error(missing, gettext_lazy("Give both days, or neither for a year."))
        elif data.get("start") and data.get("end"):
            try:
                check_report_period(data["start"], data["end"])
            except DomainError as problem:
                self.add_error(problem.field, problem.message)
        return data

    def period(self, zone: ZoneInfo) -> Period:
        data = self.cleaned_data
        if data.get("start"):
            return Period(data["start"], data["end"], zone)
        if data.get("quarter"):
            return Period.quarter(data["year"], int(data["quarter"]), zone)
        return Period.year(data["year"], zone)


def period_form(params: Any, today: date) -> PeriodForm:
    """The form read from the query (this year when none is asked for). A query with only the
    old `start` and `end` still works: the year is theirs."""
    if not any(name in params for name in ("year", "start", "end")):
        return PeriodForm({"year": today.year})
    data = params.copy()
    if not data.get("year"):
        data["year"] = (data.get("start") or str(today.year))[:4]
    return PeriodForm(data)
