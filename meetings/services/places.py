"""Topics, locations, rooms and their opening hours."""

from collections.abc import Sequence
from datetime import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record, fields_apply
from config.errors import DomainError
from meetings import geodata
from meetings.caching import calendar_changed
from meetings.models import Location, OpeningHours, Room, Topic

# The fields coordinators set, here as in the admin and the API.
TOPIC_FIELDS = ("name", "name_translations", "is_offered", "category", "refusal_message")
LOCATION_FIELDS = ("name", "street", "postal_code", "city", "directions", "latitude", "longitude")
ROOM_FIELDS = (
    "name", "capacity", "step_free_access", "accessible_toilet", "hearing_loop", "equipment", "is_active",
    "open_to_self_run",
)  # fmt: skip


def _save(
    obj: Topic | Location | Room,
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    created: bool,
    changed: Sequence[str] = (),
    unique_message: str,
) -> None:
    obj.full_clean(exclude=["centre", "location"])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise DomainError(unique_message, field="name") from error
    action = AuditLogEntry.Action.CREATE if created else AuditLogEntry.Action.UPDATE
    audit_record(actor=actor, centre=centre, action=action, obj=obj, changed_fields=changed)


@transaction.atomic
def topic_create(*, actor: AbstractBaseUser | None, centre: Centre, **values: Any) -> Topic:
    topic = Topic(centre=centre)
    fields_apply(topic, values, allowed=TOPIC_FIELDS)
    _save(topic, actor=actor, centre=centre, created=True, unique_message=_("This centre already has that topic."))
    return topic


@transaction.atomic
def topic_update(*, actor: AbstractBaseUser | None, topic: Topic, **changes: Any) -> Topic:
    changed = fields_apply(topic, changes, allowed=TOPIC_FIELDS)
    if changed:
        _save(
            topic,
            actor=actor,
            centre=topic.centre,
            created=False,
            changed=changed,
            unique_message=_("This centre already has that topic."),
        )
    return topic


def _locate(location: Location, entered: bool, country: str) -> list[str]:
    """Coordinates entered by hand stand; otherwise a new address finds its point in the
    bundled place table (or none: then the finder cannot tell the location's distance)."""
    if entered:
        if (location.latitude is None) != (location.longitude is None):
            raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
        return []
    place = geodata.locate(postcode=location.postal_code, town=location.city, country=country)
    point = (place.point.latitude, place.point.longitude) if place is not None else (None, None)
    if point == (location.latitude, location.longitude):
        return []
    location.latitude, location.longitude = point
    return ["latitude", "longitude"]


@transaction.atomic
def location_create(*, actor: AbstractBaseUser | None, centre: Centre, **values: Any) -> Location:
    """Creates a location; its point comes from the values or from its postcode or town."""
    location = Location(centre=centre)
    fields_apply(location, values, allowed=LOCATION_FIELDS)
    _locate(location, values.get("latitude") is not None or values.get("longitude") is not None, centre.country)
    _save(location, actor=actor, centre=centre, created=True, unique_message=_("A location of that name exists."))
    return location


@transaction.atomic
def location_update(*, actor: AbstractBaseUser | None, location: Location, **changes: Any) -> Location:
    changed = fields_apply(location, changes, allowed=LOCATION_FIELDS)
    if {"postal_code", "city", "latitude", "longitude"} & set(changed):
        # Coordinates sent back unchanged with a new address (a full update) are not "entered".
        entered = "latitude" in changed or "longitude" in changed
        changed = [*changed, *_locate(location, entered, location.centre.country)]
    if changed:
        _save(
            location,
            actor=actor,
            centre=location.centre,
            created=False,
            changed=changed,
            unique_message=_("A location of that name exists."),
        )
    return location


@transaction.atomic
def room_create(*, actor: AbstractBaseUser | None, location: Location, **values: Any) -> Room:
    """Add a room to a location (and so to the location's centre)."""
    room = Room(centre_id=location.centre_id, location=location)
    fields_apply(room, values, allowed=ROOM_FIELDS)
    _save(
        room,
        actor=actor,
        centre=location.centre,
        created=True,
        unique_message=_("This location already has a room of that name."),
    )
    return room


@transaction.atomic
def room_update(*, actor: AbstractBaseUser | None, room: Room, **changes: Any) -> Room:
    changed = fields_apply(room, changes, allowed=ROOM_FIELDS)
    if changed:
        _save(
            room,
            actor=actor,
            centre=room.centre,
            created=False,
            changed=changed,
            unique_message=_("This location already has a room of that name."),
        )
    return room


@transaction.atomic
def opening_hours_set(
    *, actor: AbstractBaseUser | None, room: Room, hours: Sequence[tuple[int, time, time]]
) -> list[OpeningHours]:
    """Replace a room's weekly opening hours: (weekday 0=Monday, opens, closes) per open day.
    An empty list means "open at all times". Existing bookings are not changed."""
    weekdays = [weekday for weekday, _opens, _closes in hours]
    if len(weekdays) != len(set(weekdays)):
        raise DomainError(_("Give each weekday at most once."), field="hours")
    for weekday, opens, closes in hours:
        if weekday not in range(7):
            raise DomainError(_("Weekdays are numbered 0 (Monday) to 6 (Sunday)."), field="hours")
        if opens >= closes:
            raise DomainError(_("A room must open before it closes."), field="hours")
    OpeningHours.objects.filter(room_id=room.pk).delete()
    calendar_changed(room.centre_id)  # bulk_create sends no signals
    created = OpeningHours.objects.bulk_create(
        [OpeningHours(centre_id=room.centre_id, room=room, weekday=w, opens=o, closes=c) for w, o, c in sorted(hours)]
    )
    audit_record(
        actor=actor, centre=room.centre, action=AuditLogEntry.Action.UPDATE, obj=room, changed_fields=["opening_hours"]
    )
    return created
