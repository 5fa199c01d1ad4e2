"""Changes to one meeting (cancel, reinstate, move, note) and one-off bookings. A changed meeting
keeps its calendar UID and gets a higher revision, so calendars update the event they have."""

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from meetings.booking import (
    MAX_DURATION,
    RACE_MESSAGE,
    Slot,
    booking_owner,
    check_room_in_use,
    check_slot_bookable,
    check_within_planning_range,
    is_exclusion_violation,
)
from meetings.models import Group, Meeting, Mode, Room
from meetings.services.notices import change_notices_queue
from meetings.venue import venue_check


class BookingOwnedElsewhereError(ConflictError):
    """The meeting is a booking another record owns (`meetings.booking.booking_owner`): it is
    changed there."""


def meeting_check_not_owned(meeting: Meeting) -> None:
    """Refuse a direct change (planner, API) to a booking another record owns: an intake
    conversation is changed on its enquiry, an event on its page, which keep its time and room."""
    owner = booking_owner(meeting)
    if owner is not None:
        raise BookingOwnedElsewhereError(owner.message)


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("centre", "room", "group", "series")
        .get(pk=meeting.pk)
    )


def _save_change(
    meeting: Meeting,
    fields: list[str],
    *,
    actor: AbstractBaseUser | None,
    changed_fields: list[str],
    notify: bool = True,
) -> Meeting:
    meeting.sequence += 1
    meeting.is_changed = True
    try:
        with transaction.atomic():
            meeting.save(update_fields=[*fields, "sequence", "is_changed", "updated_at"])
    except IntegrityError as error:
        if is_exclusion_violation(error):
            raise ConflictError(str(RACE_MESSAGE)) from error
        raise
    audit_record(
        actor=actor,
        centre=meeting.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=meeting,
        changed_fields=changed_fields,
    )
    if notify:
        change_notices_queue(meeting_ids=[meeting.pk], change=f"meeting-{meeting.pk}-r{meeting.sequence}")
    return meeting


