"""Series: create one (and materialise its meetings), change the whole series or
this-and-following, end a series. Materialising rows is `services.materialise`, bringing rows in
line with a changed series `services.reconcile`; changes to single meetings are in
`services.meetings`; a preview of a series (a read) is `selectors.series_preview`."""

from datetime import date, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from meetings.booking import (
    MAX_DURATION,
    check_planned_bookable,
    check_room_in_use,
    check_within_planning_range,
    horizon_end,
    local_today,
    plan_occurrences,
)
from meetings.caching import calendar_changed
from meetings.models import Group, Meeting, MeetingSeries, Mode, Room
from meetings.recurrence import (
    check_start_times_exist,
    first_occurrence_on_or_after,
    local_day_start,
    local_occurrences,
    normalise_rule,
    rule_count,
    rule_pinned,
    rule_until,
    rule_with_count,
)
from meetings.services.materialise import meetings_insert, new_meeting_for
from meetings.services.notices import change_notices_queue
from meetings.services.reconcile import SeriesChangeReport, series_reconcile, series_rows_from
from meetings.venue import venue_check


def _validate_series_input(*, group: Group, room: Room | None, duration_minutes: int) -> None:
    if room is not None:
        if room.centre_id != group.centre_id:
            raise DomainError(_("The room belongs to another centre."), field="room")
        check_room_in_use(room)
    if group.status == Group.Status.CLOSED:
        raise ConflictError(_("The group is closed; reopen it before planning meetings."))
    if not 15 <= duration_minutes <= MAX_DURATION.total_seconds() // 60:
        raise DomainError(_("A meeting lasts between 15 minutes and 12 hours."), field="duration_minutes")


@transaction.atomic
def series_create(
    *,
    actor: AbstractBaseUser | None,
    group: Group,
    room: Room | None,
    rule: str,
    starts_on: date,
    start_time: time,
    duration_minutes: int,
    mode: str = Mode.ROOM,
    video_link: str = "",
    meeting_point: str = "",
) -> MeetingSeries:
    """Create a series and materialise its meetings up to the horizon. A room-bound series (in a
    room, or hybrid) is refused (409) when an occurrence clashes with a live meeting or lies outside
    the room's opening hours; its occurrences on closure days are created as cancelled ("closure").
    An online or outdoor series books no room. Writes the series, its meetings and an audit entry."""
    group = Group.objects.select_related("centre").get(pk=group.pk)
    venue = venue_check(
        centre_id=group.centre_id, mode=mode, room=room, video_link=video_link, meeting_point=meeting_point
    )
    room = venue.room
    _validate_series_input(group=group, room=room, duration_minutes=duration_minutes)
    check_within_planning_range(starts_on, field="starts_on")
    rule = normalise_rule(rule, starts_on)
    centre = group.centre
    first, last = max(starts_on, local_today(centre.time_zone)), horizon_end(local_today(centre.time_zone))
    check_start_times_exist(rule, starts_on, start_time, centre.time_zone, first)
    # Lock the room so two series for it are planned one after the other.
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()
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
    check_planned_bookable(planned)
    series = MeetingSeries.objects.create(
        centre=centre,
        group=group,
        room=room,
        mode=venue.mode,
        video_link=venue.video_link,
        meeting_point=venue.meeting_point,
        rule=rule,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=centre.time_zone,
        materialised_until=last,
    )
    meetings_insert([new_meeting_for(series, occurrence) for occurrence in planned])
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=series)
    return series


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


def _series_split(
    *,
    actor: AbstractBaseUser | None,
    series: MeetingSeries,
    effective_from: date,
    rule: str | None,
    start_time: time | None,
    duration_minutes: int,
    room: Room | None,
    last: date,
) -> tuple[MeetingSeries, date]:
    """ "This and following": the series ends before the first meeting on or after
    `effective_from`, and a new series (with the changes; the rhythm kept unless a new rule is
    given) takes over its meetings from there. Returns the new series and its first day."""
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
    target = MeetingSeries.objects.create(
        centre=series.centre,
        group=series.group,
        room=room,
        mode=series.mode,
        video_link=series.video_link,
        meeting_point=series.meeting_point,
        rule=new_rule,
        starts_on=split_on,
        start_time=start_time or series.start_time,
        duration_minutes=duration_minutes,
        time_zone=series.time_zone,
        materialised_until=last,
    )
    Meeting.objects.filter(series=series, original_starts_at__gte=local_day_start(split_on, series.time_zone)).update(
        series=target
    )
    audit_record(actor=actor, centre=series.centre, action=AuditLogEntry.Action.CREATE, obj=target)
    return target, split_on


