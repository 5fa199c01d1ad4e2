"""Meeting notes reach members' private feeds, never the public feed."""

from datetime import date

import pytest
from icalendar import Calendar

from meetings.services import meetings as meeting_changes
from tests.meetings.series_helpers import by_original_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_public_feed_carries_no_notes_the_private_feed_does(client, weekly_series, group_a, person_a):
    from meetings.services.calendar_links import calendar_link_issue
    from tests.factories import MembershipFactory

    meeting = by_original_day(weekly_series)[date(2026, 12, 8)]
    meeting_changes.meeting_cancel(actor=None, meeting=meeting, note="Anna Schmidt liegt im Krankenhaus")
    public = client.get(f"/calendar/groups/{group_a.public_id}.ics").content.decode()
    assert "Schmidt" not in public
    MembershipFactory(group=group_a, person=person_a)
    token = calendar_link_issue(actor=None, person=person_a)
    private = Calendar.from_ical(client.get(f"/calendar/people/{token.token}.ics").content)
    assert any("Schmidt" in str(event.get("DESCRIPTION", "")) for event in private.walk("VEVENT"))
