"""Every id a page's form points at exists on that page (help texts, labels), in the public
pages and the coordinators' workspace."""

import pytest
from django.urls import reverse

from tests.html_references import broken_references

pytestmark = pytest.mark.django_db

PUBLIC = ["centre-home", "group-finder", "enquiry", "volunteer-signup", "newsletter-subscribe"]
WORKSPACE = [
    "workspace",
    "room-planner",
    "workspace-groups",
    "workspace-intake",
    "workspace-volunteers",
    "workspace-newsletters",
    "outbox",
]


def test_the_checker_finds_a_reference_that_leads_nowhere():
    page = '<label for="name">Name</label><input id="name" aria-describedby="name_helptext">'
    assert broken_references(page) == ["<input aria-describedby='name_helptext'>"]
    assert broken_references(page + '<small id="name_helptext">Your name</small>') == []


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_point_only_at_ids_they_have(client, centre_a, name):
    response = client.get(reverse(name, args=[centre_a.slug]))
    assert response.status_code == 200
    assert broken_references(response.content.decode()) == []


@pytest.mark.parametrize("name", WORKSPACE)
def test_workspace_pages_point_only_at_ids_they_have(client, coordinator_a, centre_a, name):
    client.force_login(coordinator_a)
    response = client.get(reverse(name, args=[centre_a.slug]))
    assert response.status_code == 200
    assert broken_references(response.content.decode()) == []


def test_the_volunteer_login_points_only_at_ids_it_has(client):
    response = client.get(reverse("volunteer-login"))
    assert response.status_code == 200
    assert broken_references(response.content.decode()) == []
