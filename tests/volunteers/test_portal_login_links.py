"""A volunteer portal login link opens the portal once, for 20 minutes, and only while the login's
password, address and last login are what they were when it was made."""

import time

import pytest
from django.utils import timezone

from centres.models import Person
from centres.scoping import all_centres_scope
from tests.factories import every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import Volunteer
from volunteers.services.accounts import LOGIN_LINK_MAX_AGE, portal_login_token_make, portal_user_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(centre_a):
    """Vera's portal login (a confirmed volunteer)."""
    with all_centres_scope():
        vera = make_volunteer(centre_a, email="vera@example.net")
        every(Volunteer).filter(pk=vera.pk).update(email_confirmed_at=timezone.now())
        return portal_user_for(volunteer=vera)


def link_for(user) -> str:
    with all_centres_scope():
        return f"/volunteer/login/{portal_login_token_make(user)}/"


def logs_in(client, link: str) -> bool:
    answer = client.post(link)
    logged_in = answer.status_code == 302 and "My groups" in client.get("/volunteer/").content.decode()
    client.post("/volunteer/logout/")
    return logged_in


def test_a_login_link_works_once(client, login):
    link = link_for(login)
    assert "Log in now" in client.get(link).content.decode()
    assert logs_in(client, link)
    assert not logs_in(client, link)
    assert client.get(link).status_code == 404


def test_a_login_link_expires_after_twenty_minutes(client, login, monkeypatch):
    link = link_for(login)
    later = time.time() + LOGIN_LINK_MAX_AGE + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert client.get(link).status_code == 404
    assert not logs_in(client, link)


def test_a_password_change_voids_a_login_link(client, login):
    """A volunteer still logged in elsewhere changes the password: a link mailed before opens nothing."""
    link = link_for(login)
    login.set_password("quiet harbour lamp 42")
    login.save()
    assert client.get(link).status_code == 404
    assert not logs_in(client, link)


def test_an_address_change_of_the_login_voids_a_login_link(client, login):
    link = link_for(login)
    type(login).objects.filter(pk=login.pk).update(email="vera.new@example.net")
    with all_centres_scope():
        every(Person).filter(volunteer__user=login).update(email="vera.new@example.net")
    assert not logs_in(client, link)
    # A link made for the new address works.
    login.refresh_from_db()
    assert logs_in(client, link_for(login))


def test_a_login_link_made_before_another_login_is_spent(client, login):
    link = link_for(login)
    assert logs_in(client, link_for(login))
    assert not logs_in(client, link)
