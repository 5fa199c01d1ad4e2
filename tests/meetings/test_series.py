"""Series, materialised meetings, per-meeting changes, series edits, one-offs and closures."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test.utils import override_settings

from config.errors import ConflictError, DomainError
from meetings.booking import RoomClashError, RoomUnavailableError
from meetings.models import Meeting, MeetingSeries
from meetings.recurrence import RecurrenceError
from meetings.services import closures, groups, places
from meetings.services import meetings as meeting_changes
from meetings.services import series as services
from meetings.services.materialise import horizon_extend
from tests.factories import GroupFactory, RoomFactory, TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
BERLIN = ZoneInfo("Europe/Berlin")


def local(meeting_or_dt):
    value = meeting_or_dt.starts_at if isinstance(meeting_or_dt, Meeting) else meeting_or_dt
    return value.astimezone(BERLIN)


def live(series):
    return list(every(Meeting).filter(series=series, status="scheduled").order_by("starts_at"))


def test_series_materialises_every_occurrence_up_to_the_horizon(weekly_series):
    meetings = list(every(Meeting).filter(series=weekly_series).order_by("starts_at"))
    # now = 2026-11-30, horizon 26 weeks: Tuesdays 2026-12-01 .. 2027-05-25
    assert len(meetings) == 26
    assert local(meetings[0]).isoformat() == "2026-12-01T19:00:00+01:00"
    assert local(meetings[-1]).isoformat() == "2027-05-25T19:00:00+02:00"
    assert {local(m).strftime("%a %H:%M") for m in meetings} == {"Tue 19:00"}
    assert weekly_series.materialised_until == date(2027, 5, 31)
    assert len({meeting.uid for meeting in meetings}) == 26


def test_horizon_extension_adds_the_next_days_and_twice_changes_nothing(weekly_series, frozen_now):
    frozen_now(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    first = horizon_extend(centre=weekly_series.centre)
    assert (first.series, first.created) == (1, 2)
    second = horizon_extend(centre=weekly_series.centre)
    assert (second.series, second.created) == (0, 0)
    assert every(Meeting).filter(series=weekly_series).count() == 28


def test_a_clashing_series_is_refused_with_409_naming_the_meeting(weekly_series, room_a, centre_a):
    other = GroupFactory(centre=centre_a, name="Gesprächskreis Mut")
    with pytest.raises(RoomClashError) as error:
        services.series_create(
            actor=None,
            group=other,
            room=room_a,
            rule="FREQ=MONTHLY;BYDAY=1TU",
            starts_on=date(2026, 12, 1),
            start_time=time(20, 0),
            duration_minutes=60,
        )
    assert error.value.status_code == 409
    assert "Dienstagsgruppe in Raum Linde on 01/12/2026 19:00–21:00" in error.value.message
    assert not every(MeetingSeries).filter(group=other).exists()


def test_a_series_outside_opening_hours_is_refused_saying_when_the_room_is_open(group_a, room_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    places.opening_hours_set(actor=None, room=room_a, hours=[(1, time(9, 0), time(18, 0))])
    with pytest.raises(RoomUnavailableError) as error:
        services.series_create(
            actor=None,
            group=group_a,
            room=room_a,
            rule="FREQ=WEEKLY;BYDAY=TU",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=120,
        )
    assert error.value.message == "Raum Linde is open on Tuesday from 09:00 to 18:00."


def test_a_series_on_a_closed_weekday_is_refused(group_a, room_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    places.opening_hours_set(actor=None, room=room_a, hours=[(0, time(9, 0), time(22, 0))])
    with pytest.raises(RoomUnavailableError, match=r"Raum Linde is closed on Tuesday\."):
        services.series_create(
            actor=None,
            group=group_a,
            room=room_a,
            rule="FREQ=WEEKLY;BYDAY=TU",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=60,
        )


def test_an_invalid_rule_is_refused_and_nothing_is_written(group_a, room_a, frozen_now):
    # Frozen: a year on, 2026-12-01 is out of the planning range and refused for that instead.
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    with pytest.raises(RecurrenceError):
        services.series_create(
            actor=None,
            group=group_a,
            room=room_a,
            rule="FREQ=SECONDLY",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=60,
        )
    assert not every(MeetingSeries).exists()


def test_a_room_of_another_centre_is_refused(group_a, room_b, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # 2026-12-01 stays a date the service takes
    with pytest.raises(DomainError, match="another centre"):
        services.series_create(
            actor=None,
            group=group_a,
            room=room_b,
            rule="FREQ=WEEKLY",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=60,
        )


def test_new_series_skip_closure_days(group_a, room_a, frozen_now, centre_a):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 24), ends_on=date(2027, 1, 1), reason="Weihnachtspause"
    )
    series = services.series_create(
        actor=None,
        group=group_a,
        room=room_a,
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=time(19, 0),
        duration_minutes=120,
    )
    cancelled = every(Meeting).filter(series=series, status="cancelled")
    assert [(local(m).date(), m.cancel_reason) for m in cancelled] == [
        (date(2026, 12, 29), "closure"),
    ]


def test_closure_cancels_covered_meetings_and_lifting_it_restores_them(weekly_series, centre_a):
    closure, count = closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 16), reason="Renovierung"
    )
    assert count == 2
    hit = every(Meeting).filter(series=weekly_series, closure=closure).order_by("starts_at")
    assert [(local(m).date(), m.status, m.cancel_reason, m.sequence) for m in hit] == [
        (date(2026, 12, 8), "cancelled", "closure", 1),
        (date(2026, 12, 15), "cancelled", "closure", 1),
    ]
    restored = closures.closure_delete(actor=None, closure=closure)
    assert restored == 2
    assert len(live(weekly_series)) == 26
    assert set(every(Meeting).filter(series=weekly_series).values_list("sequence", flat=True)) == {0, 2}


def test_lifting_a_closure_keeps_a_meeting_cancelled_when_its_room_was_booked_meanwhile(
    weekly_series, centre_a, room_a
):
    closure, _count = closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 8), reason="Streik"
    )
    evening = datetime(2026, 12, 8, 18, 30, tzinfo=UTC)
    with pytest.raises(RoomUnavailableError):  # the room is closed that day
        meeting_changes.one_off_create(
            actor=None,
            centre=centre_a,
            room=room_a,
            title="Infoabend",
            starts_at=evening,
            ends_at=evening + timedelta(hours=1),
        )
    # A closure of another room does not matter; book after lifting a different way: directly.
    every(Meeting).create(
        centre=centre_a,
        room=room_a,
        title="Infoabend",
        starts_at=evening,
        ends_at=evening + timedelta(hours=1),
        uid="manual@test",
    )
    closures.closure_delete(actor=None, closure=closure)
    meeting = every(Meeting).get(series=weekly_series, starts_at__date=date(2026, 12, 8))
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "clash")


def test_a_location_closure_does_not_touch_other_locations(weekly_series, centre_a):
    elsewhere = RoomFactory(location__centre=centre_a)
    closures.closure_create(
        actor=None,
        centre=centre_a,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
        reason="Umzug",
        location=elsewhere.location,
    )
    assert len(live(weekly_series)) == 26


def test_cancel_one_meeting_raises_its_revision_and_keeps_it(weekly_series):
    meeting = live(weekly_series)[2]
    meeting_changes.meeting_cancel(actor=None, meeting=meeting, note="Gruppenleitung krank")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, meeting.sequence, meeting.is_changed, meeting.note) == (
        "cancelled",
        "cancelled",
        1,
        True,
        "Gruppenleitung krank",
    )
    with pytest.raises(ConflictError, match="already cancelled"):
        meeting_changes.meeting_cancel(actor=None, meeting=meeting)


def test_reinstating_a_cancelled_meeting(weekly_series):
    meeting = live(weekly_series)[2]
    meeting_changes.meeting_cancel(actor=None, meeting=meeting)
    meeting_changes.meeting_reinstate(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("scheduled", 2)


def test_move_one_meeting_in_time_and_room(weekly_series, centre_a):
    meeting = live(weekly_series)[1]
    other_room = RoomFactory(location__centre=centre_a, name="Raum Ahorn")
    new_start = meeting.starts_at + timedelta(days=1)
    meeting_changes.meeting_move(actor=None, meeting=meeting, starts_at=new_start, room=other_room)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at - meeting.starts_at, meeting.room, meeting.sequence) == (
        new_start,
        timedelta(hours=2),
        other_room,
        1,
    )
    assert meeting.original_starts_at == new_start - timedelta(days=1)


def test_moving_onto_another_meeting_is_refused(weekly_series):
    first, second = live(weekly_series)[:2]
    with pytest.raises(RoomClashError, match="Dienstagsgruppe in Raum Linde"):
        meeting_changes.meeting_move(actor=None, meeting=first, starts_at=second.starts_at + timedelta(minutes=30))
    first.refresh_from_db()
    assert first.sequence == 0


def test_moving_into_the_past_is_refused(weekly_series):
    meeting = live(weekly_series)[1]
    with pytest.raises(DomainError, match="into the past"):
        meeting_changes.meeting_move(actor=None, meeting=meeting, starts_at=datetime(2026, 1, 1, 18, tzinfo=UTC))


def test_one_off_meetings_occupy_rooms(weekly_series, centre_a, room_a):
    tuesday = live(weekly_series)[0]
    with pytest.raises(RoomClashError):
        meeting_changes.one_off_create(
            actor=None,
            centre=centre_a,
            room=room_a,
            title="Infoabend",
            starts_at=tuesday.starts_at - timedelta(minutes=30),
            ends_at=tuesday.starts_at + timedelta(minutes=30),
        )
    meeting = meeting_changes.one_off_create(
        actor=None,
        centre=centre_a,
        room=room_a,
        title="Infoabend",
        starts_at=tuesday.ends_at,
        ends_at=tuesday.ends_at + timedelta(hours=1),
    )
    assert (meeting.display_title, meeting.series, meeting.status) == ("Infoabend", None, "scheduled")


@pytest.mark.parametrize(
    ("hours", "message"),
    [(-1, "must end after it starts"), (13, "between 15 minutes and 12 hours")],
)
def test_one_off_with_impossible_times_is_refused(centre_a, room_a, frozen_now, hours, message):
    start = frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) + timedelta(days=1)
    with pytest.raises(DomainError, match=message):
        meeting_changes.one_off_create(
            actor=None, centre=centre_a, room=room_a, title="X", starts_at=start, ends_at=start + timedelta(hours=hours)
        )


def test_whole_series_change_moves_future_meetings_and_keeps_their_identity(weekly_series):
    before = {local(m).date() - timedelta(days=1): m.uid for m in live(weekly_series)}
    report = services.series_update(actor=None, series=weekly_series, rule="FREQ=WEEKLY;BYDAY=WE")
    meetings = live(weekly_series)
    assert {local(m).strftime("%a %H:%M") for m in meetings} == {"Wed 19:00"}
    # Tuesday 1 Dec maps to no Wednesday occurrence of the same date: Wednesdays are new rows,
    # the Tuesday rows are cancelled so calendars drop them.
    assert report.created == 26
    assert report.cancelled == 26
    assert not set(before.values()) & {m.uid for m in meetings}


def test_whole_series_time_change_keeps_uids_and_raises_sequence(weekly_series):
    uids = [m.uid for m in live(weekly_series)]
    report = services.series_update(actor=None, series=weekly_series, start_time=time(18, 0))
    meetings = live(weekly_series)
    assert [m.uid for m in meetings] == uids
    assert {local(m).strftime("%H:%M") for m in meetings} == {"18:00"}
    assert {m.sequence for m in meetings} == {1}
    assert (report.updated, report.created, report.cancelled) == (26, 0, 0)


def test_whole_series_change_keeps_changes_made_by_hand(weekly_series):
    meetings = live(weekly_series)
    cancelled, annotated, moved = meetings[1], meetings[2], meetings[3]
    meeting_changes.meeting_cancel(actor=None, meeting=cancelled)
    meeting_changes.meeting_annotate(actor=None, meeting=annotated, note="Expertin zu Gast")
    meeting_changes.meeting_move(actor=None, meeting=moved, starts_at=moved.starts_at + timedelta(days=1))
    report = services.series_update(actor=None, series=weekly_series, start_time=time(18, 0))
    for meeting in (cancelled, annotated, moved):
        meeting.refresh_from_db()
    assert sorted(report.kept_changes) == sorted([cancelled.pk, annotated.pk, moved.pk])
    assert cancelled.status == "cancelled"
    assert (local(annotated).strftime("%H:%M"), annotated.note) == ("18:00", "Expertin zu Gast")
    assert local(moved).strftime("%a %H:%M") == "Wed 19:00"


def test_whole_series_change_reports_changes_whose_date_disappears(weekly_series):
    meeting = live(weekly_series)[-1]
    meeting_changes.meeting_annotate(actor=None, meeting=meeting, note="Sommerfest")
    report = services.series_update(actor=None, series=weekly_series, rule="FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    meeting.refresh_from_db()
    assert report.dropped_changes == [meeting.pk]
    assert meeting.status == "cancelled"
    assert len(live(weekly_series)) == 4


def test_whole_series_change_into_a_clash_is_refused_and_changes_nothing(weekly_series, centre_a, room_a):
    meeting_changes.one_off_create(
        actor=None,
        centre=centre_a,
        room=room_a,
        title="Infoabend",
        starts_at=datetime(2026, 12, 8, 16, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 17, 30, tzinfo=UTC),
    )
    with pytest.raises(RoomClashError, match="Infoabend"):
        services.series_update(actor=None, series=weekly_series, start_time=time(17, 0))
    weekly_series.refresh_from_db()
    assert weekly_series.start_time == time(19, 0)
    assert {local(m).strftime("%H:%M") for m in live(weekly_series)} == {"19:00"}


def test_this_and_following_splits_the_series(weekly_series, centre_a):
    past_uids = [m.uid for m in live(weekly_series)[:4]]
    report = services.series_update(
        actor=None, series=weekly_series, effective_from=date(2026, 12, 29), start_time=time(18, 30)
    )
    weekly_series.refresh_from_db()
    new_series = every(MeetingSeries).get(pk=report.series_id)
    assert weekly_series.rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261228T235959"
    assert new_series.starts_on == date(2026, 12, 29)
    assert [m.uid for m in live(weekly_series)] == past_uids
    assert {local(m).strftime("%H:%M") for m in live(weekly_series)} == {"19:00"}
    assert {local(m).strftime("%H:%M") for m in live(new_series)} == {"18:30"}
    assert len(live(new_series)) == 22


def test_closed_groups_get_no_new_series(group_a, room_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # 2026-12-01 stays a date the service takes
    groups.group_transition(actor=None, group=group_a, status="closed")
    with pytest.raises(ConflictError, match="group is closed"):
        services.series_create(
            actor=None,
            group=group_a,
            room=room_a,
            rule="FREQ=WEEKLY",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=60,
        )


@override_settings(MEETING_HORIZON_WEEKS=4)
def test_the_horizon_is_a_setting(group_a, room_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    series = services.series_create(
        actor=None,
        group=group_a,
        room=room_a,
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=time(19, 0),
        duration_minutes=60,
    )
    assert every(Meeting).filter(series=series).count() == 4


def test_groups_on_topics_the_centre_does_not_offer_are_refused(centre_b):
    topic = TopicFactory(centre=centre_b, name="Religion", is_offered=False)
    with pytest.raises(DomainError) as error:
        groups.group_create(actor=None, centre=centre_b, name="Bibelkreds", topic=topic)
    assert error.value.message == "This centre does not found groups on the topic “Religion”."


def test_group_life_cycle_refuses_a_jump(group_a):
    group_a.status = "forming"
    group_a.save()
    with pytest.raises(ConflictError, match="cannot go from “Forming” to “Self-run”"):
        groups.group_transition(actor=None, group=group_a, status="self_run")
    assert groups.group_transition(actor=None, group=group_a, status="starting").status == "starting"
