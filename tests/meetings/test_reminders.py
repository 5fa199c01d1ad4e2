"""Meeting reminders: at each member's lead time, once, in their language, with the meeting's
.ics; run as the periodic task runs them (`meetings.tasks.queue_due_reminders`)."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from centres.scoping import all_centres_scope
from meetings.services import meetings as meeting_changes
from meetings.tasks import queue_due_reminders
from notifications.models import OutgoingMail
from tests.factories import MembershipFactory, PersonFactory, every
from tests.meetings.member_mail import first_meeting, recipients

pytestmark = pytest.mark.django_db


def test_reminders_go_out_at_each_members_lead_time_once(weekly_series, members, frozen_now):
    meeting = first_meeting(weekly_series)  # Tue 2026-12-01 19:00 Berlin = 18:00 UTC
    frozen_now(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert queue_due_reminders() == 0
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert queue_due_reminders() == 1
    assert recipients() == ["dora@example.net"]
    frozen_now(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert queue_due_reminders() == 1
    assert queue_due_reminders() == 0  # a second run (or a second beat) adds nothing
    assert recipients() == ["dora@example.net", "kai@example.net"]
    mail = every(OutgoingMail).get(recipient="dora@example.net")
    assert mail.subject == "Erinnerung: Dienstagsgruppe am Dienstag, 1. Dezember 2026 um 19:00"
    calendar = Calendar.from_ical(mail.calendar)
    assert (str(calendar["METHOD"]), str(calendar.walk("VEVENT")[0]["UID"])) == ("REQUEST", meeting.uid)


def test_no_reminder_for_a_cancelled_meeting(weekly_series, members, frozen_now):
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    frozen_now(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    queue_due_reminders()
    assert recipients() == []


def test_a_late_joiner_gets_a_reminder_while_the_meeting_is_ahead(weekly_series, group_a, centre_a, frozen_now):
    frozen_now(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # half an hour before the meeting
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="neu@example.net"))
    queue_due_reminders()
    assert recipients() == ["neu@example.net"]
    frozen_now(datetime(2026, 12, 1, 18, 30, tzinfo=UTC))  # the meeting has begun
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="spaet@example.net"))
    queue_due_reminders()
    assert "spaet@example.net" not in recipients()


def test_discreet_groups_get_subjects_without_their_name(weekly_series, members, group_a, frozen_now):
    group_a.discreet = True
    group_a.save()
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    queue_due_reminders()
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
            queue_due_reminders()
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
    queue_due_reminders()
    assert "dora@example.net" not in recipients()


def test_discreet_groups_are_just_a_group_meeting_in_calendars(weekly_series, members, group_a, frozen_now):
    group_a.discreet = True
    group_a.save()
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    queue_due_reminders()
    event = Calendar.from_ical(every(OutgoingMail).get(recipient="dora@example.net").calendar).walk("VEVENT")[0]
    assert "Dienstagsgruppe" not in str(event["SUMMARY"])
