"""The events app's configuration; `ready` connects events to the registries of the apps below it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events with registration. Above volunteers (a training updates a volunteer's training
    record) and meetings (an event is a room booking); intake's year report counts them."""

    name = "events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from events import dashboard, privacy
        from events.selectors import booking_event
        from meetings.booking import booking_owner_lookup_register

        privacy.register()
        dashboard.register()
        # An event's room booking belongs to the event: the planner links there, and meetings'
        # services refuse to move or cancel it unless the event asks.
        booking_owner_lookup_register(booking_event)
        from events.sitemaps import EventPages
        from meetings.sitemaps import SITEMAPS

        SITEMAPS["events"] = EventPages
