"""The federation's group finder (`/groups/`) and a centre's finder as a view of it: words in the
visitor's language, typos, filters, distance, discretion and tenancy. Groups only, never a member."""

from datetime import UTC, date, datetime, time

import pytest

from centres.models import Centre, DiscreetListing
from meetings import caching
from meetings.models import Group, GroupListing, Location, Membership, Mode, Topic, TopicCategory
from meetings.models.directory import Daypart, slot_bit
from meetings.services import series as series_services
from meetings.services.directory import directory_refresh, directory_refresh_stale
from tests.factories import (
    CentreFactory,
    GroupFactory,
    LocationFactory,
    MembershipFactory,
    PersonFactory,
    RoomFactory,
    TopicFactory,
    every,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

MONDAY = date(2027, 3, 1)


@pytest.fixture
def now(frozen_now):
    return frozen_now(datetime(2027, 2, 26, 9, 0, tzinfo=UTC))  # a Friday


def meets(group: Group, *, day: str = "TU", at: time = time(19, 0), room=None, mode: str = Mode.ROOM):
    """A weekly series for the group from the week of MONDAY, in `room` (or online)."""
    if mode == Mode.ROOM and room is None:
        room = RoomFactory(location__centre=group.centre)
    series_services.series_create(
        actor=None,
        group=group,
        room=room if mode != Mode.ONLINE else None,
        rule=f"FREQ=WEEKLY;BYDAY={day}",
        starts_on=MONDAY,
        start_time=at,
        duration_minutes=90,
        mode=mode,
        video_link="https://video.example/room-4711" if mode == Mode.ONLINE else "",
    )
    return group


def shown(client, query: str = "", path: str = "/groups/", **headers) -> list[str]:
    page = client.get(f"{path}?{query}", **headers)
    assert page.status_code == 200
    body = page.content.decode()
    names = [listing.name for listing in GroupListing.objects.order_by("name")]
    return sorted(name for name in names if f">{name}</a>" in body)


@pytest.fixture
def hannover(now):
    centre = CentreFactory(slug="hannover", name="KIBIS Hannover", postal_code="30159", city="Hannover", country="DE")
    grief = TopicFactory(
        centre=centre,
        name="Trauer",
        name_translations={"en": "Grief", "da": "Sorg"},
        category=TopicCategory.objects.get(code="social"),
    )
    mood = TopicFactory(centre=centre, name="Depression", category=TopicCategory.objects.get(code="psychosocial"))
    linden = LocationFactory(centre=centre, name="Haus Linden", latitude=52.3705, longitude=9.7332)
    room = RoomFactory(location=linden, step_free_access=True, hearing_loop=True)
    return {
        "centre": centre,
        "Trauercafé": meets(
            GroupFactory(centre=centre, topic=grief, name="Trauercafé", description="Für trauernde Angehörige."),
            room=room,
        ),
        "Lichtblick": meets(
            GroupFactory(centre=centre, topic=mood, name="Lichtblick", languages=["de", "en"], age_band="18-35"),
            day="SA",
            at=time(10, 0),
        ),
        "Online-Runde": meets(GroupFactory(centre=centre, topic=mood, name="Online-Runde"), mode=Mode.ONLINE),
    }


@pytest.fixture
def berlin(now):
    centre = CentreFactory(slug="berlin", name="SEKIS Berlin", postal_code="10115", city="Berlin", country="DE")
    house = LocationFactory(centre=centre, name="Haus Mitte", latitude=52.52, longitude=13.405)
    topic = TopicFactory(centre=centre, name="Sucht", category=TopicCategory.objects.get(code="addiction"))
    return {
        "centre": centre,
        "Nüchtern": meets(GroupFactory(centre=centre, topic=topic, name="Nüchtern"), room=RoomFactory(location=house)),
    }


def test_the_federation_finder_lists_every_centres_public_groups_and_whom_to_ask(client, hannover, berlin):
    MembershipFactory(
        group=hannover["Trauercafé"],
        person=PersonFactory(centre=hannover["centre"], display_name="Hildegard Verborgen"),
    )
    GroupFactory(centre=berlin["centre"], name="Unlisted", publicly_listed=False)
    GroupFactory(centre=berlin["centre"], name="Closed", status=Group.Status.CLOSED)
    GroupFactory(centre=berlin["centre"], name="Paused", status=Group.Status.PAUSED)
    page = client.get("/groups/").content.decode()
    assert shown(client) == ["Lichtblick", "Nüchtern", "Online-Runde", "Trauercafé"]
    assert "Ask: KIBIS Hannover" in page
    assert "Ask: SEKIS Berlin" in page
    assert "/centres/berlin/enquiry/" in page
    for private in ("Hildegard", "Unlisted", "Closed", "Paused", "video.example"):
        assert private not in page


def test_a_centres_finder_shows_only_its_own_groups(client, hannover, berlin):
    assert shown(client, path="/centres/berlin/groups/") == ["Nüchtern"]
    assert shown(client, "q=Trauer", path="/centres/berlin/groups/") == []


@pytest.mark.usefixtures("requires_postgres")
def test_words_are_matched_by_stem_in_the_visitors_language_and_despite_typos(client, hannover, berlin):
    assert shown(client, "q=Angehöriger", HTTP_ACCEPT_LANGUAGE="de") == ["Trauercafé"]  # German stems
    assert shown(client, "q=grief", HTTP_ACCEPT_LANGUAGE="en") == ["Trauercafé"]  # the topic's English name
    assert shown(client, "q=Depresion") == ["Lichtblick", "Online-Runde"]  # a typo
    assert shown(client, "q=Lichtblik") == ["Lichtblick"]
    assert shown(client, "q=Quantenphysik") == []


def test_words_are_matched_without_postgresql_too(client, hannover, berlin):
    assert shown(client, "q=trauernde") == ["Trauercafé"]
    assert shown(client, "q=sorg", HTTP_ACCEPT_LANGUAGE="da") == ["Trauercafé"]
    assert shown(client, "q=nüchtern") == ["Nüchtern"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("weekday=1", ["Nüchtern", "Online-Runde", "Trauercafé"]),
        ("weekday=5", ["Lichtblick"]),
        ("daypart=1", ["Lichtblick"]),
        ("daypart=4", ["Nüchtern", "Online-Runde", "Trauercafé"]),
        ("weekday=5&daypart=1", ["Lichtblick"]),  # Saturday morning
        ("weekday=5&daypart=4", []),  # nobody meets on Saturday evening
        ("weekday=1&daypart=1", []),
        ("language=en", ["Lichtblick"]),
        ("age_band=18-35", ["Lichtblick", "Nüchtern", "Online-Runde", "Trauercafé"]),  # "any age" fits too
        ("age_band=60%2B", ["Nüchtern", "Online-Runde", "Trauercafé"]),
        ("hearing_loop=on", ["Trauercafé"]),
        ("step_free=on", ["Online-Runde", "Trauercafé"]),
        ("online=on", ["Online-Runde"]),
        ("weekday=9", ["Lichtblick", "Nüchtern", "Online-Runde", "Trauercafé"]),  # not understood: left out
        ("radius=7&page=x&daypart=3", ["Lichtblick", "Nüchtern", "Online-Runde", "Trauercafé"]),
    ],
)
def test_the_filters(client, hannover, berlin, query, expected):
    assert shown(client, query) == expected


