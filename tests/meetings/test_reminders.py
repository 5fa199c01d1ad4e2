"""Meeting reminders: at each member's lead time, once, in their language, with the meeting's
.ics; run as the periodic task runs them (`meetings.tasks.queue_due_reminders`)."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from centres.scoping import all_centres_scope
from meetings.services import meetings as meeting_changes
from notifications.models import OutgoingMail
from tests.factories import MembershipFactory, PersonFactory, every, reminders_job
from tests.meetings.member_mail import first_meeting, recipients

pytestmark = pytest.mark.django_db


def test_reminders_go_out_at_each_members_lead_time_once(weekly_series, members, frozen_now):
    meeting = first_meeting(weekly_series)  # Tue 2026-12-01 19:00 Berlin = 18:00 UTC
    frozen_now(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert reminders_job() == 0
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert reminders_job() == 1
    assert recipients() == ["dora@example.net"]
    frozen_now(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert reminders_job() == 1
    assert reminders_job() == 0  # a second run (or a second beat) adds nothing
    assert recipients() == ["dora@example.net", "kai@example.net"]
    mail = every(OutgoingMail).get(recipient="dora@example.net")
    assert mail.subject == "Erinnerung: Dienstagsgruppe am Dienstag, 1. Dezember 2026 um 19:00"
    calendar = Calendar.from_ical(mail.calendar)
    assert (str(calendar["METHOD"]), str(calendar.walk("VEVENT")[0]["UID"])) == ("REQUEST", meeting.uid)


def test_no_reminder_for_a_cancelled_meeting(weekly_series, members, frozen_now):
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    frozen_now(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    reminders_job()
    assert recipients() == []


def test_a_late_joiner_gets_a_reminder_while_the_meeting_is_ahead(weekly_series, group_a, centre_a, frozen_now):
    frozen_now(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # half an hour before the meeting
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="neu@example.net"))
    reminders_job()
    assert recipients() == ["neu@example.net"]
    frozen_now(datetime(2026, 12, 1, 18, 30, tzinfo=UTC))  # the meeting has begun
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="spaet@example.net"))
    reminders_job()
    assert "spaet@example.net" not in recipients()


def test_discreet_groups_get_subjects_without_their_name(weekly_series, members, group_a, frozen_now):
    group_a.discreet = True
    group_a.save()
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    subject = every(OutgoingMail).get(recipient="dora@example.net").subject
    assert "Dienstagsgruppe" not in subject
    assert "19:00" in subject


@pytest.mark.django_db(transaction=True)
def test_two_beats_queueing_reminders_at_once_store_each_reminder_once(
    requires_postgres, weekly_series, members, frozen_now
):
    import threading

    from django.db import connection

    frozen_now(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    barrier = threading.Barrier(2)

    def beat() -> None:
        barrier.wait()
        try:
            reminders_job()
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recipients() == ["dora@example.net", "kai@example.net"]


def test_a_member_who_leaves_today_gets_no_more_mail(weekly_series, members, frozen_now):
    from meetings.services import groups as group_services

    frozen_now(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    dora = every(members["daily"].memberships.model).get(person=members["daily"])
    with all_centres_scope():
        group_services.membership_end(actor=None, membership=dora)
    reminders_job()
    assert "dora@example.net" not in recipients()


def test_discreet_groups_are_just_a_group_meeting_in_calendars(weekly_series, members, group_a, frozen_now):
    group_a.discreet = True
    group_a.save()
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    event = Calendar.from_ical(every(OutgoingMail).get(recipient="dora@example.net").calendar).walk("VEVENT")[0]
    assert "Dienstagsgruppe" not in str(event["SUMMARY"])


def test_the_periodic_job_queues_one_task_per_centre_with_a_meeting_close_enough(
    weekly_series, members, centre_b, group_b, room_b, frozen_now
):
    """The reminders of many centres are stored by as many workers as there are: the job only
    fans out, and each centre's task stores that centre's reminders."""
    from datetime import timedelta

    from meetings.models import Meeting
    from meetings.tasks import queue_due_reminders
    from tests.factories import eager_tasks

    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    starts_at = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    every(Meeting).create(
        centre=centre_b,
        group=group_b,
        room=room_b,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        uid="b@k",
    )
    MembershipFactory(
        group=group_b, person=PersonFactory(centre=centre_b, email="bo@example.net"), reminder_minutes=24 * 60
    )
    with eager_tasks():
        assert queue_due_reminders() == 2  # centre A and centre B, one task each
    by_centre = sorted(every(OutgoingMail).filter(kind="reminder").values_list("centre_id", "recipient"))
    assert by_centre == sorted([(weekly_series.centre_id, "dora@example.net"), (centre_b.pk, "bo@example.net")])
