"""What search engines see: a sitemap of the public pages in every language, one address per
language with `hreflang` alternates, structured data of centres and groups, and a robots file
that keeps them out of personal pages. No personal data in any of it."""

import json
import re

import pytest

from centres.models import DiscreetListing
from meetings.models import Group, Membership
from tests.factories import GroupFactory, PersonFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def public(weekly_series, centre_a):
    group = weekly_series.group
    person = PersonFactory(centre=centre_a, display_name="Hildegard Verborgen", email="hildegard@example.net")
    every(Membership).create(centre=centre_a, group=group, person=person, joined_on=weekly_series.starts_on)
    hidden = GroupFactory(centre=centre_a, name="Nicht gelistet", publicly_listed=False)
    return group, hidden


def structured(page: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    return json.loads(block)


def test_the_sitemap_lists_every_public_page_in_every_language(client, centre_a, public):
    group, hidden = public
    sitemap = client.get("/sitemap.xml").content.decode()
    for path in (
        "/",
        "/groups/",
        "/open-data/",
        f"/centres/{centre_a.slug}/",
        f"/centres/{centre_a.slug}/groups/",
        f"/centres/{centre_a.slug}/groups/{group.public_id}/",
    ):
        for code in ("en", "de", "da", "nl"):
            assert f"<loc>http://testserver{path}?lang={code}</loc>" in sitemap, (path, code)
        assert f'hreflang="x-default" href="http://testserver{path}?lang=en"' in sitemap, path
    assert str(hidden.public_id) not in sitemap
    for private in ("Hildegard", "/m/", "/g/", "/workspace/"):
        assert private not in sitemap


def test_a_hidden_discreet_group_is_not_in_the_sitemap(client, centre_a, public):
    group, _hidden = public
    every(Group).filter(pk=group.pk).update(discreet=True)
    centre_a.discreet_groups_listed = DiscreetListing.HIDDEN
    centre_a.save(update_fields=["discreet_groups_listed"])
    assert str(group.public_id) not in client.get("/sitemap.xml").content.decode()


def test_a_page_names_its_address_in_each_language_and_is_shown_in_the_one_asked(client, centre_a, public):
    group, _hidden = public
    path = f"/centres/{centre_a.slug}/groups/{group.public_id}/"
    page = client.get(f"{path}?lang=de").content.decode()
    assert f'<link rel="canonical" href="http://testserver{path}?lang=de">' in page
    for code in ("en", "de", "da", "nl"):
        assert f'<link rel="alternate" hreflang="{code}" href="http://testserver{path}?lang={code}">' in page
    assert '<html lang="de">' in page
    assert "Dienstag, 1. Dezember 2026" in page
    danish = client.get(f"{path}?lang=da")
    assert danish["Content-Language"] == "da"
    assert "tirsdag" in danish.content.decode()
    assert client.cookies["django_language"].value == "da"  # the next pages stay in Danish
    assert '<html lang="da">' in client.get(f"/centres/{centre_a.slug}/").content.decode()
    assert client.cookies["django_language"].value == "da"
    assert '<html lang="da">' in client.get(f"{path}?lang=xx").content.decode()  # unknown: ignored


def test_structured_data_describes_the_centre_and_the_group_without_members(client, centre_a, public):
    group, _hidden = public
    page = client.get(f"/centres/{centre_a.slug}/groups/{group.public_id}/").content.decode()
    data = structured(page)
    assert data["@type"] == "Organization"
    assert data["name"] == "Dienstagsgruppe"
    assert data["parentOrganization"]["name"] == "Kontaktstelle A"
    assert data["event"][0]["startDate"] == "2026-12-01T19:00:00+01:00"
    assert "Hildegard" not in json.dumps(data)
    centre = structured(client.get(f"/centres/{centre_a.slug}/").content.decode())
    assert (centre["@type"], centre["name"]) == ("Organization", "Kontaktstelle A")


def test_a_discreet_groups_structured_data_has_no_times(client, centre_a, public):
    group, _hidden = public
    every(Group).filter(pk=group.pk).update(discreet=True, name="Gesprächskreis </script><script>alert(1)")
    page = client.get(f"/centres/{centre_a.slug}/groups/{group.public_id}/").content.decode()
    data = structured(page)
    assert "event" not in data
    assert data["name"] == "Gesprächskreis </script><script>alert(1)"  # escaped inside, whole once read
    assert "<script>alert" not in page


def test_robots_keep_search_engines_out_of_personal_pages(client):
    robots = client.get("/robots.txt").content.decode()
    for path in ("/m/", "/g/", "/workspace/", "/api/", "/embed/", "/evaluation/"):
        assert f"Disallow: {path}\n" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots
