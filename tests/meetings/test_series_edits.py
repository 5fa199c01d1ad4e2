"""Changing a series (the whole series or this and following), ending it, and closing its group:
rows keep their occurrence, edits across closures, counts and rhythms hold."""

from datetime import UTC, date, datetime, time

import pytest

from config.errors import DomainError
from meetings.models import Meeting, MeetingSeries
from meetings.services import closures, groups
from meetings.services import meetings as meeting_changes
from meetings.services import series as services
from meetings.services.materialise import horizon_extend
from tests.factories import RoomFactory, every
from tests.meetings.series_helpers import NOW, by_original_day, live, local, make_series

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_a_whole_series_edit_that_shifts_rows_past_each_other_succeeds(group_a, room_a, frozen_now):
    frozen_now(NOW)
    series = make_series(group_a, room_a, "FREQ=DAILY;COUNT=10", date(2026, 12, 1), at=time(0, 30), minutes=60)
    services.series_update(actor=None, series=series, start_time=time(23, 0), duration_minutes=120)
    meetings = every(Meeting).filter(series=series, status="scheduled").order_by("starts_at")
    assert [local(m).strftime("%d %H:%M") for m in meetings][:3] == ["01 23:00", "02 23:00", "03 23:00"]
    assert meetings.count() == 10


def test_this_and_following_sorts_rows_by_their_original_date(weekly_series):
    rows = by_original_day(weekly_series)
    meeting_changes.meeting_move(
        actor=None, meeting=rows[date(2026, 12, 15)], starts_at=datetime(2026, 12, 17, 18, tzinfo=UTC)
    )
    meeting_changes.meeting_move(
        actor=None, meeting=rows[date(2026, 12, 22)], starts_at=datetime(2026, 12, 14, 18, tzinfo=UTC)
    )
    report = services.series_update(
        actor=None, series=weekly_series, effective_from=date(2026, 12, 16), start_time=time(18, 0)
    )
    new_series = every(MeetingSeries).get(pk=report.series_id)
    old_rows, new_rows = by_original_day(weekly_series), by_original_day(new_series)
    assert date(2026, 12, 15) in old_rows
    assert date(2026, 12, 22) in new_rows
    assert (old_rows[date(2026, 12, 15)].status, local(old_rows[date(2026, 12, 15)]).day) == ("scheduled", 17)
    assert (new_rows[date(2026, 12, 22)].status, local(new_rows[date(2026, 12, 22)]).day) == ("scheduled", 14)
    originals = [m.original_starts_at for m in live(None, series__group=weekly_series.group)]
    assert len(originals) == len(set(originals)) == 26


def test_this_and_following_keeps_the_weekday_of_a_weekly_rule(group_a, room_a, frozen_now):
    frozen_now(NOW)
    series = make_series(group_a, room_a, "FREQ=WEEKLY", date(2026, 12, 1))  # Tuesdays, from the first date
    report = services.series_update(actor=None, series=series, effective_from=date(2027, 1, 7), start_time=time(18, 0))
    new_series = every(MeetingSeries).get(pk=report.series_id)
    assert {local(m).strftime("%a %H:%M") for m in live(None, series=new_series)} == {"Tue 18:00"}
    assert new_series.starts_on == date(2027, 1, 12)


def test_this_and_following_keeps_the_phase_of_every_other_week(group_a, room_a, frozen_now):
    frozen_now(NOW)
    series = make_series(group_a, room_a, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2026, 12, 1))
    report = services.series_update(actor=None, series=series, effective_from=date(2027, 1, 6), start_time=time(18, 0))
    new_series = every(MeetingSeries).get(pk=report.series_id)
    assert local(live(None, series=new_series)[0]).date() == date(2027, 1, 12)


def test_a_counted_series_keeps_its_count_through_a_split(group_a, room_a, frozen_now):
    frozen_now(NOW)
    series = make_series(group_a, room_a, "FREQ=WEEKLY;BYDAY=TU;COUNT=5", date(2026, 12, 1))
    report = services.series_update(
        actor=None, series=series, effective_from=date(2026, 12, 15), start_time=time(18, 0)
    )
    assert len(live(None, series__group=group_a)) == 5
    assert every(MeetingSeries).get(pk=report.series_id).rule.endswith("COUNT=3")
    with pytest.raises(DomainError, match="no meeting on or after that date"):
        services.series_update(actor=None, series=series, effective_from=date(2027, 3, 2), start_time=time(17, 0))


def test_a_whole_series_edit_after_a_meeting_moved_earlier_has_happened(weekly_series, frozen_now):
    rows = by_original_day(weekly_series)
    meeting_changes.meeting_move(
        actor=None, meeting=rows[date(2026, 12, 8)], starts_at=datetime(2026, 12, 5, 10, tzinfo=UTC)
    )
    frozen_now(datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    services.series_update(actor=None, series=weekly_series, start_time=time(18, 0))
    assert every(Meeting).filter(series=weekly_series, original_starts_at__date=date(2026, 12, 8)).count() <= 1
    on_the_8th = [m for m in live(None, series=weekly_series) if local(m).date() == date(2026, 12, 8)]
    assert on_the_8th == []


def test_a_series_moved_to_another_room_follows_that_rooms_closures(weekly_series, centre_a):
    oak = RoomFactory(location=weekly_series.room.location, name="Eiche")
    closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 8), reason="Maler", room=oak
    )
    services.series_update(actor=None, series=weekly_series, room=oak)
    row = by_original_day(weekly_series)[date(2026, 12, 8)]
    assert (row.status, row.cancel_reason, row.room) == ("cancelled", "closure", oak)


def test_lifting_a_closure_does_not_revive_a_date_the_rule_dropped(weekly_series, centre_a):
    closure, _count = closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 8), reason="Streik"
    )
    services.series_update(actor=None, series=weekly_series, rule="FREQ=WEEKLY;BYDAY=WE")
    closures.closure_delete(actor=None, closure=closure)
    assert {local(m).strftime("%a") for m in live(None, series=weekly_series)} == {"Wed"}


def test_this_and_following_from_the_past_is_refused(weekly_series):
    with pytest.raises(DomainError, match="start today or later"):
        services.series_update(
            actor=None, series=weekly_series, effective_from=date(2026, 11, 1), start_time=time(18, 0)
        )


def test_ending_a_series_cancels_its_later_meetings(api_a, weekly_series):
    response = api_a.post(f"/api/v1/series/{weekly_series.pk}/end/", {"last_day": "2026-12-31"})
    assert response.status_code == 200
    assert response.json()["rule"] == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231T235959"
    assert [local(m).date().isoformat() for m in live(None, series=weekly_series)] == [
        "2026-12-01",
        "2026-12-08",
        "2026-12-15",
        "2026-12-22",
        "2026-12-29",
    ]


def test_closing_a_group_frees_its_rooms(weekly_series, group_a):
    groups.group_transition(actor=None, group=group_a, status="closed")
    assert live(None, series=weekly_series) == []
    horizon_extend(centre=group_a.centre, until=date(2027, 9, 1))
    assert live(None, series=weekly_series) == []
