"""events' part of the workspace dashboard: the next events, with their places and waiting lists."""

from datetime import date
from typing import Any

from django.utils import timezone

from centres.dashboard import dashboard_context_register
from centres.models import Centre
from events.models import Event
from events.selectors import with_counts

SHOWN = 3


def next_events(centre: Centre, day: date) -> dict[str, Any]:
    coming = with_counts(
        Event.objects.filter(centre=centre, meeting__ends_at__gte=timezone.now(), meeting__status="scheduled")
    ).select_related("centre", "meeting__room__location")
    return {"next_events": list(coming.order_by("meeting__starts_at", "pk")[:SHOWN])}


def register() -> None:
    dashboard_context_register(app="events", order=25, contribute=next_events, template="events/dashboard_cards.html")
