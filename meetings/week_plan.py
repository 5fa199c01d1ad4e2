"""The room planner's week as data: every room × seven days with its meetings, closure and free
stretches, and each room's utilisation. Pure: `selectors.room_week_plan` reads the rows and
builds it here; the planner page and the API's planner show it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from centres.models import Centre
from meetings.booking import closure_on
from meetings.models import Closure, Meeting, OpeningHours, Room

# The day a room without opening hours is shown as free in, in the planner.
PLANNER_DAY = (time(8, 0), time(22, 0))


@dataclass
class DayCell:
    day: date
    meetings: list[Meeting]
    closure: Closure | None
    free: list[tuple[time, time]] = field(default_factory=list)


def free_intervals(
    opens: time, closes: time, busy: list[tuple[datetime, datetime]], day: date, zone: ZoneInfo
) -> list[tuple[time, time]]:
    """The stretches of [opens, closes] on a local day that no live meeting takes."""
    free, cursor = [], opens
    for start, end in sorted(busy):
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        start_time = local_start.time() if local_start.date() == day else time.min
        end_time = local_end.time() if local_end.date() == day else time.max
        if start_time > cursor:
            free.append((cursor, min(start_time, closes)))
        cursor = max(cursor, end_time)
        if cursor >= closes:
            break
    if cursor < closes:
        free.append((cursor, closes))
    return [(begin, end) for begin, end in free if begin < end]


@dataclass
class RoomWeek:
    room: Room
    cells: list[DayCell]
    booked_minutes: int = 0
    open_minutes: int | None = None

    @property
    def utilisation(self) -> float | None:
        """Booked share of the opening hours (None when the room has no hours set)."""
        if not self.open_minutes:
            return None
        return round(self.booked_minutes / self.open_minutes, 3)


@dataclass
class WeekPlan:
    centre: Centre
    monday: date
    days: list[date]
    rooms: list[RoomWeek] = field(default_factory=list)

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)


def _live(meetings: list[Meeting]) -> list[Meeting]:
    return [meeting for meeting in meetings if meeting.status == Meeting.Status.SCHEDULED]


def room_week(
    room: Room,
    days: list[date],
    meetings_by_day: dict[tuple[int, date], list[Meeting]],
    closures: list[Closure],
    zone: ZoneInfo,
) -> RoomWeek:
    """One room's week: each day's meetings and closure, its free stretches (within the room's
    opening hours, or PLANNER_DAY when it has none), booked and open minutes."""
    hours: dict[int, OpeningHours] = {entry.weekday: entry for entry in room.opening_hours.all()}
    week = RoomWeek(
        room=room,
        cells=[DayCell(day, meetings_by_day.get((room.pk, day), []), closure_on(closures, day)) for day in days],
    )
    for cell in week.cells:
        if cell.closure is not None or (hours and cell.day.weekday() not in hours):
            continue
        opens, closes = (hours[cell.day.weekday()].opens, hours[cell.day.weekday()].closes) if hours else PLANNER_DAY
        busy = [(meeting.starts_at, meeting.ends_at) for meeting in _live(cell.meetings)]
        cell.free = free_intervals(opens, closes, busy, cell.day, zone)
    week.booked_minutes = sum(
        int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
        for cell in week.cells
        for meeting in _live(cell.meetings)
    )
    if hours:
        week.open_minutes = sum(
            (
                datetime.combine(cell.day, hours[cell.day.weekday()].closes)
                - datetime.combine(cell.day, hours[cell.day.weekday()].opens)
            ).seconds
            // 60
            for cell in week.cells
            if cell.day.weekday() in hours and cell.closure is None
        )
    return week
