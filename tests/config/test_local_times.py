"""A local time that the zone skips or has twice is refused by name wherever times are entered
(issue 17, §5: 02:30 on the night the clocks go forward gave a 500, or was stored an hour later).

Dates are computed from today: the last Sunday of March and of October of next year."""

import importlib
import inspect
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework import serializers

from config.api import BoundedDateTimeField
from config.forms import LocalDateTimeField, LocalSplitDateTimeField
from config.local_time import local_time_problem
from meetings.models import Meeting, MeetingSeries
from tests.factories import every

BERLIN = ZoneInfo("Europe/Berlin")


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


NEXT_YEAR = timezone.localdate().year + 1
SPRING = last_sunday(NEXT_YEAR, 3)  # the clocks go forward from 02:00 to 03:00
AUTUMN = last_sunday(NEXT_YEAR, 10)  # the clocks go back from 03:00 to 02:00


def test_the_dates_are_the_nights_the_clocks_change():
    assert local_time_problem(datetime.combine(SPRING, time(2, 30)), BERLIN).startswith(
        f"{SPRING:%Y-%m-%d} 02:30 does not exist in the time zone Europe/Berlin"
    )
    assert local_time_problem(datetime.combine(AUTUMN, time(2, 30)), BERLIN).startswith(
        f"{AUTUMN:%Y-%m-%d} 02:30 happens twice in the time zone Europe/Berlin"
    )
    assert local_time_problem(datetime.combine(SPRING, time(3, 30)), BERLIN) is None
    assert local_time_problem(datetime.combine(AUTUMN, time(3, 30)), BERLIN) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_at", "ends_at", "words"),
    [
        (f"{SPRING}T02:30:00", f"{SPRING}T04:00:00", "does not exist"),
        (f"{SPRING}T01:30:00", f"{SPRING}T02:30:00", "does not exist"),
        (f"{AUTUMN}T02:30:00", f"{AUTUMN}T04:00:00", "happens twice"),
    ],
)
def test_a_meeting_at_a_time_the_clock_skips_or_repeats_is_a_400_naming_it(api_a, room_a, starts_at, ends_at, words):
    response = api_a.post(
        "/api/v1/meetings/", {"room": room_a.pk, "title": "Info", "starts_at": starts_at, "ends_at": ends_at}
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    field = "starts_at" if "02:30" in starts_at else "ends_at"
    assert words in fields[field][0]
    assert "daylight saving time" in fields[field][0]
    assert not every(Meeting).exists()


@pytest.mark.django_db
def test_a_time_with_its_offset_on_that_night_is_one_instant_and_kept(api_a, room_a):
    response = api_a.post(
        "/api/v1/meetings/",
        {"room": room_a.pk, "title": "Info", "starts_at": f"{AUTUMN}T02:30:00+01:00", "ends_at": f"{AUTUMN}T04:00:00"},
    )

    assert response.status_code == 201
    assert response.json()["starts_at"] == f"{AUTUMN}T02:30:00+01:00"
    assert response.json()["ends_at"] == f"{AUTUMN}T04:00:00+01:00"


@pytest.mark.django_db
def test_the_api_date_time_filters_refuse_a_skipped_time_by_name(api_a):
    response = api_a.get("/api/v1/meetings/", {"starts_after": f"{SPRING}T02:30:00"})

    assert response.status_code == 400
    assert "does not exist" in str(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "words"), [(SPRING, "does not exist"), (AUTUMN, "happens twice")])
def test_a_series_meeting_at_02_30_on_sundays_is_refused_naming_the_night(api_a, group_a, room_a, day, words):
    response = api_a.post(
        "/api/v1/series/",
        {
            "group": group_a.pk,
            "room": room_a.pk,
            "rule": "FREQ=WEEKLY;BYDAY=SU",
            "starts_on": str(day - timedelta(weeks=2)),
            "start_time": "02:30",
            "duration_minutes": 60,
        },
    )

    assert response.status_code == 400
    message = response.json()["error"]["fields"]["start_time"][0]
    assert words in message
    assert f"{day:%Y-%m-%d} 02:30" in message
    assert not every(MeetingSeries).exists()


@pytest.mark.django_db
def test_the_series_preview_refuses_it_too(api_a, room_a):
    response = api_a.post(
        "/api/v1/series/preview/",
        {
            "room": room_a.pk,
            "rule": "FREQ=DAILY",
            "starts_on": str(SPRING),
            "start_time": "02:15",
            "duration_minutes": 60,
        },
    )

    assert response.status_code == 400
    assert "does not exist" in response.json()["error"]["fields"]["start_time"][0]


@pytest.mark.django_db
def test_the_planners_move_form_names_the_gap(client, coordinator_a, centre_a, room_a):
    meeting = every(Meeting).create(
        centre=centre_a,
        room=room_a,
        title="Info",
        starts_at=datetime.combine(SPRING - timedelta(days=1), time(19), tzinfo=BERLIN),
        ends_at=datetime.combine(SPRING - timedelta(days=1), time(20), tzinfo=BERLIN),
    )
    client.force_login(coordinator_a)

    page = client.post(
        f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/",
        {"action": "move", "starts_at": f"{SPRING}T02:30", "room": room_a.pk},
    )

    assert page.status_code == 400
    assert "does not exist in the time zone Europe/Berlin" in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at.date() == SPRING - timedelta(days=1)


SERIALIZER_MODULES = [
    "centres.api.serializers",
    "meetings.api.serializers.groups",
    "meetings.api.serializers.meetings",
    "meetings.api.serializers.places",
    "meetings.api.serializers.series",
    "intake.api.serializers",
    "notifications.api.serializers",
    "volunteers.api.serializers",
]


def writable_date_time_fields(serializer, path=""):
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.BaseSerializer) and hasattr(field, "fields"):
            yield from writable_date_time_fields(field, f"{path}{name}.")
        elif isinstance(field, serializers.ListSerializer):
            yield from writable_date_time_fields(field.child, f"{path}{name}[].")
        elif isinstance(field, serializers.DateTimeField) and not field.read_only:
            yield f"{path}{name}", field


@pytest.mark.django_db
def test_every_date_time_the_api_takes_is_read_by_the_one_checking_field():
    """The class, not only the meetings endpoint: a new serializer with a plain DRF date-time
    field would take 02:30 on the night the clocks go forward again."""
    plain = []
    for module_name in SERIALIZER_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module_name or not issubclass(cls, serializers.Serializer):
                continue
            if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta"):
                continue  # a base class of an app's model serializers
            for path, field in writable_date_time_fields(cls()):
                if not isinstance(field, BoundedDateTimeField):
                    plain.append(f"{module_name}.{name}.{path}")
    assert plain == []


@pytest.mark.parametrize(
    "field",
    [
        pytest.param(lambda: LocalDateTimeField().clean(f"{SPRING}T02:30"), id="workspace forms"),
        pytest.param(lambda: LocalSplitDateTimeField().clean([str(SPRING), "02:30"]), id="admin"),
    ],
)
def test_forms_and_the_admin_name_the_gap_instead_of_djangos_may_be_ambiguous(field):
    with pytest.raises(ValidationError) as refused:
        field()
    assert refused.value.messages == [local_time_problem(datetime.combine(SPRING, time(2, 30)), BERLIN)]
