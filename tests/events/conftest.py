"""Fixtures of events: an evening in a room a few days ahead, and reading the links out of mails."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Event
from events.services.events import event_create
from notifications.models import OutgoingMail


def evening(days: int = 3, zone: str = "Europe/Berlin") -> datetime:
    """18:00 local time, `days` from today: always ahead, whatever day the tests run."""
    day = timezone.localdate(timezone=ZoneInfo(zone)) + timedelta(days=days)
    return datetime.combine(day, time(18, 0), tzinfo=ZoneInfo(zone))


@pytest.fixture
def make_event(centre_a, room_a):
    def make(places: int = 2, *, kind: str = Event.Kind.INFORMATION, audience: str = "public", days: int = 3, **extra):
        starts_at = evening(days)
        return event_create(
            actor=None,
            centre=centre_a,
            kind=kind,
            audience=audience,
            title=extra.pop("title", "Informationsabend Selbsthilfe"),
            places=places,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            room=extra.pop("room", room_a),
            **extra,
        )

    return make


def mails_to(address: str, template_word: str = "") -> list[OutgoingMail]:
    mails = OutgoingMail.objects.filter(recipient=address).select_related("content").order_by("pk")
    return [mail for mail in mails if template_word in mail.idempotency_key or not template_word]


def link_in(mail: OutgoingMail, route: str) -> str:
    """The path of the `route` link (e.g. "/events/confirm/") in the mail's text."""
    found = re.search(rf"https?://[^/\s]+({re.escape(route)}[^\s]+/)", mail.content.body_text)
    assert found, mail.content.body_text
    return found.group(1)
