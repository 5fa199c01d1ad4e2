"""The calendar cache (meetings.caching): the week in the API, the room planner and the group
finder are kept per centre and calendar version. Every kind of change must show at once, the
cache must really answer when nothing changed, and one centre's answer never serves another."""

from datetime import UTC, date, datetime, time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from centres.services.accounts import api_token_issue
from meetings import caching
from meetings.models import CalendarChange, Meeting, MeetingSeries
from meetings.services import closures, groups, places
from meetings.services import meetings as meeting_changes
from meetings.services import series as series_services
from meetings.services.materialise import horizon_extend
from tests.conftest import token_client
from tests.factories import GroupFactory, RoomFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

WEEK = {"starts_after": "2026-12-07T00:00:00Z", "starts_before": "2026-12-14T00:00:00Z"}


def week(api) -> list[dict]:
    answer = api.get("/api/v1/meetings/", WEEK)
    assert answer.status_code == 200, answer.content[:300]
    return answer.json()["results"]


def queries_for(api) -> int:
    with CaptureQueriesContext(connection) as queries:
        week(api)
    return len(queries)


def test_an_unchanged_week_comes_from_the_cache(api_a, weekly_series):
    first = queries_for(api_a)
    again = queries_for(api_a)
    # The count and the page (with group, room and place) are not read again.
    assert again == first - 2
    assert [meeting["starts_at"] for meeting in week(api_a)] == ["2026-12-08T19:00:00+01:00"]


def test_a_cancelled_or_moved_meeting_shows_at_once(api_a, weekly_series, room_a):
    (meeting,) = week(api_a)
    other = RoomFactory(location=room_a.location, name="Raum Eiche")
    meeting_changes.meeting_move(actor=None, meeting=every(Meeting).get(pk=meeting["id"]), room=other)
    assert week(api_a)[0]["room_name"] == "Raum Eiche"
    meeting_changes.meeting_cancel(actor=None, meeting=every(Meeting).get(pk=meeting["id"]), note="Krank")
    assert week(api_a)[0]["status"] == "cancelled"


def test_a_one_off_booked_through_the_api_shows_at_once(api_a, weekly_series, room_a, centre_a):
    week(api_a)
    answer = api_a.post(
        "/api/v1/meetings/",
        {
            "room": room_a.pk,
            "title": "Infoabend",
            "starts_at": "2026-12-09T17:00:00Z",
            "ends_at": "2026-12-09T18:00:00Z",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert [meeting["title"] for meeting in week(api_a)] == ["", "Infoabend"]


def test_series_changes_show_at_once(api_a, weekly_series):
    week(api_a)
    series_services.series_update(actor=None, series=weekly_series, start_time=time(18, 0))
    assert week(api_a)[0]["starts_at"] == "2026-12-08T18:00:00+01:00"
    series_services.series_end(actor=None, series=every(MeetingSeries).get(pk=weekly_series.pk),
                               last_day=date(2026, 12, 2))  # fmt: skip
    assert week(api_a)[0]["status"] == "cancelled"


def test_a_new_series_shows_at_once(api_a, weekly_series, centre_a):
    week(api_a)
    other = GroupFactory(centre=centre_a, name="Donnerstagsgruppe")
    series_services.series_create(
        actor=None,
        group=other,
        room=RoomFactory(location__centre=centre_a),
        rule="FREQ=WEEKLY;BYDAY=TH",
        starts_on=date(2026, 12, 3),
        start_time=time(10, 0),
        duration_minutes=60,
    )
    assert len(week(api_a)) == 2


def test_the_nightly_horizon_extension_shows_at_once(coordinator_a, weekly_series, centre_a, frozen_now):
    far = {"starts_after": "2027-07-05T00:00:00Z", "starts_before": "2027-07-12T00:00:00Z"}
    assert token_client(coordinator_a).get("/api/v1/meetings/", far).json()["count"] == 0
    frozen_now(datetime(2027, 2, 1, 9, 0, tzinfo=UTC))  # two months on: the horizon moves
    created = horizon_extend(centre=centre_a).created
    assert created > 0
    api_token_issue(user=coordinator_a)  # a token lasts a day: two months on, the coordinator asks again
    assert token_client(coordinator_a).get("/api/v1/meetings/", far).json()["count"] == 1


def test_a_closure_and_its_lifting_show_at_once(api_a, weekly_series, centre_a):
    week(api_a)
    closure, cancelled = closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 8), reason="Weihnachtsfeier"
    )
    assert cancelled == 1
    assert week(api_a)[0]["cancel_reason"] == "closure"
    closures.closure_delete(actor=None, closure=closure)
    assert week(api_a)[0]["status"] == "scheduled"


