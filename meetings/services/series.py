"""Series: create one and materialise its meetings, extend the horizon, change the whole series
or this-and-following, end a series. Changes to single meetings are in `services.meetings`."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from meetings.booking import (
    MAX_DURATION,
    RoomCalendar,
    RoomClashError,
    RoomUnavailableError,
    Slot,
    check_room_in_use,
    check_within_planning_range,
    closure_on,
    closures_for_rooms,
    is_exclusion_violation,
    opening_hours_problem,
    room_opening_hours,
)
from meetings.caching import calendar_changed
from meetings.models import Group, Meeting, MeetingSeries, Room
from meetings.recurrence import (
    check_start_times_exist,
    first_occurrence_on_or_after,
    local_day_start,
    local_occurrences,
    normalise_rule,
    occurrence_starts,
    rule_count,
    rule_pinned,
    rule_until,
    rule_with_count,
)
from notifications.notices import change_notices_queue

RACE_MESSAGE = gettext_lazy("The room was booked by someone else just now. Please try again.")
BULK_BATCH = 2000
COPY_THRESHOLD = 500


def horizon_end(today: date | None = None) -> date:
    """The last day meetings are materialised for (a rolling horizon, MEETING_HORIZON_WEEKS)."""
    today = today or timezone.localdate()
    return today + timedelta(weeks=settings.MEETING_HORIZON_WEEKS)


def local_today(time_zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(time_zone)).date()


def series_uid(series_id: int, original_starts_at: datetime) -> str:
    return f"series-{series_id}-{original_starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@kontakt"


@dataclass
class PlannedOccurrence:
    """One occurrence of a rule and what stands in its way, for previews and materialisation."""

    starts_at: datetime
    ends_at: datetime
    closure: object | None = None
    clashes: list[Meeting] = field(default_factory=list)
    outside_hours: str | None = None

    @property
    def bookable(self) -> bool:
        return self.closure is None and not self.clashes and self.outside_hours is None


def _validate_series_input(*, group: Group, room: Room, duration_minutes: int) -> None:
    if room.centre_id != group.centre_id:
        raise DomainError(_("The room belongs to another centre."), field="room")
    check_room_in_use(room)
    if group.status == Group.Status.CLOSED:
        raise ConflictError(_("The group is closed; reopen it before planning meetings."))
    if not 15 <= duration_minutes <= MAX_DURATION.total_seconds() // 60:
        raise DomainError(_("A meeting lasts between 15 minutes and 12 hours."), field="duration_minutes")


def plan_occurrences(
    *,
    room: Room,
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
    closures and live meetings. Writes nothing: the basis of previews and of series creation."""
    starts = occurrence_starts(rule, starts_on, start_time, time_zone, max(first, starts_on), last)
    if not starts:
        return []
    duration = timedelta(minutes=duration_minutes)
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


