"""Helpers the series and booking tests share: a series made the way the API makes it, its live
meetings, and its rows by the day each was first planned for (in Berlin, centre A's zone)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from meetings.models import Meeting
from meetings.services import series as services
from tests.scopes import every

BERLIN = ZoneInfo("Europe/Berlin")
# The frozen "now" these tests set with `frozen_now(NOW)`; rows they make are stamped by it too.
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
