"""Reads of the meetings app, each with the joins its callers need."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from centres.models import Centre, ConsentRecord
from centres.selectors import consent_withdrawn
from meetings.booking import RoomCalendar, Slot, closure_on, closures_for_rooms, opening_hours_problem
from meetings.models import CalendarToken, Closure, Group, Location, Meeting, MeetingSeries, Membership, Room, Topic
from meetings.recurrence import local_day_start


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.select_related("centre")


def location_list() -> QuerySet[Location]:
    return Location.objects.select_related("centre")


def room_list() -> QuerySet[Room]:
    return Room.objects.select_related("centre", "location").prefetch_related("opening_hours")


def group_list() -> QuerySet[Group]:
    return Group.objects.select_related("centre", "topic")


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("centre", "group", "person").annotate(
        reminders_withheld=consent_withdrawn(ConsentRecord.Purpose.GROUP_MEMBERSHIP)
    )


def series_list() -> QuerySet[MeetingSeries]:
    return MeetingSeries.objects.select_related("centre", "group", "room")


def meeting_list() -> QuerySet[Meeting]:
    # Only what the API shows: the joined rows are read for a name or a slug each.
    return Meeting.objects.select_related("centre", "group", "room__location").only(
        *(field.name for field in Meeting._meta.concrete_fields if field.name not in ("centre", "group", "room")),
        "centre__slug",
        "group__name",
        "room__name",
        "room__location__name",
    )


def closure_list() -> QuerySet[Closure]:
    return Closure.objects.select_related("centre", "location", "room")


OVERVIEW_FIELDS = (
    "id",
    "starts_at",
    "ends_at",
    "status",
    "title",
    "group_id",
    "group__name",
    "room_id",
    "room__name",
    "room__location__name",
    "centre_id",
)


def meeting_overview_between(starts_at: datetime, ends_at: datetime) -> QuerySet:
    """Plain rows (no model instances) of the meetings overlapping the window, with group, room
    and location names: one query, for overviews across many centres."""
    return (
        Meeting.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at", "id")
        .values(*OVERVIEW_FIELDS)
    )


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


def room_week_plan(*, centre: Centre, monday: date) -> WeekPlan:
    """Every room of a centre × the seven days of a week: meetings, closures, utilisation.

    A fixed number of queries whatever the number of rooms and meetings."""
    monday = monday - timedelta(days=monday.weekday())
    days = [monday + timedelta(days=offset) for offset in range(7)]
    plan = WeekPlan(centre=centre, monday=monday, days=days)
    rooms = list(
        Room.objects.filter(centre=centre, is_active=True)
        .select_related("location")
        .prefetch_related("opening_hours")
        .order_by("location__name", "name")
    )
    starts_at = local_day_start(monday, centre.time_zone)
    ends_at = local_day_start(monday + timedelta(days=7), centre.time_zone)
    meetings = (
        Meeting.objects.filter(centre=centre, room__in=rooms, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("group", "series", "room__location", "centre")
        .order_by("starts_at")
    )
    by_room_day: dict[tuple[int, date], list[Meeting]] = defaultdict(list)
    zone = ZoneInfo(centre.time_zone)
    for meeting in meetings:
        by_room_day[(meeting.room_id, meeting.starts_at.astimezone(zone).date())].append(meeting)
    closures = closures_for_rooms(rooms, days[0], days[-1])
    for room in rooms:
        hours = {entry.weekday: entry for entry in room.opening_hours.all()}
        room_week = RoomWeek(
            room=room,
            cells=[DayCell(day, by_room_day[(room.pk, day)], closure_on(closures[room.pk], day)) for day in days],
        )
        for cell in room_week.cells:
            if cell.closure is not None or (hours and cell.day.weekday() not in hours):
                continue
            opens, closes = (
                (hours[cell.day.weekday()].opens, hours[cell.day.weekday()].closes) if hours else PLANNER_DAY
            )
            busy = [(m.starts_at, m.ends_at) for m in cell.meetings if m.status == Meeting.Status.SCHEDULED]
            cell.free = free_intervals(opens, closes, busy, cell.day, zone)
        room_week.booked_minutes = sum(
            int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
            for cell in room_week.cells
            for meeting in cell.meetings
            if meeting.status == Meeting.Status.SCHEDULED
        )
        if hours:
            room_week.open_minutes = sum(
                (
                    datetime.combine(cell.day, hours[cell.day.weekday()].closes)
                    - datetime.combine(cell.day, hours[cell.day.weekday()].opens)
                ).seconds
                // 60
                for cell in room_week.cells
                if cell.day.weekday() in hours and cell.closure is None
            )
        plan.rooms.append(room_week)
    return plan


def free_rooms(
    *,
    centre: Centre,
    slots: list[tuple[datetime, datetime]],
    capacity: int = 1,
    step_free_access: bool = False,
    accessible_toilet: bool = False,
    hearing_loop: bool = False,
) -> list[Room]:
    """Rooms that are open, not closed and free for every one of the slots (one meeting or all
    occurrences of a planned series), and meet the capacity and accessibility wishes."""
    rooms = Room.objects.filter(centre=centre, is_active=True, capacity__gte=capacity).select_related("location")
    for flag, wanted in (
        ("step_free_access", step_free_access),
        ("accessible_toilet", accessible_toilet),
        ("hearing_loop", hearing_loop),
    ):
        if wanted:
            rooms = rooms.filter(**{flag: True})
    rooms = list(rooms.prefetch_related("opening_hours").order_by("capacity", "location__name", "name"))
    if not slots or not rooms:
        return rooms
    zone = ZoneInfo(centre.time_zone)
    first_day = min(start for start, _end in slots).astimezone(zone).date()
    last_day = max(end for _start, end in slots).astimezone(zone).date()
    calendar = RoomCalendar([room.pk for room in rooms], min(s for s, _e in slots), max(e for _s, e in slots))
    closures = closures_for_rooms(rooms, first_day, last_day)
    result = []
    for room in rooms:
        hours = list(room.opening_hours.all())
        if all(
            opening_hours_problem(room, hours, Slot(room.pk, start, end), centre.time_zone) is None
            and closure_on(closures[room.pk], start.astimezone(zone).date()) is None
            and not calendar.clashes(Slot(room.pk, start, end))
            for start, end in slots
        ):
            result.append(room)
    return result


def calendar_link_list() -> QuerySet[CalendarToken]:
    return CalendarToken.objects.select_related("person")


def person_feed_meetings(token: CalendarToken, since: datetime) -> QuerySet[Meeting]:
    """Meetings of the groups the token's person currently belongs to (a member who gave notice
    for a later date still belongs until then); of one token's membership only, if it has one."""
    today = timezone.localdate()
    memberships = Membership.all_centres.filter(person_id=token.person_id)
    if token.membership_id is not None:
        memberships = memberships.filter(pk=token.membership_id)
    group_ids = memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=today)).values("group_id")
    return (
        Meeting.all_centres.filter(group_id__in=group_ids, ends_at__gte=since)
        .select_related("group", "room__location", "centre")
        .order_by("starts_at", "id")
    )


