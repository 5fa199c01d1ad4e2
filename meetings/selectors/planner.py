"""Reads of the room planner page: the rooms a filter leaves, a month's overview per day, and
free alternatives when a booking clashes (the same time in other rooms, the same room at other
times)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from centres.models import Centre
from config.errors import DomainError
from meetings.booking import closure_on, closures_for_rooms
from meetings.models import Location, Meeting, Room
from meetings.recurrence import local_day_start
from meetings.selectors import free_rooms, series_slots


@dataclass(frozen=True)
class RoomFilter:
    """Which rooms the planner shows: one location, step-free, with a hearing loop, big enough."""

    location: Location | None = None
    step_free_access: bool = False
    hearing_loop: bool = False
    capacity: int = 1

    def rooms(self, centre: Centre) -> QuerySet[Room]:
        rooms = Room.objects.filter(centre=centre, is_active=True, capacity__gte=self.capacity)
        if self.location is not None:
            rooms = rooms.filter(location=self.location)
        if self.step_free_access:
            rooms = rooms.filter(step_free_access=True)
        if self.hearing_loop:
            rooms = rooms.filter(hearing_loop=True)
        return rooms


@dataclass(frozen=True)
class MonthDay:
    day: date
    in_month: bool
    meetings: int = 0
    cancelled: int = 0
    closed_rooms: int = 0


def month_overview(*, centre: Centre, first: date, rooms: QuerySet[Room]) -> list[list[MonthDay]]:
    """The weeks (Monday to Sunday) of the month that `first` starts: per day, the live and
    cancelled meetings in `rooms` and how many of them are closed. Three queries."""
    start = first - timedelta(days=first.weekday())
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = following + timedelta(days=(7 - following.weekday()) % 7)
    zone = ZoneInfo(centre.time_zone)
    room_list = list(rooms)
    counts: dict[tuple[date, bool], int] = {}
    for starts_at, status in Meeting.objects.filter(
        centre=centre,
        room__in=room_list,
        starts_at__gte=local_day_start(start, centre.time_zone),
        starts_at__lt=local_day_start(end, centre.time_zone),
    ).values_list("starts_at", "status"):
        key = (starts_at.astimezone(zone).date(), status == Meeting.Status.SCHEDULED)
        counts[key] = counts.get(key, 0) + 1
    closures = closures_for_rooms(room_list, start, end)
    days = []
    for offset in range((end - start).days):
        day = start + timedelta(days=offset)
        closed = sum(1 for room in room_list if closure_on(closures[room.pk], day) is not None)
        days.append(
            MonthDay(day, day.month == first.month, counts.get((day, True), 0), counts.get((day, False), 0), closed)
        )
    return [days[index : index + 7] for index in range(0, len(days), 7)]


@dataclass(frozen=True)
class Alternative:
    """A free way to book what clashed: another room at the same time, or the same room at
    another start time."""

    room: Room
    start_time: time


def booking_alternatives(
    *, centre: Centre, room: Room, rule: str, starts_on: date, start_time: time, duration_minutes: int, limit: int = 3
) -> list[Alternative]:
    """Up to `limit` free alternatives for a series (or one meeting) that clashes: first other
    rooms free at every one of its dates, then its own room an hour or two earlier or later."""

    def free_at(start: time) -> list[Room]:
        try:
            slots = series_slots(
                centre=centre, rule=rule, starts_on=starts_on, start_time=start, duration_minutes=duration_minutes
            )
        except DomainError:  # a start time the clocks skip on one of the dates
            return []
        return free_rooms(centre=centre, slots=slots, capacity=room.capacity) if slots else []

    other_rooms = [Alternative(other, start_time) for other in free_at(start_time) if other.pk != room.pk]
    other_times: list[Alternative] = []
    for hours in (1, -1, 2, -2):
        moved = datetime.combine(starts_on, start_time) + timedelta(hours=hours)
        same_day = moved.date() == starts_on
        if len(other_times) < limit and same_day and any(free.pk == room.pk for free in free_at(moved.time())):
            other_times.append(Alternative(room, moved.time()))
    # Both kinds where there are both: two rooms and a time, then whatever is left.
    mixed = other_rooms[: limit - 1] + other_times[:1]
    rest = [alternative for alternative in other_rooms + other_times if alternative not in mixed]
    return (mixed + rest)[:limit]
