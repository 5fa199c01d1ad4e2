"""Materialising meetings: a series' occurrences become rows (`Meeting`) up to the rolling
horizon, in bulk (COPY on PostgreSQL), and the nightly `horizon_extend` adds the days that came
into view. Bringing existing rows in line with a changed series is `services.reconcile`."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from centres.models import Centre
from config.errors import ConflictError
from meetings.booking import (
    RACE_MESSAGE,
    PlannedOccurrence,
    RoomCalendar,
    Slot,
    closure_on,
    closures_for_rooms,
    horizon_end,
    is_exclusion_violation,
    local_today,
)
from meetings.caching import calendar_changed
from meetings.models import Closure, Meeting, MeetingSeries
from meetings.recurrence import local_day_start, occurrence_starts

BULK_BATCH = 2000
COPY_THRESHOLD = 500


def series_uid(series_id: int, original_starts_at: datetime) -> str:
    """The calendar UID of a series' occurrence: stable, so calendars update the event they have."""
    return f"series-{series_id}-{original_starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@kontakt"


@dataclass(slots=True)
class NewMeeting:
    """A meeting about to be inserted in bulk: the columns only, far cheaper than a model
    instance when the nightly job creates ~200,000 of them."""

    centre_id: int
    series_id: int | None
    group_id: int | None
    room_id: int | None
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
    mode: str = "room"
    video_link: str = ""
    meeting_point: str = ""
    pk: None = None


def new_meeting_for(series: MeetingSeries, occurrence: PlannedOccurrence) -> NewMeeting:
    """The row of one occurrence: cancelled ("closure") on a closure day, cancelled ("clash")
    when the room is taken, else scheduled."""
    meeting = NewMeeting(
        centre_id=series.centre_id,
        series_id=series.pk,
        group_id=series.group_id,
        room_id=series.room_id,
        mode=series.mode,
        video_link=series.video_link,
        meeting_point=series.meeting_point,
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
    "mode",
    "video_link",
    "meeting_point",
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


def meetings_insert(meetings: list[NewMeeting | Meeting]) -> None:
    """Insert the rows in bulk (and record the calendar change, which bulk writes do not signal).
    A room booked by another writer meanwhile is refused (409) with RACE_MESSAGE."""
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
                Meeting.objects.bulk_create(rows, batch_size=BULK_BATCH)
    except IntegrityError as error:
        if is_exclusion_violation(error):
            # Another writer booked the room between our check and our insert.
            raise ConflictError(str(RACE_MESSAGE)) from error
        raise


@dataclass
class HorizonResult:
    series: int = 0
    created: int = 0
    clashes: int = 0


@dataclass
class _Window:
    """What the horizon extension of a centre's series reads once: the rooms' live meetings and
    closures over the days to add, and the occurrences that already have a row."""

    calendar: RoomCalendar
    closures: dict[int, list[Closure]]
    existing: set[tuple[int, datetime | None]]
    zone: ZoneInfo


def _window(series_list: list[MeetingSeries], first: date, until: date, time_zone: str) -> _Window:
    window_start = local_day_start(first, time_zone)
    window_end = local_day_start(until + timedelta(days=2), time_zone)
    # Only room-bound series book rooms; an online or outdoor series meets in none.
    rooms = {series.room.pk: series.room for series in series_list if series.room is not None}
    existing = set(
        Meeting.objects.filter(
            series__in=series_list, original_starts_at__gte=window_start, original_starts_at__lt=window_end
        ).values_list("series_id", "original_starts_at")
    )
    return _Window(
        calendar=RoomCalendar(rooms, window_start, window_end),
        closures=closures_for_rooms(rooms.values(), first, until),
        existing=existing,
        zone=ZoneInfo(time_zone),
    )


def _series_new_meetings(
    series: MeetingSeries, first: date, until: date, window: _Window, result: HorizonResult
) -> list[NewMeeting]:
    """The rows of the series' occurrences first..until that have none yet."""
    duration = timedelta(minutes=series.duration_minutes)
    new_meetings = []
    for start in occurrence_starts(series.rule, series.starts_on, series.start_time, series.time_zone, first, until):
        if (series.pk, start) in window.existing:
            continue
        occurrence = PlannedOccurrence(starts_at=start, ends_at=start + duration)
        if series.room is not None:
            occurrence.closure = closure_on(window.closures[series.room.pk], start.astimezone(window.zone).date())
            if occurrence.closure is None:
                occurrence.clashes = window.calendar.clashes(Slot(series.room.pk, start, start + duration))
        meeting = new_meeting_for(series, occurrence)
        if meeting.status == Meeting.Status.SCHEDULED:
            window.calendar.add(meeting)
        else:
            result.clashes += bool(occurrence.clashes)
        new_meetings.append(meeting)
    return new_meetings


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
            MeetingSeries.objects.filter(centre=centre)
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
        window = _window(series_list, min(first_days.values()), until, centre.time_zone)
        new_meetings: list[NewMeeting | Meeting] = []
        for series in series_list:
            new_meetings += _series_new_meetings(series, first_days[series.pk], until, window, result)
        meetings_insert(new_meetings)
        MeetingSeries.objects.filter(pk__in=[series.pk for series in series_list]).update(materialised_until=until)
        result.series, result.created = len(series_list), len(new_meetings)
    return result
