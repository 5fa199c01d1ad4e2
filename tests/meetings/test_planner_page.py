"""The room planner page for coordinators."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Closure
from tests.factories import RoomFactory, every

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner_client(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def test_planner_shows_rooms_bookings_closures_and_free_days(planner_client, weekly_series, centre_a):
    every(Closure).create(
        centre=centre_a, starts_on=date(2026, 12, 10), ends_on=date(2026, 12, 10), reason="Betriebsausflug"
    )
    page = planner_client.get("/centres/centre-a/planner/", {"week": "2026-12-09"}).content.decode()
    assert "Raum Linde" in page
    assert "19:00–21:00" in page
    assert "Dienstagsgruppe" in page
    assert "Betriebsausflug" in page
    # Tuesday is free around the 19:00–21:00 meeting; Thursday is closed; a room without
    # opening hours is shown free from 08:00 to 22:00.
    assert "free 08:00–19:00" in page
    assert "free 21:00–22:00" in page
    assert page.count('class="free"') == 2 + 5
    assert "?week=2026-11-30" in page
    assert "?week=2026-12-14" in page


def test_planner_of_another_centre_is_not_found(planner_client, centre_b):
    assert planner_client.get("/centres/centre-b/planner/").status_code == 404


def test_planner_needs_a_login(client, centre_a):
    response = client.get("/centres/centre-a/planner/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/")


def test_planner_with_no_rooms_says_what_to_do(planner_client, centre_a):
    page = planner_client.get("/centres/centre-a/planner/").content.decode()
    assert "This centre has no rooms yet." in page


def test_planner_page_query_count_does_not_grow_with_rooms(planner_client, weekly_series, centre_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            planner_client.get("/centres/centre-a/planner/", {"week": "2026-12-07"})
        return len(queries)

    one = count()
    RoomFactory(location__centre=centre_a)
    RoomFactory(location__centre=centre_a)
    assert count() == one
