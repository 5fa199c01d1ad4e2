"""iCalendar (RFC 5545) feeds built with the icalendar library.

Every meeting is its own VEVENT with a stable UID: a moved meeting keeps it, a cancelled one stays
in the feed as STATUS:CANCELLED, and each change raises SEQUENCE, so calendar programs update the
event they already have. Times carry the centre's TZID with a VTIMEZONE. A feed names a group
only by its neutral public name and never lists members.
"""

import functools
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, Timezone, vText, vUri

from meetings.models import WITH_VIDEO, Group, Meeting, Mode

PRODID = "-//Kontakt//Self-help group meetings//EN"


def group_calendar_name(group: Group) -> str:
    """How a group is named in calendars: a discreet group is just "Group meeting" (no topic
    words), in the feed's name as in each event."""
    if group.discreet:
        with translation.override(group.centre.default_language):
            return gettext("Group meeting")
    return group.name


def calendar_title(meeting: Meeting) -> str:
    """A meeting's SUMMARY: its title, or its group's calendar name."""
    group = meeting.group if meeting.group_id else None
    if group is not None and group.discreet:
        return group_calendar_name(group)
    return meeting.display_title


def meeting_event(meeting: Meeting, *, with_notes: bool) -> Event:
    zone = ZoneInfo(meeting.centre.time_zone)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", calendar_title(meeting))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    event.add("location", event_location(meeting, private=with_notes))
    if with_notes and meeting.video_link:
        # The video link is as private as the roster: only members' own feeds and mails carry it.
        event.add("url", vUri(meeting.video_link))
        event.add("conference", vUri(meeting.video_link), parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    if with_notes and meeting.note:
        # Notes are written for the group's members; a public feed never carries them.
        event.add("description", meeting.note)
    return event


def event_location(meeting: Meeting, *, private: bool) -> str:
    """The LOCATION: the room's building, room and address, the meeting point outdoors, and for
    an online meeting the video link in a member's own feed, "Online" in a public one."""
    parts: list[str] = []
    if meeting.room is not None:
        location = meeting.room.location
        parts += [f"{location.name}, {meeting.room.name}", location.address]
    if meeting.mode == Mode.OUTDOORS:
        parts.append(meeting.meeting_point)
    if meeting.mode in WITH_VIDEO:
        parts.append(meeting.video_link if private and meeting.video_link else gettext("Online"))
    return ", ".join(part for part in parts if part)


def meetings_calendar(
    meetings: Iterable[Meeting], *, name: str, with_notes: bool = False, method: str | None = None
) -> bytes:
    """A VCALENDAR of the meetings, with a VTIMEZONE for every zone they use. Meeting notes only
    with `with_notes` (private feeds of members)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # X-WR-CALNAME is not a text property to icalendar, which would write a stored line break
    # as is and refuse the whole feed; names are single-line, and one stored before that rule
    # is folded into one line and escaped like any text.
    calendar.add("x-wr-calname", vText(" ".join(name.split())))
    if method:
        calendar.add("method", method)
    days, zones = [], set()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, with_notes=with_notes))
        days.append(meeting.starts_at.date())
        zones.add(meeting.centre.time_zone)
    if days:
        # The zones' rules for the years the meetings fall in, not 1970-2038: a reminder's .ics
        # shrinks from about 3 KB to under 1 KB. VTIMEZONEs go before the events that use them.
        first, last = min(days).year, max(days).year
        calendar.subcomponents[:0] = [_vtimezone(zone, first, last) for zone in sorted(zones)]
    return calendar.to_ical()


@functools.lru_cache(maxsize=64)
def _vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """Built once per zone and years (a reminder run makes a calendar per meeting); the
    component is only read when calendars are serialised."""
    return Timezone.from_tzid(zone, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 12, 31))
