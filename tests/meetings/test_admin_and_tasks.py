"""The meetings admin keeps centres apart; the horizon task extends every centre."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from centres.scoping import centre_scope
from meetings.models import Closure, Meeting, MeetingSeries
from meetings.tasks import extend_horizon, extend_horizon_all
from tests.factories import MembershipFactory, every

pytestmark = pytest.mark.django_db

MODELS = ["topic", "location", "room", "group", "membership", "meetingseries", "meeting", "closure", "calendartoken"]


@pytest.fixture
def world_b(centre_b, room_b, group_b, person_b):
    from meetings.services.calendar_links import calendar_link_issue

    MembershipFactory(group=group_b, person=person_b)
    series = every(MeetingSeries).create(
        centre=centre_b,
        group=group_b,
        room=room_b,
        rule="FREQ=WEEKLY",
        starts_on=date(2026, 12, 2),
        start_time=time(19, 0),
        duration_minutes=60,
        time_zone="Europe/Copenhagen",
    )
    start = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    every(Meeting).create(
        centre=centre_b,
        series=series,
        group=group_b,
        room=room_b,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        original_starts_at=start,
        uid="b@test",
    )
    every(Closure).create(centre=centre_b, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 2), reason="Nytår")
    with centre_scope(centre_b.pk):
        calendar_link_issue(actor=None, person=person_b)


@pytest.mark.parametrize("model", MODELS)
def test_meetings_admin_lists_show_nothing_of_another_centre(client, centre_admin_a, world_b, model):
    client.force_login(centre_admin_a)
    response = client.get(f"/admin/meetings/{model}/")
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("Onsdagsgruppen", "Mødelokale 1", "Nytår", "Bodil"):
        assert name not in page


def test_admin_closure_of_another_centres_room_is_a_form_error(client, centre_admin_a, centre_a, room_b):
    client.force_login(centre_admin_a)
    response = client.post(
        "/admin/meetings/closure/add/",
        {"centre": centre_a.pk, "room": room_b.pk, "starts_on": "2026-12-24", "ends_on": "2026-12-26", "reason": "x"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not every(Closure).exists()


def test_horizon_task_extends_each_centre_and_is_idempotent(weekly_series, frozen_now, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        frozen_now(datetime(2026, 12, 21, 9, 0, tzinfo=UTC))
        extend_horizon_all.delay()
        assert every(Meeting).filter(series=weekly_series).count() == 29
        extend_horizon(weekly_series.centre_id)
        assert every(Meeting).filter(series=weekly_series).count() == 29
    finally:
        app.conf.task_always_eager = False


def test_horizon_task_for_an_unknown_centre_does_nothing(db):
    extend_horizon(987654)
    assert every(Meeting).count() == 0


def test_beat_runs_the_horizon_job_nightly_and_every_scheduled_task_exists():
    from config.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["extend-meeting-horizon"]
    assert entry["task"] == "meetings.extend_horizon_all"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    assert all(item["task"] in app.tasks for item in app.conf.beat_schedule.values())
