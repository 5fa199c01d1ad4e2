"""Reading events: the lock every change to places takes, the places taken, what is public,
and the booking's owner for the room planner."""

from datetime import timedelta
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre
from events.models import Event, Registration
from meetings.booking import BookingOwner
from meetings.models import Meeting

HOLDING = [Registration.Status.CONFIRMED]
QUEUED = [Registration.Status.CONFIRMED, Registration.Status.WAITING]


def event_lock(event_id: int) -> Event:
    """The event, locked: every change to its places and queue runs under this lock (taken
    before any registration's), so a freed place goes to exactly one person however many
    cancel at once."""
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("centre", "meeting__room__location")
        .get(pk=event_id)
    )


def is_open(event: Event) -> bool:
    """Whether people may still register: the event is on and has not begun."""
    return event.meeting.status == Meeting.Status.SCHEDULED and event.meeting.starts_at > timezone.now()


def taken_places(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        taken=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
        attended_count=Count("registrations", filter=Q(registrations__attended=True)),
    )


def public_events(centre: Centre | None = None) -> QuerySet[Event]:
    """Public events still to come (and those of the last day, so a cancelled one is seen)."""
    events = Event.objects.filter(
        audience=Event.Audience.PUBLIC, meeting__ends_at__gte=timezone.now() - timedelta(days=1)
    ).select_related("centre", "meeting__room__location")
    if centre is not None:
        events = events.filter(centre=centre)
    return with_counts(events).order_by("meeting__starts_at", "pk")


def public_event(centre: Centre, public_id: UUID) -> Event | None:
    return with_counts(
        Event.objects.filter(centre=centre, public_id=public_id, audience=Event.Audience.PUBLIC).select_related(
            "centre", "meeting__room__location"
        )
    ).first()


def invited_event(code: str) -> Event | None:
    """The event an invitation link opens (public ones too: a link sent round still works)."""
    if not (code.isascii() and 16 <= len(code) <= 32):
        return None
    return with_counts(
        Event.objects.filter(invitation_code=code).select_related("centre", "meeting__room__location")
    ).first()


def booking_event(meeting: Meeting) -> BookingOwner | None:
    """The event whose booking this is, or None. Registered with meetings as the booking's
    owner (`EventsConfig.ready`)."""
    if meeting.group_id is not None:
        return None
    event = Event.objects.filter(meeting=meeting).select_related("centre").first()
    if event is None:
        return None
    return BookingOwner(
        record=event,
        message=_("This is an event people register for: move or cancel it on the event's page, so they are told."),
        link_text=_("Open the event"),
        url=reverse("workspace-event", args=[event.centre.slug, event.pk]),
    )
