"""meetings' part of the workspace dashboard: today's meetings in the centre, and what self-run
groups asked for."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from centres.dashboard import dashboard_context_register
from centres.models import Centre
from meetings.models import GroupRequest, Meeting


def todays_meetings(centre: Centre, day: date) -> dict[str, Any]:
    day_start = datetime.combine(day, time.min, tzinfo=ZoneInfo(centre.time_zone))
    meetings = (
        Meeting.objects.filter(centre=centre, starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1))
        .select_related("group", "room__location")
        .order_by("starts_at")
    )
    open_requests = GroupRequest.objects.filter(centre=centre, status=GroupRequest.Status.OPEN).count()
    return {"meetings": meetings, "open_group_requests": open_requests}


def register() -> None:
    dashboard_context_register(
        app="meetings", order=10, contribute=todays_meetings, template="meetings/dashboard_cards.html"
    )
