"""Shared set-up of the tests of the mail members get about their meetings (reminders, change
notices, their signed links): a group's members with their reminder settings, and the fake ESP's
fixtures (tests/notifications/conftest.py) for the tests that send."""

from datetime import date

import pytest

from meetings.models import Meeting
from notifications.models import OutgoingMail
from tests.factories import MembershipFactory, PersonFactory, every
from tests.notifications.conftest import fake_esp, fake_postmark

__all__ = ["fake_esp", "fake_postmark", "first_meeting", "members", "recipients"]


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
