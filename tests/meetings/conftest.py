"""Fixtures for the meetings tests: a room and a group in centre A (and B), and a fixed clock."""

from datetime import UTC, datetime, time

import pytest
from django.utils import timezone

from meetings.services import series as series_services
from tests.factories import GroupFactory, RoomFactory


@pytest.fixture
def room_a(centre_a):
    return RoomFactory(location__centre=centre_a, name="Raum Linde")


@pytest.fixture
def room_b(centre_b):
    return RoomFactory(location__centre=centre_b, name="Mødelokale 1")


@pytest.fixture
def group_a(centre_a):
    return GroupFactory(centre=centre_a, name="Dienstagsgruppe")


@pytest.fixture
def group_b(centre_b):
    return GroupFactory(centre=centre_b, name="Onsdagsgruppen")


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze "now" (and so "today") at the given instant: `frozen_now(datetime(...))`."""

    def freeze(instant: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: instant)
        return instant

    return freeze


@pytest.fixture
def weekly_series(group_a, room_a, frozen_now):
    """A weekly Tuesday 19:00–21:00 series in room A from Tuesday 2026-12-01, now = 2026-11-30."""
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    from datetime import date

    return series_services.series_create(
        actor=None,
        group=group_a,
        room=room_a,
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=time(19, 0),
        duration_minutes=120,
    )