def test_the_topic_category_filter(client, hannover, berlin):
    mental = TopicCategory.objects.get(code="psychosocial")
    assert shown(client, f"category={mental.pk}") == ["Lichtblick", "Online-Runde"]


def test_a_place_finds_the_groups_near_it_nearest_first(client, hannover, berlin):
    page = client.get("/groups/?place=30159&radius=25").content.decode()
    assert shown(client, "place=30159&radius=25") == ["Lichtblick", "Online-Runde", "Trauercafé"]
    assert "less than 1 km away" in page
    assert shown(client, "place=Berlin&radius=10") == ["Nüchtern"]
    assert shown(client, "place=Potsdam&radius=50") == ["Nüchtern"]
    assert shown(client, "place=Potsdam&radius=5") == []
    potsdam = LocationFactory(centre=berlin["centre"], name="Haus Potsdam", latitude=52.3989, longitude=13.0657)
    meets(GroupFactory(centre=berlin["centre"], name="Havelrunde"), room=RoomFactory(location=potsdam))
    for place, nearest_first in (("Potsdam", ["Havelrunde", "Nüchtern"]), ("10115", ["Nüchtern", "Havelrunde"])):
        page = client.get(f"/groups/?place={place}&radius=50").content.decode()
        assert sorted(nearest_first, key=page.index) == nearest_first, place


def test_an_unknown_place_is_named_and_left_out(client, hannover):
    page = client.get("/groups/?place=Atlantis").content.decode()
    assert "We don&#x27;t know the place “Atlantis”" in page
    assert shown(client, "place=Atlantis") == ["Lichtblick", "Online-Runde", "Trauercafé"]


def test_newcomers_and_places(client, hannover):
    every(Group).filter(pk=hannover["Lichtblick"].pk).update(min_size=2, max_size=2)
    every(Group).filter(pk=hannover["Online-Runde"].pk).update(accepts_newcomers=False)
    for _ in range(2):
        MembershipFactory(group=hannover["Lichtblick"])
    directory_refresh(hannover["centre"].pk)  # members come and go without a calendar change
    assert shown(client, "newcomers=on") == ["Lichtblick", "Trauercafé"]
    assert shown(client, "has_places=on") == ["Trauercafé"]
    assert "full at the moment" in client.get("/groups/?q=Lichtblick").content.decode()


