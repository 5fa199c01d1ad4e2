"""The public pages of a centre: its home, the group finder and its filters, a group's page and
the privacy notice. Groups only, never a member; bad filters change nothing."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Group, Location, Membership
from tests.factories import GroupFactory, PersonFactory, TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def listed(weekly_series, centre_a):
    """The Tuesday group (German, in room A) with a member, and a Danish group without dates."""
    group = weekly_series.group
    every(Group).filter(pk=group.pk).update(status="starting", languages=["de"])
    member = PersonFactory(centre=centre_a, display_name="Hildegard Verborgen", email="hildegard@example.net")
    every(Membership).create(centre=centre_a, group=group, person=member, joined_on=datetime(2026, 1, 1).date())
    other = GroupFactory(centre=centre_a, name="Dansk gruppe", languages=["da"], status="self_run")
    hidden = GroupFactory(centre=centre_a, name="Nicht gelistet", publicly_listed=False)
    return group, other, hidden


def test_the_group_finder_lists_public_groups_with_their_next_meeting(client, centre_a, listed):
    group, other, hidden = listed
    page = client.get(f"/centres/{centre_a.slug}/groups/").content.decode()
    assert group.name in page
    assert other.name in page
    assert hidden.name not in page
    assert "Next: Tuesday, 1 December 2026, 19:00" in page
    assert "Hildegard" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("language=da", ["Dansk gruppe"]),
        ("weekday=1", ["Dienstagsgruppe"]),
        ("weekday=2", []),
        ("step_free=on", []),
        ("topic=999999999999999999999", ["Dansk gruppe", "Dienstagsgruppe"]),  # not understood: all
        ("weekday=9", ["Dansk gruppe", "Dienstagsgruppe"]),
    ],
)
def test_the_group_finder_filters(client, centre_a, listed, query, expected):
    page = client.get(f"/centres/{centre_a.slug}/groups/?{query}")
    assert page.status_code == 200
    shown = [group for group in ("Dansk gruppe", "Dienstagsgruppe") if group in page.content.decode()]
    assert shown == expected


def test_step_free_and_place_filters_follow_the_rooms(client, centre_a, listed, room_a):
    room_a.step_free_access = True
    room_a.save(update_fields=["step_free_access"])
    page = client.get(f"/centres/{centre_a.slug}/groups/?step_free=on").content.decode()
    assert "Dienstagsgruppe" in page
    assert "Dansk gruppe" not in page
    every(Location).filter(pk=room_a.location_id).update(latitude=52.3705, longitude=9.7332)  # Hannover
    near = client.get(f"/centres/{centre_a.slug}/groups/?place=30159&radius=5").content.decode()
    assert "Dienstagsgruppe" in near
    assert "less than 1 km away" in near
    far = client.get(f"/centres/{centre_a.slug}/groups/?place=Berlin&radius=100").content.decode()
    assert "Dienstagsgruppe" not in far
    unknown = client.get(f"/centres/{centre_a.slug}/groups/?place=Atlantis").content.decode()
    assert "We don&#x27;t know the place “Atlantis”" in unknown
    assert "Dienstagsgruppe" in unknown  # the place is left out, the rest still searched


def test_the_group_finder_costs_the_same_for_one_group_and_many(client, centre_a, listed):
    from meetings import caching

    client.get(f"/centres/{centre_a.slug}/groups/")
    caching.clear()  # the list is cached: measure it being made
    with CaptureQueriesContext(connection) as one:
        client.get(f"/centres/{centre_a.slug}/groups/")
    for _ in range(3):
        GroupFactory(centre=centre_a, topic=TopicFactory(centre=centre_a))
    client.get(f"/centres/{centre_a.slug}/groups/")  # the changed centre's listings are rebuilt once
    caching.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(f"/centres/{centre_a.slug}/groups/")
    with CaptureQueriesContext(connection) as cached:
        client.get(f"/centres/{centre_a.slug}/groups/")
    assert len(many) == len(one)
    assert len(cached) == len(many) - 4  # the count, the page, its listings and meetings come from the cache


def test_a_group_page_shows_dates_places_and_the_way_to_join(client, centre_a, listed):
    group, _other, hidden = listed
    page = client.get(f"/centres/{centre_a.slug}/groups/{group.public_id}/").content.decode()
    assert "Tuesday, 1 December 2026, 19:00</strong>–21:00" in page
    assert f"/centres/{centre_a.slug}/enquiry/?topic={group.topic_id}" in page
    assert f"/calendar/groups/{group.public_id}.ics" in page
    assert "Hildegard" not in page
    assert client.get(f"/centres/{centre_a.slug}/groups/{hidden.public_id}/").status_code == 404
    assert client.get(f"/centres/other/groups/{group.public_id}/").status_code == 404


def test_ask_to_join_preselects_the_groups_topic(client, centre_a, listed):
    group = listed[0]
    page = client.get(f"/centres/{centre_a.slug}/enquiry/?topic={group.topic_id}").content.decode()
    assert f'value="{group.topic_id}" id="id_topics_0" checked' in page


def test_the_centre_home_and_privacy_notice(client, centre_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    home = client.get(f"/centres/{centre_a.slug}/").content.decode()
    for path in ("groups/", "enquiry/", "volunteer/", "newsletter/", "privacy/"):
        assert f"/centres/{centre_a.slug}/{path}" in home
    privacy = client.get(f"/centres/{centre_a.slug}/privacy/").content.decode()
    assert "anonymised after 6 months" in privacy
    centre_a.volunteer_retention_months = 30
    centre_a.save(update_fields=["volunteer_retention_months"])
    privacy = client.get(f"/centres/{centre_a.slug}/privacy/").content.decode()
    assert "your address for 6 months" in privacy
    assert "after 12 months" in privacy
    assert "deleted 30 months after they stop" in privacy
    assert client.get("/centres/nowhere/").status_code == 404
    assert client.get("/centres/nowhere/privacy/").status_code == 404


def test_dates_follow_the_language(client, centre_a, listed):
    group = listed[0]
    german = client.get(f"/centres/{centre_a.slug}/groups/{group.public_id}/", HTTP_ACCEPT_LANGUAGE="de")
    assert "Dienstag, 1. Dezember 2026, 19:00</strong>–21:00" in german.content.decode()


def test_public_pages_answer_head_like_get_and_refuse_writes(client, centre_a, listed):
    """Link checkers and calendar clients ask with HEAD first; the answer matches GET's status and
    type without a body. Writing to a read-only page is still refused."""
    group = listed[0]
    paths = (
        f"/centres/{centre_a.slug}/",
        f"/centres/{centre_a.slug}/privacy/",
        f"/centres/{centre_a.slug}/groups/",
        f"/centres/{centre_a.slug}/groups/{group.public_id}/",
        f"/calendar/groups/{group.public_id}.ics",
    )
    for path in paths:
        got, head = client.get(path), client.head(path)
        assert got.status_code == head.status_code == 200, path
        assert head["Content-Type"] == got["Content-Type"], path
        assert head.content == b"", path
        assert got.content, path
        assert client.post(path).status_code == 405, path
    assert client.head("/centres/nowhere/").status_code == 404
