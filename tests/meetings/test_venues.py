"""Online, hybrid and outdoor meetings: only room-bound ones meet the room guard; the video link
reaches members only by their own channels (mails, member page, private feed), never a public
page or feed; changing it tells the members; the finder filters groups that meet online."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from centres.scoping import centre_scope
from config.errors import DomainError
from meetings.member_links import member_token
from meetings.models import CalendarToken, Group, Meeting, MeetingSeries, Membership
from meetings.services import series as series_services
from meetings.services import venues
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, every, reminders_job

pytestmark = pytest.mark.django_db
LINK = "https://video.example.org/room/kreis-7Q2"


def online_series(group, *, mode="online", room=None, **values):
    with centre_scope(group.centre_id):
        return series_services.series_create(
            actor=None,
            group=group,
            room=room,
            rule="FREQ=WEEKLY;BYDAY=TU",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=120,
            mode=mode,
            video_link=values.pop("video_link", LINK),
            **values,
        )


@pytest.fixture
def online_group(weekly_series, centre_a, frozen_now):
    """Beside the weekly Tuesday series in room A, an online group at the very same time."""
    group = GroupFactory(centre=centre_a, name="Onlinekreis", status="self_run", topic=weekly_series.group.topic)
    every(Group).filter(pk=group.pk).update(publicly_listed=True)
    online_series(group)
    member = PersonFactory(centre=centre_a, display_name="Olga", email="olga@example.net")
    MembershipFactory(group=group, person=member, reminder_minutes=24 * 60)
    return group


def test_online_meetings_book_no_room_and_a_room_bound_one_still_clashes(online_group, room_a, centre_a):
    meetings = every(Meeting).filter(group=online_group)
    assert meetings.exists()
    assert set(meetings.values_list("room_id", "mode", "status")) == {(None, "online", "scheduled")}
    second = GroupFactory(centre=centre_a, topic=online_group.topic)
    assert online_series(second, mode="online").pk  # the same hour online twice: no room, no clash
    third = GroupFactory(centre=centre_a, topic=online_group.topic)
    with pytest.raises(DomainError, match="already booked"):
        online_series(third, mode="hybrid", room=room_a)  # hybrid takes room A, where Tuesday meets
    assert not every(MeetingSeries).filter(group=third).exists()


@pytest.mark.parametrize(
    ("mode", "values", "message"),
    [
        ("online", {"video_link": ""}, "video call's web address"),
        ("online", {"video_link": "javascript:alert(1)"}, "video call's web address"),
        ("hybrid", {}, "Choose the room"),
        ("outdoors", {"video_link": "", "meeting_point": " "}, "Say where to meet"),
        ("balcony", {}, "Choose where it takes place"),
    ],
)
def test_a_venue_missing_what_its_mode_needs_is_refused(centre_a, group_a, mode, values, message, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    with pytest.raises(DomainError, match=message):
        online_series(group_a, mode=mode, **values)
    assert not every(MeetingSeries).exists()


def test_the_video_link_never_reaches_a_public_page_or_feed(client, online_group, centre_a):
    finder = client.get(f"/centres/{centre_a.slug}/groups/").content.decode()
    page = client.get(f"/centres/{centre_a.slug}/groups/{online_group.public_id}/").content.decode()
    feed = client.get(f"/calendar/groups/{online_group.public_id}.ics").content.decode()
    for public in (finder, page, feed):
        assert "Onlinekreis" in public
        assert "7Q2" not in public
    assert "Online" in page
    assert "LOCATION:Online" in feed


def test_members_get_the_link_in_their_page_feed_and_reminder(client, online_group, frozen_now):
    membership = every(Membership).get(group=online_group)
    page = client.get(f"/m/{member_token(purpose='manage', membership_id=membership.pk)}/").content.decode()
    assert LINK in page
    token = every(CalendarToken).create(centre=online_group.centre, person=membership.person, membership=membership)
    feed = client.get(f"/calendar/people/{token.token}.ics").content.decode().replace("\r\n ", "")
    assert f"URL:{LINK}" in feed
    assert re.search(r"CONFERENCE;[^:]*FEATURE=VIDEO[^:]*:" + re.escape(LINK), feed)
    frozen_now(datetime(2026, 11, 30, 18, 30, tzinfo=UTC))
    reminders_job()
    reminder = every(OutgoingMail).get(kind="reminder", recipient="olga@example.net")
    assert LINK in reminder.body_text
    assert LINK not in reminder.subject


def test_a_new_video_link_tells_the_members(online_group):
    meeting = every(Meeting).filter(group=online_group).order_by("starts_at").first()
    new = "https://video.example.org/room/neu"
    with centre_scope(online_group.centre_id):
        venues.meeting_venue_set(actor=None, meeting=meeting, mode="online", video_link=new)
    notice = every(OutgoingMail).get(kind="change_notice", recipient="olga@example.net")
    assert new in notice.body_text
    meeting.refresh_from_db()
    assert (meeting.video_link, meeting.sequence) == (new, 1)


def test_a_series_moves_from_online_into_a_room_only_where_it_is_free(online_group, room_a, room_b, centre_a):
    series = every(MeetingSeries).get(group=online_group)
    with centre_scope(centre_a.pk), pytest.raises(DomainError, match="already booked"):
        venues.series_venue_set(actor=None, series=series, mode="room", room=room_a)
    assert set(every(Meeting).filter(group=online_group).values_list("mode", flat=True)) == {"online"}
    from tests.factories import RoomFactory

    free = RoomFactory(location=room_a.location, name="Saal")
    with centre_scope(centre_a.pk):
        changed = venues.series_venue_set(actor=None, series=series, mode="hybrid", room=free, video_link=LINK)
    assert changed == every(Meeting).filter(group=online_group).count()
    assert set(every(Meeting).filter(group=online_group).values_list("mode", "room_id")) == {("hybrid", free.pk)}


def test_the_finder_filters_groups_that_meet_online(client, online_group, centre_a, weekly_series):
    found = client.get(f"/centres/{centre_a.slug}/groups/?online=on").content.decode()
    assert "Onlinekreis" in found
    assert weekly_series.group.name not in found
    assert "online or hybrid" in found
    assert "step-free access</span>" not in found  # an online group has no steps to tell of


def test_a_coordinator_books_an_online_series_in_the_planner(client, coordinator_a, centre_a, group_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    client.force_login(coordinator_a)
    form = {
        "series-group": group_a.pk,
        "series-mode": "online",
        "series-video_link": LINK,
        "series-repeat": "weekly",
        "series-every": 1,
        "series-weekdays": [2],
        "series-starts_on": "2026-12-02",
        "series-start_time": "10:00",
        "series-duration_minutes": 90,
        "series-ends": "count",
        "series-count": 2,
    }
    missing = client.post(f"/centres/{centre_a.slug}/planner/", {**form, "series-video_link": ""})
    assert missing.status_code == 400
    assert not every(MeetingSeries).exists()
    booked = client.post(f"/centres/{centre_a.slug}/planner/", form, follow=True)
    assert "The series is booked" in booked.content.decode()
    assert list(every(Meeting).filter(group=group_a).values_list("mode", "room_id", "video_link")) == [
        ("online", None, LINK),
        ("online", None, LINK),
    ]


def test_a_contact_person_moves_an_online_meeting_in_time(client, online_group, frozen_now):
    from meetings.member_links import contact_token
    from meetings.services import contacts

    membership = every(Membership).get(group=online_group)
    with centre_scope(online_group.centre_id):
        contact = contacts.contact_person_record(actor=None, membership=membership)
    meeting = every(Meeting).filter(group=online_group).order_by("starts_at").first()
    answer = client.post(
        f"/g/{contact_token(contact_id=contact.pk)}/meetings/{meeting.pk}/move/",
        {"starts_at": "2026-12-02T20:00"},
        follow=True,
    )
    assert "Moved to" in answer.content.decode()
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.room_id) == (datetime(2026, 12, 2, 19, 0, tzinfo=UTC), None)
    assert timedelta(hours=2) == meeting.ends_at - meeting.starts_at
