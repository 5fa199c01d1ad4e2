"""Logins are throttled: repeated failures lock the username out from that address."""

import pytest

pytestmark = pytest.mark.django_db


def attempt(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_admin_login_works_for_centre_staff(client, coordinator_a):
    response = attempt(client, coordinator_a.username, "correct-horse-battery")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_repeated_failures_lock_out_even_the_right_password(client, coordinator_a, settings):
    statuses = [attempt(client, coordinator_a.username, "wrong-password").status_code for _ in range(5)]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert statuses == [200, 200, 200, 200, 429]
    response = attempt(client, coordinator_a.username, "correct-horse-battery")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_username_does_not_lock_another(client, coordinator_a, centre_admin_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, coordinator_a.username, "wrong-password")
    assert attempt(client, centre_admin_a.username, "correct-horse-battery").status_code == 302
