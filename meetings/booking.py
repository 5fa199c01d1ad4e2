"""The rules every booking obeys: the room is open, not closed, and free, on a day within the
planning range; and a series' occurrences checked against them (`plan_occurrences`). Reads and
checks only; the services that write bookings call them, and so do the selectors that look for
free rooms or preview a series.

A room holds one live meeting at a time. On PostgreSQL an exclusion constraint guarantees it under
any concurrency; these checks give the clear message first, and are the only guard on SQLite.
"""

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import ConflictError, DomainError
from meetings.models import Closure, Meeting, OpeningHours, Room
from meetings.recurrence import occurrence_starts

MAX_DURATION = timedelta(hours=12)
# When PostgreSQL's no-double-booking constraint refuses a write the checks let through.
RACE_MESSAGE = gettext_lazy("The room was booked by someone else just now. Please try again.")


@dataclass(frozen=True)
class Slot:
    room_id: int
    starts_at: datetime
    ends_at: datetime


class RoomClashError(ConflictError):
    """The room is taken. `clashes` holds the meetings in the way."""

    def __init__(self, clashes: Sequence[Meeting]) -> None:
        self.clashes = list(clashes)
        described = "; ".join(describe_meeting(meeting) for meeting in self.clashes[:5])
        more = len(self.clashes) - 5
        message = _("The room is already booked: %(meetings)s") % {"meetings": described}
        if more > 0:
            message += " " + _("and %(count)d more.") % {"count": more}
        super().__init__(message)


class RoomUnavailableError(ConflictError):
    """The room is closed (holiday) or outside its opening hours at that time."""


def describe_meeting(meeting: Meeting) -> str:
    """A clash as a coordinator reads it: what, where, when (in the centre's local time)."""
    zone = ZoneInfo(meeting.centre.time_zone)
    local_start, local_end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return _("%(title)s in %(room)s on %(day)s %(start)s–%(end)s") % {
        "title": meeting.display_title or _("a booking"),
        "room": meeting.room.name if meeting.room is not None else meeting.place,
        "day": formats.date_format(local_start, "SHORT_DATE_FORMAT"),
        "start": local_start.strftime("%H:%M"),
        "end": local_end.strftime("%H:%M"),
    }


def opening_hours_problem(room: Room, hours: Sequence[OpeningHours], slot: Slot, time_zone: str) -> str | None:
    """Why the slot lies outside the room's opening hours, or None if it fits (or no hours are set)."""
    if not hours:
        return None
    zone = ZoneInfo(time_zone)
    local_start, local_end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    weekday_name = OpeningHours.Weekday(local_start.weekday()).label
    day = next((entry for entry in hours if entry.weekday == local_start.weekday()), None)
    if day is None:
        return _("%(room)s is closed on %(weekday)s.") % {"room": room.name, "weekday": weekday_name}
    same_day = local_start.date() == local_end.date()
    # A room open "until 23:59" is open until midnight: a meeting may end at 24:00.
    ends_at_midnight = local_end.time() == time.min and local_end.date() == local_start.date() + timedelta(days=1)
    end_fits = day.closes >= time(23, 59) if ends_at_midnight else same_day and local_end.time() <= day.closes
    if day.opens <= local_start.time() and end_fits:
        return None
    return _("%(room)s is open on %(weekday)s from %(opens)s to %(closes)s.") % {
        "room": room.name,
        "weekday": weekday_name,
        "opens": day.opens.strftime("%H:%M"),
        "closes": day.closes.strftime("%H:%M"),
    }


def room_opening_hours(room: Room) -> list[OpeningHours]:
    """The room's weekly hours."""
    return list(OpeningHours.objects.filter(room_id=room.pk))


def closures_for_rooms(rooms: Iterable[Room], first: date, last: date) -> dict[int, list[Closure]]:
    """The closures touching first..last that apply to each room (centre-wide, location or room)."""
    rooms = list(rooms)
    if not rooms:
        return {}
    centre_ids = {room.centre_id for room in rooms}
    closures = list(
        Closure.objects.filter(centre_id__in=centre_ids, starts_on__lte=last, ends_on__gte=first).order_by(
            "starts_on", "id"
        )
    )

    def applies(closure: Closure, room: Room) -> bool:
        if closure.centre_id != room.centre_id:
            return False
        if closure.room_id is not None:
            return closure.room_id == room.pk
        return closure.location_id is None or closure.location_id == room.location_id

    by_room = {room.pk: [closure for closure in closures if applies(closure, room)] for room in rooms}
    return by_room


