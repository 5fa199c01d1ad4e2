"""Pages of the notifications app: the coordinators' outbox and members' signed-link pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from centres.models import Centre, ConsentRecord
from centres.selectors import person_withdrew, user_is_centre_staff
from centres.services.consents import consent_record
from config.errors import ConflictError
from meetings.models import CalendarToken, Meeting, Membership
from meetings.services import calendar_links, groups
from notifications.absences import absence_record
from notifications.member_links import link_url, member_token_read, member_url
from notifications.models import OutgoingMail


@login_required
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's outgoing mail, newest first: rendered text, status and error."""
    if not user_is_centre_staff(user=request.user):
        raise Http404
    centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    mails = OutgoingMail.objects.filter(centre=centre).select_related("content").order_by("-created_at", "-id")
    status = request.GET.get("status")
    if status in OutgoingMail.Status.values:
        mails = mails.filter(status=status)
    page = Paginator(mails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {"centre": centre, "page": page, "statuses": OutgoingMail.Status.choices, "status": status},
    )


REMINDER_CHOICES = [None, 120, 24 * 60, 48 * 60, 7 * 24 * 60]
REMINDER_PURPOSE = ConsentRecord.Purpose.GROUP_MEMBERSHIP
REMINDER_CONSENT_VERSION = "member-page-reminders-2026-11"


def _membership_for(token: str, purpose: str):
    payload = member_token_read(purpose=purpose, token=token)
    if payload is None:
        return None, payload
    membership = (
        Membership.all_centres.filter(pk=payload.get("m"), left_on__isnull=True)
        .select_related("group", "person", "centre")
        .first()
    )
    return membership, payload


@never_cache
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    """A member's own page, reached by a signed link: next meetings, reminders, leaving."""
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    saved = None
    if request.method == "POST" and request.POST.get("action") == "reminders":
        choice = request.POST.get("reminder_minutes", "")
        minutes = None if choice in ("", "off") else int(choice) if choice.isascii() and choice.isdigit() else -1
        if minutes not in REMINDER_CHOICES:
            return render(request, "notifications/member_link_invalid.html", status=400)
        with transaction.atomic():
            if minutes is not None and person_withdrew(membership.person_id, REMINDER_PURPOSE):
                # Turning reminders on, on their own page, under the sentence that says what it
                # means, is a new consent: recorded, it lets reminders and notices go again.
                consent_record(
                    actor=None,
                    person=membership.person,
                    purpose=REMINDER_PURPOSE,
                    text_version=REMINDER_CONSENT_VERSION,
                    source=ConsentRecord.Source.WEB_FORM,
                )
            groups.membership_update(actor=None, membership=membership, reminder_minutes=minutes)
        saved = "reminders"
    elif request.method == "POST" and request.POST.get("action") == "calendar":
        calendar_links.membership_calendar_link(actor=None, membership=membership)
        saved = "calendar"
    elif request.method == "POST" and request.POST.get("action") == "leave" and request.POST.get("confirm") == "yes":
        groups.membership_end(actor=None, membership=membership)
        return render(request, "notifications/member_left.html", {"membership": membership})
    meetings = list(
        Meeting.all_centres.filter(group=membership.group, starts_at__gt=timezone.now())
        .select_related("room__location", "centre")
        .order_by("starts_at")[:8]
    )
    for meeting in meetings:
        meeting.absence_url = member_url(purpose="absence", membership_id=membership.pk, meeting_id=meeting.pk)
    # The feed of this membership only: the page of one group shows nothing of the person's others.
    token = CalendarToken.all_centres.filter(membership=membership, revoked_at__isnull=True).first()
    return render(
        request,
        "notifications/member_page.html",
        {
            "centre": membership.centre,
            "calendar_url": link_url("person-feed", token.token) if token else "",
            "membership": membership,
            "meetings": meetings,
            "choices": REMINDER_CHOICES,
            "saved": saved,
            "confirm_leave": request.GET.get("leave") == "1",
        },
    )


@never_cache
def member_absence(request: HttpRequest, token: str) -> HttpResponse:
    """ "I can't come this time": a GET shows the question (link scanners follow GETs), a POST
    answers it."""
    membership, payload = _membership_for(token, "absence")
    meeting = (
        Meeting.all_centres.filter(pk=payload.get("t"), group_id=membership.group_id).select_related("centre").first()
        if membership is not None
        else None
    )
    if meeting is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    done = False
    if request.method == "POST":
        try:
            absence_record(membership=membership, meeting=meeting)
            done = True
        except ConflictError as error:
            return render(request, "notifications/member_link_invalid.html", {"message": error.message}, status=409)
    return render(request, "notifications/member_absence.html", {"meeting": meeting, "done": done})
