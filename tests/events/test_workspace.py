"""The coordinators' events: planning one books its room like any booking, the planner hands it
to the event's page, moving or cancelling tells everyone registered, places and attendance."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration
from events.services.registrations import registration_add
from meetings.models import Meeting
from meetings.services.meetings import one_off_create
from notifications.models import OutgoingMail
from tests.events.conftest import evening, mails_to
from tests.factories import RoomFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def new_event_form(in_room, **extra):
    day = evening(5)
    return {
        "kind": "founding",
        "title": "Gründungsabend Trauer",
        "description": "Wir gründen eine neue Gruppe.",
        "audience": "public",
        "places": 8,
        "starts_on": day.date().isoformat(),
        "start_time": "18:00",
        "duration_minutes": 120,
        "mode": "room",
        "room": in_room.pk,
        **extra,
    }


def test_a_coordinator_plans_an_event_and_the_planner_hands_its_booking_to_the_event(
    client, centre_a, coordinator_a, room_a
):
    client.force_login(coordinator_a)
    assert "No events planned" in client.get(f"/centres/{centre_a.slug}/workspace/events/").content.decode()
    planned = client.post(f"/centres/{centre_a.slug}/workspace/events/new/", new_event_form(room_a), follow=True)
    page = planned.content.decode()
    assert "is planned and open for registration" in page
    assert "0 of 8 places taken" in page
    meeting = every(Meeting).get(title="Gründungsabend Trauer")
    assert (meeting.room, meeting.group, meeting.status) == (room_a, None, "scheduled")
    booking = client.get(f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/").content.decode()
    assert "move or cancel it on the event" in booking
    assert "/workspace/events/" in booking
    refused = client.post(
        f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/cancel/", {"note": "", "confirm": "yes"}
    )
    assert refused.status_code == 409
    assert "move or cancel it on the event" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"places": 11}, "places", "holds 10 people"),
        ({"places": 0}, "places", ""),
        ({"title": ""}, "title", ""),
        ({"mode": "online", "room": ""}, "video_link", "video call"),
        ({"start_time": "25:00"}, "start_time", ""),
    ],
)
def test_a_bad_event_is_refused_with_the_field_named(client, centre_a, coordinator_a, room_a, extra, field, message):
    client.force_login(coordinator_a)
    answer = client.post(f"/centres/{centre_a.slug}/workspace/events/new/", new_event_form(room_a, **extra))
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f'href="#id_{field}"' in page
    assert message in page
    assert not every(Meeting).filter(title="Gründungsabend Trauer").exists()


def test_an_event_cannot_take_a_room_that_is_booked(client, centre_a, coordinator_a, room_a):
    starts_at = evening(5)
    one_off_create(
        actor=None,
        centre=centre_a,
        room=room_a,
        title="Gruppe",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )
    client.force_login(coordinator_a)
    answer = client.post(f"/centres/{centre_a.slug}/workspace/events/new/", new_event_form(room_a))
    assert answer.status_code == 400
    assert "Gruppe" in answer.content.decode()
    assert not every(Meeting).filter(title="Gründungsabend Trauer").exists()


def test_moving_the_event_tells_everyone_registered_and_keeps_its_calendar_entry(
    client, centre_a, coordinator_a, make_event, room_a
):
    event = make_event(places=1)
    registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    registration_add(actor=None, event=event, name="Ben", email="ben@example.net", language="en")
    uid, sequence = event.meeting.uid, event.meeting.sequence
    bigger = RoomFactory(location=room_a.location, name="Saal", capacity=30)
    client.force_login(coordinator_a)
    day = evening(6)
    moved = client.post(
        f"/centres/{centre_a.slug}/workspace/events/{event.pk}/move/",
        {"starts_on": day.date().isoformat(), "start_time": "19:00", "duration_minutes": 90, "room": bigger.pk},
        follow=True,
    )
    assert "Everyone registered has been told" in moved.content.decode()
    meeting = every(Meeting).get(pk=event.meeting.pk)
    assert (meeting.uid, meeting.room, meeting.sequence > sequence) == (uid, bigger, True)
    assert timezone.localtime(meeting.starts_at, day.tzinfo).hour == 19
    for address in ("anna@example.net", "ben@example.net"):
        notices = [mail for mail in mails_to(address) if mail.kind == OutgoingMail.Kind.CHANGE_NOTICE]
        assert len(notices) == 1
        assert "Saal" in notices[0].content.body_text
        assert event.title not in notices[0].content.subject


def test_cancelling_the_event_asks_then_frees_the_room_and_tells_everyone(
    client, centre_a, coordinator_a, make_event, room_a
):
    event = make_event(places=3)
    registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    client.force_login(coordinator_a)
    asked = client.get(f"/centres/{centre_a.slug}/workspace/events/{event.pk}/cancel/").content.decode()
    assert "1 person holding a place or waiting is told" in asked
    assert every(Meeting).get(pk=event.meeting_id).status == "scheduled"
    client.post(f"/centres/{centre_a.slug}/workspace/events/{event.pk}/cancel/")
    assert every(Meeting).get(pk=event.meeting_id).status == "cancelled"
    assert len(mails_to("anna@example.net", "event-cancelled-")) == 1
    starts_at = event.meeting.starts_at
    one_off_create(
        actor=None,
        centre=centre_a,
        room=room_a,
        title="Neu",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )


def test_more_places_move_people_up_and_fewer_than_taken_is_refused(client, centre_a, coordinator_a, make_event):
    event = make_event(places=1)
    for name in ("Anna", "Ben", "Cem"):
        registration_add(actor=None, event=event, name=name, email=f"{name.lower()}@example.net", language="de")
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/events/{event.pk}/edit/"
    details = {"kind": event.kind, "audience": event.audience, "title": event.title, "description": ""}
    client.post(url, {**details, "places": 2})
    statuses = dict(every(Registration).filter(event=event).values_list("name", "status"))
    assert statuses == {"Anna": "confirmed", "Ben": "confirmed", "Cem": "waiting"}
    assert len(mails_to("ben@example.net", "event-moved-up")) == 1
    refused = client.post(url, {**details, "places": 1})
    assert refused.status_code == 400
    assert "2 people already have a place" in refused.content.decode()
    assert every(Registration).filter(event=event, status="confirmed").count() == 2


def test_a_coordinator_registers_a_volunteer_and_cancels_a_registration_after_a_question(
    client, centre_a, coordinator_a, make_event
):
    from tests.factories import PersonFactory
    from volunteers.models import Volunteer

    person = PersonFactory(centre=centre_a, email="vol@example.net", display_name="Vol")
    volunteer = Volunteer.objects.create(centre=centre_a, person=person, status=Volunteer.Status.ACTIVE)
    event = make_event(places=1, kind="volunteer_training")
    client.force_login(coordinator_a)
    added = client.post(
        f"/centres/{centre_a.slug}/workspace/events/{event.pk}/registrations/",
        {"person": volunteer.person.pk, "name": "", "email": "", "language": "de"},
        follow=True,
    )
    assert "Vol has a place" in added.content.decode()
    registration = every(Registration).get(event=event)
    assert (registration.person, registration.email, registration.status) == (
        volunteer.person,
        "vol@example.net",
        "confirmed",
    )
    full = client.post(
        f"/centres/{centre_a.slug}/workspace/events/{event.pk}/registrations/",
        {"name": "Gast", "email": "", "language": "de"},
        follow=True,
    )
    assert "full: Gast is on the waiting list" in full.content.decode()
    cancel_url = f"/centres/{centre_a.slug}/workspace/events/{event.pk}/registrations/{registration.pk}/cancel/"
    assert "Cancel the registration of Vol?" in client.get(cancel_url).content.decode()
    client.post(cancel_url)
    assert dict(every(Registration).filter(event=event).values_list("name", "status")) == {
        "Vol": "cancelled",
        "Gast": "confirmed",
    }
    page = client.get(f"/centres/{centre_a.slug}/workspace/events/{event.pk}/").content.decode()
    assert "1 not confirmed or cancelled" in page
    again = client.post(
        f"/centres/{centre_a.slug}/workspace/events/{event.pk}/registrations/",
        {"name": "", "email": "", "language": "de"},
    )
    assert again.status_code == 400
    assert "Give a name, or choose a volunteer" in again.content.decode()


def test_another_centres_person_cannot_be_registered(centre_a, person_b, make_event):
    from config.errors import DomainError

    event = make_event()
    with pytest.raises(DomainError):
        registration_add(actor=None, event=event, name="", language="de", person=person_b)
    assert not every(Registration).filter(event=event).exists()


def test_a_coordinator_ticks_who_came_after_the_event(client, centre_a, coordinator_a, make_event, frozen_now):
    event = make_event(places=3)
    anna, ben = (
        registration_add(actor=None, event=event, name=name, email=f"{name.lower()}@example.net", language="de")
        for name in ("Anna", "Ben")
    )
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/events/{event.pk}/").content.decode()
    assert "Who came" not in page  # not before it has begun
    frozen_now(event.meeting.ends_at + timedelta(hours=2))
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/events/{event.pk}/").content.decode()
    assert "Who came" in page
    assert f'name="attended-{anna.pk}"' in page
    saved = client.post(
        f"/centres/{centre_a.slug}/workspace/events/{event.pk}/attendance/",
        {f"attended-{anna.pk}": "yes", f"attended-{ben.pk}": "no", "attended-x": "yes", "attended-99999999": "yes"},
        follow=True,
    )
    assert "Attendance saved (2 changed)" in saved.content.decode()
    assert dict(every(Registration).filter(event=event).values_list("name", "attended")) == {"Anna": True, "Ben": False}


def test_the_dashboard_shows_the_next_events_with_their_places(client, centre_a, coordinator_a, make_event):
    event = make_event(places=1)
    for name in ("Anna", "Ben"):
        registration_add(actor=None, event=event, name=name, email=f"{name.lower()}@example.net", language="de")
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    assert "Next events" in page
    assert event.title in page
    assert "1 of 1 places, 1 waiting" in page