def series_preview(
    *, room: Room, rule: str, starts_on: date, start_time: time, duration_minutes: int
) -> list[PlannedOccurrence]:
    """What a new series would look like up to the horizon, with what stands in each meeting's
    way. Writes nothing."""
    check_within_planning_range(starts_on, field="starts_on")
    rule = normalise_rule(rule, starts_on)
    today = local_today(room.centre.time_zone)
    check_start_times_exist(rule, starts_on, start_time, room.centre.time_zone, max(today, starts_on))
    return plan_occurrences(
        room=room,
        rule=rule,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=room.centre.time_zone,
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


def _raise_if_unbookable(planned: Sequence[PlannedOccurrence]) -> None:
    outside = next((occurrence.outside_hours for occurrence in planned if occurrence.outside_hours), None)
    if outside:
        raise RoomUnavailableError(outside)
    clashes = {meeting.pk: meeting for occurrence in planned for meeting in occurrence.clashes}
    if clashes:
        raise RoomClashError(sorted(clashes.values(), key=lambda meeting: meeting.starts_at))


@dataclass(slots=True)
class NewMeeting:
    """A meeting about to be inserted in bulk: the columns only, far cheaper than a model
    instance when the nightly job creates ~200,000 of them."""

    centre_id: int
    series_id: int | None
    group_id: int | None
    room_id: int
    starts_at: datetime
    ends_at: datetime
    original_starts_at: datetime | None
    uid: str
    status: str = Meeting.Status.SCHEDULED
    cancel_reason: str = Meeting.CancelReason.NONE
    closure_id: int | None = None
    title: str = ""
    note: str = ""
    is_changed: bool = False
    sequence: int = 0
    updated_at: datetime | None = None
    pk: None = None


def _meeting_for(series: MeetingSeries, occurrence: PlannedOccurrence) -> NewMeeting:
    meeting = NewMeeting(
        centre_id=series.centre_id,
        series_id=series.pk,
        group_id=series.group_id,
        room_id=series.room_id,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        original_starts_at=occurrence.starts_at,
        uid=series_uid(series.pk, occurrence.starts_at),
    )
    if occurrence.closure is not None:
        meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.CLOSURE
        meeting.closure_id = occurrence.closure.pk
    elif occurrence.clashes:
        meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.CLASH
    return meeting


# Columns written by COPY, in order; `id` comes from its sequence.
COPY_COLUMNS = (
    "centre_id",
    "series_id",
    "group_id",
    "room_id",
    "title",
    "starts_at",
    "ends_at",
    "original_starts_at",
    "status",
    "cancel_reason",
    "closure_id",
    "note",
    "is_changed",
    "sequence",
    "uid",
    "updated_at",
)


def _copy_meetings(meetings: list[NewMeeting | Meeting]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for the nightly ~200,000 rows."""
    now = timezone.now()
    table = Meeting._meta.db_table
    statement = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for meeting in meetings:
            meeting.updated_at = now
            copy.write_row([getattr(meeting, column) for column in COPY_COLUMNS])


def _bulk_insert(meetings: list[NewMeeting | Meeting]) -> None:
    if not meetings:
        return
    try:
        with transaction.atomic():
            calendar_changed({meeting.centre_id for meeting in meetings})  # COPY and bulk inserts send no signals
            if connection.vendor == "postgresql" and len(meetings) >= COPY_THRESHOLD:
                _copy_meetings(meetings)
            else:
                rows = [
                    meeting
                    if isinstance(meeting, Meeting)
                    else Meeting(**{column: getattr(meeting, column) for column in COPY_COLUMNS})
                    for meeting in meetings
                ]
                Meeting.all_centres.bulk_create(rows, batch_size=BULK_BATCH)
    except IntegrityError as error:
        if is_exclusion_violation(error):
            # Another writer booked the room between our check and our insert.
            raise ConflictError(str(RACE_MESSAGE)) from error
        raise


@transaction.atomic
def series_create(
    *,
    actor: AbstractBaseUser | None,
    group: Group,
    room: Room,
    rule: str,
    starts_on: date,
    start_time: time,
    duration_minutes: int,
) -> MeetingSeries:
    """Create a series and materialise its meetings up to the horizon.

    Refuses (409) when any occurrence clashes with a live meeting or lies outside the room's
    opening hours; occurrences on closure days are created as cancelled ("closure").
    Writes the series, its meetings and an audit entry.
    """
    group = Group.all_centres.select_related("centre").get(pk=group.pk)
    _validate_series_input(group=group, room=room, duration_minutes=duration_minutes)
    check_within_planning_range(starts_on, field="starts_on")
    rule = normalise_rule(rule, starts_on)
    centre = group.centre
    first, last = max(starts_on, local_today(centre.time_zone)), horizon_end(local_today(centre.time_zone))
    check_start_times_exist(rule, starts_on, start_time, centre.time_zone, first)
    # Lock the room so two series for it are planned one after the other.
    Room.all_centres.select_for_update().filter(pk=room.pk).first()
    planned = plan_occurrences(
        room=room,
        rule=rule,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=centre.time_zone,
        first=first,
        last=last,
    )
    _raise_if_unbookable(planned)
    series = MeetingSeries.all_centres.create(
        centre=centre,
        group=group,
        room=room,
        rule=rule,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=centre.time_zone,
        materialised_until=last,
    )
    _bulk_insert([_meeting_for(series, occurrence) for occurrence in planned])
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=series)
    return series


@dataclass
class HorizonResult:
    series: int = 0
    created: int = 0
    clashes: int = 0


def horizon_extend(*, centre: Centre, until: date | None = None) -> HorizonResult:
    """Materialise every series of `centre` up to `until` (default: the rolling horizon).

    Idempotent: only days after a series' `materialised_until` are added, and an occurrence that
    already has a row is skipped. An occurrence whose room is taken by then is created cancelled
    ("clash") so that the coordinator sees it. Writes meetings and `materialised_until`.
    """
    until = until or horizon_end(local_today(centre.time_zone))
    result = HorizonResult()
    with transaction.atomic():
        series_list = list(
            MeetingSeries.all_centres.filter(centre=centre)
            .exclude(materialised_until__gte=until)
            .select_related("room")
            .select_for_update(of=("self",))
        )
        if not series_list:
            return result
        today = local_today(centre.time_zone)
        first_days = {
            series.pk: (series.materialised_until + timedelta(days=1))
            if series.materialised_until
            else max(series.starts_on, today)
            for series in series_list
        }
        window_first = min(first_days.values())
        window_start = local_day_start(window_first, centre.time_zone)
        window_end = local_day_start(until + timedelta(days=2), centre.time_zone)
        rooms = {series.room_id: series.room for series in series_list}
        calendar = RoomCalendar(rooms, window_start, window_end)
        closures = closures_for_rooms(rooms.values(), window_first, until)
        existing = set(
            Meeting.all_centres.filter(
                series__in=series_list, original_starts_at__gte=window_start, original_starts_at__lt=window_end
            ).values_list("series_id", "original_starts_at")
        )
        zone = ZoneInfo(centre.time_zone)
        new_meetings = []
        for series in series_list:
            duration = timedelta(minutes=series.duration_minutes)
            for start in occurrence_starts(
                series.rule, series.starts_on, series.start_time, series.time_zone, first_days[series.pk], until
            ):
                if (series.pk, start) in existing:
                    continue
                occurrence = PlannedOccurrence(starts_at=start, ends_at=start + duration)
                occurrence.closure = closure_on(closures[series.room_id], start.astimezone(zone).date())
                if occurrence.closure is None:
                    occurrence.clashes = calendar.clashes(Slot(series.room_id, start, start + duration))
                meeting = _meeting_for(series, occurrence)
                if meeting.status == Meeting.Status.SCHEDULED:
                    calendar.add(meeting)
                else:
                    result.clashes += bool(occurrence.clashes)
                new_meetings.append(meeting)
        _bulk_insert(new_meetings)
        MeetingSeries.all_centres.filter(pk__in=[series.pk for series in series_list]).update(materialised_until=until)
        result.series, result.created = len(series_list), len(new_meetings)
    return result


# --- Series changes ----------------------------------------------------------------------------


@dataclass
class SeriesChangeReport:
    series_id: int
    updated: int = 0
    created: int = 0
    cancelled: int = 0
    kept_changes: list[int] = field(default_factory=list)
    dropped_changes: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)


def _rows_from(series: MeetingSeries, first: date) -> list[Meeting]:
    """The series' rows for occurrences dated `first` or later (by original date, so a meeting
    moved earlier still counts for its occurrence)."""
    return list(
        Meeting.all_centres.filter(
            series=series, original_starts_at__gte=local_day_start(first, series.time_zone)
        ).select_related("room")
    )


@contextmanager
def _overlap_checked_at_end() -> Iterator[None]:
    """Within the block, PostgreSQL checks "no overlap in a room" only at its end: a series'
    rows move one by one and may touch a neighbour's old slot on the way."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS meeting_room_no_overlap DEFERRED")
    yield
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS meeting_room_no_overlap IMMEDIATE")
    except IntegrityError as error:
        raise ConflictError(str(RACE_MESSAGE)) from error


def _reconcile(series: MeetingSeries, meetings: list[Meeting], first: date, last: date) -> SeriesChangeReport:
    """Bring `meetings` (the series' rows for occurrences dated first..last) in line with the
    series' rule, room and times.

    Each occurrence date keeps its row (and so its calendar UID) where there is one: a plain row
    takes the new time and room; a row changed by hand keeps a move, a cancellation and a note.
    Rows already past are left alone. Rows whose date is no longer in the rule are cancelled
    ("no longer in the series"); missing dates get new rows. Closures of the series' room apply.
    Refuses with RoomClashError when a live meeting would clash, and writes nothing then.
    """
    report = SeriesChangeReport(series_id=series.pk)
    zone = ZoneInfo(series.time_zone)
    duration = timedelta(minutes=series.duration_minutes)
    now = timezone.now()
    by_date = {
        (meeting.original_starts_at or meeting.starts_at).astimezone(zone).date(): meeting for meeting in meetings
    }
    starts = occurrence_starts(series.rule, series.starts_on, series.start_time, series.time_zone, first, last)
    window_start = min([now, *starts, *(meeting.starts_at for meeting in meetings)])
    window_end = max([now, *(start + duration for start in starts), *(meeting.ends_at for meeting in meetings)])
    calendar = RoomCalendar(
        {series.room_id, *(meeting.room_id for meeting in meetings)},
        window_start,
        window_end,
        exclude_ids=[meeting.pk for meeting in meetings],
    )
    closures = closures_for_rooms([series.room], first, last)[series.room_id]
    hours = room_opening_hours(series.room)
    clashes: dict[int, Meeting] = {}
    to_update, to_create = [], []
    for start in starts:
        day = start.astimezone(zone).date()
        meeting = by_date.pop(day, None)
        closure = closure_on(closures, day)
        if meeting is not None and (meeting.starts_at < now or start < now):
            continue  # history stays as it was
        if meeting is None:
            if start < now:
                continue
            meeting = _meeting_for(
                series, PlannedOccurrence(starts_at=start, ends_at=start + duration, closure=closure)
            )
            to_create.append(meeting)
        else:
            moved = meeting.is_changed and (
                meeting.starts_at != meeting.original_starts_at or meeting.room_id != series.room_id
            )
            meeting.original_starts_at = start
            if not moved:
                meeting.starts_at, meeting.ends_at, meeting.room_id = start, start + duration, series.room_id
                # The room's closures decide, not those of the room the meeting was in before.
                if closure is not None and meeting.status == Meeting.Status.SCHEDULED:
                    meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.CLOSURE
                    meeting.closure_id = closure.pk
                elif meeting.cancel_reason == Meeting.CancelReason.CLOSURE and closure is None:
                    meeting.status, meeting.cancel_reason = Meeting.Status.SCHEDULED, Meeting.CancelReason.NONE
                    meeting.closure_id = None
            if meeting.is_changed:
                report.kept_changes.append(meeting.pk)
            meeting.sequence += 1
            to_update.append(meeting)
        if meeting.status == Meeting.Status.SCHEDULED:
            slot = Slot(meeting.room_id, meeting.starts_at, meeting.ends_at)
            if meeting.room_id == series.room_id:
                problem = opening_hours_problem(series.room, hours, slot, series.time_zone)
                if problem:
                    raise RoomUnavailableError(problem)
            for clash in calendar.clashes(slot):
                clashes[clash.pk or id(clash)] = clash
            calendar.add(meeting)
    if clashes:
        raise RoomClashError(sorted(clashes.values(), key=lambda meeting: meeting.starts_at))
    for meeting in by_date.values():
        if meeting.starts_at < now:
            continue
        if meeting.is_changed:
            report.dropped_changes.append(meeting.pk)
        if meeting.status == Meeting.Status.SCHEDULED:
            report.cancelled += 1
        meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.SERIES_CHANGED
        meeting.closure_id = None
        meeting.sequence += 1
        to_update.append(meeting)
    fields = [
        "series",
        "original_starts_at",
        "starts_at",
        "ends_at",
        "room",
        "status",
        "cancel_reason",
        "closure",
        "sequence",
    ]
    with _overlap_checked_at_end():
        # Temporary keys first: re-keyed rows may swap occurrence times within the series.
        Meeting.all_centres.filter(pk__in=[meeting.pk for meeting in to_update]).update(original_starts_at=None)
        Meeting.all_centres.bulk_update(to_update, fields, batch_size=BULK_BATCH)
        calendar_changed({meeting.centre_id for meeting in to_update})
        _bulk_insert(to_create)
    report.updated, report.created = len(to_update) - len(report.dropped_changes) - report.cancelled, len(to_create)
    report.updated = max(report.updated, 0)
    report.changed_ids = [meeting.pk for meeting in to_update]
    return report


def _split_point(series: MeetingSeries, effective_from: date) -> tuple[date, int | None]:
    """Where "this and following" cuts a series: the first occurrence on or after
    `effective_from`, and how many counted meetings remain from there (None: not counted)."""
    first = first_occurrence_on_or_after(series.rule, series.starts_on, series.start_time, effective_from)
    if first is None:
        raise DomainError(_("The series has no meeting on or after that date."), field="effective_from")
    count = rule_count(series.rule)
    remaining = None
    if count is not None:
        before = list(
            local_occurrences(
                series.rule, series.starts_on, series.start_time, series.starts_on, first - timedelta(days=1)
            )
        )
        remaining = count - len(before)
    return first, remaining


@transaction.atomic
def series_update(
    *,
    actor: AbstractBaseUser | None,
    series: MeetingSeries,
    effective_from: date | None = None,
    rule: str | None = None,
    start_time: time | None = None,
    duration_minutes: int | None = None,
    room: Room | None = None,
) -> SeriesChangeReport:
    """Change the whole series (effective_from None) or this-and-following (split at the first
    meeting on or after effective_from; the rhythm is kept unless a new rule is given).

    Past meetings are never touched. Future meetings follow the new rule; changes made by hand are
    kept where their date still occurs and reported as dropped where it does not. Refuses (409)
    if a live meeting would clash. Writes the series (and a new one when split), its meetings and
    audit entries.
    """
    series = (
        MeetingSeries.all_centres.select_for_update(of=("self",))
        .select_related("centre", "group", "room")
        .get(pk=series.pk)
    )
    new_room = room or series.room
    new_duration = duration_minutes or series.duration_minutes
    _validate_series_input(group=series.group, room=new_room, duration_minutes=new_duration)
    today = local_today(series.time_zone)
    last = max(series.materialised_until or today, today)
    changed_fields = [
        name
        for name, value in (
            ("rule", rule),
            ("start_time", start_time),
            ("duration_minutes", duration_minutes),
            ("room", room),
        )
        if value
    ]

    if effective_from is not None:
        check_within_planning_range(effective_from, field="effective_from")
        if effective_from < today:
            raise DomainError(_("Changes to this and following meetings start today or later."), field="effective_from")
    if effective_from is not None and effective_from > series.starts_on:
        split_on, remaining = _split_point(series, effective_from)
        if remaining is not None and remaining <= 0:
            raise DomainError(_("The series has no meeting on or after that date."), field="effective_from")
        if rule:
            new_rule = normalise_rule(rule, split_on)
        else:
            new_rule = rule_pinned(series.rule, series.starts_on)
            if remaining is not None:
                new_rule = rule_with_count(new_rule, remaining)
        # The old series ends the day before; its counted meetings are all before that day.
        series.rule = rule_until(series.rule, split_on - timedelta(days=1))
        series.save(update_fields=["rule"])
        target = MeetingSeries.all_centres.create(
            centre=series.centre,
            group=series.group,
            room=new_room,
            rule=new_rule,
            starts_on=split_on,
            start_time=start_time or series.start_time,
            duration_minutes=new_duration,
            time_zone=series.time_zone,
            materialised_until=last,
        )
        moving = Meeting.all_centres.filter(
            series=series, original_starts_at__gte=local_day_start(split_on, series.time_zone)
        )
        moving.update(series=target)
        first = split_on
        audit_record(actor=actor, centre=series.centre, action=AuditLogEntry.Action.CREATE, obj=target)
    else:
        target = series
        target.rule = normalise_rule(rule, series.starts_on) if rule else series.rule
        target.room = new_room
        target.start_time = start_time or series.start_time
        target.duration_minutes = new_duration
        target.save(update_fields=["rule", "room", "start_time", "duration_minutes"])
        first = max(series.starts_on, today)
    if rule or start_time:
        check_start_times_exist(target.rule, target.starts_on, target.start_time, target.time_zone, first)
    report = _reconcile(target, _rows_from(target, first), first, last)
    change_notices_queue(meeting_ids=report.changed_ids, change=f"series-{target.pk}-{timezone.now():%Y%m%dT%H%M%S.%f}")
    audit_record(
        actor=actor, centre=series.centre, action=AuditLogEntry.Action.UPDATE, obj=series, changed_fields=changed_fields
    )
    return report


@transaction.atomic
def series_end(*, actor: AbstractBaseUser | None, series: MeetingSeries, last_day: date | None = None) -> int:
    """End a series after `last_day` (default: today): its later meetings are cancelled (they
    stay in calendars as cancelled) and no new ones are made. Returns how many were cancelled."""
    series = MeetingSeries.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=series.pk)
    last_day = last_day or local_today(series.time_zone)
    check_within_planning_range(last_day, field="last_day")
    if last_day < series.starts_on:
        last_day = series.starts_on - timedelta(days=1)
    series.rule = rule_until(series.rule, last_day)
    series.save(update_fields=["rule"])
    later = Meeting.all_centres.filter(
        series=series,
        original_starts_at__gte=local_day_start(last_day + timedelta(days=1), series.time_zone),
        starts_at__gte=timezone.now(),
    )
    cancelled_ids = list(later.filter(status=Meeting.Status.SCHEDULED).values_list("pk", flat=True))
    cancelled = len(cancelled_ids)
    calendar_changed(series.centre_id)
    later.update(
        status=Meeting.Status.CANCELLED,
        cancel_reason=Meeting.CancelReason.SERIES_CHANGED,
        closure=None,
        sequence=models.F("sequence") + 1,
    )
    audit_record(
        actor=actor, centre=series.centre, action=AuditLogEntry.Action.UPDATE, obj=series, changed_fields=["rule"]
    )
    change_notices_queue(meeting_ids=cancelled_ids, change=f"series-end-{series.pk}-{last_day:%Y%m%d}")
    return cancelled
