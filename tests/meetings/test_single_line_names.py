"""Names are one line wherever they are entered, a feed survives a stored line break, and a
discreet group's public feed is not named after it (issue 17, §2 and §5)."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from centres.models import Centre, DiscreetListing, Person
from meetings.models import Group, Location, Room, Topic
from meetings.services.series import series_create
from notifications.models import NewsletterIssueText, NewsletterList
from tests.factories import GroupFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

ONE_LINE = "Enter one line: line breaks and control characters are not allowed here."


@pytest.fixture
def group_with_meetings(centre_a, room_a):
    group = GroupFactory(centre=centre_a, name="Dienstagsgruppe")
    series_create(
        actor=None,
        group=group,
        room=room_a,
        rule="FREQ=WEEKLY;COUNT=3",
        starts_on=timezone.localdate() + timedelta(days=7),
        start_time=time(19, 0),
        duration_minutes=120,
    )
    return group


def public_feed(client, group):
    response = client.get(f"/calendar/groups/{group.public_id}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content), response.content.decode()


@pytest.mark.parametrize("name", ["Kreis\nA", "Kreis\r\nA", "Kreis\u2028A", "Kreis\x00A", "Kreis\tA"])
def test_a_group_name_with_a_line_break_is_a_400_naming_the_field(api_a, group_a, name):
    response = api_a.post("/api/v1/groups/", {"name": name, "topic": group_a.topic_id}, format="json")

    assert response.status_code == 400
    assert ONE_LINE in response.json()["error"]["fields"]["name"]
    assert list(every(Group).values_list("name", flat=True)) == ["Dienstagsgruppe"]


def test_topic_place_and_room_names_are_one_line_in_the_api(api_a, room_a):
    topic = api_a.post("/api/v1/topics/", {"name": "Trauer\nNeu"}, format="json")
    location = api_a.post("/api/v1/locations/", {"name": "Haus\nA", "city": "Hannover"}, format="json")
    room = api_a.post(
        "/api/v1/rooms/", {"location": room_a.location_id, "name": "Raum\nB", "capacity": 8}, format="json"
    )

    assert [response.status_code for response in (topic, location, room)] == [400, 400, 400]
    assert topic.json()["error"]["fields"] == {"name": [ONE_LINE]}
    assert location.json()["error"]["fields"] == {"name": [ONE_LINE]}
    assert room.json()["error"]["fields"] == {"name": [ONE_LINE]}
    assert not every(Topic).filter(name="Trauer\nNeu").exists()
    assert not every(Location).filter(name="Haus\nA").exists()
    assert not every(Room).filter(name="Raum\nB").exists()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Centre, "name"),
        (Centre, "sender_name"),
        (Person, "display_name"),
        (Topic, "name"),
        (Location, "name"),
        (Location, "city"),
        (Room, "name"),
        (Group, "name"),
        (NewsletterList, "name"),
        (NewsletterIssueText, "subject"),
    ],
)
def test_every_name_that_reaches_a_feed_subject_or_header_refuses_a_line_break(model, field):
    """The model field carries the rule, so the admin, model forms and model serializers all
    refuse it."""
    with pytest.raises(ValidationError) as refused:
        model._meta.get_field(field).clean("first line\nsecond line", None)
    assert refused.value.messages == [ONE_LINE]


def test_a_stored_name_with_a_line_break_does_not_break_the_public_feed(client, group_with_meetings, room_a):
    # Stored before names were checked (or by a path that skipped the check).
    every(Group).filter(pk=group_with_meetings.pk).update(name="Kreis\nam Dienstag")
    every(Room).filter(pk=room_a.pk).update(name="Raum\r\nLinde")

    calendar, text = public_feed(client, group_with_meetings)

    assert str(calendar["X-WR-CALNAME"]) == "Kreis am Dienstag"
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    assert str(events[0]["SUMMARY"]) == "Kreis\nam Dienstag"  # escaped as \n in the feed: one content line
    assert "Raum" in str(events[0]["LOCATION"])
    assert "SUMMARY:Kreis\\nam Dienstag\r\n" in text


def test_a_discreet_groups_public_feed_is_named_neutrally(client, group_with_meetings):
    every(Group).filter(pk=group_with_meetings.pk).update(name="Angehörige nach Suizid", discreet=True)
    every(Centre).filter(pk=group_with_meetings.centre_id).update(discreet_groups_listed=DiscreetListing.WITH_TIMES)

    calendar, text = public_feed(client, group_with_meetings)

    assert str(calendar["X-WR-CALNAME"]) == "Gruppentreffen"
    assert {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")} == {"Gruppentreffen"}
    assert "Suizid" not in text


def test_a_public_feed_of_a_group_that_is_not_discreet_keeps_its_name(client, group_with_meetings):
    calendar, _text = public_feed(client, group_with_meetings)

    assert str(calendar["X-WR-CALNAME"]) == "Dienstagsgruppe"
