"""Changing where meetings take place: one meeting, or a whole series from now on, between a
room, online, hybrid and outdoors (`meetings.venue`). A room-bound venue is checked like a move
(opening hours, closures, clashes); members are told of every change, a new video link too."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError
from meetings.booking import Slot, check_slot_bookable
from meetings.caching import calendar_changed
from meetings.models import Meeting, MeetingSeries, Room
from meetings.services.meetings import _locked, _save_change, meeting_check_not_owned
from meetings.services.notices import change_notices_queue
from meetings.venue import Venue, venue_check

VENUE_FIELDS = ("mode", "room", "video_link", "meeting_point")


def _differs(obj: Meeting | MeetingSeries, venue: Venue) -> list[str]:
    return [name for name in VENUE_FIELDS if getattr(obj, name) != getattr(venue, name)]


@transaction.atomic
def meeting_venue_set(
    *,
    actor: AbstractBaseUser | None,
    meeting: Meeting,
    mode: str,
    room: Room | None = None,
    video_link: str = "",
    meeting_point: str = "",
) -> Meeting:
    """Change how one meeting ahead takes place. Writes the meeting (a higher revision) and an
    audit entry; queues a change notice to the members when anything changed."""
    meeting = _locked(meeting)
    meeting_check_not_owned(meeting)
    if meeting.ends_at <= timezone.now():
        raise ConflictError(_("This meeting is over."))
    venue = venue_check(
        centre_id=meeting.centre_id, mode=mode, room=room, video_link=video_link, meeting_point=meeting_point
    )
    changed = _differs(meeting, venue)
    if not changed:
        return meeting
    if venue.room is not None and meeting.is_live:
        slot = Slot(venue.room.pk, meeting.starts_at, meeting.ends_at)
        check_slot_bookable(venue.room, slot, meeting.centre.time_zone, exclude_ids=[meeting.pk])
    for name in VENUE_FIELDS:
        setattr(meeting, name, getattr(venue, name))
    return _save_change(meeting, list(VENUE_FIELDS), actor=actor, changed_fields=changed)


@transaction.atomic
def series_venue_set(
    *,
    actor: AbstractBaseUser | None,
    series: MeetingSeries,
    mode: str,
    room: Room | None = None,
    video_link: str = "",
    meeting_point: str = "",
) -> int:
    """Change how a series takes place from now on: the series, and its meetings ahead that were
    not changed by hand. A room-bound venue must be free and open at each of them (409 naming the
    first problem). Writes the series, the meetings and an audit entry; queues change notices.
    Returns how many meetings changed."""
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("centre").get(pk=series.pk)
    venue = venue_check(
        centre_id=series.centre_id, mode=mode, room=room, video_link=video_link, meeting_point=meeting_point
    )
    changed = _differs(series, venue)
    if not changed:
        return 0
    ahead = list(
        Meeting.objects.select_for_update(of=("self",))
        .filter(series=series, starts_at__gt=timezone.now(), is_changed=False)
        .order_by("starts_at")
    )
    if venue.room is not None:
        own = [meeting.pk for meeting in ahead]
        for meeting in ahead:
            if meeting.is_live:
                slot = Slot(venue.room.pk, meeting.starts_at, meeting.ends_at)
                check_slot_bookable(venue.room, slot, series.time_zone, exclude_ids=own)
    for name in VENUE_FIELDS:
        setattr(series, name, getattr(venue, name))
    series.save(update_fields=list(VENUE_FIELDS))
    Meeting.objects.filter(pk__in=[meeting.pk for meeting in ahead]).update(
        mode=venue.mode,
        room=venue.room,
        video_link=venue.video_link,
        meeting_point=venue.meeting_point,
        sequence=F("sequence") + 1,
    )
    calendar_changed(series.centre_id)
    audit_record(
        actor=actor, centre=series.centre, action=AuditLogEntry.Action.UPDATE, obj=series, changed_fields=changed
    )
    change_notices_queue(
        meeting_ids=[meeting.pk for meeting in ahead if meeting.is_live],
        change=f"venue-{series.pk}-{timezone.now():%Y%m%dT%H%M%S.%f}",
    )
    return len(ahead)
