"""Around an event: the waiting list under concurrent cancellations (PostgreSQL), the reminder
the day before, attendance and the volunteers' training records, the year report's counts, the
public iCalendar feed, and what is kept afterwards."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from centres.scoping import all_centres_scope, centre_scope
from centres.services.privacy import person_erase
from centres.services.retention import retention_apply
from config.errors import ConflictError
from config.periods import Period
from events.models import Event, Registration
from events.services.attendance import attendance_record
from events.services.events import event_cancel
from events.services.registrations import registration_add, registration_cancel
from events.services.reminders import event_reminders_queue
from intake.year.figures import events as events_section
from intake.year.sources import Scope
from tests.events.conftest import mails_to
from tests.factories import PersonFactory, every
from volunteers.models import TrainingRecord, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def fill(event, count: int, prefix: str = "p") -> list[Registration]:
    return [
        registration_add(actor=None, event=event, name=f"{prefix}{n}", email=f"{prefix}{n}@example.net", language="de")
        for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_each_freed_place_goes_to_exactly_one_person_under_concurrent_cancellations(
    requires_postgres, make_event, centre_a
):
    places, waiting, cancelling = 6, 10, 5
    event = make_event(places=places, room=None, mode="online", video_link="https://video.example/e")
    holders = fill(event, places, "holder")
    fill(event, waiting, "waiter")
    barrier, outcomes = threading.Barrier(cancelling), []

    def cancel(registration: Registration) -> None:
        barrier.wait()
        try:
            with centre_scope(centre_a.pk):  # each thread is its own request
                registration_cancel(actor=None, registration=registration)
            outcomes.append("cancelled")
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(holder,)) for holder in holders[:cancelling]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["cancelled"] * cancelling
    rows = every(Registration).filter(event=event)
    assert rows.filter(status="confirmed").count() == places
    moved_up = sorted(rows.filter(status="confirmed", name__startswith="waiter").values_list("name", flat=True))
    assert moved_up == [f"waiter{n}" for n in range(cancelling)]  # the first who waited, in order
    assert rows.filter(status="waiting").count() == waiting - cancelling
    for name in moved_up:
        assert len(mails_to(f"{name}@example.net", "event-moved-up")) == 1
    assert not any(mails_to(f"waiter{n}@example.net", "event-moved-up") for n in range(cancelling, waiting))


@pytest.mark.django_db(transaction=True)
def test_people_confirming_at_the_same_moment_never_get_more_places_than_there_are(
    requires_postgres, make_event, centre_a
):
    from events.services.mail import confirm_token
    from events.services.registrations import registration_confirm, registration_request

    event = make_event(places=2, room=None, mode="online", video_link="https://video.example/e")
    people = 8
    for n in range(people):
        registration_request(event=event, name=f"r{n}", email=f"r{n}@example.net", language="de", consent=True)
    tokens = [confirm_token(registration) for registration in every(Registration).filter(event=event)]
    barrier = threading.Barrier(people)

    def confirm(token: str) -> None:
        barrier.wait()
        try:
            with all_centres_scope():  # as the confirmation page opens it
                registration_confirm(token=token)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = every(Registration).filter(event=event)
    assert rows.filter(status="confirmed").count() == 2
    assert rows.filter(status="waiting").count() == people - 2


def test_the_reminder_goes_once_to_those_holding_a_place_the_day_before(make_event, frozen_now):
    event = make_event(places=1, days=2)
    fill(event, 2)  # one with a place, one waiting
    start = event.meeting.starts_at
    assert event_reminders_queue(now=start - timedelta(hours=30)) == 0
    frozen_now(start - timedelta(hours=20))
    assert event_reminders_queue() == 1
    assert event_reminders_queue() == 0
    reminders = mails_to("p0@example.net", "event-reminder")
    assert len(reminders) == 1
    assert reminders[0].kind == "reminder"
    assert event.title not in reminders[0].content.subject
    assert "/events/registration/" in reminders[0].content.body_text
    assert not mails_to("p1@example.net", "event-reminder")


def test_a_cancelled_event_sends_no_reminder(make_event, frozen_now):
    event = make_event(places=2, days=2)
    fill(event, 1)
    event_cancel(actor=None, event=event)
    frozen_now(event.meeting.starts_at - timedelta(hours=20))
    assert event_reminders_queue() == 0


def test_attendance_of_a_training_updates_the_volunteers_training_record(make_event, centre_a, frozen_now):
    person = PersonFactory(centre=centre_a, email="vol@example.net", display_name="Vol")
    volunteer = Volunteer.objects.create(centre=centre_a, person=person, status=Volunteer.Status.TRAINED)
    event = make_event(places=2, kind=Event.Kind.VOLUNTEER_TRAINING, title="Grundkurs Gruppenstart")
    own = registration_add(actor=None, event=event, name="", language="de", person=person)
    guest = registration_add(actor=None, event=event, name="Gast", email="gast@example.net", language="de")
    extra = registration_add(actor=None, event=event, name="Zu spät", language="de")  # waiting
    with pytest.raises(ConflictError):
        attendance_record(actor=None, event=event, attended={own.pk: True})
    frozen_now(event.meeting.ends_at + timedelta(hours=1))
    changed = attendance_record(actor=None, event=event, attended={own.pk: True, guest.pk: False, extra.pk: True})
    assert changed == 2  # the one waiting held no place
    record = TrainingRecord.objects.get(volunteer=volunteer)
    assert (record.course, record.completed_on) == (
        "Grundkurs Gruppenstart",
        timezone.localdate(event.meeting.starts_at),
    )
    assert every(Registration).get(pk=extra.pk).attended is None
    attendance_record(actor=None, event=event, attended={own.pk: True})  # again: no second record
    assert TrainingRecord.objects.filter(volunteer=volunteer).count() == 1
    attendance_record(actor=None, event=event, attended={own.pk: None})  # the tick was a mistake
    assert not TrainingRecord.objects.filter(volunteer=volunteer).exists()


def test_the_year_report_counts_events_held_by_kind(make_event, centre_a, frozen_now):
    held = make_event(places=3)
    fill(held, 3)
    other = make_event(places=3, days=4, kind=Event.Kind.VOLUNTEER_TRAINING, title="Schulung")
    fill(other, 1, "t")
    cancelled = make_event(places=3, days=5, title="Abgesagt")
    fill(cancelled, 2, "c")
    event_cancel(actor=None, event=cancelled)
    frozen_now(cancelled.meeting.ends_at + timedelta(days=1))
    first, *rest = every(Registration).filter(event=held).order_by("pk")
    attendance_record(actor=None, event=held, attended={first.pk: True, rest[0].pk: True, rest[1].pk: False})
    zone = held.meeting.starts_at.tzinfo
    day = timezone.localdate(held.meeting.starts_at)
    scope = Scope((centre_a.pk,), Period(day - timedelta(days=30), day + timedelta(days=30), zone), timezone.now())
    section = events_section(scope)
    assert {label: cell.value for label, cell in section.figures} == {
        "Events held": 2,
        "Places taken": 4,
        "People who came": 2,
    }
    rows = {label: [cell.value for cell in cells] for label, cells in section.tables[0].rows}
    assert rows == {"Information evening": [1, 3, 2], "Volunteer training": [1, 1, 0]}


def test_the_public_feed_carries_public_events_without_links_or_people(client, make_event, centre_a, centre_b):
    public = make_event(places=4, room=None, mode="online", video_link="https://video.example/secret-room")
    fill(public, 1, "feedperson")
    invited = make_event(places=4, days=6, audience=Event.Audience.INVITED, title="Nur mit Einladung")
    body = client.get("/open-data/v1/events.ics").content.decode()
    assert public.meeting.uid in body
    assert "Informationsabend" in body
    assert invited.meeting.uid not in body
    assert "Nur mit Einladung" not in body
    assert "video.example" not in body
    assert "feedperson" not in body
    assert client.get(f"/open-data/v1/events.ics?centre={centre_b.slug}").content.decode().count("VEVENT") == 0
    event_cancel(actor=None, event=public)
    assert "STATUS:CANCELLED" in client.get(f"/open-data/v1/events.ics?centre={centre_a.slug}").content.decode()


def test_names_and_addresses_go_after_the_event_and_with_an_erasure(make_event, centre_a, frozen_now):
    person = PersonFactory(centre=centre_a, email="known@example.net", display_name="Known")
    soon = make_event(places=5)
    later = make_event(places=5, days=20, title="Später")
    registration_add(actor=None, event=soon, name="Anna", email="anna@example.net", language="de")
    known = registration_add(actor=None, event=later, name="Known", email="known@example.net", language="de")
    assert known.person == person
    person_erase(actor=None, person=person)
    erased = every(Registration).get(pk=known.pk)
    assert (erased.name, erased.email, erased.person, erased.status) == ("", "", None, "cancelled")  # still ahead
    frozen_now(soon.meeting.ends_at + timedelta(days=31))
    retention_apply()
    anna = every(Registration).get(event=soon)
    assert (anna.name, anna.email, anna.status) == ("", "", "confirmed")
    assert anna.anonymised_at is not None
