"""Partner websites may frame the finder and a group's page, and only those the centre (or the
platform, for the finder over every centre) names; every other page refuses every frame."""

import pytest
from django.test import override_settings

from centres.models import DiscreetListing
from meetings.models import Group
from tests.factories import GroupFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    (directive,) = [part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors")]
    return directive


@pytest.fixture
def partner(centre_a):
    centre_a.frame_origins = "https://www.kibis-beispiel.de\nhttps://*.stadt-beispiel.de/\n"
    centre_a.save(update_fields=["frame_origins"])
    return GroupFactory(centre=centre_a, name="Trauercafé")


def test_the_embedded_pages_may_be_framed_by_the_named_websites_only(client, centre_a, partner):
    for path in (
        f"/embed/centres/{centre_a.slug}/groups/",
        f"/embed/centres/{centre_a.slug}/groups/{partner.public_id}/",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert frame_ancestors(answer) == "frame-ancestors https://*.stadt-beispiel.de https://www.kibis-beispiel.de"
        assert "X-Frame-Options" not in answer, path
        assert "Trauercafé" in answer.content.decode()
        assert 'class="site-header"' not in answer.content.decode()  # the compact layout


@override_settings(DIRECTORY_FRAME_ORIGINS=["https://www.selbsthilfe-portal.example"])
def test_the_finder_over_every_centre_is_framed_by_the_platforms_websites(client, centre_a, centre_b, partner):
    answer = client.get("/embed/groups/")
    assert frame_ancestors(answer) == "frame-ancestors https://www.selbsthilfe-portal.example"
    # A group's page opened from that frame is framed there too, besides the centre's own sites.
    group_page = client.get(f"/embed/centres/{centre_a.slug}/groups/{partner.public_id}/")
    assert "https://www.selbsthilfe-portal.example" in frame_ancestors(group_page)
    other = client.get(f"/embed/centres/{centre_b.slug}/groups/")
    assert frame_ancestors(other) == "frame-ancestors https://www.selbsthilfe-portal.example"


def test_a_centre_that_names_no_website_is_framed_by_none(client, centre_b):
    assert frame_ancestors(client.get("/embed/groups/")) == "frame-ancestors 'none'"
    assert frame_ancestors(client.get(f"/embed/centres/{centre_b.slug}/groups/")) == "frame-ancestors 'none'"


def test_every_other_page_refuses_every_frame(client, centre_a, partner):
    for path in (
        "/",
        "/groups/",
        f"/centres/{centre_a.slug}/",
        f"/centres/{centre_a.slug}/groups/",
        f"/centres/{centre_a.slug}/groups/{partner.public_id}/",
        f"/centres/{centre_a.slug}/enquiry/",
        "/workspace/login/",
    ):
        answer = client.get(path)
        assert frame_ancestors(answer) == "frame-ancestors 'none'", path
        assert answer["X-Frame-Options"] == "DENY", path


def test_the_embedded_finder_keeps_its_links_in_the_frame_and_opens_asking_outside(client, centre_a, partner):
    page = client.get(f"/embed/centres/{centre_a.slug}/groups/").content.decode()
    assert f'href="/embed/centres/{centre_a.slug}/groups/{partner.public_id}/?lang=en"' in page
    danish = client.get(f"/embed/centres/{centre_a.slug}/groups/?lang=da").content.decode()
    assert f'href="/embed/centres/{centre_a.slug}/groups/{partner.public_id}/?lang=da"' in danish
    assert '<input type="hidden" name="lang" value="da">' in danish  # a search in the frame stays Danish
    group = client.get(f"/embed/centres/{centre_a.slug}/groups/{partner.public_id}/").content.decode()
    assert f'href="/centres/{centre_a.slug}/enquiry/?topic={partner.topic_id}" target="_blank" rel="noopener"' in group
    assert (
        f'<link rel="canonical" href="http://testserver/centres/{centre_a.slug}/groups/{partner.public_id}/">' in group
    )


def test_a_hidden_discreet_group_is_not_in_the_frame_either(client, centre_a, partner):
    every(Group).filter(pk=partner.pk).update(discreet=True)
    centre_a.discreet_groups_listed = DiscreetListing.HIDDEN
    centre_a.save(update_fields=["discreet_groups_listed"])
    assert client.get(f"/embed/centres/{centre_a.slug}/groups/{partner.public_id}/").status_code == 404
    assert "Trauercafé" not in client.get(f"/embed/centres/{centre_a.slug}/groups/").content.decode()


def test_the_frame_wears_the_centres_colour(client, centre_a):
    assert ":root { --accent: #0b5e44; }" in client.get(f"/embed/centres/{centre_a.slug}/style.css").content.decode()
    centre_a.brand_colour = "#7a1f5c"
    centre_a.save(update_fields=["brand_colour"])
    style = client.get(f"/embed/centres/{centre_a.slug}/style.css")
    assert style["Content-Type"] == "text/css; charset=utf-8"
    assert style.content.decode() == ":root { --accent: #7a1f5c; }\n"
    assert client.get("/embed/centres/nowhere/style.css").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("frame_origins", "http://www.example.org", "http://www.example.org: give each website as https://"),
        ("frame_origins", "https://example.org/finder", "https://example.org/finder: give each website"),
        ("frame_origins", "https://example.org; script-src *", "give each website as https://"),
        ("frame_origins", "*", "*: give each website"),
        ("brand_colour", "#ffee00", "#ffee00 is too light for white text on buttons"),
        ("brand_colour", "red", "Give the colour as # and six hex digits"),
    ],
)
def test_the_settings_refuse_a_website_or_colour_that_would_not_work(
    client, centre_a, centre_admin_a, field, value, message
):
    from centres.services.centre import CENTRE_EDITABLE_FIELDS

    client.force_login(centre_admin_a)
    data = {name: getattr(centre_a, name) for name in CENTRE_EDITABLE_FIELDS}
    data = {name: ("on" if value is True else value) for name, value in data.items() if value not in (False, None)}
    answer = client.post(f"/centres/{centre_a.slug}/workspace/settings/", {**data, field: value})
    assert answer.status_code == 400
    assert message in answer.content.decode().replace("&#x27;", "'")
    centre_a.refresh_from_db()
    assert getattr(centre_a, field) == ""


def test_the_workspace_gives_the_code_to_paste(client, centre_a, centre_admin_a, partner):
    client.force_login(centre_admin_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/embed/").content.decode()
    assert (
        f"&lt;iframe src=&quot;http://testserver/embed/centres/{centre_a.slug}/groups/&quot;" in page
        or f'&lt;iframe src="http://testserver/embed/centres/{centre_a.slug}/groups/"' in page
    )
    assert "<code>https://www.kibis-beispiel.de</code>" in page
