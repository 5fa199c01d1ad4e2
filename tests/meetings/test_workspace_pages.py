"""Coordinator pages beyond the browser journeys: the planner's series, move and cancel, the
composer's schedule, and bad input on them (a clear 400 or 409, nothing changed)."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from intake.models import Enquiry
from intake.services.queue import enquiry_conversation_schedule
from intake.services.submission import enquiry_submit
from meetings.models import Meeting, MeetingSeries
from notifications.models import NewsletterIssue, NewsletterIssueText, NewsletterList
from tests.factories import TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def series_form(group, room, **overrides) -> dict:
    return {
        "series-group": group.pk,
        "series-room": room.pk,
        "series-repeat": "weekly",
        "series-weekdays": [2],
        "series-every": 2,
        "series-starts_on": "2026-12-02",
        "series-start_time": "10:00",
        "series-duration_minutes": 60,
        "series-ends": "never",
        **overrides,
    }


def test_the_planner_books_a_series_and_refuses_a_clash(coordinator, centre_a, weekly_series, group_a, room_a):
    url = f"/centres/{centre_a.slug}/planner/"
    booked = coordinator.post(url, series_form(group_a, room_a))
    assert booked.status_code == 302
    (new,) = every(MeetingSeries).exclude(pk=weekly_series.pk)
    assert {"FREQ=WEEKLY", "INTERVAL=2", "BYDAY=WE"} <= set(new.rule.split(";"))
    clash = coordinator.post(
        url, series_form(group_a, room_a, **{"series-weekdays": [1], "series-start_time": "19:30"})
    )
    assert clash.status_code == 409
    assert "already booked" in clash.content.decode()
    bad = coordinator.post(url, series_form(group_a, room_a, **{"series-weekdays": [9]}))
    assert bad.status_code == 400
    assert every(MeetingSeries).count() == 2


def test_moving_keeps_the_length_goes_to_the_new_week_and_refuses_far_dates(
    coordinator, centre_a, weekly_series, room_a
):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at").first()
    url = f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/"
    moved = coordinator.post(url + "move/", {"starts_at": "2026-12-17T18:00", "room": room_a.pk})
    assert moved.status_code == 302
    assert moved.url.endswith("?week=2026-12-17")
    assert (
        "Moved to Thursday 17 December, 18:00 in Raum Linde. 0 members are told."
        in coordinator.get(moved.url).content.decode()
    )
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-12-17 18:00"
    assert meeting.ends_at - meeting.starts_at == timezone.timedelta(hours=2)
    far = coordinator.post(url + "move/", {"starts_at": "9999-12-31T23:30", "room": room_a.pk})
    assert far.status_code == 400
    unconfirmed = coordinator.post(url + "cancel/", {})
    assert unconfirmed.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_an_intake_conversation_is_changed_only_on_its_enquiry(coordinator, centre_a, room_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    topic = TopicFactory(centre=centre_a)
    enquiry = enquiry_submit(
        actor=None, centre=centre_a, name="X", email="x@example.net", language="de", topics=[topic], consent=True
    )
    enquiry_conversation_schedule(
        actor=None, enquiry=enquiry, kind="in_person", starts_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC), room=room_a
    )
    booking = every(Enquiry).get(pk=enquiry.pk).conversation_meeting
    url = f"/centres/{centre_a.slug}/planner/meetings/{booking.pk}/"
    assert "Open the enquiry" in coordinator.get(url).content.decode()
    refused = coordinator.post(url + "cancel/", {"confirm": "yes"})
    assert refused.status_code == 409
    booking.refresh_from_db()
    assert booking.status == "scheduled"


def test_the_composer_refuses_a_time_outside_the_next_year(coordinator, centre_a):
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    issue = every(NewsletterIssue).create(centre=centre_a, newsletter=newsletter, title="T")
    NewsletterIssueText.objects.create(issue=issue, language="de", subject="S", body="B")
    url = f"/centres/{centre_a.slug}/workspace/newsletters/{issue.pk}/"
    for when in ("0001-01-01T00:00", "9999-12-31T23:30"):
        answer = coordinator.post(url, {"action": "schedule", "when-at": when})
        assert answer.status_code == 400, when
    issue.refresh_from_db()
    assert issue.status == "draft"
    assert coordinator.post(url, {"action": "schedule", "when-at": "", "confirm": "yes"}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == "sent"  # started on the click; with no subscribers it is done at once


def test_the_bookings_own_url_still_takes_a_posted_action(coordinator, centre_a, weekly_series):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at").first()
    url = f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/"
    assert coordinator.post(url, {"action": "other"}).status_code == 400
    cancelled = coordinator.post(url, {"action": "cancel", "confirm": "yes", "note": "Krank"})
    assert cancelled.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
