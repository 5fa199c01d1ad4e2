"""The meetings a group held in a year, for its grant: one page and one PDF statement, shown to
the group's contact person (`meetings.views.contact`) and to coordinators, who also sign the
statement off (`meetings.views.workspace_contacts`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from meetings.held_pdf import held_statement_pdf
from meetings.models import Group
from meetings.selectors import contacts as selectors


def held_year(group: Group, value: object = None) -> int | None:
    """The year asked for (a number or its text; this year when none is), or None for one the
    group cannot have."""
    if value in (None, ""):
        value = timezone.localdate().year
    text = str(value)
    year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None
    return year if year in selectors.held_years(group) else None


def held_page(request: HttpRequest, group: Group, year: int, **urls: Any) -> HttpResponse:
    """The page: the year's meetings held, the sign-off, the PDF link (and a sign-off button in
    `urls` for staff)."""
    context = {
        "centre": group.centre,
        "group": group,
        "year": year,
        "years": selectors.held_years(group),
        "meetings": selectors.meetings_held(group, year),
        "statement": selectors.held_statement(group, year),
        **urls,
    }
    return render(request, "meetings/held.html", context)


def held_pdf(group: Group, year: int) -> HttpResponse:
    """The PDF statement as a download, in the language of the request."""
    pdf = held_statement_pdf(
        group=group,
        year=year,
        meetings=selectors.meetings_held(group, year),
        statement=selectors.held_statement(group, year),
        language=translation.get_language() or group.centre.default_language,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meetings-held-{year}.pdf"'
    return response
