"""Series edits, closures and bad input: the cases a review found, each pinned."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from config.errors import DomainError
from meetings.models import Closure, Meeting, MeetingSeries
from meetings.recurrence import RecurrenceError, normalise_rule
from meetings.services import closures, groups, places
from meetings.services import meetings as meeting_changes
from meetings.services import series as services
from tests.factories import PersonFactory, RoomFactory, TopicFactory, every

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def local(meeting):
    return meeting.starts_at.astimezone(BERLIN)


def live(series_or_group, **filters):
    return list(every(Meeting).filter(status="scheduled", **filters).order_by("starts_at"))


def by_original_day(series):
    return {m.original_starts_at.astimezone(BERLIN).date(): m for m in every(Meeting).filter(series=series)}


def make_series(group, room, rule, starts_on, at=time(19, 0), minutes=120):
    return services.series_create(
        actor=None, group=group, room=room, rule=rule, starts_on=starts_on, start_time=at, duration_minutes=minutes
    )


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


def test_closures_leave_meetings_that_already_happened_alone(weekly_series, centre_a, frozen_now):
    frozen_now(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _closure, cancelled = closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 16), reason="Nachträglich"
    )
    assert cancelled == 1  # only 15 December is still ahead
    rows = by_original_day(weekly_series)
    assert rows[date(2026, 12, 1)].status == rows[date(2026, 12, 8)].status == "scheduled"


def test_public_feed_carries_no_notes_the_private_feed_does(client, weekly_series, group_a, person_a):
    from meetings.services.calendar_links import calendar_link_issue
    from tests.factories import MembershipFactory

    meeting = by_original_day(weekly_series)[date(2026, 12, 8)]
    meeting_changes.meeting_cancel(actor=None, meeting=meeting, note="Anna Schmidt liegt im Krankenhaus")
    public = client.get(f"/calendar/groups/{group_a.public_id}.ics").content.decode()
    assert "Schmidt" not in public
    MembershipFactory(group=group_a, person=person_a)
    token = calendar_link_issue(actor=None, person=person_a)
    private = Calendar.from_ical(client.get(f"/calendar/people/{token.token}.ics").content)
    assert any("Schmidt" in str(event.get("DESCRIPTION", "")) for event in private.walk("VEVENT"))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MONTHLY;BYDAY=+60MO", "The rule is not valid"),
        ("FREQ=WEEKLY;COUNT=²", "COUNT must be a whole number"),
        ("FREQ=WEEKLY;INTERVAL=²", "INTERVAL must be a whole number"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "No month of BYMONTH=2 has a day 30"),
        ("FREQ=DAILY;BYSETPOS=2", "BYSETPOS=2 asks for a date this rule never has"),
    ],
)
def test_rules_that_cannot_work_are_refused_quickly(rule, message):
    with pytest.raises(RecurrenceError, match=message):
        normalise_rule(rule, date(2026, 12, 1))


def test_bad_dates_are_400s_not_500s(api_a, weekly_series, room_a):
    meeting = by_original_day(weekly_series)[date(2026, 12, 8)]
    cases = [
        api_a.get("/api/v1/planner/", {"week": "9999-12-31"}),
        api_a.post("/api/v1/closures/", {"starts_on": "9999-12-31", "ends_on": "9999-12-31", "reason": "x"}),
        api_a.post(f"/api/v1/meetings/{meeting.pk}/move/", {"starts_at": "9999-12-31T22:00:00Z"}),
        api_a.post(
            "/api/v1/series/preview/",
            {
                "room": room_a.pk,
                "rule": "FREQ=DAILY;BYSETPOS=2",
                "starts_on": "2026-12-01",
                "start_time": "10:00",
                "duration_minutes": 60,
            },
        ),
        api_a.get(
            "/api/v1/rooms/free/",
            {
                "rule": "FREQ=MONTHLY;BYDAY=+60MO",
                "starts_on": "2026-12-01",
                "start_time": "10:00",
                "duration_minutes": 60,
            },
        ),
    ]
    assert [response.status_code for response in cases] == [400] * 5
    assert all(response.json()["error"]["fields"] for response in cases)


def test_the_planner_page_shows_this_week_for_a_mistyped_week(client, coordinator_a, weekly_series):
    client.force_login(coordinator_a)
    assert client.get("/centres/centre-a/planner/", {"week": "9999-12-31"}).status_code == 200


def test_closing_a_group_frees_its_rooms(weekly_series, group_a):
    groups.group_transition(actor=None, group=group_a, status="closed")
    assert live(None, series=weekly_series) == []
    services.horizon_extend(centre=group_a.centre, until=date(2027, 9, 1))
    assert live(None, series=weekly_series) == []


def test_a_room_open_until_midnight_takes_a_meeting_ending_at_midnight(group_a, room_a, frozen_now):
    frozen_now(NOW)
    places.opening_hours_set(actor=None, room=room_a, hours=[(1, time(9, 0), time(23, 59))])
    series = make_series(
        group_a, room_a, "FREQ=WEEKLY;BYDAY=TU;COUNT=2", date(2026, 12, 1), at=time(22, 0), minutes=120
    )
    assert len(live(None, series=series)) == 2


def test_rooms_out_of_use_take_no_bookings(centre_a, room_a, frozen_now):
    frozen_now(NOW)
    places.room_update(actor=None, room=room_a, is_active=False)
    with pytest.raises(DomainError, match="no longer in use"):
        meeting_changes.one_off_create(
            actor=None,
            centre=centre_a,
            room=room_a,
            title="X",
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
        )


def test_admin_refuses_a_topic_not_offered_and_a_member_of_another_centre(client, centre_admin_a, group_a, person_b):
    client.force_login(centre_admin_a)
    topic = TopicFactory(centre=group_a.centre, name="Politik", is_offered=False)
    response = client.post(
        f"/admin/meetings/group/{group_a.pk}/change/",
        {
            "name": group_a.name,
            "topic": topic.pk,
            "languages": '["de"]',
            "min_size": 4,
            "max_size": 8,
            "age_band": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert "does not found groups" in response.content.decode()
    group_a.refresh_from_db()
    assert group_a.topic_id != topic.pk
    stranger = PersonFactory(centre=person_b.centre)
    response = client.post(
        "/admin/meetings/membership/add/",
        {
            "group": group_a.pk,
            "person": stranger.pk,
            "role": "member",
            "joined_on": "2026-11-01",
            "reminder_minutes": 1440,
        },
    )
    assert response.status_code == 200
    assert not every(group_a.memberships.model).filter(person=stranger).exists()


def test_admin_closure_longer_than_a_year_is_a_form_error(client, centre_admin_a, centre_a, frozen_now):
    frozen_now(NOW)  # a year on, 2026-12-01 is out of the planning range and refused for that instead
    client.force_login(centre_admin_a)
    response = client.post(
        "/admin/meetings/closure/add/",
        {"centre": centre_a.pk, "starts_on": "2026-12-01", "ends_on": "2028-12-01", "reason": "Umbau"},
    )
    assert response.status_code == 200
    assert "A closure lasts at most a year." in response.content.decode()
    assert not every(Closure).exists()


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
