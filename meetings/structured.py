"""What search engines read of a public page (schema.org JSON-LD): a centre and a group as the
public sees them, never a member, and a discreet group without times or place."""

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse

from centres.structured import centre_data
from meetings.models import Group


def group_data(request: HttpRequest, group: Group, *, times_shown: bool, meetings: list) -> dict[str, Any]:
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": group.name,
        "description": group.display_description,
        "url": request.build_absolute_uri(reverse("group-page", args=[group.centre.slug, group.public_id])),
        "knowsAbout": group.topic.display_name,
        "knowsLanguage": group.languages,
        "parentOrganization": centre_data(request, group.centre),
    }
    zone = ZoneInfo(group.centre.time_zone)
    if times_shown and meetings and not group.discreet:  # search engines never keep a discreet group's dates
        found["event"] = [
            {
                "@type": "Event",
                "name": group.name,
                "startDate": meeting.starts_at.astimezone(zone).isoformat(),
                "endDate": meeting.ends_at.astimezone(zone).isoformat(),
                "eventStatus": "https://schema.org/EventCancelled"
                if meeting.status == "cancelled"
                else "https://schema.org/EventScheduled",
            }
            for meeting in meetings
        ]
    del found["parentOrganization"]["@context"]
    return found
