"""meetings' part of the workspace dashboard: today's meetings in the centre, what self-run
groups asked for, the self-run groups to look at, and the members to tell by phone."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef
from django.utils import timezone

from centres.dashboard import dashboard_context_register
from centres.models import Centre
from meetings.models import ContactPerson, Group, GroupRequest, Meeting, StillMeetingCheck
from meetings.selectors.phone_notices import phone_notices_open
from meetings.services.still_meeting import ANSWER_WITHIN


def todays_meetings(centre: Centre, day: date) -> dict[str, Any]:
    day_start = datetime.combine(day, time.min, tzinfo=ZoneInfo(centre.time_zone))
    meetings = (
        Meeting.objects.filter(centre=centre, starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1))
        .select_related("group", "room__location")
        .order_by("starts_at")
    )
    open_requests = GroupRequest.objects.filter(centre=centre, status=GroupRequest.Status.OPEN).count()
    to_phone = phone_notices_open(centre)
    return {
        "meetings": meetings,
        "open_group_requests": open_requests,
        "phone_notices": list(to_phone[:5]),
        "phone_notices_count": to_phone.count(),
        **self_run_attention(centre),
    }


def self_run_attention(centre: Centre) -> dict[str, Any]:
    """Self-run groups to look at: no answer to "Still meeting?" in four weeks, or no contact
    person to ask."""
    unanswered = StillMeetingCheck.objects.filter(
        centre=centre,
        group__status=Group.Status.SELF_RUN,
        answered_at__isnull=True,
        asked_at__lt=timezone.now() - ANSWER_WITHIN,
    ).select_related("group")
    unheard = Group.objects.filter(centre=centre, status=Group.Status.SELF_RUN).exclude(
        Exists(ContactPerson.objects.filter(group=OuterRef("pk"), ended_at__isnull=True))
    )
    return {"still_meeting_unanswered": list(unanswered[:20]), "self_run_without_contact": list(unheard[:20])}


def register() -> None:
    dashboard_context_register(
        app="meetings", order=10, contribute=todays_meetings, template="meetings/dashboard_cards.html"
    )
