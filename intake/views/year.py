"""The centre's year in the workspace: every figure of a year, quarter or any period, with a chart
beside the tables that have one, the list behind each figure, and the report to take away (a
table as CSV, everything as XLSX or PDF). Counts and hours; the lists behind them are the same
rows a coordinator sees elsewhere in the workspace, and reading one is audited."""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from centres.services.audit import audit_list_read
from config.api import signed_in_user
from config.db_router import replica_reads
from config.exports import csv_response
from config.periods import Period
from intake.views.reports import old_download
from intake.year.charts import chart_data_uri, describe
from intake.year.exports import report_pdf, report_xlsx, table_rows
from intake.year.figures import year_report
from intake.year.lists import line, with_related
from intake.year.period_form import period_form
from intake.year.sources import SOURCES, Scope, source_rows
from intake.year.tables import Section

ROWS_PER_PAGE = 50
PERIOD_AND_PAGE = ("figure", "year", "quarter", "start", "end", "page")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(centre: Centre, period: Period) -> Scope:
    return Scope((centre.pk,), period, timezone.now())


def _period_or_400(request: HttpRequest, centre: Centre) -> tuple[Period | None, Any]:
    zone = ZoneInfo(centre.time_zone)
    form = period_form(request.GET, timezone.now().astimezone(zone).date())
    return (form.period(zone) if form.is_valid() else None), form


@login_required
def year_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The report of the period asked for (this year unless chosen). `?download=` gives it as
    `xlsx` or `pdf`, one table as `csv` (with `table=`), or the raw `enquiries` / `hours` rows."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    period, form = _period_or_400(request, centre)
    if period is None:
        return render(request, "intake/year.html", {"centre": centre, "form": form}, status=400)
    download = request.GET.get("download", "")
    with replica_reads():  # counts over a year: a read replica may answer them (config/db_router.py)
        if download in ("enquiries", "hours"):
            return old_download(centre, download, period)
        sections = year_report(_scope(centre, period))
        if download:
            return _download(request, centre, period, sections, download)
    for section in sections:
        for table in section.tables:
            if table.chart is not None:
                table.chart_uri = chart_data_uri(table.chart)  # type: ignore[attr-defined]
                table.chart_text = describe(table.chart)  # type: ignore[attr-defined]
    context = {"centre": centre, "form": form, "period": period, "sections": sections, "query": period.query()}
    return render(request, "intake/year.html", context)


def _download(request: HttpRequest, centre: Centre, period: Period, sections: list[Section], kind: str) -> HttpResponse:
    span = f"{centre.slug}-{period.start}_{period.end}"
    if kind == "xlsx":
        return _file(report_xlsx(centre, period, sections), XLSX, f"figures-{span}.xlsx")
    if kind == "pdf":
        return _file(report_pdf(centre, period, sections), "application/pdf", f"figures-{span}.pdf")
    tables = {table.key: table for section in sections for table in section.tables}
    table = tables.get(request.GET.get("table", ""))
    if kind != "csv" or table is None:
        return render(
            request, "intake/year.html", {"centre": centre, "form": None, "unknown_download": True}, status=400
        )
    header, *rows = list(table_rows(table))
    return csv_response(f"{table.key}-{span}.csv", header, rows)


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def figure_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The rows behind one figure: `figure=` names it, the period and the figure's filters (a
    channel, a topic, a month …) narrow it as the report's link says. An unknown figure or filter
    is refused with 400 and changes nothing."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    period, form = _period_or_400(request, centre)
    name = request.GET.get("figure", "")
    filters = {key: str(value) for key, value in request.GET.items() if key not in PERIOD_AND_PAGE}
    context: dict[str, Any] = {"centre": centre, "form": form, "figure": name, "period": period}
    if period is None or name not in SOURCES:
        return render(request, "intake/year_list.html", {**context, "refused": True}, status=400)
    try:
        rows = with_related(source_rows(name, _scope(centre, period), dict(filters)).order_by("pk"))
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    except (KeyError, ValueError, ValidationError):
        return render(request, "intake/year_list.html", {**context, "refused": True}, status=400)
    audit_list_read(
        actor=signed_in_user(request),
        model=rows.model,
        list_name=f"year-report:{name}",
        filters={**filters, "start": str(period.start), "end": str(period.end)},
        rows=page.object_list,
        centre_ids=[centre.pk],
    )
    lines = [line(row, centre) for row in page.object_list]
    here = request.GET.copy()
    here.pop("page", None)
    return render(
        request,
        "intake/year_list.html",
        {**context, "page": page, "lines": lines, "here": here.urlencode(), "back": period.query()},
    )
