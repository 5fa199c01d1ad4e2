"""An event is created with its booking (a one-off meeting the room planner shows like any
booking), changed, moved and cancelled here. Moving or cancelling it tells everyone who holds a
place or waits for one; more places move people up from the waiting list."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from events.models import MAX_PLACES, Event, Registration
from events.selectors import event_lock, is_open, taken_places
from events.services.mail import registration_mail
from events.services.registrations import fill_places
from meetings.models import Meeting, Mode, Room
from meetings.services.meetings import meeting_cancel, meeting_move, one_off_create
from notifications.models import OutgoingMail

# What a coordinator may change on the event itself; time and place move through `event_move`.
EVENT_FIELDS = ("kind", "audience", "title", "description", "places")


def _check(*, kind: str, audience: str, title: str, places: int, room: Room | None) -> None:
    if kind not in Event.Kind.values:
        raise DomainError(_("Choose what kind of event this is."), field="kind")
    if audience not in Event.Audience.values:
        raise DomainError(_("Choose who may register."), field="audience")
    if not title.strip():
        raise DomainError(_("Give the event a title."), field="title")
    if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= MAX_PLACES:
        raise DomainError(_("An event has between 1 and %(most)d places.") % {"most": MAX_PLACES}, field="places")
    if room is not None and places > room.capacity:
        raise DomainError(
            _("%(room)s holds %(capacity)d people: offer at most that many places, or choose a larger room.")
            % {"room": room.name, "capacity": room.capacity},
            field="places",
        )


@transaction.atomic
def event_create(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    kind: str,
    audience: str,
    title: str,
    places: int,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    room: Room | None = None,
    mode: str = Mode.ROOM,
    video_link: str = "",
    meeting_point: str = "",
) -> Event:
    """Book the event's room (or hold it online or outdoors) and open it for registration.
    The booking is checked like any other: opening hours, closures, clashes."""
    _check(kind=kind, audience=audience, title=title, places=places, room=room)
    meeting = one_off_create(
        actor=actor,
        centre=centre,
        room=room,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        video_link=video_link,
        meeting_point=meeting_point,
    )
    event = Event.objects.create(
        centre=centre,
        meeting=meeting,
        kind=kind,
        audience=audience,
        title=title.strip(),
        description=description.strip(),
        places=places,
    )
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=event)
    return event


@transaction.atomic
def event_update(*, actor: AbstractBaseUser | None, event: Event, **values: object) -> Event:
    """Change the event's kind, audience, title, description or places. Fewer places than are
    taken is refused; more places move people up from the waiting list."""
    event = event_lock(event.pk)
    fields = {name: values[name] for name in EVENT_FIELDS if name in values}
    merged = {name: fields.get(name, getattr(event, name)) for name in EVENT_FIELDS}
    _check(
        kind=str(merged["kind"]),
        audience=str(merged["audience"]),
        title=str(merged["title"]),
        places=merged["places"],  # type: ignore[arg-type]
        # The room's size matters when the places change (a room made smaller since is not a reason
        # to refuse a new title).
        room=event.meeting.room if merged["places"] != event.places else None,
    )
    taken = taken_places(event)
    if int(merged["places"]) < taken:  # type: ignore[call-overload]
        raise ConflictError(
            _("%(taken)d people already have a place: keep at least %(taken)d places, or cancel registrations first.")
            % {"taken": taken}
        )
    changed = [name for name in EVENT_FIELDS if merged[name] != getattr(event, name)]
    if not changed:
        return event
    for name in changed:
        value = merged[name]
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    event.save(update_fields=changed)
    if "title" in changed:
        meeting = event.meeting
        meeting.title, meeting.sequence = event.title, meeting.sequence + 1
        meeting.save(update_fields=["title", "sequence", "updated_at"])
    audit_record(
        actor=actor, centre=event.centre, action=AuditLogEntry.Action.UPDATE, obj=event, changed_fields=changed
    )
    if "places" in changed and is_open(event):
        fill_places(event)
    return event


def _tell_everyone(event: Event, template: str) -> int:
    """Tell everyone holding a place or waiting for one about a change (once per revision)."""
    told = 0
    registrations = Registration.objects.filter(
        event=event, status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING]
    ).select_related("person")
    for registration in registrations:
        registration.event = event
        mail = registration_mail(
            registration,
            template,
            obj=f"event-{template}-{event.pk}-{event.meeting.sequence}-{registration.pk}",
            kind=OutgoingMail.Kind.CHANGE_NOTICE,
        )
        told += mail is not None
    return told


@transaction.atomic
def event_move(
    *,
    actor: AbstractBaseUser | None,
    event: Event,
    starts_at: datetime,
    ends_at: datetime,
    room: Room | None = None,
) -> Event:
    """Move the event (its booking keeps its calendar UID) and tell everyone registered."""
    event = event_lock(event.pk)
    if not is_open(event):
        raise ConflictError(_("Only an event that is on and has not begun can be moved."))
    if room is not None and event.places > room.capacity:
        raise DomainError(
            _(
                "%(room)s holds %(capacity)d people, and the event offers %(places)d places: "
                "choose a larger room, or offer fewer places first."
            )
            % {"room": room.name, "capacity": room.capacity, "places": event.places},
            field="room",
        )
    before, start = event.meeting.sequence, event.meeting.starts_at
    event.meeting = meeting_move(
        actor=actor, meeting=event.meeting, starts_at=starts_at, ends_at=ends_at, room=room, by_owner=True
    )
    if event.meeting.sequence != before:
        if event.meeting.starts_at != start:  # the reminder is due again at the new time
            Registration.objects.filter(event=event).update(reminded_at=None)
        _tell_everyone(event, "changed")
    return event


@transaction.atomic
def event_cancel(*, actor: AbstractBaseUser | None, event: Event) -> Event:
    """Cancel the event: its room is free again, and everyone holding a place or waiting is told.
    The registrations stay, for the counts."""
    event = event_lock(event.pk)
    if event.meeting.status == Meeting.Status.CANCELLED:
        raise ConflictError(_("This event is already cancelled."))
    if event.meeting.starts_at <= timezone.now():
        raise ConflictError(_("The event has begun: it cannot be cancelled any more."))
    event.meeting = meeting_cancel(actor=actor, meeting=event.meeting, by_owner=True)
    _tell_everyone(event, "cancelled")
    audit_record(
        actor=actor, centre=event.centre, action=AuditLogEntry.Action.UPDATE, obj=event, changed_fields=["status"]
    )
    return event
