"""The meetings API: behaviour, fixed query counts, and each centre's data kept to itself."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Closure, Group, Meeting, MeetingSeries, Membership, Room
from tests.factories import (
    GroupFactory,
    LocationFactory,
    MembershipFactory,
    PersonFactory,
    RoomFactory,
    TopicFactory,
    every,
)

pytestmark = pytest.mark.django_db


def test_create_a_series_over_the_api_and_list_its_meetings(api_a, group_a, room_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    response = api_a.post(
        "/api/v1/series/",
        {
            "group": group_a.pk,
            "room": room_a.pk,
            "rule": "FREQ=WEEKLY;BYDAY=TU",
            "starts_on": "2026-12-01",
            "start_time": "19:00",
            "duration_minutes": 120,
        },
    )
    assert response.status_code == 201
    assert response.json()["rule"] == "FREQ=WEEKLY;BYDAY=TU"
    listed = api_a.get(
        "/api/v1/meetings/",
        {"group": group_a.pk, "starts_after": "2026-12-01T00:00:00Z", "starts_before": "2026-12-16T00:00:00Z"},
    )
    assert [item["starts_at"] for item in listed.json()["results"]] == [
        "2026-12-01T19:00:00+01:00",
        "2026-12-08T19:00:00+01:00",
        "2026-12-15T19:00:00+01:00",
    ]


def test_a_clash_is_a_409_naming_the_clashing_meeting(api_a, weekly_series, centre_a, room_a):
    other = GroupFactory(centre=centre_a, name="Gesprächskreis")
    response = api_a.post(
        "/api/v1/series/",
        {
            "group": other.pk,
            "room": room_a.pk,
            "rule": "FREQ=WEEKLY;BYDAY=TU",
            "starts_on": "2026-12-01",
            "start_time": "20:00",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"].startswith(
        "The room is already booked: Dienstagsgruppe in Raum Linde on 01/12/2026 19:00–21:00"
    )
    assert not every(MeetingSeries).filter(group=other).exists()


def test_an_invalid_rule_is_a_400_on_the_rule_field(api_a, group_a, room_a, frozen_now):
    # Frozen: without it, 2026-12-01 leaves the planning range a year on and the date is refused instead.
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    response = api_a.post(
        "/api/v1/series/",
        {
            "group": group_a.pk,
            "room": room_a.pk,
            "rule": "FREQ=HOURLY",
            "starts_on": "2026-12-01",
            "start_time": "19:00",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"rule": ["FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."]}


def test_series_preview_shows_clashes_and_closures_without_saving(api_a, weekly_series, centre_a, room_a):
    every(Closure).create(centre=centre_a, starts_on=date(2026, 12, 15), ends_on=date(2026, 12, 15), reason="Streik")
    response = api_a.post(
        "/api/v1/series/preview/",
        {
            "room": room_a.pk,
            "rule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3",
            "starts_on": "2026-12-01",
            "start_time": "20:00",
            "duration_minutes": 60,
        },
    )
    rows = response.json()
    assert [(row["bookable"], row["closure"], [c["title"] for c in row["clashes"]]) for row in rows] == [
        (False, None, ["Dienstagsgruppe"]),
        (False, None, ["Dienstagsgruppe"]),
        (False, "Streik", []),
    ]
    assert every(MeetingSeries).count() == 1


def test_cancel_move_and_note_one_meeting(api_a, weekly_series):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at")[1]
    noted = api_a.post(f"/api/v1/meetings/{meeting.pk}/note/", {"note": "Expertin zu Gast"})
    assert noted.json()["note"] == "Expertin zu Gast"
    moved = api_a.post(f"/api/v1/meetings/{meeting.pk}/move/", {"starts_at": "2026-12-09T18:00:00Z"})
    assert (moved.status_code, moved.json()["starts_at"], moved.json()["ends_at"]) == (
        200,
        "2026-12-09T19:00:00+01:00",
        "2026-12-09T21:00:00+01:00",
    )
    cancelled = api_a.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {})
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 3)
    again = api_a.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {})
    assert again.status_code == 409


def test_move_with_nothing_to_change_is_a_400(api_a, weekly_series):
    meeting = every(Meeting).filter(series=weekly_series).first()
    response = api_a.post(f"/api/v1/meetings/{meeting.pk}/move/", {})
    assert response.status_code == 400
    assert "Give a new starts_at" in response.json()["error"]["fields"]["non_field_errors"][0]


def test_change_the_whole_series_over_the_api(api_a, weekly_series):
    response = api_a.post(f"/api/v1/series/{weekly_series.pk}/change/", {"scope": "all", "start_time": "18:00"})
    assert response.status_code == 200
    assert response.json() == {
        "series_id": weekly_series.pk,
        "updated": 26,
        "created": 0,
        "cancelled": 0,
        "kept_changes": [],
        "dropped_changes": [],
    }


def test_this_and_following_needs_a_date(api_a, weekly_series):
    response = api_a.post(f"/api/v1/series/{weekly_series.pk}/change/", {"scope": "following", "start_time": "18:00"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"effective_from": ["Say from which date the change applies."]}


def test_one_off_meeting_over_the_api(api_a, weekly_series, room_a):
    response = api_a.post(
        "/api/v1/meetings/",
        {
            "room": room_a.pk,
            "title": "Infoabend",
            "starts_at": "2026-12-02T17:00:00Z",
            "ends_at": "2026-12-02T19:00:00Z",
        },
    )
    assert response.status_code == 201
    assert (response.json()["display_title"], response.json()["series"]) == ("Infoabend", None)


def test_free_rooms_for_a_slot_and_for_a_series(api_a, weekly_series, room_a, centre_a):
    big = RoomFactory(location__centre=centre_a, name="Saal", capacity=30, step_free_access=True)
    slot = api_a.get("/api/v1/rooms/free/", {"starts_at": "2026-12-01T18:30:00Z", "ends_at": "2026-12-01T19:30:00Z"})
    assert [room["name"] for room in slot.json()] == ["Saal"]
    series = api_a.get(
        "/api/v1/rooms/free/",
        {"rule": "FREQ=WEEKLY;BYDAY=WE", "starts_on": "2026-12-02", "start_time": "19:00", "duration_minutes": 90},
    )
    assert [room["name"] for room in series.json()] == ["Raum Linde", "Saal"]
    accessible = api_a.get(
        "/api/v1/rooms/free/",
        {
            "starts_at": "2026-12-02T18:00:00Z",
            "ends_at": "2026-12-02T19:00:00Z",
            "step_free_access": "true",
            "capacity": 12,
        },
    )
    assert [room["id"] for room in accessible.json()] == [big.pk]


def test_free_rooms_without_a_slot_is_a_400(api_a, room_a):
    response = api_a.get("/api/v1/rooms/free/")
    assert response.status_code == 400
    assert "Give starts_at and ends_at" in response.json()["error"]["fields"]["non_field_errors"][0]


def test_opening_hours_are_replaced(api_a, room_a):
    response = api_a.put(
        f"/api/v1/rooms/{room_a.pk}/opening-hours/",
        {
            "hours": [
                {"weekday": 0, "opens": "09:00", "closes": "21:00"},
                {"weekday": 2, "opens": "10:00", "closes": "18:00"},
            ]
        },
    )
    assert response.json()["opening_hours"] == [
        {"weekday": 0, "opens": "09:00:00", "closes": "21:00:00"},
        {"weekday": 2, "opens": "10:00:00", "closes": "18:00:00"},
    ]
    bad = api_a.put(
        f"/api/v1/rooms/{room_a.pk}/opening-hours/", {"hours": [{"weekday": 0, "opens": "21:00", "closes": "09:00"}]}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"hours": ["A room must open before it closes."]}


def test_closure_over_the_api_cancels_and_its_deletion_restores(api_a, weekly_series):
    created = api_a.post(
        "/api/v1/closures/", {"starts_on": "2026-12-07", "ends_on": "2026-12-16", "reason": "Renovierung"}
    )
    assert (created.status_code, created.json()["cancelled_meetings"]) == (201, 2)
    assert every(Meeting).filter(series=weekly_series, status="cancelled").count() == 2
    assert api_a.delete(f"/api/v1/closures/{created.json()['id']}/").status_code == 204
    assert every(Meeting).filter(series=weekly_series, status="cancelled").count() == 0


def test_group_life_cycle_over_the_api(api_a, group_a):
    response = api_a.post(f"/api/v1/groups/{group_a.pk}/transition/", {"status": "forming"})
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "A group cannot go from “Starting” to “Forming”."
    assert api_a.post(f"/api/v1/groups/{group_a.pk}/transition/", {"status": "self_run"}).json()["status"] == "self_run"


def test_group_on_a_refused_topic_is_a_400(api_a, centre_a):
    topic = TopicFactory(
        centre=centre_a, name="Politik", is_offered=False, refusal_message="Keine politischen Gruppen."
    )
    response = api_a.post("/api/v1/groups/", {"name": "Stammtisch", "topic": topic.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"topic": ["Keine politischen Gruppen."]}


def test_memberships_add_twice_is_a_409_and_end(api_a, group_a, person_a):
    first = api_a.post("/api/v1/memberships/", {"group": group_a.pk, "person": person_a.pk, "joined_on": "2026-11-01"})
    assert first.status_code == 201
    again = api_a.post("/api/v1/memberships/", {"group": group_a.pk, "person": person_a.pk, "joined_on": "2026-11-02"})
    assert again.status_code == 409
    ended = api_a.post(f"/api/v1/memberships/{first.json()['id']}/end/", {"left_on": "2026-11-20"})
    assert ended.json()["left_on"] == "2026-11-20"


def test_planner_api_lists_rooms_days_and_bookings(api_a, weekly_series, centre_a):
    every(Closure).create(
        centre=centre_a, starts_on=date(2026, 12, 10), ends_on=date(2026, 12, 10), reason="Betriebsausflug"
    )
    week = api_a.get("/api/v1/planner/", {"week": "2026-12-09"}).json()
    assert (week["week_starts_on"], week["previous_week"], week["next_week"]) == (
        "2026-12-07",
        "2026-11-30",
        "2026-12-14",
    )
    room = week["rooms"][0]
    assert [len(day["meetings"]) for day in room["days"]] == [0, 1, 0, 0, 0, 0, 0]
    assert [day["closure"] for day in room["days"]][3] == "Betriebsausflug"
    assert room["booked_minutes"] == 120
    assert room["days"][1]["free"] == [["08:00", "19:00"], ["21:00", "22:00"]]
    assert room["days"][3]["free"] == []


# --- isolation -----------------------------------------------------------------------------------


@pytest.fixture
def world_b(centre_b, room_b, group_b, person_b):
    """Centre B with a topic, location, room, group, member, series, meeting and closure."""
    membership = MembershipFactory(group=group_b, person=person_b)
    series = every(MeetingSeries).create(
        centre=centre_b,
        group=group_b,
        room=room_b,
        rule="FREQ=WEEKLY",
        starts_on=date(2026, 12, 2),
        start_time=time(19, 0),
        duration_minutes=60,
        time_zone="Europe/Copenhagen",
    )
    start = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    meeting = every(Meeting).create(
        centre=centre_b,
        series=series,
        group=group_b,
        room=room_b,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        original_starts_at=start,
        uid="b-meeting@test",
    )
    closure = every(Closure).create(
        centre=centre_b, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 2), reason="Nytår"
    )
    return {
        "topics": group_b.topic,
        "locations": room_b.location,
        "rooms": room_b,
        "groups": group_b,
        "memberships": membership,
        "series": series,
        "meetings": meeting,
        "closures": closure,
    }


@pytest.mark.parametrize(
    "endpoint", ["topics", "locations", "rooms", "groups", "memberships", "series", "meetings", "closures"]
)
def test_lists_and_details_never_show_another_centre(api_a, world_b, endpoint):
    listed = api_a.get(f"/api/v1/{endpoint}/")
    assert listed.status_code == 200
    assert listed.json()["results"] == []
    detail = api_a.get(f"/api/v1/{endpoint}/{world_b[endpoint].pk}/")
    assert detail.status_code == 404


@pytest.mark.parametrize("endpoint", ["topics", "locations", "rooms", "groups", "memberships"])
def test_updates_never_reach_another_centre(api_a, world_b, endpoint):
    obj = world_b[endpoint]
    response = api_a.patch(f"/api/v1/{endpoint}/{obj.pk}/", {"name": "Taken", "role": "relative"})
    assert response.status_code == 404
    obj.refresh_from_db()
    assert getattr(obj, "name", "") != "Taken"
    assert getattr(obj, "role", "member") == "member"


@pytest.mark.parametrize("action", ["cancel", "move", "note", "reinstate"])
def test_meeting_actions_never_reach_another_centre(api_a, world_b, action):
    meeting = world_b["meetings"]
    response = api_a.post(
        f"/api/v1/meetings/{meeting.pk}/{action}/", {"note": "x", "starts_at": "2026-12-03T18:00:00Z"}
    )
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert (meeting.status, meeting.note, meeting.sequence) == ("scheduled", "", 0)


def test_series_change_and_closure_delete_never_reach_another_centre(api_a, world_b):
    assert (
        api_a.post(
            f"/api/v1/series/{world_b['series'].pk}/change/", {"scope": "all", "start_time": "10:00"}
        ).status_code
        == 404
    )
    assert api_a.delete(f"/api/v1/closures/{world_b['closures'].pk}/").status_code == 404
    assert every(Closure).filter(pk=world_b["closures"].pk).exists()


@pytest.mark.parametrize(
    ("endpoint", "payload", "field"),
    [
        ("rooms", lambda w, a: {"location": w["locations"].pk, "name": "R", "capacity": 5}, "location"),
        ("groups", lambda w, a: {"name": "G", "topic": w["topics"].pk}, "topic"),
        (
            "memberships",
            lambda w, a: {"group": a["group"].pk, "person": w["memberships"].person_id, "joined_on": "2026-12-01"},
            "person",
        ),
        (
            "memberships",
            lambda w, a: {"group": w["groups"].pk, "person": a["person"].pk, "joined_on": "2026-12-01"},
            "group",
        ),
        (
            "series",
            lambda w, a: {
                "group": a["group"].pk,
                "room": w["rooms"].pk,
                "rule": "FREQ=WEEKLY",
                "starts_on": "2026-12-01",
                "start_time": "10:00",
                "duration_minutes": 60,
            },
            "room",
        ),
        (
            "meetings",
            lambda w, a: {
                "room": w["rooms"].pk,
                "title": "X",
                "starts_at": "2026-12-03T10:00:00Z",
                "ends_at": "2026-12-03T11:00:00Z",
            },
            "room",
        ),
        (
            "closures",
            lambda w, a: {"room": w["rooms"].pk, "starts_on": "2026-12-01", "ends_on": "2026-12-02", "reason": "x"},
            "room",
        ),
        ("calendar-links", lambda w, a: {"person": w["memberships"].person_id}, "person"),
    ],
)
def test_no_foreign_key_may_point_into_another_centre(api_a, world_b, group_a, person_a, endpoint, payload, field):
    counts = [every(model).count() for model in (Room, Group, Membership, MeetingSeries, Meeting, Closure)]
    response = api_a.post(f"/api/v1/{endpoint}/", payload(world_b, {"group": group_a, "person": person_a}))
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert [every(model).count() for model in (Room, Group, Membership, MeetingSeries, Meeting, Closure)] == counts


def test_planner_of_another_centre_is_refused(api_a, world_b):
    response = api_a.get("/api/v1/planner/", {"centre": "centre-b"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["centre"]


# --- query counts -------------------------------------------------------------------------------


def make_meeting(centre, n):
    room = RoomFactory(location__centre=centre)
    group = GroupFactory(centre=centre)
    start = datetime(2026, 12, 1 + n, 18, 0, tzinfo=UTC)
    return every(Meeting).create(
        centre=centre,
        room=room,
        group=group,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        uid=f"q{n}-{room.pk}",
    )


LIST_FACTORIES = {
    "topics": lambda centre, n: TopicFactory(centre=centre),
    "locations": lambda centre, n: LocationFactory(centre=centre),
    "rooms": lambda centre, n: RoomFactory(location__centre=centre),
    "groups": lambda centre, n: GroupFactory(centre=centre),
    "memberships": lambda centre, n: MembershipFactory(
        group=GroupFactory(centre=centre), person=PersonFactory(centre=centre)
    ),
    "series": lambda centre, n: every(MeetingSeries).create(
        centre=centre,
        group=GroupFactory(centre=centre),
        room=RoomFactory(location__centre=centre),
        rule="FREQ=WEEKLY",
        starts_on=date(2026, 12, 1),
        start_time=time(10, 0),
        duration_minutes=60,
        time_zone="Europe/Berlin",
    ),
    "meetings": make_meeting,
    "closures": lambda centre, n: every(Closure).create(
        centre=centre, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 2), reason="x"
    ),
}


@pytest.mark.parametrize("endpoint", list(LIST_FACTORIES))
def test_list_endpoints_use_the_same_number_of_queries_for_1_and_3_items(api_a, centre_a, endpoint):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api_a.get(f"/api/v1/{endpoint}/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    LIST_FACTORIES[endpoint](centre_a, 1)
    one, listed_one = count()
    LIST_FACTORIES[endpoint](centre_a, 2)
    LIST_FACTORIES[endpoint](centre_a, 3)
    three, listed_three = count()
    assert (listed_one, listed_three) == (1, 3)
    assert one == three


def test_planner_uses_the_same_number_of_queries_for_1_and_3_rooms(api_a, centre_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            api_a.get("/api/v1/planner/", {"week": "2026-12-01"})
        return len(queries)

    make_meeting(centre_a, 1)
    one = count()
    make_meeting(centre_a, 2)
    make_meeting(centre_a, 3)
    assert count() == one
