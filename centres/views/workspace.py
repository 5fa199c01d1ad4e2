"""The coordinators' dashboard: one page with what needs attention today in their centre."""

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from centres.dashboard import dashboard_context
from centres.models import Centre
from centres.selectors import centre_list, user_is_centre_staff


@login_required
def workspace_start(request: HttpRequest) -> HttpResponse:
    """After logging in: the dashboard of the staff member's (first) centre."""
    if not user_is_centre_staff(user=request.user):
        raise Http404
    centre = centre_list().order_by("name").first()
    if centre is None:
        raise Http404
    return redirect("workspace", slug=centre.slug)


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    if not user_is_centre_staff(user=request.user):
        raise Http404
    centre = Centre.objects.filter(slug=slug).first()  # scoped: only the staff's own centres
    if centre is None:
        raise Http404
    today = timezone.localtime(timezone.now(), ZoneInfo(centre.time_zone)).date()
    context = {"centre": centre, "today": today, **dashboard_context(centre, today)}
    return render(request, "centres/dashboard.html", context)
