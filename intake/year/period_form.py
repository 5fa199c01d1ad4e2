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


class FinishedYearForm(forms.Form):
    """The federation's period: a whole calendar year that has ended. Figures of a year still
    running change day by day, and any two days' tables compared (or a year and its quarter)
    would show the difference, however each table is suppressed."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=EARLIEST_REPORT_DAY.year)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year >= self.today.year:
            raise forms.ValidationError(
                gettext_lazy("Choose a year that has ended: until then its figures change day by day.")
            )
        return int(year)

    def period(self, zone: ZoneInfo) -> Period:
        return Period.year(self.cleaned_data["year"], zone)


def finished_year_form(params: Any, today: date) -> FinishedYearForm:
    """The form read from the query; the last year that has ended unless one is asked for."""
    data = {"year": params.get("year") or today.year - 1}
    return FinishedYearForm(data, today=today)
