"""What the volunteers tests share: a volunteer made directly, the Tuesday group with a weekly
series, a starter with one meeting behind them, and one with their planned meetings behind them."""

import re
from datetime import UTC, date, datetime

import pytest

from meetings.models import Group, Meeting, Membership
from tests.factories import PersonFactory, every
from volunteers.models import Volunteer
from volunteers.services.assignments import assignment_create


def make_volunteer(centre, *, status="active", email=None, languages=("de",), weekdays=(1,), evening=True, topics=()):
    person = PersonFactory(centre=centre, email=email or f"v{every(Volunteer).count()}@example.net")
    volunteer = every(Volunteer).create(
        centre=centre,
        person=person,
        status=status,
        languages=list(languages),
        weekdays=list(weekdays),
        evening=evening,
        confidentiality_signed_on=date(2026, 1, 5) if status == "active" else None,
    )
    volunteer.topics.set(topics)
    return volunteer


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.fixture
def tuesday_group(weekly_series):
    return weekly_series.group


@pytest.fixture
def started(centre_a, tuesday_group, frozen_now):
    volunteer = make_volunteer(centre_a)
    assignment = assignment_create(actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1))
    member = PersonFactory(centre=centre_a, display_name="Hannelore", full_name="Hannelore Schmidt")
    every(Membership).create(centre=centre_a, group=tuesday_group, person=member, joined_on=date(2026, 11, 1))
    frozen_now(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # the first meeting is over
    meeting = every(Meeting).filter(group=tuesday_group).order_by("starts_at").first()
    return assignment, meeting


@pytest.fixture
def two_meetings_in(centre_a, tuesday_group, frozen_now, coordinator_a):
    """A starter planned for 2 meetings; now is after the second one."""
    volunteer = make_volunteer(centre_a)
    assignment = assignment_create(
        actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1), planned_meetings=2
    )
    every(Group).filter(pk=tuesday_group.pk).update(status="starting")
    frozen_now(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    return assignment