def closure_on(closures: Sequence[Closure], day: date) -> Closure | None:
    return next((closure for closure in closures if closure.starts_on <= day <= closure.ends_on), None)


class Booked(Protocol):
    """What the room calendar needs of a booking: a meeting, or a row about to be inserted."""

    @property
    def pk(self) -> int | None: ...
    @property
    def room_id(self) -> int | None: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


class RoomCalendar:
    """The live meetings of some rooms in a time window, for fast overlap checks in memory."""

    def __init__(
        self, room_ids: Iterable[int], starts_at: datetime, ends_at: datetime, exclude_ids: Iterable[int] = ()
    ) -> None:
        self._intervals: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
        self._meetings: dict[int, Meeting] = {}
        meetings = (
            Meeting.objects.filter(
                room_id__in=set(room_ids),
                status=Meeting.Status.SCHEDULED,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            )
            .exclude(pk__in=list(exclude_ids))
            .select_related("room", "group", "centre")
        )
        for meeting in meetings:
            self.add(meeting)

    def add(self, meeting: "Booked") -> None:
        if meeting.room_id is None:  # online or outdoors: in no room's calendar
            return
        key = id(meeting) if meeting.pk is None else meeting.pk
        # A row about to be inserted (`services.materialise.NewMeeting`) stands in for a meeting
        # here: it has the columns a clash is judged and named by.
        self._meetings[key] = cast(Meeting, meeting)
        bisect.insort(self._intervals[meeting.room_id], (meeting.starts_at, meeting.ends_at, key))

    def clashes(self, slot: Slot) -> list[Meeting]:
        intervals = self._intervals.get(slot.room_id, [])
        # Candidates start before the slot ends; none lasts longer than MAX_DURATION, so the
        # walk back can stop once starts lie that far before the slot.
        index = bisect.bisect_left(intervals, (slot.ends_at,))
        found = []
        for start, end, key in reversed(intervals[:index]):
            if start < slot.starts_at - MAX_DURATION:
                break
            if end > slot.starts_at:
                found.append(self._meetings[key])
        return sorted(found, key=lambda meeting: meeting.starts_at)


PLANNING_YEARS_BACK = 1
PLANNING_YEARS_AHEAD = 10


def horizon_end(today: date | None = None) -> date:
    """The last day meetings are materialised for (a rolling horizon, MEETING_HORIZON_WEEKS)."""
    today = today or timezone.localdate()
    return today + timedelta(weeks=settings.MEETING_HORIZON_WEEKS)


def local_today(time_zone: str) -> date:
    """Today on the wall clock of `time_zone` (a centre's)."""
    return timezone.now().astimezone(ZoneInfo(time_zone)).date()


def check_within_planning_range(day: date, *, field: str) -> None:
    """Dates are planned from a year back to ten years ahead; anything else is a typing error."""
    today = timezone.localdate()
    earliest = today.replace(year=today.year - PLANNING_YEARS_BACK, day=min(today.day, 28))
    latest = today.replace(year=today.year + PLANNING_YEARS_AHEAD, day=min(today.day, 28))
    if not earliest <= day <= latest:
        raise DomainError(
            _("Give a date between %(earliest)s and %(latest)s.")
            % {
                "earliest": formats.date_format(earliest, "SHORT_DATE_FORMAT"),
                "latest": formats.date_format(latest, "SHORT_DATE_FORMAT"),
            },
            field=field,
        )


def check_room_in_use(room: Room) -> None:
    if not room.is_active:
        raise DomainError(_("This room is no longer in use."), field="room")


def check_slot_free(slot: Slot, *, exclude_ids: Iterable[int] = ()) -> None:
    """Raise RoomClashError naming the live meetings that overlap the slot."""
    calendar = RoomCalendar([slot.room_id], slot.starts_at, slot.ends_at, exclude_ids=exclude_ids)
    clashes = calendar.clashes(slot)
    if clashes:
        raise RoomClashError(clashes)


