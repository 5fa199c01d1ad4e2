"""The edges of an event's life: a smaller room, a closure, the planner's other buttons, a second
reminder after a move, a person registered twice, an erasure, and odd input to the feed."""

from datetime import timedelta

import pytest

from centres.services.privacy import person_erase
from config.errors import ConflictError, DomainError
from events.models import Registration
from events.services.attendance import attendance_record
from events.services.events import event_cancel, event_move, event_update
from events.services.registrations import registration_add, registration_request
from events.services.reminders import event_reminders_queue
from meetings.models import Meeting
from meetings.services.closures import closure_create
from notifications.models import OutgoingMail
from tests.events.conftest import evening, mails_to
from tests.factories import PersonFactory, RoomFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_an_event_never_moves_into_a_room_smaller_than_its_places(make_event, room_a):
    event = make_event(places=8)
    small = RoomFactory(location=room_a.location, name="Klein", capacity=4)
    start = evening(6)
    with pytest.raises(DomainError, match="Klein holds 4 people, and the event offers 8 places"):
        event_move(actor=None, event=event, starts_at=start, ends_at=start + timedelta(hours=1), room=small)
    assert every(Meeting).get(pk=event.meeting_id).room == room_a
    # A room made smaller since is no reason to refuse a new title; more places than it holds are.
    type(room_a).objects.filter(pk=room_a.pk).update(capacity=5)
    event.meeting.room.refresh_from_db()
    event_update(actor=None, event=event, title="Neuer Titel")
    with pytest.raises(DomainError, match="holds 5 people"):
        event_update(actor=None, event=event, places=9)


def test_the_planner_and_the_api_cannot_bring_back_a_cancelled_event(
    client, api_a, centre_a, coordinator_a, make_event
):
    event = make_event()
    registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    event_cancel(actor=None, event=event)
    client.force_login(coordinator_a)
    answer = client.post(f"/centres/{centre_a.slug}/planner/meetings/{event.meeting_id}/reinstate/")
    assert answer.status_code == 409
    assert api_a.post(f"/api/v1/meetings/{event.meeting_id}/reinstate/").status_code == 409
    assert every(Meeting).get(pk=event.meeting_id).status == "cancelled"


def test_a_closure_over_an_event_is_refused_and_names_it(make_event, centre_a, room_a):
    event = make_event()
    registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    day = event.meeting.starts_at.date()
    with pytest.raises(ConflictError, match="Informationsabend Selbsthilfe"):
        closure_create(actor=None, centre=centre_a, starts_on=day, ends_on=day, reason="Umzug", room=room_a)
    assert every(Meeting).get(pk=event.meeting_id).status == "scheduled"
    assert not mails_to("anna@example.net", "closure")


def test_a_moved_event_is_reminded_again_at_its_new_time(make_event, frozen_now):
    event = make_event(places=2, days=2)
    registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    frozen_now(event.meeting.starts_at - timedelta(hours=20))
    assert event_reminders_queue() == 1
    start = event.meeting.starts_at + timedelta(days=3)
    event_move(actor=None, event=event, starts_at=start, ends_at=start + timedelta(hours=2))
    frozen_now(start - timedelta(hours=20))
    assert event_reminders_queue() == 1
    assert len(mails_to("anna@example.net", "event-reminder")) == 2


def test_a_person_is_registered_once_and_a_pending_address_is_vouched_for_by_staff(make_event, centre_a):
    event = make_event(places=3)
    person = PersonFactory(centre=centre_a, email="", display_name="Ohne Mail")
    registration_add(actor=None, event=event, name="", language="de", person=person)
    with pytest.raises(ConflictError, match="Ohne Mail is registered"):
        registration_add(actor=None, event=event, name="", language="de", person=person)
    registration_request(event=event, name="Rosa", email="rosa@example.net", language="de", consent=True)
    vouched = registration_add(actor=None, event=event, name="Rosa", email="rosa@example.net", language="de")
    assert vouched.status == "confirmed"
    assert every(Registration).filter(event=event).count() == 2


def test_nobody_attends_or_cancels_an_event_that_is_cancelled_or_has_begun(make_event, frozen_now):
    cancelled = make_event(places=2)
    anna = registration_add(actor=None, event=cancelled, name="Anna", email="anna@example.net", language="de")
    event_cancel(actor=None, event=cancelled)
    going = make_event(places=2, days=4)
    frozen_now(going.meeting.starts_at + timedelta(minutes=10))
    with pytest.raises(ConflictError, match="cancelled"):
        attendance_record(actor=None, event=cancelled, attended={anna.pk: True})
    with pytest.raises(ConflictError, match="has begun"):
        event_cancel(actor=None, event=going)
    assert every(Meeting).get(pk=going.meeting_id).status == "scheduled"


def test_an_erasure_gives_the_persons_place_to_whoever_waits_without_mailing_them(make_event, centre_a):
    person = PersonFactory(centre=centre_a, email="known@example.net", display_name="Known")
    event = make_event(places=1)
    registration_add(actor=None, event=event, name="Known", email="known@example.net", language="de")
    registration_add(actor=None, event=event, name="Ben", email="ben@example.net", language="de")
    person_erase(actor=None, person=person)
    rows = dict(every(Registration).filter(event=event).values_list("name", "status"))
    assert rows == {"": "cancelled", "Ben": "confirmed"}
    assert len(mails_to("ben@example.net", "event-moved-up")) == 1
    assert not every(OutgoingMail).filter(recipient="known@example.net").exists()


def test_the_cancellation_withdraws_the_calendar_entry(make_event):
    event = make_event()
    registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    event_cancel(actor=None, event=event)
    notice = mails_to("anna@example.net", "event-cancelled-")[0]
    assert "METHOD:CANCEL" in notice.content.calendar
    assert "STATUS:CANCELLED" in notice.content.calendar


@pytest.mark.parametrize("value", ["%00", "no-such-centre", "x" * 60, "a'b"])
def test_the_feed_refuses_an_unknown_or_broken_centre(client, make_event, value):
    make_event()
    assert client.get(f"/open-data/v1/events.ics?centre={value}").status_code == 404


def test_an_odd_attendance_answer_changes_nothing(client, centre_a, coordinator_a, make_event, frozen_now):
    event = make_event()
    anna = registration_add(actor=None, event=event, name="Anna", email="anna@example.net", language="de")
    frozen_now(event.meeting.ends_at + timedelta(hours=1))
    attendance_record(actor=None, event=event, attended={anna.pk: True})
    client.force_login(coordinator_a)
    client.post(f"/centres/{centre_a.slug}/workspace/events/{event.pk}/attendance/", {f"attended-{anna.pk}": "maybe"})
    assert every(Registration).get(pk=anna.pk).attended is True
