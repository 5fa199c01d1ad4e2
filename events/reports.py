"""Counts of events for the year's report: events held in a period by kind, the places taken and
who came. Counts only, never a name."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from config.periods import Period
from events.models import Event, Registration
from meetings.models import Meeting


def held_by_kind(centre_ids: list[int], period: Period, now: datetime) -> dict[str, dict[str, Any]]:
    """Per kind: events that took place in the period (begun, not cancelled), the places taken
    at them and the people recorded as present."""
    held = Event.objects.filter(
        centre_id__in=centre_ids,
        meeting__starts_at__gte=period.since,
        meeting__starts_at__lt=min(period.until, now),
        meeting__status=Meeting.Status.SCHEDULED,
    )
    rows = held.values("kind").annotate(
        events=Count("id", distinct=True),
        taken=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        attended=Count("registrations", filter=Q(registrations__attended=True)),
    )
    return {row["kind"]: dict(row) for row in rows}
