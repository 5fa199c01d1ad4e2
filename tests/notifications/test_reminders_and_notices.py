"""Meeting reminders and change notices."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from meetings.models import Meeting
from meetings.services import closures, groups
from meetings.services import meetings as meeting_changes
from notifications.models import OutgoingMail
from notifications.reminders import reminders_queue_due
from tests.factories import MembershipFactory, PersonFactory, every

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(weekly_series, group_a, centre_a):
    """Two members with reminders (24 h, 2 h), one without, one who left, one without e-mail."""
    people = {
        "daily": PersonFactory(centre=centre_a, display_name="Dora", email="dora@example.net", language="de"),
        "short": PersonFactory(centre=centre_a, display_name="Kai", email="kai@example.net", language="da"),
        "off": PersonFactory(centre=centre_a, display_name="Otto", email="otto@example.net"),
        "left": PersonFactory(centre=centre_a, display_name="Lea", email="lea@example.net"),
        "phone": PersonFactory(centre=centre_a, display_name="Paul", email=""),
    }
    MembershipFactory(group=group_a, person=people["daily"], reminder_minutes=24 * 60)
    MembershipFactory(group=group_a, person=people["short"], reminder_minutes=120)
    MembershipFactory(group=group_a, person=people["off"], reminder_minutes=None)
    MembershipFactory(group=group_a, person=people["left"], joined_on=date(2026, 1, 1), left_on=date(2026, 11, 1))
    MembershipFactory(group=group_a, person=people["phone"])
    return people


def first_meeting(series):
    return every(Meeting).filter(series=series).order_by("starts_at").first()


def recipients(kind="reminder"):
    return sorted(every(OutgoingMail).filter(kind=kind).values_list("recipient", flat=True))


def test_reminders_go_out_at_each_members_lead_time_once(weekly_series, members, frozen_now):
    meeting = first_meeting(weekly_series)  # Tue 2026-12-01 19:00 Berlin = 18:00 UTC
    frozen_now(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert reminders_queue_due() == 0
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert reminders_queue_due() == 1
    assert recipients() == ["dora@example.net"]
    frozen_now(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert reminders_queue_due() == 1
    assert reminders_queue_due() == 0  # a second run (or a second beat) adds nothing
    assert recipients() == ["dora@example.net", "kai@example.net"]
    mail = every(OutgoingMail).get(recipient="dora@example.net")
    assert mail.subject == "Erinnerung: Dienstagsgruppe am Dienstag, 1. Dezember 2026 um 19:00"
    calendar = Calendar.from_ical(mail.calendar)
    assert (str(calendar["METHOD"]), str(calendar.walk("VEVENT")[0]["UID"])) == ("REQUEST", meeting.uid)


def test_no_reminder_for_a_cancelled_meeting(weekly_series, members, frozen_now):
    meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    frozen_now(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    reminders_queue_due()
    assert recipients() == []


def test_a_late_joiner_gets_a_reminder_while_the_meeting_is_ahead(weekly_series, group_a, centre_a, frozen_now):
    frozen_now(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # half an hour before the meeting
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="neu@example.net"))
    reminders_queue_due()
    assert recipients() == ["neu@example.net"]
    frozen_now(datetime(2026, 12, 1, 18, 30, tzinfo=UTC))  # the meeting has begun
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="spaet@example.net"))
    reminders_queue_due()
    assert "spaet@example.net" not in recipients()


def test_discreet_groups_get_subjects_without_their_name(weekly_series, members, group_a, frozen_now):
    group_a.discreet = True
    group_a.save()
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_queue_due()
    subject = every(OutgoingMail).get(recipient="dora@example.net").subject
    assert "Dienstagsgruppe" not in subject
    assert "19:00" in subject


def test_cancelling_a_meeting_notifies_the_members_at_once(weekly_series, members):
    meeting = first_meeting(weekly_series)
    meeting_changes.meeting_cancel(actor=None, meeting=meeting)
    assert recipients("change_notice") == ["dora@example.net", "kai@example.net", "otto@example.net"]
    calendar = Calendar.from_ical(every(OutgoingMail).filter(kind="change_notice").first().calendar)
    event = calendar.walk("VEVENT")[0]
    assert (str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == ("CANCEL", meeting.uid, 1)


def test_a_closure_over_three_meetings_sends_one_mail_per_member(weekly_series, members, centre_a):
    closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 23), reason="Weihnachten"
    )
    mails = every(OutgoingMail).filter(kind="change_notice")
    assert sorted(mails.values_list("recipient", flat=True)) == [
        "dora@example.net",
        "kai@example.net",
        "otto@example.net",
    ]
    calendar = Calendar.from_ical(mails.first().calendar)
    assert len(calendar.walk("VEVENT")) == 3


def test_moving_a_meeting_sends_an_updated_request(weekly_series, members):
    meeting = first_meeting(weekly_series)
    meeting_changes.meeting_move(actor=None, meeting=meeting, starts_at=meeting.starts_at + timedelta(days=1))
    mail = every(OutgoingMail).filter(kind="change_notice").first()
    event = Calendar.from_ical(mail.calendar).walk("VEVENT")[0]
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (meeting.uid, 1, "CONFIRMED")


def test_closing_a_group_tells_its_members(weekly_series, members, group_a):
    groups.group_transition(actor=None, group=group_a, status="closed")
    assert recipients("change_notice") == ["dora@example.net", "kai@example.net", "otto@example.net"]


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
            reminders_queue_due()
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
    group_services.membership_end(actor=None, membership=dora)
    reminders_queue_due()
    assert "dora@example.net" not in recipients()


def test_discreet_groups_are_just_a_group_meeting_in_calendars(weekly_series, members, group_a, frozen_now):
    group_a.discreet = True
    group_a.save()
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_queue_due()
    event = Calendar.from_ical(every(OutgoingMail).get(recipient="dora@example.net").calendar).walk("VEVENT")[0]
    assert "Dienstagsgruppe" not in str(event["SUMMARY"])