def test_renaming_the_group_room_or_place_shows_at_once(api_a, weekly_series, room_a, group_a):
    week(api_a)
    groups.group_update(actor=None, group=group_a, name="Dienstagskreis")
    places.room_update(actor=None, room=room_a, name="Raum Birke")
    places.location_update(actor=None, location=room_a.location, name="Haus am Markt")
    (meeting,) = week(api_a)
    assert (meeting["room_name"], meeting["location_name"]) == ("Raum Birke", "Haus am Markt")
    assert meeting["display_title"] == "Dienstagskreis"


def test_the_planner_follows_opening_hours(api_a, weekly_series, room_a, centre_a):
    def free_on_monday() -> list:
        plan = api_a.get("/api/v1/planner/", {"centre": centre_a.slug, "week": "2026-12-07"}).json()
        room = next(room for room in plan["rooms"] if room["id"] == room_a.pk)
        return room["days"][0]["free"]

    before = free_on_monday()
    places.opening_hours_set(actor=None, room=room_a, hours=[(0, time(10, 0), time(12, 0))])
    after = free_on_monday()
    assert after != before
    assert after == [["10:00", "12:00"]]


def test_one_centres_answer_never_serves_another(api_a, centre_admin_b, weekly_series, room_b, group_b):
    from tests.conftest import token_client

    series_services.series_create(
        actor=None, group=group_b, room=room_b, rule="FREQ=WEEKLY;BYDAY=WE", starts_on=date(2026, 12, 2),
        start_time=time(17, 0), duration_minutes=60,
    )  # fmt: skip
    mine = week(api_a)
    theirs = week(token_client(centre_admin_b))  # the same query string, another centre
    assert [meeting["centre"] for meeting in mine] == ["centre-a"]
    assert [meeting["centre"] for meeting in theirs] == ["centre-b"]


def test_a_change_rolled_back_leaves_the_cached_week_right(api_a, weekly_series, group_a):
    before = week(api_a)

    def rename_then_fail() -> None:
        with transaction.atomic():
            groups.group_update(actor=None, group=group_a, name="Nie gespeichert")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert week(api_a) == before


def test_the_finder_shows_a_change_at_once_and_caches_per_language(client, centre_a, weekly_series, group_a):
    path = f"/centres/{centre_a.slug}/groups/"
    assert "Next: Tuesday, 1 December 2026, 19:00" in client.get(path).content.decode()
    german = client.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nächstes Treffen: Dienstag, 1. Dezember 2026, 19:00" in german
    assert "Next: Tuesday" in client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    groups.group_update(actor=None, group=group_a, name="Dienstagskreis")
    page = client.get(path).content.decode()
    assert "Dienstagskreis" in page
    groups.group_update(actor=None, group=group_a, publicly_listed=False)
    assert "Dienstagskreis" not in client.get(path).content.decode()


def test_pruning_keeps_the_version(centre_a, weekly_series, group_a):
    groups.group_update(actor=None, group=group_a, name="Zweimal")
    version = caching.calendar_version([centre_a.pk])
    assert CalendarChange.objects.filter(centre_id=centre_a.pk).count() > 1
    caching.prune_changes(centre_a.pk)
    assert list(CalendarChange.objects.filter(centre_id=centre_a.pk).values_list("id", flat=True)) == [version]
    assert caching.calendar_version([centre_a.pk]) == version


def test_a_centres_version_ignores_other_centres(centre_a, centre_b, weekly_series, group_b):
    version = caching.calendar_version([centre_a.pk])
    groups.group_update(actor=None, group=group_b, name="Anderswo")
    assert caching.calendar_version([centre_a.pk]) == version
    assert caching.calendar_version(None) > version