def _check_times(starts_at: datetime, ends_at: datetime, *, verb: str) -> None:
    if ends_at <= starts_at:
        raise DomainError(_("A meeting must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise DomainError(_("A meeting lasts between 15 minutes and 12 hours."), field="ends_at")
    check_within_planning_range(starts_at.date(), field="starts_at")
    if starts_at < timezone.now():
        message = (
            _("A meeting cannot be moved into the past.")
            if verb == "move"
            else _("A meeting cannot be booked in the past.")
        )
        raise DomainError(message, field="starts_at")


@transaction.atomic
def meeting_cancel(
    *, actor: AbstractBaseUser | None, meeting: Meeting, note: str = "", by_owner: bool = False
) -> Meeting:
    """Cancel one meeting. It stays (for calendars, as STATUS:CANCELLED) with a higher revision.
    A booking another record owns is cancelled only by its owner (`by_owner`)."""
    meeting = _locked(meeting)
    if not by_owner:
        meeting_check_not_owned(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ConflictError(_("This meeting is already cancelled."))
    if meeting.ends_at <= timezone.now():
        raise ConflictError(_("This meeting is over; it cannot be cancelled any more."))
    meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.CANCELLED
    fields = ["status", "cancel_reason"]
    if note:
        meeting.note = note.strip()
        fields.append("note")
    return _save_change(meeting, fields, actor=actor, changed_fields=fields)


@transaction.atomic
def meeting_reinstate(*, actor: AbstractBaseUser | None, meeting: Meeting, by_owner: bool = False) -> Meeting:
    """Undo a cancellation by hand, if the meeting is still ahead and its room free and open. A
    booking another record owns is reinstated only by its owner (`by_owner`), which tells its
    people."""
    meeting = _locked(meeting)
    if not by_owner:
        meeting_check_not_owned(meeting)
    if meeting.status != Meeting.Status.CANCELLED:
        raise ConflictError(_("This meeting is not cancelled."))
    if meeting.cancel_reason == Meeting.CancelReason.CLOSURE:
        raise ConflictError(_("This meeting falls on a closure; lift the closure to restore it."))
    if meeting.cancel_reason == Meeting.CancelReason.SERIES_CHANGED:
        raise ConflictError(_("This date is no longer part of the series."))
    if meeting.starts_at < timezone.now():
        raise ConflictError(_("This meeting is in the past."))
    if meeting.room is not None:  # an online or outdoor meeting books no room
        check_room_in_use(meeting.room)
        check_slot_bookable(
            meeting.room,
            Slot(meeting.room.pk, meeting.starts_at, meeting.ends_at),
            meeting.centre.time_zone,
            exclude_ids=[meeting.pk],
        )
    meeting.status, meeting.cancel_reason = Meeting.Status.SCHEDULED, Meeting.CancelReason.NONE
    return _save_change(meeting, ["status", "cancel_reason"], actor=actor, changed_fields=["status"])


@transaction.atomic
def meeting_move(
    *,
    actor: AbstractBaseUser | None,
    meeting: Meeting,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    room: Room | None = None,
    by_owner: bool = False,
) -> Meeting:
    """Move one meeting in time and/or to another room. Keeps its calendar UID; checks the new
    slot (opening hours, closures, clashes). A meeting in no room (online, outdoors) moves in
    time only. A booking another record owns is moved by its owner (`by_owner`)."""
    meeting = _locked(meeting)
    if not by_owner:
        meeting_check_not_owned(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ConflictError(_("Reinstate the cancelled meeting before moving it."))
    if meeting.room is None and room is not None:
        raise DomainError(_("This meeting takes place in no room: change where it takes place instead."), field="room")
    room = room or meeting.room
    if room is not None:
        if room.centre_id != meeting.centre_id:
            raise DomainError(_("The room belongs to another centre."), field="room")
        check_room_in_use(room)
    new_start = starts_at or meeting.starts_at
    check_within_planning_range(new_start.date(), field="starts_at")
    new_end = ends_at or (new_start + (meeting.ends_at - meeting.starts_at))
    _check_times(new_start, new_end, verb="move")
    if room is not None:
        check_slot_bookable(room, Slot(room.pk, new_start, new_end), meeting.centre.time_zone, exclude_ids=[meeting.pk])
    changed = [
        name
        for name, old, new in (
            ("starts_at", meeting.starts_at, new_start),
            ("ends_at", meeting.ends_at, new_end),
            ("room", meeting.room_id, room.pk if room is not None else None),
        )
        if old != new
    ]
    if not changed:
        return meeting
    meeting.starts_at, meeting.ends_at, meeting.room = new_start, new_end, room
    return _save_change(meeting, ["starts_at", "ends_at", "room"], actor=actor, changed_fields=changed)


@transaction.atomic
def meeting_annotate(*, actor: AbstractBaseUser | None, meeting: Meeting, note: str) -> Meeting:
    """Set the note of one meeting ("expert guest"). Notes reach members, never public feeds."""
    meeting = _locked(meeting)
    meeting.note = note.strip()
    return _save_change(meeting, ["note"], actor=actor, changed_fields=["note"], notify=False)


@transaction.atomic
def one_off_create(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    room: Room | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    group: Group | None = None,
    note: str = "",
    mode: str = Mode.ROOM,
    video_link: str = "",
    meeting_point: str = "",
) -> Meeting:
    """Book a single meeting (information evening, volunteer training) in a room, or online,
    hybrid or outdoors (`venue_check`): only a room-bound one books its room."""
    if group is not None and group.centre_id != centre.pk:
        raise DomainError(_("The group belongs to another centre."), field="group")
    if not title.strip() and group is None:
        raise DomainError(_("Give the meeting a title."), field="title")
    venue = venue_check(centre_id=centre.pk, mode=mode, room=room, video_link=video_link, meeting_point=meeting_point)
    room = venue.room
    _check_times(starts_at, ends_at, verb="book")
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()
        check_slot_bookable(room, Slot(room.pk, starts_at, ends_at), centre.time_zone)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                centre=centre,
                room=room,
                mode=venue.mode,
                video_link=venue.video_link,
                meeting_point=venue.meeting_point,
                group=group,
                title=title.strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                note=note.strip(),
                uid=f"meeting-{uuid.uuid4()}@kontakt",
            )
    except IntegrityError as error:
        if is_exclusion_violation(error):
            raise ConflictError(str(RACE_MESSAGE)) from error
        raise
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=meeting)
    return meeting
