"""Change notices: a cancelled, moved or closed meeting, or a closed group, tells each member at
once, one mail per member per change, with the changed events attached."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from meetings.services import closures, groups
from meetings.services import meetings as meeting_changes
from notifications.models import OutgoingMail
from tests.factories import every
from tests.meetings.member_mail import first_meeting, recipients

# The changes are made by calling the meetings services, as set-up code would.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


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