def check_slot_bookable(room: Room, slot: Slot, time_zone: str, *, exclude_ids: Iterable[int] = ()) -> None:
    """All booking rules for one slot: opening hours, closures, no clash."""
    problem = opening_hours_problem(room, room_opening_hours(room), slot, time_zone)
    if problem:
        raise RoomUnavailableError(problem)
    local_day = slot.starts_at.astimezone(ZoneInfo(time_zone)).date()
    closure = closure_on(closures_for_rooms([room], local_day, local_day)[room.pk], local_day)
    if closure is not None:
        raise RoomUnavailableError(
            _("%(room)s is closed on %(day)s: %(reason)s.")
            % {"room": room.name, "day": formats.date_format(local_day, "SHORT_DATE_FORMAT"), "reason": closure.reason}
        )
    check_slot_free(slot, exclude_ids=exclude_ids)


def is_exclusion_violation(error: IntegrityError) -> bool:
    """Did PostgreSQL's no-double-booking constraint refuse the write?"""
    return "meeting_room_no_overlap" in str(error)


@dataclass
class PlannedOccurrence:
    """One occurrence of a rule and what stands in its way, for previews and materialisation."""

    starts_at: datetime
    ends_at: datetime
    closure: Closure | None = None
    clashes: list[Meeting] = field(default_factory=list)
    outside_hours: str | None = None

    @property
    def bookable(self) -> bool:
        return self.closure is None and not self.clashes and self.outside_hours is None


def plan_occurrences(
    *,
    room: Room | None,
    rule: str,
    starts_on: date,
    start_time: time,
    duration_minutes: int,
    time_zone: str,
    first: date,
    last: date,
    exclude_ids: Iterable[int] = (),
) -> list[PlannedOccurrence]:
    """Expand a rule over first..last and check every occurrence against the room's opening hours,
    closures and live meetings (none for a series in no room: online or outdoors). Writes
    nothing: the basis of previews and of series creation."""
    starts = occurrence_starts(rule, starts_on, start_time, time_zone, max(first, starts_on), last)
    if not starts:
        return []
    duration = timedelta(minutes=duration_minutes)
    if room is None:
        return [PlannedOccurrence(starts_at=start, ends_at=start + duration) for start in starts]
    calendar = RoomCalendar([room.pk], starts[0], starts[-1] + duration, exclude_ids=exclude_ids)
    closures = closures_for_rooms([room], first, last)[room.pk]
    hours = room_opening_hours(room)
    zone = ZoneInfo(time_zone)
    planned = []
    for start in starts:
        occurrence = PlannedOccurrence(starts_at=start, ends_at=start + duration)
        slot = Slot(room.pk, occurrence.starts_at, occurrence.ends_at)
        occurrence.closure = closure_on(closures, start.astimezone(zone).date())
        occurrence.outside_hours = opening_hours_problem(room, hours, slot, time_zone)
        if occurrence.closure is None:
            occurrence.clashes = calendar.clashes(slot)
        planned.append(occurrence)
    return planned


def check_planned_bookable(planned: Sequence[PlannedOccurrence]) -> None:
    """Raise RoomUnavailableError or RoomClashError (naming every meeting in the way) unless
    each planned occurrence fits the room's hours and is free; closure days may fall in between."""
    outside = next((occurrence.outside_hours for occurrence in planned if occurrence.outside_hours), None)
    if outside:
        raise RoomUnavailableError(outside)
    clashes = {meeting.pk: meeting for occurrence in planned for meeting in occurrence.clashes}
    if clashes:
        raise RoomClashError(sorted(clashes.values(), key=lambda meeting: meeting.starts_at))


@dataclass(frozen=True)
class BookingOwner:
    """What owns a booking (an intake conversation's enquiry, an event), as the planner and the
    refusal to change the booking there name it: why it is changed elsewhere, and where."""

    record: Any
    message: str
    link_text: str
    url: str


# Apps above meetings that own some bookings (intake: the room booked for an intake
# conversation; events: an event's booking) register a lookup in their AppConfig.ready: it
# returns the booking's owner, or None.
BOOKING_OWNER_LOOKUPS: list[Callable[[Meeting], BookingOwner | None]] = []


def booking_owner_lookup_register(lookup: Callable[[Meeting], BookingOwner | None]) -> None:
    if lookup not in BOOKING_OWNER_LOOKUPS:
        BOOKING_OWNER_LOOKUPS.append(lookup)


def booking_owner(meeting: Meeting) -> BookingOwner | None:
    """What owns this booking (e.g. the enquiry of an intake conversation), or None."""
    return next((owner for lookup in BOOKING_OWNER_LOOKUPS if (owner := lookup(meeting)) is not None), None)
