"""Bringing a series' existing meetings in line with its changed rule, room or times (what
`series_update` does after it changed the series): each occurrence keeps its row and calendar
UID, changes by hand survive where their date still occurs, dates no longer in the rule are
cancelled, new dates get rows."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection
from django.utils import timezone

from config.errors import ConflictError
from meetings.booking import (
    RACE_MESSAGE,
    PlannedOccurrence,
    RoomCalendar,
    RoomClashError,
    RoomUnavailableError,
    Slot,
    closure_on,
    closures_for_rooms,
    opening_hours_problem,
    room_opening_hours,
)
from meetings.caching import calendar_changed
from meetings.models import Closure, Meeting, MeetingSeries, OpeningHours
from meetings.recurrence import local_day_start, occurrence_starts
from meetings.services.materialise import BULK_BATCH, NewMeeting, meetings_insert, new_meeting_for


@dataclass
class SeriesChangeReport:
    series_id: int
    updated: int = 0
    created: int = 0
    cancelled: int = 0
    kept_changes: list[int] = field(default_factory=list)
    dropped_changes: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)


def series_rows_from(series: MeetingSeries, first: date) -> list[Meeting]:
    """The series' rows for occurrences dated `first` or later (by original date, so a meeting
    moved earlier still counts for its occurrence)."""
    return list(
        Meeting.objects.filter(
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


@dataclass
class _Reconciliation:
    """One reconciliation under way: what it read once, and the rows it will write."""

    series: MeetingSeries
    now: datetime
    calendar: RoomCalendar
    closures: list[Closure]
    hours: list[OpeningHours]
    report: SeriesChangeReport
    clashes: dict[int, Meeting] = field(default_factory=dict)
    to_update: list[Meeting] = field(default_factory=list)
    to_create: list[NewMeeting | Meeting] = field(default_factory=list)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.series.duration_minutes)


def _reconciliation(
    series: MeetingSeries, meetings: list[Meeting], starts: list[datetime], first: date, last: date
) -> _Reconciliation:
    now = timezone.now()
    duration = timedelta(minutes=series.duration_minutes)
    window_start = min([now, *starts, *(meeting.starts_at for meeting in meetings)])
    window_end = max([now, *(start + duration for start in starts), *(meeting.ends_at for meeting in meetings)])
    calendar = RoomCalendar(
        {room_id for room_id in (series.room_id, *(meeting.room_id for meeting in meetings)) if room_id is not None},
        window_start,
        window_end,
        exclude_ids=[meeting.pk for meeting in meetings],
    )
    return _Reconciliation(
        series=series,
        now=now,
        calendar=calendar,
        # An online or outdoor series books no room: no closures, no opening hours, no clashes.
        closures=closures_for_rooms([series.room], first, last)[series.room.pk] if series.room is not None else [],
        hours=room_opening_hours(series.room) if series.room is not None else [],
        report=SeriesChangeReport(series_id=series.pk),
    )


def _follow_series(meeting: Meeting, series: MeetingSeries, start: datetime, closure: Closure | None) -> None:
    """A row not moved by hand takes the series' new time and room; the new room's closures
    decide, not those of the room the meeting was in before."""
    duration = timedelta(minutes=series.duration_minutes)
    meeting.starts_at, meeting.ends_at, meeting.room_id = start, start + duration, series.room_id
    if closure is not None and meeting.status == Meeting.Status.SCHEDULED:
        meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.CLOSURE
        meeting.closure_id = closure.pk
    elif meeting.cancel_reason == Meeting.CancelReason.CLOSURE and closure is None:
        meeting.status, meeting.cancel_reason = Meeting.Status.SCHEDULED, Meeting.CancelReason.NONE
        meeting.closure_id = None


def _occurrence(
    work: _Reconciliation, start: datetime, meeting: Meeting | None, closure: Closure | None
) -> Meeting | NewMeeting | None:
    """The row of one occurrence of the changed series: its existing row re-keyed (and re-timed
    unless moved by hand), or a new one; None where history stays as it was."""
    if meeting is not None and (meeting.starts_at < work.now or start < work.now):
        return None
    if meeting is None:
        if start < work.now:
            return None
        new = new_meeting_for(
            work.series, PlannedOccurrence(starts_at=start, ends_at=start + work.duration, closure=closure)
        )
        work.to_create.append(new)
        return new
    moved = meeting.is_changed and (
        meeting.starts_at != meeting.original_starts_at or meeting.room_id != work.series.room_id
    )
    meeting.original_starts_at = start
    if not moved:
        _follow_series(meeting, work.series, start, closure)
    if meeting.is_changed:
        work.report.kept_changes.append(meeting.pk)
    meeting.sequence += 1
    work.to_update.append(meeting)
    return meeting


def _check_slot(work: _Reconciliation, meeting: Meeting | NewMeeting) -> None:
    """A live row must lie within the series' room's hours (RoomUnavailableError at once); the
    meetings in its way are collected, to be named all together."""
    if meeting.room_id is None:
        return
    slot = Slot(meeting.room_id, meeting.starts_at, meeting.ends_at)
    if meeting.room_id == work.series.room_id and work.series.room is not None:
        problem = opening_hours_problem(work.series.room, work.hours, slot, work.series.time_zone)
        if problem:
            raise RoomUnavailableError(problem)
    for clash in work.calendar.clashes(slot):
        work.clashes[clash.pk or id(clash)] = clash
    work.calendar.add(meeting)


def _drop(work: _Reconciliation, meeting: Meeting) -> None:
    """A future row whose date is no longer in the rule: cancelled, "no longer in the series"."""
    if meeting.starts_at < work.now:
        return
    if meeting.is_changed:
        work.report.dropped_changes.append(meeting.pk)
    if meeting.status == Meeting.Status.SCHEDULED:
        work.report.cancelled += 1
    meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, Meeting.CancelReason.SERIES_CHANGED
    meeting.closure_id = None
    meeting.sequence += 1
    work.to_update.append(meeting)


RECONCILED_FIELDS = [
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


def _write(work: _Reconciliation) -> None:
    with _overlap_checked_at_end():
        # Temporary keys first: re-keyed rows may swap occurrence times within the series.
        Meeting.objects.filter(pk__in=[meeting.pk for meeting in work.to_update]).update(original_starts_at=None)
        Meeting.objects.bulk_update(work.to_update, RECONCILED_FIELDS, batch_size=BULK_BATCH)
        calendar_changed({meeting.centre_id for meeting in work.to_update})
        meetings_insert(work.to_create)


def series_reconcile(series: MeetingSeries, meetings: list[Meeting], first: date, last: date) -> SeriesChangeReport:
    """Bring `meetings` (the series' rows for occurrences dated first..last) in line with the
    series' rule, room and times.

    Each occurrence date keeps its row (and so its calendar UID) where there is one: a plain row
    takes the new time and room; a row changed by hand keeps a move, a cancellation and a note.
    Rows already past are left alone. Rows whose date is no longer in the rule are cancelled
    ("no longer in the series"); missing dates get new rows. Closures of the series' room apply.
    Refuses with RoomClashError when a live meeting would clash, and writes nothing then.
    """
    zone = ZoneInfo(series.time_zone)
    starts = occurrence_starts(series.rule, series.starts_on, series.start_time, series.time_zone, first, last)
    work = _reconciliation(series, meetings, starts, first, last)
    by_date = {
        (meeting.original_starts_at or meeting.starts_at).astimezone(zone).date(): meeting for meeting in meetings
    }
    for start in starts:
        day = start.astimezone(zone).date()
        row = _occurrence(work, start, by_date.pop(day, None), closure_on(work.closures, day))
        if row is not None and row.status == Meeting.Status.SCHEDULED:
            _check_slot(work, row)
    if work.clashes:
        raise RoomClashError(sorted(work.clashes.values(), key=lambda meeting: meeting.starts_at))
    for meeting in by_date.values():
        _drop(work, meeting)
    _write(work)
    report = work.report
    report.updated = max(len(work.to_update) - len(report.dropped_changes) - report.cancelled, 0)
    report.created = len(work.to_create)
    report.changed_ids = [meeting.pk for meeting in work.to_update]
    return report
