"""Reads of the meetings app, each with the joins its callers need: the API's lists, the room
planner's week, free rooms, a series' preview, a group's next meeting, the workspace's groups,
the public finder, group pages and calendar feeds. Each runs in its caller's scope; a public page
or feed opens the scope it needs before it asks."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from centres.models import Centre, ConsentRecord
from centres.selectors import consent_withdrawn
from meetings.booking import (
    PlannedOccurrence,
    RoomCalendar,
    Slot,
    check_within_planning_range,
    closure_on,
    closures_for_rooms,
    horizon_end,
    local_today,
    opening_hours_problem,
    plan_occurrences,
)
from meetings.models import CalendarToken, Closure, Group, Location, Meeting, MeetingSeries, Membership, Room, Topic
from meetings.recurrence import check_start_times_exist, local_day_start, normalise_rule, occurrence_starts
from meetings.week_plan import WeekPlan, room_week


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


def notice_memberships(group_ids: Iterable[int], *, today: date) -> QuerySet[Membership]:
    """The memberships a change notice about these groups' meetings reaches: current ones (a
    member who gave notice for a later day still belongs), by mail, by text or by phone."""
    return Membership.objects.filter(group_id__in=list(group_ids)).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today)
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


def calendar_link_list() -> QuerySet[CalendarToken]:
    return CalendarToken.objects.select_related("person")


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


def meeting_overview_between(starts_at: datetime, ends_at: datetime) -> QuerySet[Meeting, dict[str, Any]]:
    """Plain rows (no model instances) of the meetings overlapping the window, with group, room
    and location names: one query, for overviews across many centres."""
    return (
        Meeting.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at", "id")
        .values(*OVERVIEW_FIELDS)
    )


# --- the group's next meeting ------------------------------------------------------------------


def group_next_meetings(group: Group, *, count: int) -> list[Meeting]:
    """The group's next `count` meetings that take place (scheduled, not yet begun), soonest
    first, with their room and place."""
    return list(
        Meeting.objects.filter(group=group, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("room__location", "centre")
        .order_by("starts_at", "id")[:count]
    )


def group_next_meeting(group: Group) -> Meeting | None:
    """The group's next meeting that takes place (scheduled, not yet begun), with its room and
    place; None when none is planned."""
    meetings = group_next_meetings(group, count=1)
    return meetings[0] if meetings else None


# --- the room planner and free rooms -------------------------------------------------------------


def room_week_plan(*, centre: Centre, monday: date, day_count: int = 7, only: QuerySet[Room] | None = None) -> WeekPlan:
    """Every room of a centre (or `only` these) × the seven days of a week (or `day_count` days
    from `monday`, which is then any day): meetings, closures, utilisation.

    A fixed number of queries whatever the number of rooms and meetings."""
    if day_count == 7:
        monday = monday - timedelta(days=monday.weekday())
    days = [monday + timedelta(days=offset) for offset in range(day_count)]
    plan = WeekPlan(centre=centre, monday=monday - timedelta(days=monday.weekday()), days=days)
    rooms = list(
        (only if only is not None else Room.objects.filter(centre=centre, is_active=True))
        .select_related("location")
        .prefetch_related("opening_hours")
        .order_by("location__name", "name")
    )
    starts_at = local_day_start(days[0], centre.time_zone)
    ends_at = local_day_start(days[-1] + timedelta(days=1), centre.time_zone)
    meetings = (
        Meeting.objects.filter(centre=centre, room__in=rooms, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("group", "series", "room__location", "centre")
        .order_by("starts_at")
    )
    by_room_day: dict[tuple[int, date], list[Meeting]] = defaultdict(list)
    zone = ZoneInfo(centre.time_zone)
    for meeting in meetings:
        by_room_day[(cast(int, meeting.room_id), meeting.starts_at.astimezone(zone).date())].append(meeting)
    closures = closures_for_rooms(rooms, days[0], days[-1])
    plan.rooms = [room_week(room, days, by_room_day, closures[room.pk], zone) for room in rooms]
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
    found = list(rooms.prefetch_related("opening_hours").order_by("capacity", "location__name", "name"))
    if not slots or not found:
        return found
    zone = ZoneInfo(centre.time_zone)
    first_day = min(start for start, _end in slots).astimezone(zone).date()
    last_day = max(end for _start, end in slots).astimezone(zone).date()
    calendar = RoomCalendar([room.pk for room in found], min(s for s, _e in slots), max(e for _s, e in slots))
    closures = closures_for_rooms(found, first_day, last_day)
    result = []
    for room in found:
        hours = list(room.opening_hours.all())
        if all(
            opening_hours_problem(room, hours, Slot(room.pk, start, end), centre.time_zone) is None
            and closure_on(closures[room.pk], start.astimezone(zone).date()) is None
            and not calendar.clashes(Slot(room.pk, start, end))
            for start, end in slots
        ):
            result.append(room)
    return result


# --- a series before it is booked ----------------------------------------------------------------


def series_preview(
    *,
    room: Room | None,
    rule: str,
    starts_on: date,
    start_time: time,
    duration_minutes: int,
    time_zone: str | None = None,
) -> list[PlannedOccurrence]:
    """What a new series would look like up to the horizon, with what stands in each meeting's
    way (nothing for one in no room: give its centre's `time_zone`). Writes nothing."""
    check_within_planning_range(starts_on, field="starts_on")
    rule = normalise_rule(rule, starts_on)
    zone = room.centre.time_zone if room is not None else (time_zone or "UTC")
    today = local_today(zone)
    check_start_times_exist(rule, starts_on, start_time, zone, max(today, starts_on))
    return plan_occurrences(
        room=room,
        rule=rule,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=zone,
        first=max(today, starts_on),
        last=horizon_end(today),
    )


def series_slots(
    *, centre: Centre, rule: str, starts_on: date, start_time: time, duration_minutes: int
) -> list[tuple[datetime, datetime]]:
    """The (start, end) of every meeting a planned series would have up to the horizon."""
    check_within_planning_range(starts_on, field="starts_on")
    rule = normalise_rule(rule, starts_on)
    today = local_today(centre.time_zone)
    check_start_times_exist(rule, starts_on, start_time, centre.time_zone, max(today, starts_on))
    duration = timedelta(minutes=duration_minutes)
    starts = occurrence_starts(rule, starts_on, start_time, centre.time_zone, max(today, starts_on), horizon_end(today))
    return [(start, start + duration) for start in starts]


# --- the workspace (a coordinator's scope) -------------------------------------------------------


def workspace_groups(centre: Centre, *, search: str = "", status: str = "") -> QuerySet[Group]:
    """The centre's groups with their current number of members, by state and name; narrowed to
    names or topics containing `search` and to one `status` when given."""
    groups = Group.objects.filter(centre=centre)
    if search:
        groups = groups.filter(Q(name__icontains=search) | Q(topic__name__icontains=search))
    if status:
        groups = groups.filter(status=status)
    return (
        groups.select_related("topic")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("status", "name")
    )


def closure_rooms(closure: Closure) -> QuerySet[Room]:
    """The rooms a closure (saved or not yet) covers: one room, a location's or the centre's."""
    rooms = Room.objects.filter(centre_id=closure.centre_id)
    if closure.room_id:
        return rooms.filter(pk=closure.room_id)
    if closure.location_id:
        return rooms.filter(location_id=closure.location_id)
    return rooms


def closure_future_meetings(closure: Closure) -> QuerySet[Meeting]:
    """Meetings on the closure's days that have not yet begun: history is not rewritten."""
    time_zone = closure.centre.time_zone
    window_start = max(local_day_start(closure.starts_on, time_zone), timezone.now())
    window_end = local_day_start(closure.ends_on + timedelta(days=1), time_zone)
    return Meeting.objects.filter(
        room__in=closure_rooms(closure), starts_at__gte=window_start, starts_at__lt=window_end
    )


def workspace_group(centre: Centre, pk: int) -> Group | None:
    return Group.objects.filter(centre=centre, pk=pk).select_related("topic").first()


def group_roster(group: Group) -> list[Membership]:
    """The group's current members and relatives, by name."""
    return list(membership_list().filter(group=group, left_on__isnull=True).order_by("person__display_name"))


def planner_meeting(centre: Centre, pk: int) -> Meeting | None:
    """One booking of the centre, as the planner opens it."""
    return Meeting.objects.filter(centre=centre, pk=pk).select_related("room__location", "group").first()


def planner_rooms(centre: Centre) -> QuerySet[Room]:
    """The rooms a booking may be planned in or moved to."""
    return Room.objects.filter(location__centre=centre).select_related("location")


def plannable_groups(centre: Centre) -> QuerySet[Group]:
    """The groups a series may be booked for: all but the closed ones."""
    return Group.objects.filter(centre=centre).exclude(status=Group.Status.CLOSED)


# --- calendar feeds (a feed view opens the scope of the group's or token's centre) ---------------


def active_calendar_token(token: str) -> CalendarToken | None:
    return CalendarToken.objects.filter(token=token, revoked_at__isnull=True).select_related("person", "centre").first()


def person_feed_meetings(token: CalendarToken, since: datetime) -> QuerySet[Meeting]:
    """Meetings of the groups the token's person currently belongs to (a member who gave notice
    for a later date still belongs until then); of one token's membership only, if it has one."""
    today = timezone.localdate()
    memberships = Membership.objects.filter(person_id=token.person_id)
    if token.membership_id is not None:
        memberships = memberships.filter(pk=token.membership_id)
    group_ids = memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=today)).values("group_id")
    return (
        Meeting.objects.filter(group_id__in=group_ids, ends_at__gte=since)
        .select_related("group", "room__location", "centre")
        .order_by("starts_at", "id")
    )


def group_feed_meetings(group: Group, starts_at: datetime) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(group=group, ends_at__gte=starts_at)
        .select_related("group", "room__location", "centre")
        .order_by("starts_at", "id")
    )


# --- public pages (only what a group shows the world; the page opens the centre's scope) ---------


def public_centre(slug: str) -> Centre | None:
    return Centre.objects.filter(slug=slug).first()


def public_group(public_id: UUID | str) -> Group | None:
    """A publicly listed, not closed group, by its public id (the page opens a scope across
    centres for this one read: the id says which centre)."""
    return (
        Group.objects.filter(public_id=public_id, publicly_listed=True)
        .exclude(status=Group.Status.CLOSED)
        .select_related("centre")
        .first()
    )


def offered_topics(centre: Centre) -> QuerySet[Topic]:
    return Topic.objects.filter(centre=centre, is_offered=True).order_by("name")


def public_group_meetings(group: Group, *, count: int = 6) -> list[Meeting]:
    """A group's next meetings as the public sees them: time, place, cancelled or not."""
    return list(
        Meeting.objects.filter(group=group, ends_at__gte=timezone.now())
        .select_related("room__location")
        .order_by("starts_at", "pk")[:count]
    )
