"""The coordinators' dashboard: one page with what needs attention today in their centre."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from centres.models import Centre
from centres.selectors import centre_list, user_is_centre_staff
from meetings.intake.models import Enquiry
from meetings.intake.services import FINISHED
from meetings.models import Meeting
from notifications.issues import issues_figures
from notifications.models import NewsletterIssue, OutgoingMail
from volunteers.models import RecruitmentNeed
from volunteers.services import phase_outs_due


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
    zone = ZoneInfo(centre.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    day_start = datetime.combine(today, time.min, tzinfo=zone)
    meetings = (
        Meeting.objects.filter(centre=centre, starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1))
        .select_related("group", "room__location")
        .order_by("starts_at")
    )
    open_enquiries = Enquiry.objects.filter(centre=centre, anonymised_at__isnull=True).exclude(status__in=FINISHED)
    issues = list(
        NewsletterIssue.objects.filter(
            centre=centre,
            status__in=[
                NewsletterIssue.Status.SCHEDULED,
                NewsletterIssue.Status.SENDING,
                NewsletterIssue.Status.PAUSED,
            ],
        ).select_related("newsletter")[:5]
    )
    figures = issues_figures([issue.pk for issue in issues])
    for issue in issues:
        issue.figures = figures[issue.pk]
    return render(
        request,
        "centres/dashboard.html",
        {
            "centre": centre,
            "today": today,
            "meetings": meetings,
            "new_enquiries": open_enquiries.filter(status=Enquiry.Status.NEW).count(),
            "open_enquiries": open_enquiries.count(),
            "groups_needing_starters": RecruitmentNeed.objects.filter(
                centre=centre, kind=RecruitmentNeed.Kind.GROUP, resolved_at__isnull=True
            ).select_related("group"),
            "phase_outs": phase_outs_due([centre.pk]),
            "issues": issues,
            "failed_mails": OutgoingMail.objects.filter(centre=centre, status=OutgoingMail.Status.FAILED).count(),
        },
    )