def group_feed_meetings(group: Group, starts_at: datetime) -> QuerySet[Meeting]:
    return (
        Meeting.all_centres.filter(group=group, ends_at__gte=starts_at)
        .select_related("group", "room__location", "centre")
        .order_by("starts_at", "id")
    )


def public_group(public_id) -> Group | None:
    """A publicly listed, not closed group, by its public id (no scope needed: public data)."""
    return (
        Group.all_centres.filter(public_id=public_id, publicly_listed=True)
        .exclude(status=Group.Status.CLOSED)
        .select_related("centre")
        .first()
    )


def active_calendar_token(token: str) -> CalendarToken | None:
    return (
        CalendarToken.all_centres.filter(token=token, revoked_at__isnull=True)
        .select_related("person", "centre")
        .first()
    )


# --- public pages (no scope needed: only what a group shows the world) -----------------------------

PUBLIC_GROUP_STATUSES = (Group.Status.FORMING, Group.Status.STARTING, Group.Status.SELF_RUN)


@dataclass(frozen=True, slots=True)
class PublicMeeting:
    """A meeting as the finder shows it: when and in which room (shared, with its place)."""

    starts_at: datetime
    room: Room


@dataclass
class PublicGroup:
    group: Group
    next_meetings: list[PublicMeeting]

    @property
    def step_free(self) -> bool:
        return bool(self.next_meetings) and all(m.room.step_free_access for m in self.next_meetings)

    @property
    def hearing_loop(self) -> bool:
        return bool(self.next_meetings) and all(m.room.hearing_loop for m in self.next_meetings)


def public_groups(
    centre: Centre,
    *,
    topic_id: int | None = None,
    weekday: int | None = None,
    language: str = "",
    location_id: int | None = None,
    step_free: bool = False,
    weeks: int = 8,
) -> list[PublicGroup]:
    """The centre's publicly listed groups for the group finder, each with its next meetings
    (eight weeks ahead) and where they are. Three queries: the groups, the centre's rooms with
    their places, and the meetings as plain rows (a centre's ~170 groups have ~1,400 meetings in
    eight weeks: rows, not model instances). Filters: topic, weekday of a meeting, language,
    place and step-free access. Never a member."""
    groups = Group.all_centres.filter(
        centre=centre, publicly_listed=True, status__in=PUBLIC_GROUP_STATUSES
    ).select_related("topic")
    if topic_id:
        groups = groups.filter(topic_id=topic_id)
    now = timezone.now()
    rows = list(
        Meeting.all_centres.filter(
            group__in=groups,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(weeks=weeks),
        )
        .order_by("starts_at", "pk")
        .values_list("group_id", "starts_at", "room_id")
    )
    rooms = Room.all_centres.select_related("location").in_bulk({room_id for _group, _starts, room_id in rows})
    by_group: dict[int, list[PublicMeeting]] = {}
    for group_id, starts_at, room_id in rows:
        by_group.setdefault(group_id, []).append(PublicMeeting(starts_at, rooms[room_id]))
    zone = ZoneInfo(centre.time_zone)
    found = []
    for group in groups.order_by("name", "pk"):
        meetings = by_group.get(group.pk, [])
        if language and language not in group.languages:
            continue
        if weekday is not None and not any(m.starts_at.astimezone(zone).weekday() == weekday for m in meetings):
            continue
        if location_id and not any(m.room.location_id == location_id for m in meetings):
            continue
        entry = PublicGroup(group=group, next_meetings=meetings[:3])
        if step_free and not entry.step_free:
            continue
        found.append(entry)
    return found


def public_group_meetings(group: Group, *, count: int = 6) -> list[Meeting]:
    """A group's next meetings as the public sees them: time, place, cancelled or not."""
    return list(
        Meeting.all_centres.filter(group=group, ends_at__gte=timezone.now())
        .select_related("room__location")
        .order_by("starts_at", "pk")[:count]
    )
