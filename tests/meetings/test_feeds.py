"""iCalendar feeds (RFC 5545): the public group feed and a person's private feed, read back with
icalendar, and the group feed expanded with recurring_ical_events against the meetings API."""

import re
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from meetings.models import Group, Meeting
from meetings.services.calendar_links import calendar_link_issue, calendar_link_revoke
from meetings.services.meetings import meeting_cancel, meeting_move
from meetings.services.series import series_create
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, RoomFactory, every

pytestmark = pytest.mark.usefixtures("unscoped")

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def group_feed_url(group: Group) -> str:
    return f"/calendar/groups/{group.public_id}.ics"


def person_feed_url(token) -> str:
    return f"/calendar/people/{token.token}.ics"


def fetch_calendar(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def unfolded_text(body: bytes) -> str:
    """The feed with RFC 5545 line folding undone, so a long value is one searchable line."""
    return re.sub(r"\r\n[ \t]", "", body.decode())


def series_meeting(series, local_start: datetime) -> Meeting:
    return every(Meeting).get(series=series, original_starts_at=local_start)


# --- Public group feed ---------------------------------------------------------------------------


def test_group_feed_lists_the_meetings_under_the_group_name_in_berlin_time(client, weekly_series, group_a):
    calendar = fetch_calendar(client, group_feed_url(group_a))

    events = calendar.walk("VEVENT")
    expected_uids = set(every(Meeting).filter(series=weekly_series).values_list("uid", flat=True))
    assert {str(event["UID"]) for event in events} == expected_uids
    assert len(events) == 26  # one Tuesday a week up to the 26-week horizon
    assert {str(event["SUMMARY"]) for event in events} == {"Dienstagsgruppe"}
    assert {event["DTSTART"].params["TZID"] for event in events} == {"Europe/Berlin"}
    assert {event["DTEND"].params["TZID"] for event in events} == {"Europe/Berlin"}
    first = min(events, key=lambda event: event.decoded("DTSTART"))
    assert first.decoded("DTSTART") == berlin(2026, 12, 1, 19)
    assert first.decoded("DTSTART").strftime("%H:%M") == "19:00"
    assert first.decoded("DTEND") == berlin(2026, 12, 1, 21)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_group_feed_never_names_members(client, weekly_series, group_a):
    for name in ("Zoraida Quellenfeld", "Wendelin Obermüller"):
        MembershipFactory(group=group_a, person=PersonFactory(centre=group_a.centre, display_name=name))
    response = client.get(group_feed_url(group_a))

    text = unfolded_text(response.content)
    assert "Zoraida" not in text
    assert "Quellenfeld" not in text
    assert "Wendelin" not in text
    assert "Obermüller" not in text
    calendar = Calendar.from_ical(response.content)
    values = {str(value) for event in calendar.walk("VEVENT") for value in event.values()}
    assert not any("Zoraida" in value or "Wendelin" in value for value in values)
    assert {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")} == {"Dienstagsgruppe"}


def test_group_feed_of_an_unlisted_group_is_not_found(client, weekly_series, group_a):
    every(Group).filter(pk=group_a.pk).update(publicly_listed=False)

    assert client.get(group_feed_url(group_a)).status_code == 404


def test_group_feed_of_a_closed_group_is_not_found(client, weekly_series, group_a):
    every(Group).filter(pk=group_a.pk).update(status=Group.Status.CLOSED)

    assert client.get(group_feed_url(group_a)).status_code == 404


def test_group_feed_of_an_unknown_id_is_not_found(client, weekly_series):
    assert client.get(f"/calendar/groups/{uuid.uuid4()}.ics").status_code == 404


def test_cancelled_meeting_stays_in_the_feed_as_cancelled_with_a_higher_sequence(client, weekly_series, group_a):
    meeting = series_meeting(weekly_series, berlin(2026, 12, 8, 19))
    before = events_by_uid(fetch_calendar(client, group_feed_url(group_a)))[meeting.uid]
    assert str(before["STATUS"]) == "CONFIRMED"

    meeting_cancel(actor=None, meeting=meeting)

    after = events_by_uid(fetch_calendar(client, group_feed_url(group_a)))
    assert meeting.uid in after
    assert str(after[meeting.uid]["STATUS"]) == "CANCELLED"
    assert after[meeting.uid].decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after[meeting.uid].decoded("DTSTART") == berlin(2026, 12, 8, 19)
    assert len(after) == 26


def test_moved_meeting_keeps_its_uid_with_the_new_time_and_a_higher_sequence(client, weekly_series, group_a):
    meeting = series_meeting(weekly_series, berlin(2026, 12, 8, 19))
    before = events_by_uid(fetch_calendar(client, group_feed_url(group_a)))[meeting.uid]

    meeting_move(actor=None, meeting=meeting, starts_at=berlin(2026, 12, 10, 18, 30))

    after = events_by_uid(fetch_calendar(client, group_feed_url(group_a)))
    moved = after[meeting.uid]
    assert moved.decoded("DTSTART") == berlin(2026, 12, 10, 18, 30)
    assert moved["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert moved.decoded("DTEND") == berlin(2026, 12, 10, 20, 30)
    assert moved.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert len(after) == 26
    assert not [
        uid for uid, event in after.items() if event.decoded("DTSTART") == berlin(2026, 12, 8, 19)
    ]  # no second event is left at the old time


# --- Private person feed -------------------------------------------------------------------------


@pytest.fixture
def person_in_two_groups(weekly_series, group_a, centre_a, person_a):
    """person_a in group_a (weekly Tuesday) and a Thursday group; they left a third, Monday group."""
    MembershipFactory(group=group_a, person=person_a, joined_on=date(2026, 1, 10))
    thursday_group = GroupFactory(centre=centre_a, name="Donnerstagskreis")
    MembershipFactory(group=thursday_group, person=person_a, joined_on=date(2026, 3, 1))
    series_create(
        actor=None,
        group=thursday_group,
        room=RoomFactory(location__centre=centre_a, name="Raum Eiche"),
        rule="FREQ=WEEKLY;BYDAY=TH;COUNT=4",
        starts_on=date(2026, 12, 3),
        start_time=time(18, 0),
        duration_minutes=90,
    )
    left_group = GroupFactory(centre=centre_a, name="Montagsrunde")
    MembershipFactory(group=left_group, person=person_a, joined_on=date(2025, 5, 1), left_on=date(2026, 10, 31))
    series_create(
        actor=None,
        group=left_group,
        room=RoomFactory(location__centre=centre_a, name="Raum Ahorn"),
        rule="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
        starts_on=date(2026, 12, 7),
        start_time=time(17, 0),
        duration_minutes=60,
    )
    return person_a, thursday_group, left_group


def test_person_feed_lists_the_meetings_of_the_groups_the_person_belongs_to(client, person_in_two_groups, group_a):
    person, thursday_group, _left_group = person_in_two_groups
    token = calendar_link_issue(actor=None, person=person)

    calendar = fetch_calendar(client, person_feed_url(token))

    events = calendar.walk("VEVENT")
    expected_uids = set(every(Meeting).filter(group__in=[group_a, thursday_group]).values_list("uid", flat=True))
    assert {str(event["UID"]) for event in events} == expected_uids
    assert len(events) == 26 + 4
    assert {str(event["SUMMARY"]) for event in events} == {"Dienstagsgruppe", "Donnerstagskreis"}
    thursdays = sorted(event.decoded("DTSTART") for event in events if str(event["SUMMARY"]) == "Donnerstagskreis")
    assert thursdays == [berlin(2026, 12, day, 18) for day in (3, 10, 17, 24)]
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_person_feed_leaves_out_a_group_the_person_left(client, person_in_two_groups):
    person, _thursday_group, left_group = person_in_two_groups
    token = calendar_link_issue(actor=None, person=person)

    calendar = fetch_calendar(client, person_feed_url(token))

    left_uids = set(every(Meeting).filter(group=left_group).values_list("uid", flat=True))
    assert len(left_uids) == 4
    assert not left_uids & {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert "Montagsrunde" not in {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def test_revoked_calendar_link_is_not_found(client, person_in_two_groups):
    person, _thursday_group, _left_group = person_in_two_groups
    token = calendar_link_issue(actor=None, person=person)
    assert client.get(person_feed_url(token)).status_code == 200

    calendar_link_revoke(actor=None, token=token)

    assert client.get(person_feed_url(token)).status_code == 404


def test_issuing_a_new_calendar_link_makes_the_old_one_dead(client, person_in_two_groups):
    person, _thursday_group, _left_group = person_in_two_groups
    old = calendar_link_issue(actor=None, person=person)

    new = calendar_link_issue(actor=None, person=person)

    assert client.get(person_feed_url(old)).status_code == 404
    assert len(fetch_calendar(client, person_feed_url(new)).walk("VEVENT")) == 26 + 4


def test_unknown_calendar_token_is_not_found(client, person_in_two_groups):
    assert client.get("/calendar/people/not-a-real-token.ics").status_code == 404


# --- Feed against API ----------------------------------------------------------------------------


def test_expanded_group_feed_equals_the_api_listing_for_the_same_window(client, api_a, weekly_series, group_a):
    window_start, window_end = berlin(2026, 12, 5, 0), berlin(2027, 1, 23, 0)
    cancelled = meeting_cancel(actor=None, meeting=series_meeting(weekly_series, berlin(2026, 12, 22, 19)))
    moves = {
        berlin(2026, 12, 1, 19): berlin(2026, 12, 4, 22),  # ends exactly where the window starts: out
        berlin(2027, 2, 2, 19): berlin(2026, 12, 5, 0),  # starts exactly where the window starts: in
        berlin(2026, 12, 15, 19): berlin(2026, 12, 17, 10),  # within the window
        berlin(2026, 12, 29, 19): berlin(2027, 1, 24, 19),  # out of the window
        berlin(2027, 1, 26, 19): berlin(2027, 1, 21, 19),  # into the window
        berlin(2027, 1, 19, 19): berlin(2027, 1, 22, 23),  # across the window's end: in
    }
    for original, new_start in moves.items():
        meeting_move(actor=None, meeting=series_meeting(weekly_series, original), starts_at=new_start)
    body = client.get(group_feed_url(group_a)).content

    expanded = recurring_ical_events.of(Calendar.from_ical(body)).between(window_start, window_end)
    from_feed = {(str(event["UID"]), event.decoded("DTSTART")) for event in expanded}

    response = api_a.get(
        "/api/v1/meetings/",
        {
            "group": group_a.pk,
            "starts_after": window_start.isoformat(),
            "starts_before": window_end.isoformat(),
            "page_size": 200,
        },
    )
    assert response.status_code == 200
    assert response.data["next"] is None
    from_api = {(item["uid"], datetime.fromisoformat(item["starts_at"])) for item in response.data["results"]}

    assert from_feed == from_api
    expected_local_starts = {
        berlin(2026, 12, 5, 0),
        berlin(2026, 12, 8, 19),
        berlin(2026, 12, 17, 10),
        berlin(2026, 12, 22, 19),  # cancelled, still listed
        berlin(2027, 1, 5, 19),
        berlin(2027, 1, 12, 19),
        berlin(2027, 1, 21, 19),
        berlin(2027, 1, 22, 23),
    }
    assert {start for _uid, start in from_api} == expected_local_starts
    assert {item["uid"] for item in response.data["results"] if item["status"] == "cancelled"} == {cancelled.uid}
    assert {str(event["UID"]) for event in expanded if str(event["STATUS"]) == "CANCELLED"} == {cancelled.uid}


def test_person_feed_keeps_a_group_until_the_notice_date(client, weekly_series, group_a, person_a):
    membership = MembershipFactory(group=group_a, person=person_a, joined_on=date(2026, 11, 1))
    membership.left_on = date(2026, 12, 31)  # gave notice for the end of the year
    membership.save()
    token = calendar_link_issue(actor=None, person=person_a)
    calendar = fetch_calendar(client, person_feed_url(token))
    assert len(calendar.walk("VEVENT")) == 26
