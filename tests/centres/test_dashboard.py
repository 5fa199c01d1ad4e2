"""The workspace dashboard: centres draws the frame, each app its cards through the registry."""

import re

import pytest

from centres.dashboard import dashboard_context
from tests.config.test_code_shape import ROOT

pytestmark = pytest.mark.django_db

CARDS_IN_ORDER = [
    "Today's meetings",  # meetings
    "Requests from groups",
    "Enquiries waiting",  # intake
    "Next events",  # events
    "Groups needing starters",  # volunteers
    "Phase-outs due",
    "Newsletters",  # notifications
    "Failed mails",
]


def test_the_dashboard_shows_every_apps_cards_in_their_order(client, coordinator_a, centre_a):
    client.force_login(coordinator_a)
    response = client.get(f"/centres/{centre_a.slug}/workspace/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    headings = re.findall(r"<h2>(.*?)</h2>", response.content.decode())
    assert [heading.replace("&#x27;", "'") for heading in headings] == CARDS_IN_ORDER
    assert "No meetings today." in response.content.decode()


def test_each_registered_app_brings_its_own_card_template(centre_a):
    from django.utils import timezone

    from centres.scoping import centre_scope

    with centre_scope(centre_a.pk):
        cards = dashboard_context(centre_a, timezone.localdate())["dashboard_cards"]
    assert cards == [
        "meetings/dashboard_cards.html",
        "intake/dashboard_cards.html",
        "events/dashboard_cards.html",
        "volunteers/dashboard_cards.html",
        "notifications/dashboard_cards.html",
    ]


def test_the_centres_dashboard_template_links_to_no_higher_apps_page():
    template = (ROOT / "centres" / "templates" / "centres" / "dashboard.html").read_text()
    assert "{% url" not in template


def test_the_apps_cards_speak_the_visitors_language(client, coordinator_a, centre_a):
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<h2>Heutige Treffen</h2>" in page
    assert "Today's meetings" not in page
