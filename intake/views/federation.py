"""The federation's figures for its admins: the centres' year side by side and summed, counts
only, every table published with small-cell suppression. No figure opens a list: the federation
sees no centre's people."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre
from centres.scoping import all_centres_scope
from centres.selectors import user_is_federation_admin
from config.db_router import replica_reads
from config.exports import csv_response
from intake.year.federation import PublishedTable, federation_evaluation, federation_report
from intake.year.period_form import finished_year_form
from intake.year.sources import Scope

HIDDEN = "×"


@login_required
def federation_figures(request: HttpRequest) -> HttpResponse:
    """A year that has ended, over every centre (the last one unless `year=` asks for another);
    `?download=csv&table=` gives one table."""
    if not user_is_federation_admin(user=request.user):
        raise Http404
    zone = ZoneInfo(settings.TIME_ZONE)
    form = finished_year_form(request.GET, timezone.now().astimezone(zone).date())
    context = {"form": form, "threshold": settings.REPORT_THRESHOLD, "hidden": HIDDEN}
    if not form.is_valid():
        return render(request, "intake/federation_figures.html", context, status=400)
    period = form.period(zone)
    with all_centres_scope(), replica_reads():  # counts over every centre, published suppressed
        centres = list(Centre.objects.order_by("name"))
        scope = Scope(tuple(c.pk for c in centres), period, timezone.now())
        tables = federation_report(scope, centres)
        evaluation = federation_evaluation(scope, centres)
    if request.GET.get("download") == "csv":
        table = next((table for table in tables if table.key == request.GET.get("table")), None)
        if table is None:
            return render(request, "intake/federation_figures.html", {**context, "unknown": True}, status=400)
        return _csv(table, f"federation-{table.key}-{period.start}_{period.end}.csv")
    return render(
        request,
        "intake/federation_figures.html",
        {
            **context,
            "period": period,
            "tables": tables,
            "evaluation": evaluation,
            "centres": len(centres),
            "query": period.query(),
        },
    )


def _shown(value: int | None) -> object:
    return HIDDEN if value is None else value


def _csv(table: PublishedTable, filename: str) -> HttpResponse:
    header = [_("Contact point"), *table.columns, *([_("Total")] if table.additive else [])]
    rows = [
        [name, *map(_shown, cells), *([_shown(total)] if table.additive else [])] for name, cells, total in table.rows
    ]
    rows.append([_("Total"), *map(_shown, table.column_totals), *([_shown(table.total)] if table.additive else [])])
    return csv_response(filename, header, rows)
