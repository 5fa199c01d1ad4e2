"""What search engines read of a public event's page (schema.org Event): its name, time, place
and status, and the centre that organises it. Never a registration."""

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse

from centres.structured import centre_data
from events.models import Event
from meetings.models import WITH_VIDEO, Meeting, Mode


def event_data(request: HttpRequest, event: Event) -> dict[str, Any]:
    meeting = event.meeting
    zone = ZoneInfo(event.centre.time_zone)
    organiser = centre_data(request, event.centre)
    del organiser["@context"]
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.description,
        "url": request.build_absolute_uri(reverse("event-page", args=[event.centre.slug, event.public_id])),
        "startDate": meeting.starts_at.astimezone(zone).isoformat(),
        "endDate": meeting.ends_at.astimezone(zone).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if meeting.status == Meeting.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": (
            "https://schema.org/OnlineEventAttendanceMode"
            if meeting.mode == Mode.ONLINE
            else "https://schema.org/MixedEventAttendanceMode"
            if meeting.mode in WITH_VIDEO
            else "https://schema.org/OfflineEventAttendanceMode"
        ),
        "maximumAttendeeCapacity": event.places,
        "isAccessibleForFree": True,
        "organizer": organiser,
    }
    if meeting.room is not None:
        found["location"] = {
            "@type": "Place",
            "name": f"{meeting.room.location.name}, {meeting.room.name}",
            "address": meeting.room.location.address,
        }
    return found
