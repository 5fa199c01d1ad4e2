"""The directory's open data: JSON and CSV that say the same, conditional requests, and nothing
private in either: no value of any field outside `PUBLIC_FIELDS`, no video link, no discreet
group's day, time or building."""

import csv
import io
import json
from datetime import UTC, date, datetime, time

import pytest
from django.apps import apps
from django.db import models

from centres.models import DiscreetListing
from meetings.models import Group, Mode
from meetings.opendata import PUBLIC_FIELDS
from meetings.services import series as series_services
from tests.factories import CentreFactory, GroupFactory, LocationFactory, MembershipFactory, PersonFactory, RoomFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def directory(frozen_now):
    frozen_now(datetime(2027, 2, 26, 9, 0, tzinfo=UTC))
    centre = CentreFactory(slug="kibis", name="KIBIS Hannover", postal_code="30159", city="Hannover", country="DE",
                           phone="0511 666567", email="kibis@example.org")  # fmt: skip
    room = RoomFactory(location=LocationFactory(centre=centre, name="Haus Geheimhof", street="Verstecktweg 7"),
                       step_free_access=True)  # fmt: skip
    open_group = GroupFactory(centre=centre, name="Trauercafé", description="Für Trauernde.", languages=["de", "en"])
    discreet = GroupFactory(centre=centre, name="Gesprächskreis", discreet=True)
    online = GroupFactory(centre=centre, name="Abendrunde")
    for group, at, kind in ((open_group, time(19, 0), Mode.ROOM), (discreet, time(16, 45), Mode.ROOM),
                            (online, time(20, 15), Mode.ONLINE)):  # fmt: skip
        series_services.series_create(
            actor=None, group=group, room=room if kind == Mode.ROOM else None, rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            starts_on=date(2027, 3, 4), start_time=at, duration_minutes=90, mode=kind,
            video_link="https://video.example/geheimer-raum-4711" if kind == Mode.ONLINE else "",
        )  # fmt: skip
    person = PersonFactory(centre=centre, display_name="Hildegard Verborgen", email="hildegard@example.net",
                           phone="0171 2345678")  # fmt: skip
    MembershipFactory(group=discreet, person=person)
    GroupFactory(centre=centre, name="Nicht öffentlich", publicly_listed=False)
    return centre, open_group, discreet, online


def export(client) -> tuple[dict, list[dict], str]:
    body = client.get("/open-data/v1/directory.json").content.decode()
    table = client.get("/open-data/v1/groups.csv").content.decode().lstrip("\ufeff")
    return json.loads(body), list(csv.DictReader(io.StringIO(table))), body + table


def test_the_json_and_the_csv_list_every_public_group_with_its_centre_and_licence(client, directory):
    document, rows, _text = export(client)
    assert document["version"] == "1"
    assert document["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [centre["name"] for centre in document["centres"]] == ["KIBIS Hannover"]
    assert document["centres"][0]["geo"] == {"@type": "GeoCoordinates", "latitude": 52.3705, "longitude": 9.7332}
    names = [group["name"] for group in document["groups"]]
    assert names == ["Abendrunde", "Gesprächskreis", "Trauercafé"]
    assert [row["group_name"] for row in rows] == names
    trauer = document["groups"][2]
    assert trauer["meetingSchedule"] == [{
        "@type": "Schedule", "repeatFrequency": "P2W", "byDay": ["https://schema.org/Thursday"], "startTime": "19:00",
        "duration": "PT90M", "scheduleTimezone": "Europe/Berlin",
    }]  # fmt: skip
    assert trauer["accessibility"] == {"stepFree": True, "hearingLoop": False, "online": False}
    assert rows[2]["rhythm"] == "P2W TH 19:00"
    assert rows[2]["centre_phone"] == "0511 666567"
    assert rows[0]["online"] == "True"
    assert {row["licence"] for row in rows} == {"https://creativecommons.org/licenses/by/4.0/"}


def test_a_discreet_group_shows_its_rhythm_but_never_its_day_time_or_building(client, directory):
    centre = directory[0]
    modes = (
        (DiscreetListing.WITH_TIMES, False),
        (DiscreetListing.WITHOUT_TIMES, False),
        (DiscreetListing.HIDDEN, None),
    )
    for listed, times in modes:  # harvested data never has them, even where the centre's pages do
        centre.discreet_groups_listed = listed
        centre.save(update_fields=["discreet_groups_listed"])
        document, rows, text = export(client)
        found = [group for group in document["groups"] if group["name"] == "Gesprächskreis"]
        if times is None:
            assert found == []
            assert "Gesprächskreis" not in text
            continue
        assert found[0]["meetingSchedule"] == [{"@type": "Schedule", "repeatFrequency": "P2W"}]
        assert found[0]["timesOnRequest"] is True
        assert found[0]["accessibility"] == {"stepFree": False, "hearingLoop": False, "online": False}
        assert [row["rhythm"] for row in rows if row["group_name"] == "Gesprächskreis"] == ["P2W"]
        assert "16:45" not in text
        assert "PT90M" in text  # the other groups' durations are there


PROJECT_APPS = {"auth", "centres", "meetings", "volunteers", "intake", "notifications", "authtoken", "sessions"}


def every_private_value() -> dict[str, str]:
    """Each stored text of every model field that is not public, longer than three characters:
    what the export must never contain. Keyed by "app.Model.field" for the message."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue  # Django's own tables of names (content types, permissions)
        label = f"{model._meta.app_label}.{model.__name__}"
        public = PUBLIC_FIELDS.get(label, set())
        texts = [field for field in model._meta.concrete_fields
                 if isinstance(field, (models.CharField, models.TextField)) and field.name not in public]  # fmt: skip
        if not texts:
            continue
        for row in model._base_manager.values_list(*[field.name for field in texts]):
            for field, value in zip(texts, row, strict=True):
                if isinstance(value, str) and len(value) > 3:
                    found.setdefault(value, f"{label}.{field.name}")
    return found


def test_no_private_field_reaches_the_open_data(client, directory):
    _document, _rows, text = export(client)
    public_values = set()
    for label, names in PUBLIC_FIELDS.items():
        model = apps.get_model(label)
        public_values |= {str(value) for row in model._base_manager.values_list(*names) for value in row if value}
    leaks = {field: value for value, field in every_private_value().items()
             if value not in public_values and value in text}  # fmt: skip
    # A few private texts are also ordinary words that the public data holds in its own right.
    assert {field for field in leaks if not field.endswith((".time_zone", ".language", ".mode", ".status"))} == set()
    for private in ("Hildegard", "hildegard@example.net", "0171 2345678", "video.example", "Geheimhof",
                    "Verstecktweg", "Nicht öffentlich"):  # fmt: skip
        assert private not in text


def test_conditional_requests_answer_304_until_the_directory_changes(client, directory):
    first = client.get("/open-data/v1/directory.json")
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == "*"
    again = client.get("/open-data/v1/directory.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    since = client.get("/open-data/v1/groups.csv", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    group = directory[1]
    group.name = "Trauertreff"
    group.save(update_fields=["name"])
    changed = client.get("/open-data/v1/directory.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "Trauertreff" in changed.content.decode()


def test_the_documentation_page_names_the_files_the_licence_and_the_columns(client, directory):
    page = client.get("/open-data/").content.decode()
    assert "/open-data/v1/directory.json" in page
    assert "/open-data/v1/groups.csv" in page
    assert "Creative Commons Attribution 4.0" in page
    assert "<code>times_on_request</code>" in page
    assert client.post("/open-data/v1/directory.json").status_code == 405
    assert Group.objects.count() == 4
