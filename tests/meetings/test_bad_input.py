"""Bad input is refused with a clear message, never a server error: rules that cannot work, dates
out of range (API and planner), and the admin's forms (topics, members, closures)."""

from datetime import date

import pytest

from meetings.models import Closure
from meetings.recurrence import RecurrenceError, normalise_rule
from tests.factories import PersonFactory, TopicFactory, every
from tests.meetings.series_helpers import NOW, by_original_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


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