def _series_change_whole(
    series: MeetingSeries,
    *,
    rule: str | None,
    start_time: time | None,
    duration_minutes: int,
    room: Room | None,
    today: date,
) -> tuple[MeetingSeries, date]:
    """The whole series takes the changes; its meetings are reconciled from today on."""
    series.rule = normalise_rule(rule, series.starts_on) if rule else series.rule
    series.room = room
    series.start_time = start_time or series.start_time
    series.duration_minutes = duration_minutes
    series.save(update_fields=["rule", "room", "start_time", "duration_minutes"])
    return series, max(series.starts_on, today)


def _check_effective_from(effective_from: date | None, today: date) -> None:
    if effective_from is None:
        return
    check_within_planning_range(effective_from, field="effective_from")
    if effective_from < today:
        raise DomainError(_("Changes to this and following meetings start today or later."), field="effective_from")


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
    audit entries; queues change notices to the members.
    """
    series = (
        MeetingSeries.objects.select_for_update(of=("self",))
        .select_related("centre", "group", "room")
        .get(pk=series.pk)
    )
    changes = {"rule": rule, "start_time": start_time, "duration_minutes": duration_minutes, "room": room}
    if room is not None and series.room is None:
        raise DomainError(_("This series meets in no room: change where it takes place instead."), field="room")
    new_room, new_duration = room or series.room, duration_minutes or series.duration_minutes
    _validate_series_input(group=series.group, room=new_room, duration_minutes=new_duration)
    today = local_today(series.time_zone)
    last = max(series.materialised_until or today, today)
    _check_effective_from(effective_from, today)
    if effective_from is not None and effective_from > series.starts_on:
        target, first = _series_split(
            actor=actor,
            series=series,
            effective_from=effective_from,
            rule=rule,
            start_time=start_time,
            duration_minutes=new_duration,
            room=new_room,
            last=last,
        )
    else:
        target, first = _series_change_whole(
            series, rule=rule, start_time=start_time, duration_minutes=new_duration, room=new_room, today=today
        )
    if rule or start_time:
        check_start_times_exist(target.rule, target.starts_on, target.start_time, target.time_zone, first)
    report = series_reconcile(target, series_rows_from(target, first), first, last)
    change_notices_queue(meeting_ids=report.changed_ids, change=f"series-{target.pk}-{timezone.now():%Y%m%dT%H%M%S.%f}")
    changed_fields = [name for name, value in changes.items() if value]
    audit_record(
        actor=actor, centre=series.centre, action=AuditLogEntry.Action.UPDATE, obj=series, changed_fields=changed_fields
    )
    return report


@transaction.atomic
def series_end(*, actor: AbstractBaseUser | None, series: MeetingSeries, last_day: date | None = None) -> int:
    """End a series after `last_day` (default: today): its later meetings are cancelled (they
    stay in calendars as cancelled) and no new ones are made. Returns how many were cancelled.
    Writes the series' rule, its meetings and an audit entry; queues change notices."""
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("centre").get(pk=series.pk)
    last_day = last_day or local_today(series.time_zone)
    check_within_planning_range(last_day, field="last_day")
    if last_day < series.starts_on:
        last_day = series.starts_on - timedelta(days=1)
    series.rule = rule_until(series.rule, last_day)
    series.save(update_fields=["rule"])
    later = Meeting.objects.filter(
        series=series,
        original_starts_at__gte=local_day_start(last_day + timedelta(days=1), series.time_zone),
        starts_at__gte=timezone.now(),
    )
    cancelled_ids = list(later.filter(status=Meeting.Status.SCHEDULED).values_list("pk", flat=True))
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
    return len(cancelled_ids)