def test_the_week_is_the_same_cached_and_not(api_a, weekly_series, room_a):
    cached_once = week(api_a)
    from django.core.cache import caches

    caches["calendar"].clear()
    assert week(api_a) == cached_once


def test_the_browsable_api_still_works_from_the_cache(api_a, weekly_series):
    week(api_a)  # cached as JSON
    page = api_a.get("/api/v1/meetings/", WEEK, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Raum Linde" in page.content.decode()


def test_the_list_of_meetings_is_exactly_what_the_serializer_shows(api_a, weekly_series, room_a, group_a):
    """The list reads plain rows (meeting_rows_data) for speed: every kind of meeting must come
    out as MeetingSerializer shows it, field for field."""
    import json

    from meetings.api.serializers.meetings import MeetingSerializer
    from meetings.selectors import meeting_list

    first, second, *_ = every(Meeting).filter(series=weekly_series).order_by("starts_at")
    meeting_changes.meeting_move(
        actor=None, meeting=second, starts_at=datetime(2026, 12, 9, 17, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 9, 18, 30, tzinfo=UTC),
    )  # fmt: skip
    meeting_changes.meeting_cancel(actor=None, meeting=first, note="Fällt aus")
    meeting_changes.one_off_create(
        actor=None, centre=room_a.centre, room=room_a, title="Infoabend", note="Mit Gästen",
        starts_at=datetime(2026, 12, 10, 17, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 10, 18, 0, tzinfo=UTC),
    )  # fmt: skip
    answer = api_a.get("/api/v1/meetings/", {"starts_before": "2026-12-31T00:00:00Z"})
    listed = answer.json()["results"]
    with caching_scope(room_a.centre_id):
        expected = MeetingSerializer(
            meeting_list().filter(starts_at__lt=datetime(2026, 12, 31, tzinfo=UTC)).order_by("starts_at", "id"),
            many=True,
        ).data
    assert listed == json.loads(json.dumps(expected))
    kinds = {(m["status"], bool(m["original_starts_at"]), bool(m["title"]), bool(m["group"])) for m in listed}
    assert len(kinds) >= 3  # cancelled, moved and a one-off without a group are all there


def caching_scope(centre_id):
    from centres.scoping import centre_scope

    return centre_scope(centre_id)


@pytest.mark.django_db(transaction=True)
def test_a_change_that_commits_after_a_later_one_still_moves_the_version(requires_postgres, centre_a):
    """PostgreSQL hands out ids at insert, not at commit. A transaction that recorded its change
    first but commits last must still move the version past every answer read before it."""
    import threading

    from django.db import connection as main_connection

    recorded, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer() -> None:
        from django.db import connection

        try:
            with transaction.atomic():
                caching.calendar_changed(centre_a.pk)  # the smaller id
                recorded.set()
                release.wait(timeout=10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert recorded.wait(timeout=10)
    with transaction.atomic():
        caching.calendar_changed(centre_a.pk)  # a larger id, committed first
    read_before = caching.calendar_version([centre_a.pk])  # an answer cached now is without the slow change
    release.set()
    assert done.wait(timeout=10)
    thread.join()
    assert caching.calendar_version([centre_a.pk]) > read_before
    main_connection.close()


def test_page_links_follow_the_address_asked(api_a, weekly_series, centre_a):
    series_services.series_create(
        actor=None, group=GroupFactory(centre=centre_a), room=RoomFactory(location__centre=centre_a),
        rule="FREQ=WEEKLY;BYDAY=WE", starts_on=date(2026, 12, 2), start_time=time(10, 0), duration_minutes=60,
    )  # fmt: skip
    plain = api_a.get("/api/v1/meetings/", {**WEEK, "page_size": 1}).json()["next"]
    secure = api_a.get("/api/v1/meetings/", {**WEEK, "page_size": 1}, secure=True).json()["next"]
    assert plain.startswith("http://testserver/api/v1/meetings/")
    assert secure.startswith("https://testserver/api/v1/meetings/")
