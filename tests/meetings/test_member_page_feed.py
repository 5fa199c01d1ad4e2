"""A member's page shows one membership: its calendar link is of that group only (issue 17, §2)."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings.member_links import member_url
from meetings.models import Meeting
from meetings.services.series import series_create
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, RoomFactory, every

# The set-up calls the meetings and intake services; the pages open their own scope.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def path_of(url: str) -> str:
    return url[url.index("/", len("http://")) :]


def weekly(group, room, weekday: str):
    series_create(
        actor=None,
        group=group,
        room=room,
        rule="FREQ=WEEKLY;BYDAY=" + weekday,
        starts_on=timezone.localdate() + timedelta(days=7),
        start_time=time(18, 0),
        duration_minutes=90,
    )


@pytest.fixture
def birgit(centre_a, group_a, room_a):
    """Birgit in group 1 (Tuesdays) and in a discreet group 2 (Thursdays, Raum Eiche)."""
    person = PersonFactory(centre=centre_a, display_name="Birgit", email="birgit@example.net", language="de")
    discreet = GroupFactory(centre=centre_a, name="Angehörige nach Suizid", discreet=True)
    weekly(group_a, room_a, "TU")
    weekly(discreet, RoomFactory(location__centre=centre_a, name="Raum Eiche"), "TH")
    return MembershipFactory(group=group_a, person=person), MembershipFactory(group=discreet, person=person)


def calendar_link_of(client, membership) -> str:
    page = path_of(member_url(purpose="manage", membership_id=membership.pk))
    client.post(page, {"action": "calendar"})
    links = re.findall(r'href="(http://[^"]+\.ics)"', client.get(page).content.decode())
    assert len(links) == 1
    return links[0]


def test_the_feed_linked_from_a_member_page_has_only_that_groups_meetings(client, birgit, group_a):
    first, second = birgit

    feed = client.get(path_of(calendar_link_of(client, first)))

    events = Calendar.from_ical(feed.content).walk("VEVENT")
    group_1_uids = set(every(Meeting).filter(group=group_a).values_list("uid", flat=True))
    group_2_uids = set(every(Meeting).filter(group=second.group).values_list("uid", flat=True))
    assert group_1_uids
    assert group_2_uids
    assert {str(event["UID"]) for event in events} == group_1_uids
    assert {str(event["SUMMARY"]) for event in events} == {"Dienstagsgruppe"}
    assert "Raum Eiche" not in feed.content.decode()
    assert "Gruppentreffen" not in feed.content.decode()


def test_each_membership_page_offers_its_own_feed_link(client, birgit):
    first, second = birgit

    link_1, link_2 = calendar_link_of(client, first), calendar_link_of(client, second)

    assert link_1 != link_2
    # Making the second link left the first one working.
    assert client.get(path_of(link_1)).status_code == 200
    feed_2 = client.get(path_of(link_2)).content.decode()
    assert "Raum Eiche" in feed_2
    assert "Dienstagsgruppe" not in feed_2


def test_the_member_page_no_longer_shows_the_person_wide_feed(client, birgit):
    from meetings.services.calendar_links import calendar_link_issue

    first, _second = birgit
    person_wide = calendar_link_issue(actor=None, person=first.person)

    page = client.get(path_of(member_url(purpose="manage", membership_id=first.pk))).content.decode()

    assert person_wide.token not in page
    assert "Make my calendar link" in page or "Kalender" in page


def test_a_membership_feed_ends_with_the_membership(client, birgit):
    from meetings.services import groups

    first, _second = birgit
    link = calendar_link_of(client, first)
    groups.membership_end(actor=None, membership=first)

    feed = client.get(path_of(link))

    assert Calendar.from_ical(feed.content).walk("VEVENT") == []


def test_the_welcome_mail_links_the_feed_of_the_new_group_only(client, birgit, group_a, centre_a):
    from intake.models import Enquiry
    from intake.services.placement import enquiry_place
    from intake.services.submission import enquiry_submit
    from notifications.models import OutgoingMail

    first, second = birgit
    first.delete()  # Birgit is placed into group 1 after an intake conversation; she is in group 2
    enquiry = enquiry_submit(
        actor=None,
        centre=centre_a,
        name="Birgit",
        email="new-address@example.net",
        language="de",
        topics=[group_a.topic],
        consent=True,
        channel=Enquiry.Channel.PHONE,
    )
    every(Enquiry).filter(pk=enquiry.pk).update(person=second.person, status=Enquiry.Status.CONVERSATION_HELD)
    enquiry.refresh_from_db()

    enquiry_place(actor=None, enquiry=enquiry, group=group_a)

    welcome = next(
        mail
        for mail in every(OutgoingMail).select_related("content").filter(recipient="birgit@example.net")
        if "/calendar/people/" in mail.body_text
    )
    link = re.search(r"http://\S+/calendar/people/\S+\.ics", welcome.body_text).group(0)
    feed = client.get(path_of(link)).content.decode()
    assert "Dienstagsgruppe" in feed
    assert "Raum Eiche" not in feed
    assert "Gruppentreffen" not in feed
