"""The staff's way in and out of the workspace (its own login page, logout), the coordinators'
dashboard with what needs attention today in their centre, and the federation's totals."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.dashboard import dashboard_context
from centres.models import Centre
from centres.selectors import centre_list, federation_totals, user_is_centre_staff, user_is_federation_admin


class StaffLoginView(auth_views.LoginView):
    """The workspace's login page for centre staff and the federation (the admin's login stays
    for the platform operator). Failed attempts count towards the lockout, as everywhere."""

    template_name = "centres/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    """Log out (a POST, from the workspace's header) and say so on the login page."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are logged out."))
        return response


@login_required
def federation(request: HttpRequest) -> HttpResponse:
    """The federation admin's page: per centre, how many people and staff (counts only)."""
    if not user_is_federation_admin(user=request.user):
        raise Http404
    totals = federation_totals()
    summary = {"centres": len(totals), "people": sum(row["people"] for row in totals)}
    return render(request, "centres/federation.html", {"totals": totals, "summary": summary})


@login_required
def workspace_start(request: HttpRequest) -> HttpResponse:
    """After logging in: the dashboard of the staff member's (first) centre; the federation's
    totals for a federation admin without a centre."""
    if not user_is_centre_staff(user=request.user):
        if user_is_federation_admin(user=request.user):
            return redirect("federation")
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