def test_a_discreet_group_is_shown_as_its_centre_decides(client, hannover):
    centre = hannover["centre"]
    every(Group).filter(pk=hannover["Trauercafé"].pk).update(discreet=True)
    group = hannover["Trauercafé"]
    for listed, in_finder, on_tuesday, times in (
        (DiscreetListing.WITH_TIMES, True, True, True),
        (DiscreetListing.WITHOUT_TIMES, True, False, False),
        (DiscreetListing.HIDDEN, False, False, False),
    ):
        centre.discreet_groups_listed = listed
        centre.save(update_fields=["discreet_groups_listed"])
        assert ("Trauercafé" in shown(client)) is in_finder, listed
        assert ("Trauercafé" in shown(client, "weekday=1")) is on_tuesday, listed  # its day is not told
        assert ("Trauercafé" in shown(client, "place=30159&radius=5")) is in_finder, listed  # the centre's town
        found = client.get("/groups/?q=Trauercafé").content.decode()
        assert ("Next: Tuesday" in found) is times, listed
        assert ("Times and place: the contact point tells you." in found) is (in_finder and not times), listed
        page = client.get(f"/centres/hannover/groups/{group.public_id}/")
        assert page.status_code == (200 if in_finder else 404), listed
        assert ("19:00" in page.content.decode()) is times, listed
        feed = client.get(f"/calendar/groups/{group.public_id}.ics")
        assert feed.status_code == (200 if times else 404), listed


def test_a_change_shows_in_the_finder_at_once(client, hannover):
    assert shown(client, "q=Lichtblick") == ["Lichtblick"]
    group = hannover["Lichtblick"]
    group.name = "Morgenlicht"
    group.save(update_fields=["name"])  # a calendar change: the centre's listings are rebuilt
    assert shown(client, "q=Morgenlicht") == ["Morgenlicht"]
    every(Group).filter(pk=group.pk).update(publicly_listed=False)  # no signal: seen at the next build
    assert directory_refresh_stale([hannover["centre"].pk]) == 0
    directory_refresh(hannover["centre"].pk)
    assert shown(client, "q=Morgenlicht") == []


def test_a_long_or_strange_search_is_refused_kindly(client, hannover):
    for query in ("q=" + "x" * 101, "q=%00", "q=%27%22%3B--", "q=a%20%7C%20!%20(", "place=" + "9" * 90):
        page = client.get(f"/groups/?{query}")
        assert page.status_code == 200, query
    assert "Ensure this value has at most 100 characters" in client.get("/groups/?q=" + "x" * 101).content.decode()


def test_the_directory_has_a_row_per_listed_group_and_no_member(hannover):
    directory_refresh(hannover["centre"].pk)
    listing = GroupListing.objects.get(group=hannover["Trauercafé"])
    assert (listing.slots, listing.step_free, listing.hearing_loop) == (slot_bit(1, Daypart.EVENING), True, True)
    assert (listing.latitude, listing.longitude, listing.town) == (52.3705, 9.7332, "Hannover")
    online = GroupListing.objects.get(group=hannover["Online-Runde"])
    assert (online.online, online.location_id, online.latitude) == (True, None, 52.3705)  # the centre's town
    assert Membership not in {field.related_model for field in GroupListing._meta.get_fields()}
    assert Topic.objects.filter(pk=listing.topic_id).exists()


def test_a_location_finds_its_point_from_its_postcode_unless_one_is_entered(hannover):
    from meetings.services import places

    centre = hannover["centre"]
    found = places.location_create(actor=None, centre=centre, name="Haus Süd", postal_code="30159", city="Hannover")
    assert (found.latitude, found.longitude) == (52.3705, 9.7332)
    moved = places.location_update(actor=None, location=found, postal_code="10115", city="Berlin")
    assert (moved.latitude, moved.longitude) == (52.5244, 13.4105)
    # A full update sends the old coordinates back with a new address: they are not "entered".
    full = places.location_update(
        actor=None,
        location=moved,
        postal_code="30159",
        city="Hannover",
        latitude=moved.latitude,
        longitude=moved.longitude,
    )
    assert (full.latitude, full.longitude) == (52.3705, 9.7332)
    entered = places.location_create(actor=None, centre=centre, name="Hof", latitude=52.1, longitude=9.9)
    assert (entered.latitude, entered.longitude) == (52.1, 9.9)
    nowhere = places.location_create(actor=None, centre=centre, name="Fern", postal_code="", city="Atlantis")
    assert (nowhere.latitude, nowhere.longitude) == (None, None)
    assert Location.objects.filter(centre=centre).count() == 5


def test_a_group_made_discreet_shows_no_times_even_before_its_listing_is_rebuilt(client, hannover):
    """The listing may be a build behind (another process holds the rebuild, or a change came
    without a signal); what the page shows of times is decided from the group as it is now."""
    assert "Next: Tuesday" in client.get("/groups/?q=Trauercafé").content.decode()
    every(Group).filter(pk=hannover["Trauercafé"].pk).update(discreet=True)  # no signal: no rebuild
    caching.clear()  # as after a change whose rebuild another process still holds
    page = client.get("/groups/?q=Trauercafé").content.decode()
    assert "Next: Tuesday" not in page
    assert "Times and place: the contact point tells you." in page
    every(Centre).filter(pk=hannover["centre"].pk).update(discreet_groups_listed=DiscreetListing.HIDDEN)
    caching.clear()
    assert "Trauercafé" not in shown(client, "q=Trauercafé")
