"""Series and meetings: create a series and materialise its meetings, extend the horizon, change
one meeting, this-and-following or the whole series, and book one-off meetings."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services import audit_record
from config.errors import ConflictError, DomainError
from meetings.models import Group, Meeting, MeetingSeries, Room
from meetings.recurrence import (
    local_occurrences,
    normalise_rule,
    occurrence_starts,
    rule_count,
    rule_until,
    rule_with_count,
)
from meetings.services.booking import (
    MAX_DURATION,
    RoomCalendar,
    RoomClashError,
    RoomUnavailableError,
    Slot,
    check_slot_bookable,
    closure_on,
    closures_for_rooms,
    is_exclusion_violation,
    opening_hours_problem,
    room_opening_hours,
)

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
    if not room.is_active:
        raise DomainError(_("This room is no longer in use."), field="room")
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
            raise ConflictError(_("The room was booked by someone else just now. Please try again.")) from error
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
    rule = normalise_rule(rule)
    centre = group.centre
    first, last = max(starts_on, local_today(centre.time_zone)), horizon_end(local_today(centre.time_zone))
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
        window_start = _day_start(window_first, centre.time_zone)
        window_end = _day_start(until + timedelta(days=2), centre.time_zone)
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


def _day_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


# --- One meeting -------------------------------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.all_centres.select_for_update(of=("self",))
        .select_related("centre", "room", "group", "series")
        .get(pk=meeting.pk)
    )


def _save_change(meeting: Meeting, fields: list[str], *, actor, changed_fields: list[str]) -> Meeting:
    meeting.sequence += 1
    meeting.is_changed = True
    try:
        with transaction.atomic():
            meeting.save(update_fields=[*fields, "sequence", "is_changed", "updated_at"])
    except IntegrityError as error:
        if is_exclusion_violation(error):
            raise ConflictError(_("The room was booked by someone else just now. Please try again.")) from error
        raise
    audit_record(
        actor=actor,
        centre=meeting.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=meeting,
        changed_fields=changed_fields,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: AbstractBaseUser | None, meeting: Meeting, note: str = "") -> Meeting:
    """Cancel one meeting. It stays (for calendars, as STATUS:CANCELLED) with a higher revision."""
    meeting = _locked(meeting)
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
def meeting_reinstate(*, actor: AbstractBaseUser | None, meeting: Meeting) -> Meeting:
    """Undo a cancellation by hand, if the room is still free and open."""
    meeting = _locked(meeting)
    if meeting.status != Meeting.Status.CANCELLED:
        raise ConflictError(_("This meeting is not cancelled."))
    if meeting.cancel_reason == Meeting.CancelReason.CLOSURE:
        raise ConflictError(_("This meeting falls on a closure; lift the closure to restore it."))
    check_slot_bookable(
        meeting.room,
        Slot(meeting.room_id, meeting.starts_at, meeting.ends_at),
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
) -> Meeting:
    """Move one meeting in time and/or to another room. Keeps its calendar UID; checks the new
    slot (opening hours, closures, clashes)."""
    meeting = _locked(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ConflictError(_("Reinstate the cancelled meeting before moving it."))
    room = room or meeting.room
    if room.centre_id != meeting.centre_id:
        raise DomainError(_("The room belongs to another centre."), field="room")
    duration = meeting.ends_at - meeting.starts_at
    new_start = starts_at or meeting.starts_at
    new_end = ends_at or (new_start + duration)
    if new_end <= new_start:
        raise DomainError(_("A meeting must end after it starts."), field="ends_at")
    if new_end - new_start > MAX_DURATION:
        raise DomainError(_("A meeting lasts between 15 minutes and 12 hours."), field="ends_at")
    if new_start < timezone.now():
        raise DomainError(_("A meeting cannot be moved into the past."), field="starts_at")
    check_slot_bookable(room, Slot(room.pk, new_start, new_end), meeting.centre.time_zone, exclude_ids=[meeting.pk])
    changed = [
        name
        for name, old, new in (
            ("starts_at", meeting.starts_at, new_start),
            ("ends_at", meeting.ends_at, new_end),
            ("room", meeting.room_id, room.pk),
        )
        if old != new
    ]
    if not changed:
        return meeting
    meeting.starts_at, meeting.ends_at, meeting.room = new_start, new_end, room
    return _save_change(meeting, ["starts_at", "ends_at", "room"], actor=actor, changed_fields=changed)


@transaction.atomic
def meeting_annotate(*, actor: AbstractBaseUser | None, meeting: Meeting, note: str) -> Meeting:
    """Set the note of one meeting ("expert guest")."""
    meeting = _locked(meeting)
    meeting.note = note.strip()
    return _save_change(meeting, ["note"], actor=actor, changed_fields=["note"])


@transaction.atomic
def one_off_create(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    room: Room,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    group: Group | None = None,
    note: str = "",
) -> Meeting:
    """Book a single meeting (information evening, volunteer training) in a room."""
    if room.centre_id != centre.pk or (group is not None and group.centre_id != centre.pk):
        raise DomainError(_("The room belongs to another centre."), field="room")
    if not title.strip() and group is None:
        raise DomainError(_("Give the meeting a title."), field="title")
    if ends_at <= starts_at:
        raise DomainError(_("A meeting must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise DomainError(_("A meeting lasts between 15 minutes and 12 hours."), field="ends_at")
    if starts_at < timezone.now():
        raise DomainError(_("A meeting cannot be booked in the past."), field="starts_at")
    Room.all_centres.select_for_update().filter(pk=room.pk).first()
    check_slot_bookable(room, Slot(room.pk, starts_at, ends_at), centre.time_zone)
    meeting = Meeting(
        centre=centre,
        room=room,
        group=group,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip(),
        uid=f"meeting-{uuid.uuid4()}@kontakt",
    )
    _bulk_insert([meeting])
    meeting = Meeting.all_centres.get(uid=meeting.uid)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=meeting)
    return meeting


# --- Series changes ----------------------------------------------------------------------------


@dataclass
class SeriesChangeReport:
    series_id: int
    updated: int = 0
    created: int = 0
    cancelled: int = 0
    kept_changes: list[int] = field(default_factory=list)
    dropped_changes: list[int] = field(default_factory=list)


def _reconcile(series: MeetingSeries, meetings: list[Meeting], first: date, last: date) -> SeriesChangeReport:
    """Bring `meetings` (the series' rows dated first..last) in line with the series' rule.

    Each occurrence date keeps its row (and so its calendar UID) where there is one: a plain row
    takes the new time and room; a row changed by hand keeps a move, a cancellation and a note.
    Rows whose date is no longer in the rule are cancelled; missing dates get new rows. Refuses
    with RoomClashError when a live meeting would clash.
    """
    report = SeriesChangeReport(series_id=series.pk)
    zone = ZoneInfo(series.time_zone)
    duration = timedelta(minutes=series.duration_minutes)
    by_date = {
        (meeting.original_starts_at or meeting.starts_at).astimezone(zone).date(): meeting for meeting in meetings
    }
    starts = occurrence_starts(series.rule, series.starts_on, series.start_time, series.time_zone, first, last)
    now = timezone.now()
    starts = [start for start in starts if start >= now]
    window_start = min([*(start for start in starts), *(meeting.starts_at for meeting in meetings)], default=now)
    window_end = max([*(start + duration for start in starts), *(m.ends_at for m in meetings)], default=now)
    calendar = RoomCalendar(
        {series.room_id, *(m.room_id for m in meetings)},
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
        if meeting is None:
            occurrence = PlannedOccurrence(starts_at=start, ends_at=start + duration, closure=closure)
            meeting = _meeting_for(series, occurrence)
            to_create.append(meeting)
        else:
            moved = meeting.is_changed and (
                meeting.starts_at != meeting.original_starts_at or meeting.room_id != series.room_id
            )
            meeting.original_starts_at = start
            if not moved:
                meeting.starts_at, meeting.ends_at, meeting.room_id = start, start + duration, series.room_id
            if meeting.is_changed:
                report.kept_changes.append(meeting.pk)
            meeting.sequence += 1
            to_update.append(meeting)
        if meeting.status == Meeting.Status.SCHEDULED:
            slot = Slot(meeting.room_id, meeting.starts_at, meeting.ends_at)
            problem = (
                opening_hours_problem(series.room, hours, slot, series.time_zone)
                if meeting.room_id == series.room_id
                else None
            )
            if problem:
                raise RoomUnavailableError(problem)
            for clash in calendar.clashes(slot):
                clashes[clash.pk] = clash
            calendar.add(meeting)
    if clashes:
        raise RoomClashError(sorted(clashes.values(), key=lambda meeting: meeting.starts_at))
    for meeting in by_date.values():
        if meeting.starts_at < now:
            continue
        if meeting.is_changed:
            report.dropped_changes.append(meeting.pk)
        if meeting.status == Meeting.Status.SCHEDULED:
            meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.CANCELLED
            report.cancelled += 1
        meeting.sequence += 1
        to_update.append(meeting)
    # Temporary keys first: re-keyed rows may swap occurrence times within the series.
    fields = ["series", "original_starts_at", "starts_at", "ends_at", "room", "status", "cancel_reason", "sequence"]
    Meeting.all_centres.filter(pk__in=[meeting.pk for meeting in to_update]).update(original_starts_at=None)
    Meeting.all_centres.bulk_update(to_update, fields, batch_size=BULK_BATCH)
    _bulk_insert(to_create)
    report.updated, report.created = len(to_update) - report.cancelled, len(to_create)
    return report


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
    """Change the whole series (effective_from None) or this-and-following (split at that date).

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
    new_rule = normalise_rule(rule) if rule else series.rule
    today = local_today(series.time_zone)
    last = max(series.materialised_until or today, today)

    split = effective_from is not None and effective_from > max(series.starts_on, today)
    if split:
        before = list(
            local_occurrences(
                series.rule, series.starts_on, series.start_time, series.starts_on, effective_from - timedelta(days=1)
            )
        )
        count = rule_count(series.rule)
        if rule is None and count is not None:
            new_rule = rule_with_count(series.rule, max(count - len(before), 1))
        series.rule = rule_until(series.rule, effective_from - timedelta(days=1))
        series.save(update_fields=["rule"])
        target = MeetingSeries.all_centres.create(
            centre=series.centre,
            group=series.group,
            room=new_room,
            rule=new_rule,
            starts_on=effective_from,
            start_time=start_time or series.start_time,
            duration_minutes=new_duration,
            time_zone=series.time_zone,
            materialised_until=last,
        )
        first = effective_from
        moving = Meeting.all_centres.filter(series=series, starts_at__gte=_day_start(effective_from, series.time_zone))
        moving.update(series=target)
        audit_record(actor=actor, centre=series.centre, action=AuditLogEntry.Action.CREATE, obj=target)
    else:
        target = series
        target.rule, target.room = new_rule, new_room
        target.start_time = start_time or series.start_time
        target.duration_minutes = new_duration
        target.save(update_fields=["rule", "room", "start_time", "duration_minutes"])
        first = max(series.starts_on, today)
    target.room = new_room
    meetings = list(Meeting.all_centres.filter(series=target, starts_at__gte=timezone.now()).select_related("room"))
    report = _reconcile(target, meetings, first, last)
    audit_record(
        actor=actor,
        centre=series.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=series,
        changed_fields=[
            name
            for name, value in (
                ("rule", rule),
                ("start_time", start_time),
                ("duration_minutes", duration_minutes),
                ("room", room),
            )
            if value
        ],
    )
    return report
