"""The sitemap's events: each centre's events page and every public event still to come."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from centres.scoping import all_centres_scope
from events.models import Event
from meetings.sitemaps import InEveryLanguage


class EventPages(InEveryLanguage):
    changefreq = "daily"

    def items(self) -> list[tuple[str, Any]]:
        with all_centres_scope():
            events = Event.objects.filter(audience=Event.Audience.PUBLIC, meeting__ends_at__gte=timezone.now())
            found = list(
                events.order_by("centre__slug", "meeting__starts_at", "pk").values_list("centre__slug", "public_id")
            )
        return [(slug, None) for slug in sorted({slug for slug, _ in found})] + found

    def path(self, item: tuple[str, Any]) -> str:
        slug, public_id = item
        return reverse("events", args=[slug]) if public_id is None else reverse("event-page", args=[slug, public_id])
