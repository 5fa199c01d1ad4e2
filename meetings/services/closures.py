"""Closure periods (holidays): they cancel the meetings they cover, and restore them when lifted."""

from datetime import date, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from meetings.booking import (
    RACE_MESSAGE,
    RoomCalendar,
    Slot,
    booking_owner,
    check_within_planning_range,
    closure_on,
    closures_for_rooms,
    describe_meeting,
    is_exclusion_violation,
)
from meetings.caching import calendar_changed
from meetings.models import Closure, Location, Meeting, Room
from meetings.selectors import closure_future_meetings
from meetings.services.notices import change_notices_queue

# A closure's fields, as the admin and the API take them and `validate_closure` checks them.
CLOSURE_FIELDS = ("centre", "location", "room", "starts_on", "ends_on", "reason")


def validate_closure(
    *, centre: Centre, starts_on: date, ends_on: date, reason: str, location: Location | None, room: Room | None
) -> None:
    """Raise DomainError (naming the field) for a closure that cannot be made."""
    if location is not None and room is not None:
        raise DomainError(_("Close either a location or a room, not both."), field="room")
    for obj, name in ((location, "location"), (room, "room")):
        if obj is not None and obj.centre_id != centre.pk:
            raise DomainError(_("This belongs to another centre."), field=name)
    if ends_on < starts_on:
        raise DomainError(_("The last day cannot be before the first day."), field="ends_on")
    check_within_planning_range(starts_on, field="starts_on")
    check_within_planning_range(ends_on, field="ends_on")
    if (ends_on - starts_on) > timedelta(days=366):
        raise DomainError(_("A closure lasts at most a year."), field="ends_on")
    if not reason.strip():
        raise DomainError(_("Say why the centre is closed (it is shown with cancelled meetings)."), field="reason")


def _check_no_owned_booking(covered: QuerySet[Meeting]) -> None:
    """A closure cancels group meetings and plain bookings, never one another record owns (an
    event people registered for, an intake conversation): their owner must tell its people, so
    the closure is refused, naming them, until they are moved or cancelled on their own pages."""
    owned = [
        (meeting, owner)
        for meeting in covered.filter(group__isnull=True).select_related("room", "centre")
        if (owner := booking_owner(meeting)) is not None
    ]
    if owned:
        named = ", ".join(describe_meeting(meeting) for meeting, _owner in owned[:3])
        raise ConflictError(
            _("The closure covers bookings people are expecting: %(bookings)s. Move or cancel them first.")
            % {"bookings": named}
        )


@transaction.atomic
def closure_create(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    starts_on: date,
    ends_on: date,
    reason: str,
    location: Location | None = None,
    room: Room | None = None,
) -> tuple[Closure, int]:
    """Close the centre, a location or a room for whole days. Live meetings on those days are
    cancelled with the reason "closure" (and a higher calendar revision). Returns the closure and
    how many meetings it cancelled."""
    validate_closure(centre=centre, starts_on=starts_on, ends_on=ends_on, reason=reason, location=location, room=room)
    closure = Closure.objects.create(
        centre=centre, location=location, room=room, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()
    )
    covered = closure_future_meetings(closure).filter(status=Meeting.Status.SCHEDULED)
    _check_no_owned_booking(covered)
    hit = list(covered.values_list("pk", flat=True))
    calendar_changed(centre.pk)  # the bulk update below sends no signals
    cancelled = Meeting.objects.filter(pk__in=hit).update(
        status=Meeting.Status.CANCELLED,
        cancel_reason=Meeting.CancelReason.CLOSURE,
        closure=closure,
        sequence=F("sequence") + 1,
    )
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=closure)
    change_notices_queue(meeting_ids=hit, change=f"closure-{closure.pk}")
    return closure, cancelled


@transaction.atomic
def closure_delete(*, actor: AbstractBaseUser | None, closure: Closure) -> int:
    """Lift a closure. Meetings it cancelled are restored where no other closure covers them and
    the room is still free; those whose room was booked meanwhile stay cancelled ("clash").
    Returns how many meetings were restored."""
    closure = Closure.objects.select_for_update(of=("self",)).select_related("centre").get(pk=closure.pk)
    centre = closure.centre
    meetings = list(
        Meeting.objects.filter(closure=closure, starts_at__gte=timezone.now())
        .select_related("room")
        .order_by("starts_at")
    )
    pk = closure.pk
    closure.delete()  # the meetings' closure link is SET_NULL
    calendar_changed(centre.pk)
    restored = 0
    if meetings:
        # A closure cancels only meetings in its rooms, so each of these has one.
        rooms = {meeting.room.pk: meeting.room for meeting in meetings if meeting.room is not None}
        others = closures_for_rooms(rooms.values(), closure.starts_on, closure.ends_on)
        calendar = RoomCalendar(rooms, meetings[0].starts_at, meetings[-1].ends_at)
        zone = ZoneInfo(centre.time_zone)
        for meeting in meetings:
            meeting.sequence += 1
            meeting.closure = None
            room_id = cast(int, meeting.room_id)
            other = closure_on(others[room_id], meeting.starts_at.astimezone(zone).date())
            if other is not None:
                meeting.closure = other
            elif calendar.clashes(Slot(room_id, meeting.starts_at, meeting.ends_at)):
                meeting.cancel_reason = Meeting.CancelReason.CLASH
            else:
                meeting.status, meeting.cancel_reason = Meeting.Status.SCHEDULED, Meeting.CancelReason.NONE
                calendar.add(meeting)
                restored += 1
        try:
            with transaction.atomic():
                Meeting.objects.bulk_update(meetings, ["status", "cancel_reason", "closure", "sequence"])
        except IntegrityError as error:
            if not is_exclusion_violation(error):
                raise
            raise ConflictError(str(RACE_MESSAGE)) from error
    closure.pk = pk
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.DELETE, obj=closure)
    change_notices_queue(
        meeting_ids=[meeting.pk for meeting in meetings if meeting.status == Meeting.Status.SCHEDULED],
        change=f"closure-lifted-{pk}",
    )
    return restored
