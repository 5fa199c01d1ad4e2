"""Staff come in through the workspace's own login page and leave by its logout; the header says
who is logged in and offers their other centres; a federation admin lands on the counts."""

import pytest
from django.contrib.auth import get_user_model

from centres.models import FederationRole, StaffRole
from tests.factories import PersonFactory, StaffRoleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

PASSWORD = "correct-horse-battery"


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_coordinator_logs_in_on_the_workspace_page_and_out_again(client, centre_a, coordinator_a):
    with_password(coordinator_a)
    asked = client.get(f"/centres/{centre_a.slug}/planner/")
    assert asked.url == f"/workspace/login/?next=/centres/{centre_a.slug}/planner/"
    wrong = client.post("/workspace/login/", {"username": coordinator_a.username, "password": "nope"})
    assert wrong.status_code == 200
    assert 'id="error-summary"' in wrong.content.decode()
    answer = client.post(
        "/workspace/login/",
        {"username": coordinator_a.username, "password": PASSWORD, "next": f"/centres/{centre_a.slug}/planner/"},
    )
    assert answer.url == f"/centres/{centre_a.slug}/planner/"
    page = client.get(answer.url).content.decode()
    assert f"Logged in as {coordinator_a.username}" in page
    assert 'aria-current="page">Room planner' in page
    out = client.post("/workspace/logout/")
    assert out.url == "/workspace/login/"
    assert "You are logged out." in client.get(out.url).content.decode()
    assert client.get(f"/centres/{centre_a.slug}/planner/").status_code == 302


def test_the_header_offers_the_other_centres_of_the_user_only(client, centre_a, centre_b, coordinator_a):
    client.force_login(coordinator_a)
    alone = client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    assert "Other contact points" not in alone
    StaffRoleFactory(centre=centre_b, user=coordinator_a, role=StaffRole.Role.COORDINATOR)
    both = client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    assert f'href="/centres/{centre_b.slug}/workspace/"' in both
    assert both.count("Selvhjælpscenter B") == 1


def test_a_federation_admin_sees_counts_per_centre_and_no_person(client, centre_a, centre_b):
    PersonFactory(centre=centre_a, display_name="Nora Niemand", email="nora@example.net")
    admin = with_password(get_user_model().objects.create_user(username="verband"))
    FederationRole.objects.create(user=admin)
    answer = client.post("/workspace/login/", {"username": "verband", "password": PASSWORD})
    landed = client.get(answer.url)
    assert landed.url == "/federation/"
    page = client.get("/federation/").content.decode()
    assert "2 contact points; people known in all: 1." in page
    assert "Kontaktstelle A" in page
    assert "Nora" not in page
    assert "nora@example.net" not in page


def test_the_federation_page_is_hidden_from_centre_staff(client, coordinator_a):
    client.force_login(coordinator_a)
    assert client.get("/federation/").status_code == 404
